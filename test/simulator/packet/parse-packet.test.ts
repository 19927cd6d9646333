import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  formatIpv6,
  formatMac,
  packet,
  parsePacket,
  type PacketBuilder,
  type TcpFlag,
  type TcpOption,
} from '../../../simulator/packet/index.ts';
import { unhex } from './python.ts';

const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const flagsArb = fc.subarray(['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr', 'ae'] as TcpFlag[]);
const tcpOptionsArb = fc
  .record({ mss: u16, ws: fc.integer({ min: 0, max: 14 }), ts: fc.tuple(u32, u32), pick: fc.subarray([0, 1, 2, 3, 4]) })
  .map(({ mss, ws, ts, pick }) => {
    const all: TcpOption[] = [{ kind: 'mss', value: mss }, { kind: 'sackPermitted' }, { kind: 'timestamps', value: ts[0], echo: ts[1] }, { kind: 'nop' }, { kind: 'wscale', value: ws }];
    return pick.map((i) => all[i]!);
  });

const l2Arb = fc.record({
  src: bytesOf(6),
  dst: bytesOf(6),
  tags: fc.array(fc.record({ id: fc.integer({ min: 0, max: 4095 }), pcp: fc.integer({ min: 0, max: 7 }), dei: fc.boolean() }), { maxLength: 2 }),
});
const v4Arb = fc.record({
  v: fc.constant(4 as const),
  src: bytesOf(4),
  dst: bytesOf(4),
  ttl: fc.integer({ min: 0, max: 255 }),
  tos: fc.integer({ min: 0, max: 255 }),
  id: u16,
  df: fc.boolean(),
});
const v6Arb = fc.record({
  v: fc.constant(6 as const),
  src: bytesOf(16),
  dst: bytesOf(16),
  hopLimit: fc.integer({ min: 0, max: 255 }),
  trafficClass: fc.integer({ min: 0, max: 255 }),
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  ext: fc.subarray(['hopByHop', 'routing', 'fragment', 'destOptions'] as const),
});
const l4Arb = fc.oneof(
  fc.record({ p: fc.constant('tcp' as const), sport: u16, dport: u16, seq: u32, ack: u32, flags: flagsArb, window: u16, urgent: u16, options: tcpOptionsArb }),
  fc.record({ p: fc.constant('udp' as const), sport: u16, dport: u16 }),
  fc.record({ p: fc.constant('icmp' as const), id: u16, seq: u16, type: fc.constantFrom(0, 8) }),
);

describe('parsePacket', () => {
  it('reads back every field that was built (fast-check)', () => {
    fc.assert(
      fc.property(l2Arb, fc.oneof(v4Arb, v6Arb), l4Arb, fc.uint8Array({ maxLength: 200 }), (l2, l3, l4, payload) => {
        let b: PacketBuilder = packet.eth({ src: l2.src, dst: l2.dst });
        for (const t of l2.tags) b = b.vlan(t);
        if (l3.v === 4) b = b.ipv4({ src: l3.src, dst: l3.dst, ttl: l3.ttl, tos: l3.tos, id: l3.id, flags: l3.df ? ['df'] : [] });
        else {
          b = b.ipv6({ src: l3.src, dst: l3.dst, hopLimit: l3.hopLimit, trafficClass: l3.trafficClass, flowLabel: l3.flowLabel });
          for (const e of l3.ext) {
            if (e === 'routing') b = b.routing({ addresses: [l3.dst], segmentsLeft: 0 });
            else if (e === 'fragment') b = b.fragment({ id: 7 });
            else b = b[e]({ options: [{ type: 0x1e, data: Uint8Array.of(1, 2, 3) }] });
          }
        }
        if (l4.p === 'tcp') b = b.tcp(l4);
        else if (l4.p === 'udp') b = b.udp(l4);
        else b = l3.v === 4 ? b.icmp({ type: l4.type, id: l4.id, seq: l4.seq }) : b.icmpv6({ type: l4.type === 8 ? 128 : 129, id: l4.id, seq: l4.seq });
        const p = parsePacket(b.payload(payload).build());
        expect(p.errors).toEqual([]);
        expect(p.eth).toMatchObject({ src: formatMac(l2.src), dst: formatMac(l2.dst) });
        expect(p.vlans.map(({ id, pcp, dei }) => ({ id, pcp, dei }))).toEqual(l2.tags);
        if (l3.v === 4) {
          expect(p.ipv4).toMatchObject({ src: formatIpv4(l3.src), dst: formatIpv4(l3.dst), ttl: l3.ttl, tos: l3.tos, id: l3.id, flags: l3.df ? ['df'] : [], valid: true });
        } else {
          expect(p.ipv6).toMatchObject({ src: formatIpv6(l3.src), dst: formatIpv6(l3.dst), hopLimit: l3.hopLimit, trafficClass: l3.trafficClass, flowLabel: l3.flowLabel, valid: true });
          expect(p.ipv6?.extensions.map((e) => e.type)).toEqual(l3.ext);
        }
        if (l4.p === 'tcp') {
          const { p: _, ...fields } = l4;
          expect(p.tcp).toMatchObject({ ...fields, flags: (['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr', 'ae'] as const).filter((f) => l4.flags.includes(f)), valid: true });
        } else if (l4.p === 'udp') {
          expect(p.udp).toMatchObject({ sport: l4.sport, dport: l4.dport, length: 8 + payload.length, valid: true });
        } else {
          expect(l3.v === 4 ? p.icmp : p.icmpv6).toMatchObject({ id: l4.id, seq: l4.seq, valid: true });
        }
        expect(p.payload).toEqual(payload);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on random bytes, as Ethernet or as raw IP (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, ip) => {
        const p = parsePacket(bytes, { link: ip ? 'ip' : 'ethernet' });
        expect(p.errors.filter((e) => e.startsWith('internal'))).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on random bytes behind valid headers, and reports every prefix of a packet as truncated', () => {
    const heads = [
      packet.eth().ipv4({ options: [{ type: 1 }] }).tcp({ options: [{ kind: 'mss', value: 1 }] }).payload('x').build(),
      packet.eth().vlan({ id: 1 }).ipv6().hopByHop().routing({ addresses: ['::1'] }).fragment().destOptions().udp().build(),
      packet.eth().ipv6().icmpv6({ type: 'neighbor-advertisement', target: '::2', options: [{ type: 'target-lladdr', mac: '02:00:00:00:00:01' }] }).build(),
      packet.eth().arp().build(),
    ];
    for (const full of heads) {
      for (let n = 0; n < full.length; n++) {
        const p = parsePacket(full.subarray(0, n));
        expect(p.errors.length, `prefix of ${n} bytes`).toBeGreaterThan(0);
        expect(p.errors.filter((e) => e.startsWith('internal'))).toEqual([]);
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(...heads.map((h) => h.subarray(0, 34))), fc.uint8Array({ maxLength: 300 }), (head, tail) => {
        const bytes = new Uint8Array(head.length + tail.length);
        bytes.set(head);
        bytes.set(tail, head.length);
        expect(parsePacket(bytes).errors.filter((e) => e.startsWith('internal'))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a captured TCP SYN with its options', () => {
    const p = parsePacket(
      unhex(`667788 99aabb 001122 334455 0800 4500 003c 1c46 4000 4006 9c5d c0a8 0001 c0a8 00c7
             d431 0016 3ade68b1 00000000 a002 faf0 70dd 0000 020405b4 0402 080a 0001e240 00000000 01 030307`),
    );
    expect(p.tcp?.options).toEqual([
      { kind: 'mss', value: 1460 },
      { kind: 'sackPermitted' },
      { kind: 'timestamps', value: 123456, echo: 0 },
      { kind: 'nop' },
      { kind: 'wscale', value: 7 },
    ]);
    expect(p.tcp).toMatchObject({ sport: 54321, dport: 22, flags: ['syn'], valid: true });
    expect(p.ipv4).toMatchObject({ src: '192.168.0.1', dst: '192.168.0.199', flags: ['df'], valid: true });
  });

  it('leaves Ethernet padding out of the payload', () => {
    const frame = new Uint8Array(60);
    frame.set(packet.eth().ipv4().udp().payload('ab').build());
    const p = parsePacket(frame);
    expect(p.payload).toEqual(new TextEncoder().encode('ab'));
    expect(p.udp?.valid).toBe(true);
  });

  it('does not verify L4 checksums of fragments, and stops at non-first fragments', () => {
    const first = parsePacket(packet.eth().ipv4({ flags: ['mf'] }).udp().payload('a').build());
    expect(first.udp?.valid).toBe(false);
    const later = parsePacket(packet.eth().ipv4({ fragmentOffset: 3, protocol: 17 }).payload('abcdefgh').build());
    expect(later.udp).toBeUndefined();
    expect(later.payload).toHaveLength(8);
    const v6 = parsePacket(packet.eth().ipv6().fragment({ offset: 9, nextHeader: 6 }).payload('zz').build());
    expect(v6.ipv6?.protocol).toBe(6);
    expect(v6.tcp).toBeUndefined();
  });

  it('treats a zero UDP checksum as none over IPv4 but not over IPv6', () => {
    expect(parsePacket(packet.eth().ipv4().udp({ checksum: 0 }).build()).udp?.valid).toBe(true);
    expect(parsePacket(packet.eth().ipv6().udp({ checksum: 0 }).build()).udp?.valid).toBe(false);
  });

  it('reads raw IP packets', () => {
    expect(parsePacket(packet.ipv6().tcp({ dport: 443 }).build(), { link: 'ip' }).tcp?.dport).toBe(443);
    expect(parsePacket(Uint8Array.of(0x12), { link: 'ip' }).errors).toEqual(['ip: unknown version 1']);
  });

  it('reads back ARP, NDP and IPv4 options that were built (fast-check)', () => {
    fc.assert(
      fc.property(bytesOf(6), bytesOf(4), bytesOf(6), bytesOf(4), fc.integer({ min: 1, max: 2 }), (sm, si, tm, ti, op) => {
        const p = parsePacket(packet.eth().arp({ op, senderMac: sm, senderIp: si, targetMac: tm, targetIp: ti }).build());
        expect(p.errors).toEqual([]);
        expect(p.arp).toMatchObject({ op, htype: 1, ptype: 0x0800, senderMac: formatMac(sm), senderIp: formatIpv4(si), targetMac: formatMac(tm), targetIp: formatIpv4(ti) });
      }),
    );
    fc.assert(
      fc.property(bytesOf(16), bytesOf(6), fc.boolean(), fc.boolean(), fc.boolean(), (target, mac, router, solicited, override) => {
        const p = parsePacket(
          packet.eth().ipv6().icmpv6({ type: 'neighbor-advertisement', target, router, solicited, override, options: [{ type: 'target-lladdr', mac }, { type: 14, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9) }] }).build(),
        );
        expect(p.errors).toEqual([]);
        expect(p.icmpv6).toMatchObject({ type: 136, target: formatIpv6(target), router, solicited, override, valid: true });
        expect(p.icmpv6?.options.map((o) => [o.type, o.data.length, o.mac])).toEqual([
          [2, 6, formatMac(mac)],
          [14, 14, undefined],
        ]);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ type: fc.integer({ min: 2, max: 255 }), data: fc.uint8Array({ maxLength: 6 }) }), { maxLength: 4 }), (options) => {
        const p = parsePacket(packet.eth().ipv4({ options }).udp().build());
        expect(p.errors).toEqual([]);
        expect(p.ipv4?.valid).toBe(true);
        const raw = options.flatMap((o) => [o.type, o.data.length + 2, ...o.data]);
        expect(Array.from(p.ipv4!.options.subarray(0, raw.length))).toEqual(raw);
        expect(p.ipv4!.options.length % 4).toBe(0);
        expect(p.udp?.valid).toBe(true);
      }),
    );
  });

  it('leaves what an ICMP error or a tunnel carries in the payload, checksummed for its own addresses', () => {
    const err = parsePacket(packet.eth().ipv4({ src: '10.9.9.9' }).icmp({ type: 'dest-unreachable', code: 3 }).ipv4({ src: '10.0.0.1' }).udp({ dport: 53 }).build());
    expect(err.icmp).toMatchObject({ type: 3, code: 3, valid: true });
    const inner = parsePacket(err.payload, { link: 'ip' });
    expect(inner.udp).toMatchObject({ dport: 53, valid: true });
    const tunnel = parsePacket(packet.eth().ipv4().ipv6().tcp({ dport: 443 }).build());
    expect(tunnel.ipv4?.protocol).toBe(41);
    expect(parsePacket(tunnel.payload, { link: 'ip' }).tcp).toMatchObject({ dport: 443, valid: true });
  });
});
