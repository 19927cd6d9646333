// Option and field types shared by the packet builder and parser: the layers a packet is built from,
// and the numbers (EtherTypes, IP protocol numbers) that link them.
import type { Address } from './address.ts';

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
  /** IEEE 802 local experimental EtherType 1: the default when raw bytes follow Ethernet. */
  EXPERIMENTAL: 0x88b5,
} as const;

export const IpProtocol = {
  HOPOPT: 0,
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  /** RFC 3692 experimentation: the default when raw bytes follow IP. */
  EXPERIMENTAL: 253,
} as const;

export interface EthOptions {
  readonly src?: Address;
  readonly dst?: Address;
  /** EtherType; filled in from the next layer when omitted. */
  readonly type?: number;
}

/** An 802.1Q tag (TPID 0x8100) or, with `tpid: 0x88a8`, an 802.1ad service tag. */
export interface VlanOptions {
  readonly id: number;
  readonly pcp?: number;
  readonly dei?: boolean;
  /** The tag protocol identifier written before this tag (0x8100 by default). */
  readonly tpid?: number;
  /** The EtherType after the tag; filled in from the next layer when omitted. */
  readonly type?: number;
}

export interface ArpOptions {
  /** 1 request, 2 reply (or the names). */
  readonly op?: 'request' | 'reply' | number;
  readonly senderMac?: Address;
  readonly senderIp?: Address;
  readonly targetMac?: Address;
  readonly targetIp?: Address;
  readonly htype?: number;
  readonly ptype?: number;
}

export type Ipv4Flag = 'reserved' | 'df' | 'mf';

/** An IPv4 option: a single byte for types 0 (EOL) and 1 (NOP), else type, length, data. */
export interface Ipv4Option {
  readonly type: number;
  readonly data?: Uint8Array;
}

export interface Ipv4Options {
  readonly src?: Address;
  readonly dst?: Address;
  readonly ttl?: number;
  readonly tos?: number;
  readonly id?: number;
  readonly flags?: readonly Ipv4Flag[];
  /** Fragment offset in 8-byte units, as on the wire. */
  readonly fragmentOffset?: number;
  /** Options as a list (padded with EOL to a multiple of 4) or raw bytes (padded likewise). */
  readonly options?: readonly Ipv4Option[] | Uint8Array;
  /** Protocol; filled in from the next layer when omitted. */
  readonly protocol?: number;
  // Deliberately wrong values, for malformed packets:
  readonly checksum?: number;
  readonly totalLength?: number;
  /** Header length in 32-bit words. */
  readonly ihl?: number;
  readonly version?: number;
}

export interface Ipv6Options {
  readonly src?: Address;
  readonly dst?: Address;
  readonly hopLimit?: number;
  readonly trafficClass?: number;
  readonly flowLabel?: number;
  /** Next header; filled in from the next layer when omitted. */
  readonly nextHeader?: number;
  readonly payloadLength?: number;
  readonly version?: number;
}

/** A hop-by-hop or destination option TLV (type 0 is Pad1, a single byte). */
export interface Ipv6Option {
  readonly type: number;
  readonly data?: Uint8Array;
}

export interface Ipv6OptionsHeader {
  /** TLVs, padded with Pad1/PadN to a multiple of 8 bytes; or raw option bytes (padded likewise). */
  readonly options?: readonly Ipv6Option[] | Uint8Array;
  readonly nextHeader?: number;
}

export interface RoutingHeader {
  /** 0 (deprecated source route), 2 (mobile IPv6), 3 (RPL), 4 (segment routing); 0 by default. */
  readonly routingType?: number;
  readonly segmentsLeft?: number;
  readonly addresses?: readonly Address[];
  /** The 4 type-specific bytes after segments left; for type 4, last entry is filled in when omitted. */
  readonly reserved?: Uint8Array;
  readonly nextHeader?: number;
}

export interface FragmentHeader {
  /** Fragment offset in 8-byte units. */
  readonly offset?: number;
  readonly more?: boolean;
  readonly id?: number;
  readonly nextHeader?: number;
}

export type TcpFlag = 'fin' | 'syn' | 'rst' | 'psh' | 'ack' | 'urg' | 'ece' | 'cwr' | 'ae';
export const TCP_FLAGS: readonly TcpFlag[] = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr', 'ae'];

export type TcpOption =
  | { readonly kind: 'eol' }
  | { readonly kind: 'nop' }
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'wscale'; readonly value: number }
  | { readonly kind: 'sackPermitted' }
  | { readonly kind: 'sack'; readonly blocks: readonly (readonly [number, number])[] }
  | { readonly kind: 'timestamps'; readonly value: number; readonly echo: number }
  | { readonly kind: number; readonly data: Uint8Array };

export interface TcpOptions {
  readonly sport?: number;
  readonly dport?: number;
  readonly seq?: number;
  readonly ack?: number;
  readonly flags?: readonly TcpFlag[];
  readonly window?: number;
  readonly urgent?: number;
  /** Encoded in order and padded with EOL to a multiple of 4 bytes; or raw bytes (padded likewise). */
  readonly options?: readonly TcpOption[] | Uint8Array;
  readonly checksum?: number;
  /** Header length in 32-bit words. */
  readonly dataOffset?: number;
}

export interface UdpOptions {
  readonly sport?: number;
  readonly dport?: number;
  readonly checksum?: number;
  readonly length?: number;
}

export type IcmpType = 'echo-reply' | 'dest-unreachable' | 'echo-request' | 'time-exceeded' | number;

export interface IcmpOptions {
  readonly type?: IcmpType;
  readonly code?: number;
  /** Echo identifier and sequence number (the 4 bytes after the checksum). */
  readonly id?: number;
  readonly seq?: number;
  /** The 4 bytes after the checksum, when not id/seq. */
  readonly rest?: Uint8Array;
  readonly checksum?: number;
}

export type Icmpv6Type =
  | 'echo-request'
  | 'echo-reply'
  | 'dest-unreachable'
  | 'packet-too-big'
  | 'time-exceeded'
  | 'router-solicitation'
  | 'router-advertisement'
  | 'neighbor-solicitation'
  | 'neighbor-advertisement'
  | number;

/** An NDP option: link-layer addresses by name, or any type with its data (padded to 8 bytes). */
export type NdpOption =
  | { readonly type: 'source-lladdr' | 'target-lladdr'; readonly mac: Address }
  | { readonly type: number; readonly data: Uint8Array };

export interface Icmpv6Options {
  readonly type?: Icmpv6Type;
  readonly code?: number;
  readonly id?: number;
  readonly seq?: number;
  /** Neighbour solicitation/advertisement target. */
  readonly target?: Address;
  /** Neighbour advertisement flags. */
  readonly router?: boolean;
  readonly solicited?: boolean;
  readonly override?: boolean;
  readonly options?: readonly NdpOption[];
  /** The 4 bytes after the checksum, for other types. */
  readonly rest?: Uint8Array;
  readonly checksum?: number;
}

export const ICMP_TYPES: Readonly<Record<string, number>> = {
  'echo-reply': 0,
  'dest-unreachable': 3,
  'echo-request': 8,
  'time-exceeded': 11,
};

export const ICMPV6_TYPES: Readonly<Record<string, number>> = {
  'dest-unreachable': 1,
  'packet-too-big': 2,
  'time-exceeded': 3,
  'echo-request': 128,
  'echo-reply': 129,
  'router-solicitation': 133,
  'router-advertisement': 134,
  'neighbor-solicitation': 135,
  'neighbor-advertisement': 136,
};

export const NDP_OPTION_TYPES: Readonly<Record<string, number>> = { 'source-lladdr': 1, 'target-lladdr': 2 };
