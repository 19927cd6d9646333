import { describe, expect, it } from 'vitest';
import { progLoad, progTestRun } from '../../../loader/index.ts';
import { createRng, PACKET_KINDS, parsePacket, randomPacket, type PacketKind } from '../../../simulator/packet/index.ts';
import { available, kernelBpf } from '../../support/require.ts';
import { hex, PY_VERIFY, pythonAvailable, runPython } from './python.ts';

const VALID_KINDS: readonly PacketKind[] = ['tcp4', 'udp4', 'icmp4', 'tcp6', 'udp6', 'icmp6', 'ndp', 'arp', 'vlan', 'qinq', 'ipv4-options', 'ipv6-ext', 'http', 'kafka'];

describe('randomPacket', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const take = (seed: number): Uint8Array[] => {
      const rng = createRng(seed);
      return Array.from({ length: 200 }, () => randomPacket(rng, { maxSize: 3500 }).data);
    };
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    expect(Array.from({ length: 5 }, ((r) => () => r.next())(createRng(1)))).toEqual([
      ...Array.from({ length: 5 }, ((r) => () => r.next())(createRng(1))),
    ]);
  });

  it('gives every kind, sizes within bounds, and both ends of the size range', () => {
    const rng = createRng(7);
    const counts = new Map<PacketKind, number>();
    let min = Infinity;
    let max = 0;
    const n = 4400;
    for (let i = 0; i < n; i++) {
      const p = randomPacket(rng, { minSize: 14, maxSize: 3500 });
      counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
      expect(p.data.length).toBeGreaterThanOrEqual(14);
      expect(p.data.length).toBeLessThanOrEqual(3500);
      min = Math.min(min, p.data.length);
      max = Math.max(max, p.data.length);
    }
    expect([...counts.keys()].sort()).toEqual([...PACKET_KINDS].sort());
    // Uniform over 22 kinds: 200 each expected; allow wide slack.
    for (const [kind, c] of counts) expect(c, kind).toBeGreaterThan(120);
    expect(min).toBeLessThan(100);
    expect(max).toBeGreaterThan(3000);
  });

  it('keeps to the kinds asked for and to a narrow size range', () => {
    const rng = createRng(3);
    for (let i = 0; i < 300; i++) {
      const p = randomPacket(rng, { minSize: 60, maxSize: 64, kinds: ['tcp4', 'random'] });
      expect(['tcp4', 'random']).toContain(p.kind);
      expect(p.data.length).toBeGreaterThanOrEqual(60);
      expect(p.data.length).toBeLessThanOrEqual(64);
    }
  });

  it('makes valid packets valid and malformed ones malformed, as parsePacket sees them', () => {
    const rng = createRng(11);
    for (let i = 0; i < 3000; i++) {
      const p = randomPacket(rng, { maxSize: 3500 });
      const parsed = parsePacket(p.data);
      const what = `${p.kind} #${i}`;
      expect(parsed.errors.filter((e) => e.startsWith('internal')), what).toEqual([]);
      const layers = [parsed.ipv4, parsed.tcp, parsed.udp, parsed.icmp, parsed.icmpv6];
      if (VALID_KINDS.includes(p.kind)) {
        expect(parsed.errors, what).toEqual([]);
        expect(layers.every((l) => l === undefined || l.valid), what).toBe(true);
      }
      if (p.kind === 'bad-checksum') expect(layers.some((l) => l !== undefined && !l.valid), what).toBe(true);
      if (p.kind === 'truncated') expect(parsed.errors.length, what).toBeGreaterThan(0);
      if (p.kind === 'ipv4-fragment') expect(parsed.ipv4?.flags.includes('mf') || parsed.ipv4!.fragmentOffset > 0, what).toBe(true);
      if (p.kind === 'ipv6-fragment') expect(parsed.ipv6?.extensions.some((e) => e.type === 'fragment'), what).toBe(true);
      if (p.kind === 'unknown-ethertype') expect(parsed.ipv4 ?? parsed.ipv6 ?? parsed.arp, what).toBeUndefined();
    }
  });

  it('never throws for any kind at small and odd size bounds', () => {
    const rng = createRng(99);
    for (const kind of PACKET_KINDS) {
      for (const [minSize, maxSize] of [[0, 0], [0, 14], [14, 14], [14, 30], [20, 60], [54, 54], [1, 3500]] as const) {
        for (let i = 0; i < 20; i++) {
          const p = randomPacket(rng, { minSize, maxSize, kinds: [kind] });
          expect(p.data.length, `${kind} ${minSize}..${maxSize}`).toBeGreaterThanOrEqual(minSize);
          expect(p.data.length, `${kind} ${minSize}..${maxSize}`).toBeLessThanOrEqual(maxSize);
        }
      }
    }
    expect(() => randomPacket(rng, { minSize: 10, maxSize: 5 })).toThrow(RangeError);
  });

  // The differential tests feed these packets to BPF_PROG_TEST_RUN: every one must be a size it takes.
  it.runIf(available('generated packets in the kernel', kernelBpf))('gives packets that XDP and TC test runs accept and pass back unchanged', () => {
    const RETURN_0 = Uint8Array.of(0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
    const RETURN_2 = Uint8Array.of(0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
    using xdp = progLoad({ type: 6, insns: RETURN_2, license: 'GPL', name: 'pass' }).fd;
    using tc = progLoad({ type: 3, insns: RETURN_0, license: 'GPL', name: 'ok' }).fd;
    const rng = createRng(3500);
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const p = randomPacket(rng, { minSize: 14, maxSize: 3500 });
      const what = `${p.kind} of ${p.data.length} bytes`;
      const x = progTestRun(xdp, { data: p.data });
      expect(x.retval, what).toBe(2);
      expect(x.data, what).toEqual(p.data);
      // skb test runs (TC, socket filter) refuse an IPv4 or IPv6 EtherType (untagged) without a whole
      // fixed IP header behind it: -EINVAL, as measured on Linux 6.18. Anything else runs.
      const type = (p.data[12]! << 8) | p.data[13]!;
      if ((type === 0x0800 && p.data.length < 34) || (type === 0x86dd && p.data.length < 54)) {
        expect(() => progTestRun(tc, { data: p.data }), what).toThrow(/invalid argument/);
        refused++;
      } else {
        expect(progTestRun(tc, { data: p.data }).data, what).toEqual(p.data);
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it.runIf(pythonAvailable('generated checksums against python'))('gives valid packets whose checksums Python verifies', () => {
    const rng = createRng(4242);
    const kinds: PacketKind[] = ['tcp4', 'udp4', 'icmp4', 'tcp6', 'udp6', 'icmp6', 'ndp', 'vlan', 'qinq', 'ipv4-options', 'ipv6-ext', 'http', 'kafka'];
    const packets = Array.from({ length: 400 }, () => randomPacket(rng, { maxSize: 3500, kinds }).data);
    const results = runPython(PY_VERIFY, packets.map((p) => ({ hex: hex(p) }))) as (boolean | null)[][];
    results.forEach(([ipOk, l4Ok], i) => {
      expect(ipOk, `packet ${i}`).not.toBe(false);
      expect(l4Ok, `packet ${i}`).toBe(true);
    });
  });
});
