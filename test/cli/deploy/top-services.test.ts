import { describe, expect, it } from 'vitest';
import { lbMapContents, service, type LbMaps } from '../../../compiler/services/index.ts';
import { readServiceCounters, type ServiceMapReader } from '../../../cli/deploy/service-counters.ts';
import { renderTopFrame, type TopSample } from '../../../cli/deploy/top-frame.ts';

// What `tsbpf top` reads of a deployed load balancer, without a kernel: the real map contents of two services
// (lbMapContents) and per-CPU counters as the kernel returns them (one 8-byte-aligned value per CPU), decoded
// by the same readServiceCounters that reads the pins.
const CPUS = 2;
const services = [
  service({ name: 'web', vip: '10.96.0.10', port: 80, backends: [{ address: '10.1.0.5', port: 8080 }, { address: '10.1.0.6', port: 8080 }], maglev: { size: 251 } }),
  service({ name: 'dns', vip: '10.96.0.11', port: 53, protocol: 'udp', backends: [{ address: '10.1.0.7', port: 5353, state: 'drained' }], maglev: { size: 251 } }),
];
const deployed = services.map((s) => ({ name: s.name, vip: s.vip, port: s.port, protocol: s.protocol, backends: s.backends.map((b) => b.key) }));

/** per-CPU values of four u64 counters: `counts[i]` on CPU 0, nothing on the others */
const perCpu = (counts: readonly bigint[]): Uint8Array[] =>
  Array.from({ length: CPUS }, (_, cpu) => {
    const v = new Uint8Array(32);
    if (cpu === 0) counts.forEach((n, i) => new DataView(v.buffer).setBigUint64(i * 8, n, true));
    return v;
  });

function reader(maps: LbMaps, svc: Record<number, bigint[]>, backend: Record<number, bigint[]>): ServiceMapReader {
  const all: Record<string, readonly { key: Uint8Array; value: Uint8Array }[]> = { ...maps.maps, svc_counters: [], backend_counters: [] };
  return {
    has: (m) => all[m] !== undefined,
    entries: (m) => (all[m] ?? []).map((e) => [e.key, e.value] as [Uint8Array, Uint8Array]),
    perCpu: (m, i) => perCpu((m === 'svc_counters' ? svc : backend)[i] ?? [0n, 0n, 0n, 0n]),
  };
}

function sample(svc: Record<number, bigint[]>, backend: Record<number, bigint[]>): TopSample {
  const counters = readServiceCounters(reader(lbMapContents(services, { snatAddress: '0.0.0.0' }), svc, backend));
  if (counters === undefined) throw new Error('no service counters read');
  return { iface: 'veth-host', policies: [], services: deployed, counters: { rules: [], verdicts: [], services: counters } };
}

describe('renderTopFrame with services', () => {
  it('shows each service by name with its packets, bytes and connections, and each backend under it, with rates', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    // services: [packets, bytes, connections, drops]; backends: [packets, bytes, replies, resets]
    const before = sample({ 0: [10n, 600n, 2n, 0n] }, { 0: [6n, 360n, 6n, 0n], 1: [4n, 240n, 4n, 0n] });
    const now = sample({ 0: [30n, 1800n, 5n, 0n], 1: [4n, 256n, 0n, 0n] }, { 0: [18n, 1080n, 18n, 0n], 1: [12n, 720n, 12n, 0n], 2: [4n, 256n, 4n, 0n] });
    const frame = renderTopFrame([now], [before], 2, at);
    expect(frame).toContain('veth-host: service web, service dns');
    expect(frame.some((l) => /^ {2}web 10\.96\.0\.10:80\/tcp\s+30\s+1800\s+5\s+10\/s$/.test(l))).toBe(true);
    expect(frame.some((l) => /^ {4}10\.1\.0\.5:8080 active\s+18\s+1080\s+0 live\s+6\/s$/.test(l))).toBe(true);
    expect(frame.some((l) => /^ {4}10\.1\.0\.6:8080 active\s+12\s+720\s+0 live\s+4\/s$/.test(l))).toBe(true);
    // dns counted nothing in the previous frame (its slots read zero): 4 packets in 2 s; its backend is drained
    expect(frame.some((l) => /^ {2}dns 10\.96\.0\.11:53\/udp\s+4\s+256\s+0\s+2\/s$/.test(l))).toBe(true);
    expect(frame.some((l) => /^ {4}10\.1\.0\.7:5353 drained\s+4\s+256\s+0 live\s+2\/s$/.test(l))).toBe(true);
    // no policy on the interface: no verdict or rule tables
    expect(frame.some((l) => l.includes('verdict') || l.includes('rule'))).toBe(false);
  });

  it('shows no service table for an interface with policies only', () => {
    const frame = renderTopFrame([{ iface: 'eth0', policies: ['fw v1'], counters: { rules: [], verdicts: [] } }], undefined, 0, new Date());
    expect(frame.some((l) => l.includes('service'))).toBe(false);
  });
});
