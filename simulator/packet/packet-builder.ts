// PacketBuilder: packets layer by layer, outermost first, with lengths, next-protocol numbers and
// checksums filled in when built; every one of them can be overridden to build malformed packets.
//
//   packet.eth({ src, dst }).vlan({ id: 10 }).ipv4({ src: '10.0.0.1', dst: '10.0.0.2' })
//     .tcp({ dport: 22, flags: ['syn'], options: [{ kind: 'mss', value: 1460 }] }).payload('hi').build()
//
// Building runs inside out: the payload first, then each header around what it carries, so a header
// knows its payload length and a transport checksum its pseudo-header (the nearest IP layer outside it).
import { ipv4Bytes, ipv6Bytes, macBytes } from './address.ts';
import { internetChecksum, transportChecksum } from './checksum.ts';
import {
  EtherType,
  ICMP_TYPES,
  ICMPV6_TYPES,
  IpProtocol,
  NDP_OPTION_TYPES,
  type ArpOptions,
  type EthOptions,
  type FragmentHeader,
  type IcmpOptions,
  type Icmpv6Options,
  type Ipv4Options,
  type Ipv6Option,
  type Ipv6Options,
  type Ipv6OptionsHeader,
  type RoutingHeader,
  type TcpFlag,
  type TcpOption,
  type TcpOptions,
  type UdpOptions,
  type VlanOptions,
} from './layers.ts';

type Layer =
  | { readonly kind: 'eth'; readonly o: EthOptions }
  | { readonly kind: 'vlan'; readonly o: VlanOptions }
  | { readonly kind: 'arp'; readonly o: ArpOptions }
  | { readonly kind: 'ipv4'; readonly o: Ipv4Options }
  | { readonly kind: 'ipv6'; readonly o: Ipv6Options }
  | { readonly kind: 'hopByHop' | 'destOptions'; readonly o: Ipv6OptionsHeader }
  | { readonly kind: 'routing'; readonly o: RoutingHeader }
  | { readonly kind: 'fragment'; readonly o: FragmentHeader }
  | { readonly kind: 'tcp'; readonly o: TcpOptions }
  | { readonly kind: 'udp'; readonly o: UdpOptions }
  | { readonly kind: 'icmp'; readonly o: IcmpOptions }
  | { readonly kind: 'icmpv6'; readonly o: Icmpv6Options }
  | { readonly kind: 'raw'; readonly data: Uint8Array };

interface Cut {
  /** Index of the layer the cut is relative to; -1 for the packet's start. */
  readonly layer: number;
  readonly bytes: number;
}

const DEFAULT_MAC_SRC = '02:00:00:00:00:01';
const DEFAULT_MAC_DST = '02:00:00:00:00:02';

/** Immutable: every method returns a new builder, so a common prefix can be shared between tests. */
export class PacketBuilder {
  readonly #layers: readonly Layer[];
  readonly #cut: Cut | undefined;

  constructor(layers: readonly Layer[] = [], cut?: Cut) {
    this.#layers = layers;
    this.#cut = cut;
  }

  #with(layer: Layer): PacketBuilder {
    return new PacketBuilder([...this.#layers, layer], this.#cut);
  }

  /** Ethernet II header (14 bytes). */
  eth(o: EthOptions = {}): PacketBuilder {
    return this.#with({ kind: 'eth', o });
  }
  /** An 802.1Q tag; `{ tpid: 0x88a8 }` for an 802.1ad service tag. */
  vlan(o: VlanOptions): PacketBuilder {
    return this.#with({ kind: 'vlan', o });
  }
  /** 802.1ad QinQ: a service tag (TPID 0x88a8) and a customer tag (0x8100). */
  qinq(outer: number | VlanOptions, inner: number | VlanOptions): PacketBuilder {
    const tag = (t: number | VlanOptions, tpid: number): VlanOptions => (typeof t === 'number' ? { id: t, tpid } : { tpid, ...t });
    return this.vlan(tag(outer, EtherType.QINQ)).vlan(tag(inner, EtherType.VLAN));
  }
  arp(o: ArpOptions = {}): PacketBuilder {
    return this.#with({ kind: 'arp', o });
  }
  ipv4(o: Ipv4Options = {}): PacketBuilder {
    return this.#with({ kind: 'ipv4', o });
  }
  ipv6(o: Ipv6Options = {}): PacketBuilder {
    return this.#with({ kind: 'ipv6', o });
  }
  /** IPv6 hop-by-hop options header (next header 0). */
  hopByHop(o: Ipv6OptionsHeader = {}): PacketBuilder {
    return this.#with({ kind: 'hopByHop', o });
  }
  /** IPv6 routing header (43). */
  routing(o: RoutingHeader = {}): PacketBuilder {
    return this.#with({ kind: 'routing', o });
  }
  /** IPv6 fragment header (44). */
  fragment(o: FragmentHeader = {}): PacketBuilder {
    return this.#with({ kind: 'fragment', o });
  }
  /** IPv6 destination options header (60). */
  destOptions(o: Ipv6OptionsHeader = {}): PacketBuilder {
    return this.#with({ kind: 'destOptions', o });
  }
  tcp(o: TcpOptions = {}): PacketBuilder {
    return this.#with({ kind: 'tcp', o });
  }
  udp(o: UdpOptions = {}): PacketBuilder {
    return this.#with({ kind: 'udp', o });
  }
  icmp(o: IcmpOptions = {}): PacketBuilder {
    return this.#with({ kind: 'icmp', o });
  }
  icmpv6(o: Icmpv6Options = {}): PacketBuilder {
    return this.#with({ kind: 'icmpv6', o });
  }
  /** Payload bytes (a string is encoded as UTF-8). */
  payload(data: Uint8Array | string): PacketBuilder {
    return this.#with({ kind: 'raw', data: typeof data === 'string' ? new TextEncoder().encode(data) : data });
  }
  /** Raw bytes as a layer of their own (an unknown header, say); the layer before sees no protocol number for it. */
  bytes(data: Uint8Array | readonly number[]): PacketBuilder {
    return this.#with({ kind: 'raw', data: Uint8Array.from(data) });
  }
  /**
   * Cuts the built packet `n` bytes into the last layer added (from the packet's start when there is none):
   * lengths and checksums are those of the whole packet, as in a capture cut short by its snap length.
   */
  truncate(n: number): PacketBuilder {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`truncate: ${n} is not a byte count`);
    return new PacketBuilder(this.#layers, { layer: this.#layers.length - 1, bytes: n });
  }

  /** The packet's bytes. */
  build(): Uint8Array {
    const layers = this.#layers;
    let inner: Uint8Array = new Uint8Array(0);
    const sizes: number[] = [];
    for (let i = layers.length - 1; i >= 0; i--) {
      inner = encodeLayer(layers, i, inner);
      sizes[i] = inner.length;
    }
    if (this.#cut === undefined) return inner;
    const start = this.#cut.layer < 0 ? 0 : inner.length - sizes[this.#cut.layer]!;
    return inner.slice(0, Math.min(inner.length, start + this.#cut.bytes));
  }
}

/**
 * The empty builder: `packet.eth(...)...build()`; start with `packet.ipv4(...)` for a raw IP packet (as
 * socket filters and cgroup programs see them, or pcap link type raw).
 */
export const packet = new PacketBuilder();

// ---------------------------------------------------------------------------------------------------------
// Encoding

function u8(v: number | undefined, what: string, dflt = 0): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 0 || x > 0xff) throw new RangeError(`${what}: ${x} is not a u8`);
  return x;
}
function u16(v: number | undefined, what: string, dflt = 0): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 0 || x > 0xffff) throw new RangeError(`${what}: ${x} is not a u16`);
  return x;
}
function u32(v: number | undefined, what: string, dflt = 0): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 0 || x > 0xffff_ffff) throw new RangeError(`${what}: ${x} is not a u32`);
  return x;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The number the enclosing layer uses for `layer`: an EtherType after Ethernet/VLAN, else an IP protocol. */
function typeCode(parent: Layer, layer: Layer | undefined): number | undefined {
  if (layer === undefined) return undefined;
  if (parent.kind === 'eth' || parent.kind === 'vlan') {
    switch (layer.kind) {
      case 'vlan':
        return layer.o.tpid ?? EtherType.VLAN;
      case 'ipv4':
        return EtherType.IPV4;
      case 'ipv6':
        return EtherType.IPV6;
      case 'arp':
        return EtherType.ARP;
      default:
        return undefined;
    }
  }
  const numbers: Partial<Record<Layer['kind'], number>> = {
    tcp: IpProtocol.TCP,
    udp: IpProtocol.UDP,
    icmp: IpProtocol.ICMP,
    icmpv6: IpProtocol.ICMPV6,
    ipv4: IpProtocol.IPIP,
    ipv6: IpProtocol.IPV6,
    hopByHop: IpProtocol.HOPOPT,
    routing: IpProtocol.ROUTING,
    fragment: IpProtocol.FRAGMENT,
    destOptions: IpProtocol.DSTOPTS,
  };
  return numbers[layer.kind];
}

/** Next-protocol number for layer i: given, else from the next layer, else the default for what follows. */
function nextCode(layers: readonly Layer[], i: number, given: number | undefined, none: number, raw: number): number {
  if (given !== undefined) return given;
  const next = layers[i + 1];
  return typeCode(layers[i]!, next) ?? (next === undefined ? none : raw);
}

interface PseudoAddresses {
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
}

/** The addresses of the transport pseudo-header for layer i: the nearest IP layer before it. */
function pseudoAddresses(layers: readonly Layer[], i: number): PseudoAddresses | undefined {
  let routingDst: Uint8Array | undefined;
  for (let j = i - 1; j >= 0; j--) {
    const l = layers[j]!;
    if (l.kind === 'routing') {
      const addrs = l.o.addresses ?? [];
      const left = l.o.segmentsLeft ?? addrs.length;
      // Types 0, 2 and 4 carry full addresses (the parser reads only those); 4 lists the final one first.
      const type = l.o.routingType ?? 0;
      const final = type === 4 ? addrs[0] : addrs[addrs.length - 1];
      if ((type === 0 || type === 2 || type === 4) && left > 0 && final !== undefined) routingDst = ipv6Bytes(final);
    }
    if (l.kind === 'ipv4') return { src: ipv4Bytes(l.o.src ?? '10.0.0.1'), dst: ipv4Bytes(l.o.dst ?? '10.0.0.2') };
    if (l.kind === 'ipv6') {
      return { src: ipv6Bytes(l.o.src ?? 'fd00::1'), dst: routingDst ?? ipv6Bytes(l.o.dst ?? 'fd00::2') };
    }
    if (l.kind === 'tcp' || l.kind === 'udp' || l.kind === 'icmp' || l.kind === 'icmpv6') return undefined;
  }
  return undefined;
}

function encodeLayer(layers: readonly Layer[], i: number, inner: Uint8Array): Uint8Array {
  const layer = layers[i]!;
  switch (layer.kind) {
    case 'raw':
      return concat(layer.data, inner);
    case 'eth': {
      const h = new Uint8Array(14);
      h.set(macBytes(layer.o.dst ?? DEFAULT_MAC_DST), 0);
      h.set(macBytes(layer.o.src ?? DEFAULT_MAC_SRC), 6);
      new DataView(h.buffer).setUint16(12, u16(nextCode(layers, i, layer.o.type, EtherType.EXPERIMENTAL, EtherType.EXPERIMENTAL), 'eth type'));
      return concat(h, inner);
    }
    case 'vlan': {
      const o = layer.o;
      if (!Number.isInteger(o.id) || o.id < 0 || o.id > 0xfff) throw new RangeError(`vlan: id ${o.id} is not 0..4095`);
      const pcp = o.pcp ?? 0;
      if (!Number.isInteger(pcp) || pcp < 0 || pcp > 7) throw new RangeError(`vlan: pcp ${pcp} is not 0..7`);
      const h = new Uint8Array(4);
      const v = new DataView(h.buffer);
      v.setUint16(0, (pcp << 13) | (o.dei === true ? 0x1000 : 0) | o.id);
      v.setUint16(2, u16(nextCode(layers, i, o.type, EtherType.EXPERIMENTAL, EtherType.EXPERIMENTAL), 'vlan type'));
      return concat(h, inner);
    }
    case 'arp':
      return concat(encodeArp(layer.o), inner);
    case 'ipv4':
      return encodeIpv4(layer.o, nextCode(layers, i, layer.o.protocol, IpProtocol.EXPERIMENTAL, IpProtocol.EXPERIMENTAL), inner);
    case 'ipv6': {
      const o = layer.o;
      const h = new Uint8Array(40);
      const v = new DataView(h.buffer);
      const tc = u8(o.trafficClass, 'ipv6 traffic class');
      const flow = o.flowLabel ?? 0;
      if (!Number.isInteger(flow) || flow < 0 || flow > 0xfffff) throw new RangeError(`ipv6: flow label ${flow} is not 20 bits`);
      v.setUint32(0, (((o.version ?? 6) & 0xf) << 28) | (tc << 20) | flow);
      v.setUint16(4, u16(o.payloadLength ?? inner.length, 'ipv6 payload length'));
      h[6] = u8(nextCode(layers, i, o.nextHeader, IpProtocol.NONE, IpProtocol.EXPERIMENTAL), 'ipv6 next header');
      h[7] = u8(o.hopLimit, 'ipv6 hop limit', 64);
      h.set(ipv6Bytes(o.src ?? 'fd00::1'), 8);
      h.set(ipv6Bytes(o.dst ?? 'fd00::2'), 24);
      return concat(h, inner);
    }
    case 'hopByHop':
    case 'destOptions': {
      const body = ipv6OptionBytes(layer.o.options ?? []);
      const h = new Uint8Array(2 + body.length);
      h[0] = u8(nextCode(layers, i, layer.o.nextHeader, IpProtocol.NONE, IpProtocol.EXPERIMENTAL), 'next header');
      h[1] = h.length / 8 - 1;
      h.set(body, 2);
      return concat(h, inner);
    }
    case 'routing': {
      const o = layer.o;
      const addrs = (o.addresses ?? []).map(ipv6Bytes);
      const h = new Uint8Array(8 + 16 * addrs.length);
      const type = u8(o.routingType, 'routing type');
      h[0] = u8(nextCode(layers, i, o.nextHeader, IpProtocol.NONE, IpProtocol.EXPERIMENTAL), 'next header');
      h[1] = 2 * addrs.length;
      h[2] = type;
      h[3] = u8(o.segmentsLeft, 'segments left', addrs.length);
      if (o.reserved !== undefined) {
        if (o.reserved.length !== 4) throw new RangeError(`routing: reserved has ${o.reserved.length} bytes (want 4)`);
        h.set(o.reserved, 4);
      } else if (type === 4 && addrs.length > 0) {
        h[4] = addrs.length - 1;
      }
      addrs.forEach((a, k) => h.set(a, 8 + 16 * k));
      return concat(h, inner);
    }
    case 'fragment': {
      const o = layer.o;
      const h = new Uint8Array(8);
      const v = new DataView(h.buffer);
      h[0] = u8(nextCode(layers, i, o.nextHeader, IpProtocol.NONE, IpProtocol.EXPERIMENTAL), 'next header');
      const off = o.offset ?? 0;
      if (!Number.isInteger(off) || off < 0 || off > 0x1fff) throw new RangeError(`fragment: offset ${off} is not 13 bits`);
      v.setUint16(2, (off << 3) | (o.more === true ? 1 : 0));
      v.setUint32(4, u32(o.id, 'fragment id'));
      return concat(h, inner);
    }
    case 'tcp':
      return encodeTcp(layer.o, inner, pseudoAddresses(layers, i));
    case 'udp': {
      const o = layer.o;
      const seg = concat(new Uint8Array(8), inner);
      const v = new DataView(seg.buffer);
      v.setUint16(0, u16(o.sport, 'udp sport', 40000));
      v.setUint16(2, u16(o.dport, 'udp dport', 53));
      v.setUint16(4, u16(o.length ?? seg.length, 'udp length'));
      const ip = pseudoAddresses(layers, i);
      let sum = 0;
      if (ip !== undefined) sum = transportChecksum(ip.src, ip.dst, IpProtocol.UDP, seg) || 0xffff;
      v.setUint16(6, u16(o.checksum ?? sum, 'udp checksum'));
      return seg;
    }
    case 'icmp': {
      const o = layer.o;
      const seg = concat(new Uint8Array(8), inner);
      const v = new DataView(seg.buffer);
      seg[0] = u8(typeof o.type === 'string' ? ICMP_TYPES[o.type] : o.type, 'icmp type', 8);
      seg[1] = u8(o.code, 'icmp code');
      fourBytes(seg, v, o);
      v.setUint16(2, u16(o.checksum ?? internetChecksum(seg), 'icmp checksum'));
      return seg;
    }
    case 'icmpv6':
      return encodeIcmpv6(layer.o, inner, pseudoAddresses(layers, i));
  }
}

function fourBytes(seg: Uint8Array, v: DataView, o: { readonly id?: number; readonly seq?: number; readonly rest?: Uint8Array }): void {
  if (o.rest !== undefined) {
    if (o.rest.length !== 4) throw new RangeError(`icmp: rest has ${o.rest.length} bytes (want 4)`);
    seg.set(o.rest, 4);
  } else {
    v.setUint16(4, u16(o.id, 'icmp id'));
    v.setUint16(6, u16(o.seq, 'icmp seq'));
  }
}

function encodeArp(o: ArpOptions): Uint8Array {
  const h = new Uint8Array(28);
  const v = new DataView(h.buffer);
  v.setUint16(0, u16(o.htype, 'arp htype', 1));
  v.setUint16(2, u16(o.ptype, 'arp ptype', EtherType.IPV4));
  h[4] = 6;
  h[5] = 4;
  const op = o.op === 'request' || o.op === undefined ? 1 : o.op === 'reply' ? 2 : o.op;
  v.setUint16(6, u16(op, 'arp op'));
  h.set(macBytes(o.senderMac ?? DEFAULT_MAC_SRC), 8);
  h.set(ipv4Bytes(o.senderIp ?? '10.0.0.1'), 14);
  h.set(macBytes(o.targetMac ?? '00:00:00:00:00:00'), 18);
  h.set(ipv4Bytes(o.targetIp ?? '10.0.0.2'), 24);
  return h;
}

function pad(bytes: Uint8Array, multiple: number): Uint8Array {
  const n = Math.ceil(bytes.length / multiple) * multiple;
  if (n === bytes.length) return bytes;
  const out = new Uint8Array(n);
  out.set(bytes);
  return out;
}

function tlv(type: number, data: Uint8Array, what: string): Uint8Array {
  if (data.length > 253) throw new RangeError(`${what}: option ${type} has ${data.length} bytes of data (at most 253)`);
  return concat(Uint8Array.of(type, data.length + 2), data);
}

function encodeIpv4(o: Ipv4Options, protocol: number, inner: Uint8Array): Uint8Array {
  let opts: Uint8Array;
  if (o.options instanceof Uint8Array) opts = o.options;
  else opts = concat(...(o.options ?? []).map((op) => (op.type <= 1 ? Uint8Array.of(op.type) : tlv(op.type, op.data ?? new Uint8Array(0), 'ipv4'))));
  opts = pad(opts, 4);
  if (opts.length > 40) throw new RangeError(`ipv4: ${opts.length} bytes of options (at most 40)`);
  const h = new Uint8Array(20 + opts.length);
  const v = new DataView(h.buffer);
  const ihl = o.ihl ?? h.length / 4;
  if (!Number.isInteger(ihl) || ihl < 0 || ihl > 15) throw new RangeError(`ipv4: ihl ${ihl} is not 0..15`);
  h[0] = (((o.version ?? 4) & 0xf) << 4) | ihl;
  h[1] = u8(o.tos, 'ipv4 tos');
  v.setUint16(2, u16(o.totalLength ?? h.length + inner.length, 'ipv4 total length'));
  v.setUint16(4, u16(o.id, 'ipv4 id'));
  const flags = o.flags ?? [];
  const off = o.fragmentOffset ?? 0;
  if (!Number.isInteger(off) || off < 0 || off > 0x1fff) throw new RangeError(`ipv4: fragment offset ${off} is not 13 bits`);
  v.setUint16(
    6,
    (flags.includes('reserved') ? 0x8000 : 0) | (flags.includes('df') ? 0x4000 : 0) | (flags.includes('mf') ? 0x2000 : 0) | off,
  );
  h[8] = u8(o.ttl, 'ipv4 ttl', 64);
  h[9] = u8(protocol, 'ipv4 protocol');
  h.set(ipv4Bytes(o.src ?? '10.0.0.1'), 12);
  h.set(ipv4Bytes(o.dst ?? '10.0.0.2'), 16);
  h.set(opts, 20);
  v.setUint16(10, u16(o.checksum ?? internetChecksum(h), 'ipv4 checksum'));
  return concat(h, inner);
}

/** An IPv6 option: its length byte counts the data only (RFC 8200 §4.2). */
function ipv6Tlv(type: number, data: Uint8Array): Uint8Array {
  if (data.length > 255) throw new RangeError(`ipv6: option ${type} has ${data.length} bytes of data (at most 255)`);
  return concat(Uint8Array.of(u8(type, 'ipv6 option type'), data.length), data);
}

/** Hop-by-hop / destination options, padded (Pad1 or PadN) so that the header is a multiple of 8 bytes. */
function ipv6OptionBytes(options: readonly Ipv6Option[] | Uint8Array): Uint8Array {
  const raw =
    options instanceof Uint8Array
      ? options
      : concat(...options.map((op) => (op.type === 0 ? Uint8Array.of(0) : ipv6Tlv(op.type, op.data ?? new Uint8Array(0)))));
  const total = Math.max(8, Math.ceil((raw.length + 2) / 8) * 8);
  const padding = total - 2 - raw.length;
  if (padding === 0) return raw;
  const padBytes = padding === 1 ? Uint8Array.of(0) : concat(Uint8Array.of(1, padding - 2), new Uint8Array(padding - 2));
  return concat(raw, padBytes);
}

const TCP_FLAG_BITS: Readonly<Record<TcpFlag, number>> = {
  fin: 0x001,
  syn: 0x002,
  rst: 0x004,
  psh: 0x008,
  ack: 0x010,
  urg: 0x020,
  ece: 0x040,
  cwr: 0x080,
  ae: 0x100,
};

function tcpOptionBytes(op: TcpOption): Uint8Array {
  switch (op.kind) {
    case 'eol':
      return Uint8Array.of(0);
    case 'nop':
      return Uint8Array.of(1);
    case 'mss':
      return Uint8Array.of(2, 4, u16(op.value, 'tcp mss') >> 8, op.value & 0xff);
    case 'wscale':
      return Uint8Array.of(3, 3, u8(op.value, 'tcp wscale'));
    case 'sackPermitted':
      return Uint8Array.of(4, 2);
    case 'sack': {
      const out = new Uint8Array(2 + 8 * op.blocks.length);
      const v = new DataView(out.buffer);
      out[0] = 5;
      out[1] = out.length;
      op.blocks.forEach(([l, r], k) => {
        v.setUint32(2 + 8 * k, u32(l, 'tcp sack edge'));
        v.setUint32(6 + 8 * k, u32(r, 'tcp sack edge'));
      });
      return out;
    }
    case 'timestamps': {
      const out = new Uint8Array(10);
      const v = new DataView(out.buffer);
      out[0] = 8;
      out[1] = 10;
      v.setUint32(2, u32(op.value, 'tcp tsval'));
      v.setUint32(6, u32(op.echo, 'tcp tsecr'));
      return out;
    }
    default:
      return tlv(u8(op.kind, 'tcp option kind'), op.data, 'tcp');
  }
}

function encodeTcp(o: TcpOptions, inner: Uint8Array, ip: PseudoAddresses | undefined): Uint8Array {
  const opts = pad(o.options instanceof Uint8Array ? o.options : concat(...(o.options ?? []).map(tcpOptionBytes)), 4);
  if (opts.length > 40) throw new RangeError(`tcp: ${opts.length} bytes of options (at most 40)`);
  const seg = concat(new Uint8Array(20), opts, inner);
  const v = new DataView(seg.buffer);
  v.setUint16(0, u16(o.sport, 'tcp sport', 40000));
  v.setUint16(2, u16(o.dport, 'tcp dport', 80));
  v.setUint32(4, u32(o.seq, 'tcp seq'));
  v.setUint32(8, u32(o.ack, 'tcp ack'));
  const doff = o.dataOffset ?? (20 + opts.length) / 4;
  if (!Number.isInteger(doff) || doff < 0 || doff > 15) throw new RangeError(`tcp: data offset ${doff} is not 0..15`);
  const flags = (o.flags ?? []).reduce((acc, f) => acc | TCP_FLAG_BITS[f], 0);
  v.setUint16(12, (doff << 12) | flags);
  v.setUint16(14, u16(o.window, 'tcp window', 65535));
  v.setUint16(18, u16(o.urgent, 'tcp urgent pointer'));
  const sum = ip === undefined ? 0 : transportChecksum(ip.src, ip.dst, IpProtocol.TCP, seg);
  v.setUint16(16, u16(o.checksum ?? sum, 'tcp checksum'));
  return seg;
}

function ndpOptionBytes(op: NonNullable<Icmpv6Options['options']>[number]): Uint8Array {
  const type = typeof op.type === 'string' ? NDP_OPTION_TYPES[op.type]! : op.type;
  const data = 'mac' in op ? macBytes(op.mac) : op.data;
  const total = Math.ceil((data.length + 2) / 8) * 8;
  if (total > 255 * 8) throw new RangeError(`ndp option ${type}: ${data.length} bytes of data is too long`);
  const out = new Uint8Array(total);
  out[0] = u8(type, 'ndp option type');
  out[1] = total / 8;
  out.set(data, 2);
  return out;
}

function encodeIcmpv6(o: Icmpv6Options, inner: Uint8Array, ip: PseudoAddresses | undefined): Uint8Array {
  const type = u8(typeof o.type === 'string' ? ICMPV6_TYPES[o.type] : o.type, 'icmpv6 type', 128);
  const fixed = new Uint8Array(8);
  const fv = new DataView(fixed.buffer);
  fixed[0] = type;
  fixed[1] = u8(o.code, 'icmpv6 code');
  let body: Uint8Array = new Uint8Array(0);
  if (type === 135 || type === 136) {
    if (o.rest !== undefined) fourBytes(fixed, fv, o);
    else if (type === 136) fixed[4] = (o.router === true ? 0x80 : 0) | (o.solicited === true ? 0x40 : 0) | (o.override === true ? 0x20 : 0);
    body = concat(ipv6Bytes(o.target ?? '::'), ...(o.options ?? []).map(ndpOptionBytes));
  } else if (type === 133) {
    if (o.rest !== undefined) fourBytes(fixed, fv, o);
    body = concat(...(o.options ?? []).map(ndpOptionBytes));
  } else {
    fourBytes(fixed, fv, o);
    if (o.options !== undefined) body = concat(...o.options.map(ndpOptionBytes));
  }
  const seg = concat(fixed, body, inner);
  const sum = ip === undefined ? 0 : transportChecksum(ip.src, ip.dst, IpProtocol.ICMPV6, seg);
  new DataView(seg.buffer).setUint16(2, u16(o.checksum ?? sum, 'icmpv6 checksum'));
  return seg;
}
