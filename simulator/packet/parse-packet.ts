// parsePacket: the headers of a packet, without ever throwing. Whatever cannot be read (a truncated
// header, a length field pointing past the end, an option running off its header) is named in `errors`,
// and parsing stops there; the bytes after the last header read are the payload. Every layer with a
// checksum says whether it verifies (`valid`).
import { formatIpv4, formatIpv6, formatMac } from './address.ts';
import { internetChecksum, pseudoHeaderSum } from './checksum.ts';
import { EtherType, IpProtocol, TCP_FLAGS, type Ipv4Flag, type TcpFlag, type TcpOption } from './layers.ts';

export interface ParsedEth {
  readonly dst: string;
  readonly src: string;
  /** The EtherType (or TPID) right after the addresses. */
  readonly type: number;
}

export interface ParsedVlan {
  readonly offset: number;
  /** The tag protocol identifier that announced this tag (0x8100, 0x88a8, …). */
  readonly tpid: number;
  readonly pcp: number;
  readonly dei: boolean;
  readonly id: number;
  readonly type: number;
}

export interface ParsedArp {
  readonly offset: number;
  readonly htype: number;
  readonly ptype: number;
  readonly hlen: number;
  readonly plen: number;
  readonly op: number;
  /** Formatted when hlen is 6 and plen 4; hex otherwise. */
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
}

export interface ParsedIpv4 {
  readonly offset: number;
  readonly version: number;
  readonly ihl: number;
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  readonly flags: readonly Ipv4Flag[];
  /** In 8-byte units. */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly src: string;
  readonly dst: string;
  readonly options: Uint8Array;
  /** The header checksum verifies. */
  readonly valid: boolean;
}

export type ParsedIpv6Extension =
  | {
      readonly type: 'hopByHop' | 'destOptions';
      readonly offset: number;
      readonly nextHeader: number;
      /** TLVs with Pad1 and PadN left out. */
      readonly options: readonly { readonly type: number; readonly data: Uint8Array }[];
    }
  | {
      readonly type: 'routing';
      readonly offset: number;
      readonly nextHeader: number;
      readonly routingType: number;
      readonly segmentsLeft: number;
      readonly reserved: Uint8Array;
      readonly addresses: readonly string[];
    }
  | {
      readonly type: 'fragment';
      readonly offset: number;
      readonly nextHeader: number;
      /** In 8-byte units. */
      readonly fragmentOffset: number;
      readonly more: boolean;
      readonly id: number;
    };

export interface ParsedIpv6 {
  readonly offset: number;
  readonly version: number;
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly src: string;
  readonly dst: string;
  readonly extensions: readonly ParsedIpv6Extension[];
  /** The upper-layer protocol after the extension headers. */
  readonly protocol: number;
  /** The payload length matches the bytes present (IPv6 has no header checksum). */
  readonly valid: boolean;
}

export interface ParsedTcp {
  readonly offset: number;
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  readonly dataOffset: number;
  readonly flags: readonly TcpFlag[];
  readonly window: number;
  readonly checksum: number;
  readonly urgent: number;
  readonly options: readonly TcpOption[];
  /** The checksum verifies over the pseudo-header and the segment (false for a first fragment). */
  readonly valid: boolean;
}

export interface ParsedUdp {
  readonly offset: number;
  readonly sport: number;
  readonly dport: number;
  readonly length: number;
  readonly checksum: number;
  /** The checksum verifies, or is zero (none) over IPv4. */
  readonly valid: boolean;
}

export interface ParsedIcmp {
  readonly offset: number;
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** The 4 bytes after the checksum read as echo identifier and sequence number. */
  readonly id: number;
  readonly seq: number;
  readonly rest: Uint8Array;
  readonly valid: boolean;
}

export interface ParsedNdpOption {
  readonly type: number;
  readonly data: Uint8Array;
  /** For source/target link-layer address options (types 1 and 2) of 6 bytes. */
  readonly mac?: string;
}

export interface ParsedIcmpv6 {
  readonly offset: number;
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  readonly id: number;
  readonly seq: number;
  readonly rest: Uint8Array;
  /** Neighbour solicitation (135) and advertisement (136). */
  readonly target?: string;
  readonly router?: boolean;
  readonly solicited?: boolean;
  readonly override?: boolean;
  /** NDP options of types 133 to 137. */
  readonly options: readonly ParsedNdpOption[];
  readonly valid: boolean;
}

export interface ParsedPacket {
  readonly eth?: ParsedEth;
  readonly vlans: readonly ParsedVlan[];
  readonly arp?: ParsedArp;
  readonly ipv4?: ParsedIpv4;
  readonly ipv6?: ParsedIpv6;
  readonly tcp?: ParsedTcp;
  readonly udp?: ParsedUdp;
  readonly icmp?: ParsedIcmp;
  readonly icmpv6?: ParsedIcmpv6;
  /** The bytes after the last header read, up to the end of the IP packet (Ethernet padding left out). */
  readonly payload: Uint8Array;
  readonly payloadOffset: number;
  readonly errors: readonly string[];
}

export interface ParseOptions {
  /** `ethernet` (default) or `ip` (raw IP, as socket filters and pcap link type 101 see packets). */
  readonly link?: 'ethernet' | 'ip';
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);

/**
 * The headers of `bytes`. Never throws.
 *
 * @example
 * const p = parsePacket(packet.eth().ipv4().udp({ dport: 53 }).build());
 * p.udp?.dport // 53
 */
export function parsePacket(bytes: Uint8Array, options: ParseOptions = {}): ParsedPacket {
  const out: Mutable<ParsedPacket> = { vlans: [], payload: bytes, payloadOffset: 0, errors: [] };
  const errors: string[] = [];
  out.errors = errors;
  try {
    new Parser(bytes, out, errors).run(options.link ?? 'ethernet');
  } catch (e) {
    // A bug here must not take a fuzz run down; it is reported like any other problem.
    errors.push(`internal: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

class Parser {
  readonly #b: Uint8Array;
  readonly #v: DataView;
  readonly #out: Mutable<ParsedPacket>;
  readonly #errors: string[];
  /** End of the current IP packet (where the Ethernet padding begins). */
  #end: number;

  constructor(b: Uint8Array, out: Mutable<ParsedPacket>, errors: string[]) {
    this.#b = b;
    this.#v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.#out = out;
    this.#errors = errors;
    this.#end = b.length;
  }

  #u8(at: number): number {
    return this.#b[at]!;
  }
  #u16(at: number): number {
    return this.#v.getUint16(at);
  }
  #u32(at: number): number {
    return this.#v.getUint32(at);
  }

  /** Whether `n` bytes at `at` are present; if not, notes it and sets the payload there. */
  #need(at: number, n: number, what: string): boolean {
    if (at + n <= this.#end) return true;
    this.#errors.push(`${what}: truncated: needs ${n} bytes at offset ${at}, ${Math.max(0, this.#end - at)} present`);
    this.#payload(Math.min(at, this.#end));
    return false;
  }

  #payload(at: number): void {
    this.#out.payloadOffset = at;
    this.#out.payload = this.#b.subarray(at, Math.max(at, this.#end));
  }

  run(link: 'ethernet' | 'ip'): void {
    if (link === 'ip') {
      const version = this.#b.length > 0 ? this.#u8(0) >> 4 : 0;
      if (version === 4) this.#ipv4(0);
      else if (version === 6) this.#ipv6(0);
      else {
        this.#errors.push(this.#b.length === 0 ? 'ip: empty packet' : `ip: unknown version ${version}`);
        this.#payload(0);
      }
      return;
    }
    if (!this.#need(0, 14, 'eth')) return;
    let type = this.#u16(12);
    this.#out.eth = { dst: formatMac(this.#b, 0), src: formatMac(this.#b, 6), type };
    let at = 14;
    while (VLAN_TPIDS.has(type)) {
      if (!this.#need(at, 4, 'vlan')) return;
      const tci = this.#u16(at);
      const next = this.#u16(at + 2);
      (this.#out.vlans as ParsedVlan[]).push({ offset: at, tpid: type, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, id: tci & 0xfff, type: next });
      type = next;
      at += 4;
    }
    this.#ethertype(type, at);
  }

  #ethertype(type: number, at: number): void {
    switch (type) {
      case EtherType.IPV4:
        return this.#ipv4(at);
      case EtherType.IPV6:
        return this.#ipv6(at);
      case EtherType.ARP:
        return this.#arp(at);
      default:
        return this.#payload(at);
    }
  }

  #arp(at: number): void {
    if (!this.#need(at, 8, 'arp')) return;
    const hlen = this.#u8(at + 4);
    const plen = this.#u8(at + 5);
    const size = 8 + 2 * (hlen + plen);
    if (!this.#need(at, size, 'arp')) return;
    const hex = (o: number, n: number): string => Array.from(this.#b.subarray(o, o + n), (x) => x.toString(16).padStart(2, '0')).join('');
    const mac = (o: number): string => (hlen === 6 ? formatMac(this.#b, o) : hex(o, hlen));
    const ip = (o: number): string => (plen === 4 ? formatIpv4(this.#b, o) : hex(o, plen));
    this.#out.arp = {
      offset: at,
      htype: this.#u16(at),
      ptype: this.#u16(at + 2),
      hlen,
      plen,
      op: this.#u16(at + 6),
      senderMac: mac(at + 8),
      senderIp: ip(at + 8 + hlen),
      targetMac: mac(at + 8 + hlen + plen),
      targetIp: ip(at + 8 + 2 * hlen + plen),
    };
    this.#payload(at + size);
  }

  #ipv4(at: number): void {
    if (!this.#need(at, 20, 'ipv4')) return;
    const version = this.#u8(at) >> 4;
    const ihl = this.#u8(at) & 0xf;
    if (version !== 4) this.#errors.push(`ipv4: version ${version}`);
    const hlen = ihl * 4;
    if (ihl < 5) {
      this.#errors.push(`ipv4: header length ${hlen} is below 20`);
      return this.#payload(at + 20);
    }
    if (!this.#need(at, hlen, 'ipv4 options')) return;
    const totalLength = this.#u16(at + 2);
    const fragWord = this.#u16(at + 6);
    const flags: Ipv4Flag[] = [];
    if (fragWord & 0x8000) flags.push('reserved');
    if (fragWord & 0x4000) flags.push('df');
    if (fragWord & 0x2000) flags.push('mf');
    const protocol = this.#u8(at + 9);
    const ip: ParsedIpv4 = {
      offset: at,
      version,
      ihl,
      tos: this.#u8(at + 1),
      totalLength,
      id: this.#u16(at + 4),
      flags,
      fragmentOffset: fragWord & 0x1fff,
      ttl: this.#u8(at + 8),
      protocol,
      checksum: this.#u16(at + 10),
      src: formatIpv4(this.#b, at + 12),
      dst: formatIpv4(this.#b, at + 16),
      options: this.#b.slice(at + 20, at + hlen),
      valid: internetChecksum(this.#b, 0, at, at + hlen) === 0,
    };
    this.#out.ipv4 = ip;
    if (totalLength < hlen) this.#errors.push(`ipv4: total length ${totalLength} is below the header length ${hlen}`);
    else if (at + totalLength > this.#end) this.#errors.push(`ipv4: total length ${totalLength} exceeds the ${this.#end - at} bytes present`);
    else this.#end = at + totalLength;
    if (ip.fragmentOffset !== 0) return this.#payload(at + hlen);
    const pseudo = (len: number): number => pseudoHeaderSum(this.#b.subarray(at + 12, at + 16), this.#b.subarray(at + 16, at + 20), protocol, len);
    this.#transport(protocol, at + hlen, pseudo, flags.includes('mf'), false);
  }

  #ipv6(at: number): void {
    if (!this.#need(at, 40, 'ipv6')) return;
    const word = this.#u32(at);
    const version = word >>> 28;
    if (version !== 6) this.#errors.push(`ipv6: version ${version}`);
    const payloadLength = this.#u16(at + 4);
    let valid = true;
    if (at + 40 + payloadLength > this.#end) {
      this.#errors.push(`ipv6: payload length ${payloadLength} exceeds the ${this.#end - at - 40} bytes present`);
      valid = false;
    } else {
      this.#end = at + 40 + payloadLength;
    }
    const extensions: ParsedIpv6Extension[] = [];
    const nextHeader = this.#u8(at + 6);
    const ip: Mutable<ParsedIpv6> = {
      offset: at,
      version,
      trafficClass: (word >>> 20) & 0xff,
      flowLabel: word & 0xfffff,
      payloadLength,
      nextHeader,
      hopLimit: this.#u8(at + 7),
      src: formatIpv6(this.#b, at + 8),
      dst: formatIpv6(this.#b, at + 24),
      extensions,
      protocol: nextHeader,
      valid,
    };
    this.#out.ipv6 = ip;
    let next = nextHeader;
    let p = at + 40;
    let dst = this.#b.subarray(at + 24, at + 40);
    let firstFragment = false;
    for (;;) {
      if (next === IpProtocol.HOPOPT || next === IpProtocol.DSTOPTS) {
        if (!this.#need(p, 8, 'ipv6 options header')) return;
        const len = (this.#u8(p + 1) + 1) * 8;
        if (!this.#need(p, len, 'ipv6 options header')) return;
        const options: { type: number; data: Uint8Array }[] = [];
        for (let o = p + 2; o < p + len; ) {
          const t = this.#u8(o);
          if (t === 0) {
            o++;
            continue;
          }
          if (o + 2 > p + len || o + 2 + this.#u8(o + 1) > p + len) {
            this.#errors.push(`ipv6 options header: option ${t} at offset ${o} runs past the header`);
            break;
          }
          const n = this.#u8(o + 1);
          if (t !== 1) options.push({ type: t, data: this.#b.slice(o + 2, o + 2 + n) });
          o += 2 + n;
        }
        extensions.push({ type: next === 0 ? 'hopByHop' : 'destOptions', offset: p, nextHeader: this.#u8(p), options });
        next = this.#u8(p);
        p += len;
      } else if (next === IpProtocol.ROUTING) {
        if (!this.#need(p, 8, 'ipv6 routing header')) return;
        const len = (this.#u8(p + 1) + 1) * 8;
        if (!this.#need(p, len, 'ipv6 routing header')) return;
        const routingType = this.#u8(p + 2);
        const segmentsLeft = this.#u8(p + 3);
        const addresses: string[] = [];
        const raw: Uint8Array[] = [];
        if (routingType === 0 || routingType === 2 || routingType === 4) {
          for (let o = p + 8; o + 16 <= p + len; o += 16) {
            addresses.push(formatIpv6(this.#b, o));
            raw.push(this.#b.subarray(o, o + 16));
          }
        }
        const final = routingType === 4 ? raw[0] : raw[raw.length - 1];
        if (segmentsLeft > 0 && final !== undefined) dst = final;
        extensions.push({ type: 'routing', offset: p, nextHeader: this.#u8(p), routingType, segmentsLeft, reserved: this.#b.slice(p + 4, p + 8), addresses });
        next = this.#u8(p);
        p += len;
      } else if (next === IpProtocol.FRAGMENT) {
        if (!this.#need(p, 8, 'ipv6 fragment header')) return;
        const w = this.#u16(p + 2);
        const frag = { type: 'fragment', offset: p, nextHeader: this.#u8(p), fragmentOffset: w >> 3, more: (w & 1) !== 0, id: this.#u32(p + 4) } as const;
        extensions.push(frag);
        next = frag.nextHeader;
        p += 8;
        if (frag.fragmentOffset !== 0) {
          ip.protocol = next;
          return this.#payload(p);
        }
        firstFragment = frag.more;
      } else {
        break;
      }
    }
    ip.protocol = next;
    const src = this.#b.subarray(at + 8, at + 24);
    const proto = next;
    this.#transport(proto, p, (len) => pseudoHeaderSum(src, dst, proto, len), firstFragment, true);
  }

  #transport(protocol: number, at: number, pseudo: (len: number) => number, fragment: boolean, v6: boolean): void {
    switch (protocol) {
      case IpProtocol.TCP:
        return this.#tcp(at, pseudo, fragment);
      case IpProtocol.UDP:
        return this.#udp(at, pseudo, fragment, v6);
      case IpProtocol.ICMP:
        return this.#icmp(at, fragment);
      case IpProtocol.ICMPV6:
        return this.#icmpv6(at, pseudo, fragment);
      default:
        return this.#payload(at);
    }
  }

  #segmentValid(at: number, end: number, pseudo: (len: number) => number | undefined): boolean {
    const seed = pseudo(end - at) ?? 0;
    return internetChecksum(this.#b, seed, at, end) === 0;
  }

  #tcp(at: number, pseudo: (len: number) => number, fragment: boolean): void {
    if (!this.#need(at, 20, 'tcp')) return;
    const word = this.#u16(at + 12);
    const dataOffset = word >> 12;
    const flags = TCP_FLAGS.filter((_, k) => (word & (1 << k)) !== 0);
    const hlen = dataOffset * 4;
    const options: TcpOption[] = [];
    let payloadAt = at + hlen;
    if (dataOffset < 5) {
      this.#errors.push(`tcp: data offset ${hlen} is below 20`);
      payloadAt = at + 20;
    } else if (at + hlen > this.#end) {
      this.#errors.push(`tcp: truncated: needs ${hlen} bytes at offset ${at}, ${this.#end - at} present`);
      payloadAt = this.#end;
    } else {
      this.#tcpOptions(at + 20, at + hlen, options);
    }
    this.#out.tcp = {
      offset: at,
      sport: this.#u16(at),
      dport: this.#u16(at + 2),
      seq: this.#u32(at + 4),
      ack: this.#u32(at + 8),
      dataOffset,
      flags,
      window: this.#u16(at + 14),
      checksum: this.#u16(at + 16),
      urgent: this.#u16(at + 18),
      options,
      valid: !fragment && this.#segmentValid(at, this.#end, pseudo),
    };
    this.#payload(payloadAt);
  }

  #tcpOptions(from: number, to: number, options: TcpOption[]): void {
    for (let o = from; o < to; ) {
      const kind = this.#u8(o);
      if (kind === 0) return;
      if (kind === 1) {
        options.push({ kind: 'nop' });
        o++;
        continue;
      }
      const len = o + 1 < to ? this.#u8(o + 1) : 0;
      if (len < 2 || o + len > to) {
        this.#errors.push(`tcp: option ${kind} at offset ${o} has bad length ${len}`);
        return;
      }
      const data = this.#b.slice(o + 2, o + len);
      const dv = new DataView(data.buffer);
      if (kind === 2 && len === 4) options.push({ kind: 'mss', value: dv.getUint16(0) });
      else if (kind === 3 && len === 3) options.push({ kind: 'wscale', value: data[0]! });
      else if (kind === 4 && len === 2) options.push({ kind: 'sackPermitted' });
      else if (kind === 5 && (len - 2) % 8 === 0) {
        const blocks: [number, number][] = [];
        for (let k = 0; k < len - 2; k += 8) blocks.push([dv.getUint32(k), dv.getUint32(k + 4)]);
        options.push({ kind: 'sack', blocks });
      } else if (kind === 8 && len === 10) options.push({ kind: 'timestamps', value: dv.getUint32(0), echo: dv.getUint32(4) });
      else options.push({ kind, data });
      o += len;
    }
  }

  #udp(at: number, pseudo: (len: number) => number, fragment: boolean, v6: boolean): void {
    if (!this.#need(at, 8, 'udp')) return;
    const length = this.#u16(at + 4);
    const checksum = this.#u16(at + 6);
    if (length < 8) this.#errors.push(`udp: length ${length} is below 8`);
    else if (at + length > this.#end) this.#errors.push(`udp: length ${length} exceeds the ${this.#end - at} bytes present`);
    else this.#end = at + length;
    const valid = !fragment && ((checksum === 0 && !v6) || (checksum !== 0 && this.#segmentValid(at, this.#end, pseudo)));
    this.#out.udp = { offset: at, sport: this.#u16(at), dport: this.#u16(at + 2), length, checksum, valid };
    this.#payload(at + 8);
  }

  #icmp(at: number, fragment: boolean): void {
    if (!this.#need(at, 8, 'icmp')) return;
    this.#out.icmp = {
      offset: at,
      type: this.#u8(at),
      code: this.#u8(at + 1),
      checksum: this.#u16(at + 2),
      id: this.#u16(at + 4),
      seq: this.#u16(at + 6),
      rest: this.#b.slice(at + 4, at + 8),
      valid: !fragment && this.#segmentValid(at, this.#end, () => undefined),
    };
    this.#payload(at + 8);
  }

  #icmpv6(at: number, pseudo: (len: number) => number, fragment: boolean): void {
    if (!this.#need(at, 8, 'icmpv6')) return;
    const type = this.#u8(at);
    const icmp: Mutable<ParsedIcmpv6> = {
      offset: at,
      type,
      code: this.#u8(at + 1),
      checksum: this.#u16(at + 2),
      id: this.#u16(at + 4),
      seq: this.#u16(at + 6),
      rest: this.#b.slice(at + 4, at + 8),
      options: [],
      valid: !fragment && this.#segmentValid(at, this.#end, pseudo),
    };
    this.#out.icmpv6 = icmp;
    let p = at + 8;
    if (type === 135 || type === 136) {
      if (!this.#need(at, 24, 'icmpv6 neighbor discovery')) return;
      icmp.target = formatIpv6(this.#b, at + 8);
      if (type === 136) {
        const f = this.#u8(at + 4);
        icmp.router = (f & 0x80) !== 0;
        icmp.solicited = (f & 0x40) !== 0;
        icmp.override = (f & 0x20) !== 0;
      }
      p = at + 24;
    } else if (type === 134) {
      if (!this.#need(at, 16, 'icmpv6 router advertisement')) return;
      p = at + 16;
    } else if (type === 137) {
      if (!this.#need(at, 40, 'icmpv6 redirect')) return;
      icmp.target = formatIpv6(this.#b, at + 8);
      p = at + 40;
    } else if (type !== 133) {
      return this.#payload(p);
    }
    const options: ParsedNdpOption[] = [];
    while (p + 2 <= this.#end) {
      const t = this.#u8(p);
      const len = this.#u8(p + 1) * 8;
      if (len === 0 || p + len > this.#end) {
        this.#errors.push(`icmpv6: ndp option ${t} at offset ${p} has bad length ${len}`);
        break;
      }
      const data = this.#b.slice(p + 2, p + len);
      options.push((t === 1 || t === 2) && len === 8 ? { type: t, data, mac: formatMac(data) } : { type: t, data });
      p += len;
    }
    icmp.options = options;
    this.#payload(p);
  }
}
