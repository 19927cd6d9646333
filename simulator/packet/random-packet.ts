// randomPacket: seeded packets for differential tests (simulator against the kernel): valid packets of
// each protocol combination, and the malformed ones a program must survive: truncated headers, wrong
// checksums and length fields, unknown EtherTypes and IP protocols, fragments, options, random bytes.
import { formatIpv4, formatIpv6 } from './address.ts';
import { http } from './http.ts';
import { kafka } from './kafka.ts';
import type { Ipv4Option, NdpOption, TcpFlag, TcpOption } from './layers.ts';
import { packet, type PacketBuilder } from './packet-builder.ts';
import { parsePacket } from './parse-packet.ts';
import type { Rng } from './rng.ts';

export const PACKET_KINDS = [
  'tcp4',
  'udp4',
  'icmp4',
  'tcp6',
  'udp6',
  'icmp6',
  'ndp',
  'arp',
  'vlan',
  'qinq',
  'ipv4-options',
  'ipv4-fragment',
  'ipv6-ext',
  'ipv6-fragment',
  'http',
  'kafka',
  'truncated',
  'bad-checksum',
  'bad-length',
  'unknown-ethertype',
  'unknown-protocol',
  'random',
] as const;

export type PacketKind = (typeof PACKET_KINDS)[number];

export interface RandomPacketOptions {
  /** Smallest packet in bytes (14 by default: XDP test runs need an Ethernet header). */
  readonly minSize?: number;
  /** Largest packet in bytes (1514 by default). */
  readonly maxSize?: number;
  /** The kinds to choose from, uniformly (all by default). */
  readonly kinds?: readonly PacketKind[];
}

export interface RandomPacket {
  readonly kind: PacketKind;
  readonly data: Uint8Array;
}

const KNOWN_ETHERTYPES = new Set([0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x9200]);
const KNOWN_PROTOCOLS = new Set([0, 1, 4, 6, 17, 41, 43, 44, 58, 59, 60]);
const TCP_FLAG_NAMES: readonly TcpFlag[] = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'];

/**
 * A packet of a kind drawn from `options.kinds`, `minSize` to `maxSize` bytes long, decided entirely by
 * `rng`'s state.
 *
 * @example
 * const rng = createRng(1);
 * for (let i = 0; i < 1000; i++) run(randomPacket(rng, { minSize: 14, maxSize: 3500 }).data);
 */
export function randomPacket(rng: Rng, options: RandomPacketOptions = {}): RandomPacket {
  const minSize = options.minSize ?? 14;
  const maxSize = options.maxSize ?? 1514;
  if (minSize < 0 || maxSize < minSize) throw new RangeError(`randomPacket: bad size range ${minSize}..${maxSize}`);
  const kinds = options.kinds ?? PACKET_KINDS;
  const kind = rng.pick(kinds);
  const g = new Gen(rng, minSize, maxSize);
  return { kind, data: g.fit(g.make(kind)) };
}

class Gen {
  readonly r: Rng;
  readonly min: number;
  readonly max: number;
  constructor(r: Rng, min: number, max: number) {
    this.r = r;
    this.min = min;
    this.max = max;
  }

  /** Pads short packets with zeros up to minSize and cuts long ones at maxSize. */
  fit(data: Uint8Array): Uint8Array {
    if (data.length > this.max) return data.slice(0, this.max);
    if (data.length >= this.min) return data;
    const out = new Uint8Array(this.min);
    out.set(data);
    return out;
  }

  /** A target size no smaller than `header` when the range allows. */
  size(header: number): number {
    return this.r.int(Math.min(Math.max(this.min, header), this.max), this.max);
  }

  /** Builds `b` with a random payload filling it to a random size within the bounds. */
  filled(b: PacketBuilder): Uint8Array {
    const header = b.build().length;
    return b.payload(this.r.bytes(Math.max(0, this.size(header) - header))).build();
  }

  mac(): string {
    const b = this.r.bytes(6);
    b[0] = (b[0]! & 0xfe) | 0x02;
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
  }
  ip4(): string {
    return formatIpv4(this.r.bytes(4));
  }
  ip6(): string {
    return formatIpv6(this.r.bytes(16));
  }
  port(): number {
    return this.r.chance(0.5) ? this.r.pick([22, 53, 80, 443, 8080, 9092, 6443]) : this.r.int(0, 65535);
  }

  eth(): PacketBuilder {
    let b = packet.eth({ src: this.mac(), dst: this.mac() });
    if (this.r.chance(0.15)) b = b.vlan({ id: this.r.int(0, 4095), pcp: this.r.int(0, 7) });
    return b;
  }
  v4(extra: { options?: readonly Ipv4Option[] } = {}): PacketBuilder {
    const flags = this.r.chance(0.5) ? (['df'] as const) : ([] as const);
    return this.eth().ipv4({ src: this.ip4(), dst: this.ip4(), ttl: this.r.int(0, 255), tos: this.r.int(0, 255), id: this.r.int(0, 65535), flags, ...extra });
  }
  v6(): PacketBuilder {
    return this.eth().ipv6({ src: this.ip6(), dst: this.ip6(), hopLimit: this.r.int(0, 255), trafficClass: this.r.int(0, 255), flowLabel: this.r.int(0, 0xfffff) });
  }
  tcpOptions(): TcpOption[] {
    const all: TcpOption[] = [
      { kind: 'mss', value: this.r.int(0, 65535) },
      { kind: 'sackPermitted' },
      { kind: 'timestamps', value: this.r.next(), echo: this.r.next() },
      { kind: 'nop' },
      { kind: 'wscale', value: this.r.int(0, 14) },
    ];
    return all.filter(() => this.r.chance(0.5));
  }
  tcp(b: PacketBuilder, dport = this.port()): PacketBuilder {
    const flags = TCP_FLAG_NAMES.filter(() => this.r.chance(0.3));
    return b.tcp({ sport: this.port(), dport, seq: this.r.next(), ack: this.r.next(), flags, window: this.r.int(0, 65535), options: this.tcpOptions() });
  }
  udp(b: PacketBuilder): PacketBuilder {
    return b.udp({ sport: this.port(), dport: this.port() });
  }
  l4(b: PacketBuilder, v6: boolean): PacketBuilder {
    switch (this.r.int(0, 2)) {
      case 0:
        return this.tcp(b);
      case 1:
        return this.udp(b);
      default:
        return v6 ? b.icmpv6({ type: this.r.pick([128, 129, 1, 3]), id: this.r.int(0, 65535), seq: this.r.int(0, 65535) }) : b.icmp({ type: this.r.pick([0, 8, 3, 11]), id: this.r.int(0, 65535), seq: this.r.int(0, 65535) });
    }
  }

  make(kind: PacketKind): Uint8Array {
    const r = this.r;
    switch (kind) {
      case 'tcp4':
        return this.filled(this.tcp(this.v4()));
      case 'udp4':
        return this.filled(this.udp(this.v4()));
      case 'icmp4':
        return this.filled(this.v4().icmp({ type: r.pick([0, 8, 3, 11, 5]), code: r.int(0, 3), id: r.int(0, 65535), seq: r.int(0, 65535) }));
      case 'tcp6':
        return this.filled(this.tcp(this.v6()));
      case 'udp6':
        return this.filled(this.udp(this.v6()));
      case 'icmp6':
        return this.filled(this.v6().icmpv6({ type: r.pick([128, 129, 1, 2, 3]), id: r.int(0, 65535), seq: r.int(0, 65535) }));
      case 'ndp': {
        // Filled with further NDP options (not raw bytes, which would read as broken options).
        const na = r.chance(0.5);
        const base = this.v6();
        const o = { type: na ? 136 : 135, target: this.ip6(), solicited: na && r.chance(0.5), override: na && r.chance(0.5) } as const;
        const options: NdpOption[] = [{ type: na ? 'target-lladdr' : 'source-lladdr', mac: this.mac() }];
        const header = base.icmpv6({ ...o, options }).build().length;
        for (let left = Math.floor((this.size(header) - header) / 8) * 8; left >= 8; ) {
          const len = Math.min(left, 255 * 8);
          options.push({ type: r.pick([14, 253, 254]), data: r.bytes(len - 2) });
          left -= len;
        }
        return base.icmpv6({ ...o, options }).build();
      }
      case 'arp':
        return this.filled(this.eth().arp({ op: r.int(1, 2), senderMac: this.mac(), senderIp: this.ip4(), targetMac: this.mac(), targetIp: this.ip4() }));
      case 'vlan':
        return this.filled(this.l4(packet.eth({ src: this.mac(), dst: this.mac() }).vlan({ id: r.int(0, 4095), pcp: r.int(0, 7), dei: r.chance(0.2) }).ipv4({ src: this.ip4(), dst: this.ip4() }), false));
      case 'qinq':
        return this.filled(this.l4(packet.eth({ src: this.mac(), dst: this.mac() }).qinq(r.int(0, 4095), r.int(0, 4095)).ipv6({ src: this.ip6(), dst: this.ip6() }), true));
      case 'ipv4-options': {
        const options: Ipv4Option[] = [];
        const n = r.int(1, 4);
        for (let i = 0; i < n; i++) options.push(r.chance(0.3) ? { type: 1 } : { type: r.pick([7, 68, 130, 148, r.int(2, 255)]), data: r.bytes(r.int(0, 6)) });
        return this.filled(this.l4(this.v4({ options }), false));
      }
      case 'ipv4-fragment': {
        const first = r.chance(0.5);
        const b = this.eth().ipv4({ src: this.ip4(), dst: this.ip4(), id: r.int(0, 65535), flags: first || r.chance(0.5) ? ['mf'] : [], fragmentOffset: first ? 0 : r.int(1, 0x1fff), ...(first ? {} : { protocol: r.pick([1, 6, 17]) }) });
        return this.filled(first ? this.l4(b, false) : b);
      }
      case 'ipv6-ext': {
        let b = this.v6();
        if (r.chance(0.6)) b = b.hopByHop({ options: r.chance(0.5) ? [{ type: 5, data: Uint8Array.of(0, 0) }] : [] });
        if (r.chance(0.5)) b = b.routing({ routingType: r.pick([0, 2, 4]), addresses: [this.ip6(), this.ip6()].slice(0, r.int(1, 2)), segmentsLeft: r.int(0, 2) });
        if (r.chance(0.6)) b = b.destOptions({ options: [{ type: r.int(2, 255), data: r.bytes(r.int(0, 10)) }] });
        return this.filled(this.l4(b, true));
      }
      case 'ipv6-fragment': {
        const first = r.chance(0.5);
        const b = this.v6().fragment({ offset: first ? 0 : r.int(1, 0x1fff), more: first || r.chance(0.5), id: r.next(), ...(first ? {} : { nextHeader: r.pick([6, 17, 58]) }) });
        return this.filled(first ? this.l4(b, true) : b);
      }
      case 'http': {
        const base = this.tcp(r.chance(0.5) ? this.v4() : this.v6(), r.pick([80, 8080]));
        const fields = {
          method: r.pick(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']),
          path: r.pick(['/', '/api/v1/items', '/healthz', '/admin?x=1']),
          headers: { Host: r.pick(['svc', 'example.com']), 'User-Agent': 'tsbpf' },
        };
        // Content-Length grows by up to 3 digits with the body: leave 4 bytes of slack.
        const header = base.payload(http.request({ ...fields, body: '' })).build().length + 4;
        return base.payload(http.request({ ...fields, body: 'x'.repeat(Math.max(0, this.size(header) - header)) })).build();
      }
      case 'kafka': {
        const base = this.tcp(r.chance(0.5) ? this.v4() : this.v6(), 9092);
        const apiKey = r.pick([0, 1, 3] as const);
        const topics = [r.pick(['orders', 'payments', 'logs', 'a'])];
        const correlationId = r.next() | 0;
        const req = (value?: Uint8Array): Uint8Array =>
          kafka.request({ apiKey, correlationId, clientId: 'gen', topics: value === undefined ? topics : [{ name: topics[0]!, partitions: [{ records: [value] }] }] });
        if (apiKey !== 0) return base.payload(req()).build();
        // The record's varint lengths grow with the value: leave 8 bytes of slack.
        const header = base.payload(req(new Uint8Array(0))).build().length + 8;
        return base.payload(req(r.bytes(Math.max(0, this.size(header) - header)))).build();
      }
      case 'truncated': {
        const inner = this.make(r.pick(['tcp4', 'udp4', 'icmp4', 'tcp6', 'udp6', 'icmp6', 'ndp', 'arp', 'vlan', 'qinq', 'ipv4-options', 'ipv6-ext'] as const));
        const p = parsePacket(inner);
        const headersEnd = Math.max(p.payloadOffset, 15);
        const cut = r.int(Math.min(this.min, headersEnd - 1), headersEnd - 1);
        return inner.slice(0, Math.max(cut, this.min));
      }
      case 'bad-checksum': {
        // A valid packet with one bit of one checksum field flipped (never to a UDP "no checksum" zero).
        const data = this.make(r.pick(['tcp4', 'udp4', 'icmp4', 'tcp6', 'udp6', 'icmp6', 'ipv4-options'] as const));
        const p = parsePacket(data);
        const fields: number[] = [];
        if (p.ipv4 !== undefined) fields.push(p.ipv4.offset + 10);
        if (p.tcp !== undefined) fields.push(p.tcp.offset + 16);
        if (p.udp !== undefined) fields.push(p.udp.offset + 6);
        if (p.icmp !== undefined) fields.push(p.icmp.offset + 2);
        if (p.icmpv6 !== undefined) fields.push(p.icmpv6.offset + 2);
        const present = fields.filter((f) => f + 2 <= data.length);
        if (present.length === 0) return data; // cut too short by maxSize to hold a checksum
        const at = r.pick(present);
        const out = data.slice();
        const view = new DataView(out.buffer);
        const old = view.getUint16(at);
        let bit = r.int(0, 15);
        if ((old ^ (1 << bit)) === 0) bit = (bit + 1) % 16;
        view.setUint16(at, old ^ (1 << bit));
        return out;
      }
      case 'bad-length': {
        switch (r.int(0, 4)) {
          case 0:
            return this.filled(this.tcp(this.eth().ipv4({ src: this.ip4(), dst: this.ip4(), totalLength: r.int(0, 65535) })));
          case 1:
            return this.filled(this.eth().ipv4({ src: this.ip4(), dst: this.ip4(), ihl: r.pick([0, 1, 4, 6, 15]) }).udp());
          case 2:
            return this.filled(this.v4().udp({ length: r.int(0, 65535) }));
          case 3:
            return this.filled(this.eth().ipv6({ src: this.ip6(), dst: this.ip6(), payloadLength: r.int(0, 65535) }).udp());
          default:
            return this.filled(this.v4().tcp({ dataOffset: r.pick([0, 2, 4, 15]) }));
        }
      }
      case 'unknown-ethertype': {
        let type = r.int(0, 0xffff);
        while (KNOWN_ETHERTYPES.has(type)) type = r.int(0x0600, 0xffff);
        return this.filled(packet.eth({ src: this.mac(), dst: this.mac(), type }));
      }
      case 'unknown-protocol': {
        let protocol = r.int(0, 255);
        while (KNOWN_PROTOCOLS.has(protocol)) protocol = r.int(0, 255);
        return this.filled(
          r.chance(0.5)
            ? this.eth().ipv4({ src: this.ip4(), dst: this.ip4(), protocol })
            : this.eth().ipv6({ src: this.ip6(), dst: this.ip6(), nextHeader: protocol }),
        );
      }
      case 'random':
        return r.bytes(this.size(0));
    }
  }
}
