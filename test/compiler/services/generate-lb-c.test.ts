// The north-south XDP load balancer in the simulator: DNAT/SNAT with valid checksums, replies translated
// back, affinity and its expiry on the simulator's clock, drained and removed backends, and connection
// stability over 10,000 connections when a backend goes away.
import { beforeAll, describe, expect, it } from 'vitest';
import { LB_PROGRAM, type Service } from '../../../compiler/services/index.ts';
import { readObject } from '../../../bpf/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { verify } from '../../../verifier/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import {
  backends6Of,
  backendsOf,
  clientPacket,
  compileTestLb,
  contents,
  fillMaps,
  LB_MAC,
  parsed,
  predictedBackend,
  replyPacket,
  ROUTER_MAC,
  SNAT_MIN,
  SNAT_SPAN,
  testServices,
  type FlowSpec,
} from './lb-harness.ts';

let object: Uint8Array;
beforeAll(async () => {
  object = await compileTestLb();
  await Simulator.load(object); // the verifier (linux-6.18 profile) accepts it, once; the tests skip it
}, 120_000);

async function lb(services: Service[] = testServices()): Promise<Simulator> {
  const sim = await Simulator.load(object, { unverified: true });
  fillMaps(contents(services), (m, k, v) => sim.map(m).set(k, v));
  return sim;
}

function update(sim: Simulator, services: Service[]): void {
  fillMaps(contents(services), (m, k, v) => sim.map(m).set(k, v));
}

const web = (sport: number, extra: Partial<FlowSpec> = {}): FlowSpec => ({ client: '203.0.113.7', sport, vip: '10.96.0.10', dport: 80, ...extra });

describe('north-south XDP load balancer', () => {
  it('passes the verifier’s seed profile: no loops, unprivileged pointer rules', () => {
    const report = verify(readObject(object), { program: LB_PROGRAM, profile: 'seed' });
    expect(report.verdict).toBe('accept');
  });

  it('rewrites a VIP packet to the Maglev-chosen backend with SNAT and valid checksums', async () => {
    const sim = await lb();
    const services = testServices();
    const maps = contents(services);
    for (let sport = 40000; sport < 40020; sport++) {
      const f = web(sport, { payload: 'GET / HTTP/1.1\r\n\r\n' });
      const r = sim.run(LB_PROGRAM, clientPacket(f));
      const p = parsed(r.packet);
      const want = predictedBackend(services, maps, f);
      expect(r.action).toBe('XDP_TX');
      expect(p.ipv4).toMatchObject({ src: '192.168.1.1', dst: want.address, valid: true, ttl: 64 });
      expect(p.tcp).toMatchObject({ dport: want.port, valid: true });
      expect(p.tcp!.sport).toBeGreaterThanOrEqual(SNAT_MIN);
      expect(p.tcp!.sport).toBeLessThan(SNAT_MIN + SNAT_SPAN);
      expect(p.eth).toMatchObject({ src: LB_MAC, dst: '02:00:00:00:00:aa' });
    }
  });

  it('rewrites UDP with its checksum, and leaves an absent UDP checksum absent', async () => {
    const sim = await lb();
    const f: FlowSpec = { client: '198.51.100.3', sport: 5000, vip: '10.96.0.11', dport: 53, protocol: 'udp', payload: 'query' };
    const p = parsed(sim.run(LB_PROGRAM, clientPacket(f)).packet);
    expect(p.udp).toMatchObject({ dport: 5353, valid: true });
    expect(p.udp!.checksum).not.toBe(0);
    const q = parsed(sim.run(LB_PROGRAM, clientPacket({ ...f, sport: 5001, udpChecksum: 0 })).packet);
    expect(q.udp).toMatchObject({ checksum: 0, valid: true, dport: 5353 });
    expect(q.ipv4!.valid).toBe(true);
  });

  it('translates the backend replies back to the client from the VIP', async () => {
    const sim = await lb();
    for (const proto of ['tcp', 'udp'] as const) {
      const f: FlowSpec = proto === 'tcp' ? web(41000) : { client: '198.51.100.3', sport: 6000, vip: '10.96.0.11', dport: 53, protocol: 'udp' };
      const out = parsed(sim.run(LB_PROGRAM, clientPacket(f)).packet);
      const l4 = (proto === 'tcp' ? out.tcp : out.udp)!;
      const r = sim.run(LB_PROGRAM, replyPacket(out.ipv4!.dst, l4.dport, l4.sport, proto));
      const back = parsed(r.packet);
      const bl4 = (proto === 'tcp' ? back.tcp : back.udp)!;
      expect(r.action).toBe('XDP_TX');
      expect(back.ipv4).toMatchObject({ src: f.vip, dst: f.client, valid: true });
      expect(bl4).toMatchObject({ sport: f.dport, dport: f.sport, valid: true });
      expect(back.eth).toMatchObject({ src: LB_MAC, dst: ROUTER_MAC });
    }
  });

  it('passes traffic that is not for a VIP or a SNAT port, and packets with IP options', async () => {
    const sim = await lb();
    expect(sim.run(LB_PROGRAM, clientPacket({ ...web(40000), vip: '10.96.0.99' })).action).toBe('XDP_PASS');
    expect(sim.run(LB_PROGRAM, clientPacket({ ...web(40000), dport: 81 })).action).toBe('XDP_PASS');
    expect(sim.run(LB_PROGRAM, replyPacket('10.1.0.1', 8080, 33333)).action).toBe('XDP_PASS');
    const withOptions = packet.eth().ipv4({ src: '203.0.113.7', dst: '10.96.0.10', options: Uint8Array.of(1, 1, 1, 1) }).tcp({ dport: 80 }).build();
    expect(sim.run(LB_PROGRAM, withOptions).action).toBe('XDP_PASS');
  });

  it('encapsulates a DSR service’s packets in IPIP to the backend, the inner packet unchanged', async () => {
    const sim = await lb();
    const services = testServices();
    const maps = contents(services);
    for (let sport = 48000; sport < 48010; sport++) {
      const f: FlowSpec = { client: '203.0.113.7', sport, vip: '10.96.0.14', dport: 80, payload: 'direct' };
      const frame = clientPacket(f);
      const r = sim.run(LB_PROGRAM, frame);
      const outer = parsed(r.packet);
      expect(r.action).toBe('XDP_TX');
      expect(r.packet.length).toBe(frame.length + 20);
      expect(outer.ipv4).toMatchObject({ src: '192.168.1.1', dst: predictedBackend(services, maps, f).address, protocol: 4, valid: true, totalLength: frame.length - 14 + 20 });
      expect(outer.eth).toMatchObject({ src: LB_MAC, dst: '02:00:00:00:00:aa', type: 0x0800 });
      expect(r.packet.subarray(34)).toEqual(frame.subarray(14));
    }
  });

  it('balances IPv6 services: DNAT + SNAT to the IPv6 address, TCP and UDP checksums valid, replies back', async () => {
    const sim = await lb();
    const services = testServices();
    const maps = contents(services);
    for (let i = 0; i < 12; i++) {
      const udp = i % 2 === 1;
      const f: FlowSpec = udp
        ? { client: '2001:db8::7', sport: 52000 + i, vip: 'fd00:96::11', dport: 53, protocol: 'udp', payload: 'q6' }
        : { client: '2001:db8::7', sport: 52000 + i, vip: 'fd00:96::10', dport: 80, payload: 'GET /' };
      const want = predictedBackend(services, maps, f);
      const r = sim.run(LB_PROGRAM, clientPacket(f));
      const p = parsed(r.packet);
      const l4 = (udp ? p.udp : p.tcp)!;
      expect(r.action).toBe('XDP_TX');
      expect(p.ipv6).toMatchObject({ src: 'fd00:ffff::1', dst: want.address });
      expect(l4).toMatchObject({ dport: want.port, valid: true });
      const back = sim.run(LB_PROGRAM, replyPacket(want.address, want.port, l4.sport, udp ? 'udp' : 'tcp'));
      const b = parsed(back.packet);
      expect(b.ipv6).toMatchObject({ src: f.vip, dst: f.client });
      expect((udp ? b.udp : b.tcp)!).toMatchObject({ sport: f.dport, dport: f.sport, valid: true });
    }
  });

  it('keeps a connection on its backend and SNAT port', async () => {
    const sim = await lb();
    const first = parsed(sim.run(LB_PROGRAM, clientPacket(web(42000))).packet);
    const next = parsed(sim.run(LB_PROGRAM, clientPacket(web(42000, { flags: ['ack'], payload: 'data' }))).packet);
    expect(next.ipv4!.dst).toBe(first.ipv4!.dst);
    expect(next.tcp!.sport).toBe(first.tcp!.sport);
    expect(next.tcp!.valid).toBe(true);
  });

  it('holds session affinity for new connections within the timeout and lets it expire after it', async () => {
    const sim = await lb();
    const services = testServices();
    const maps = contents(services);
    const sticky = (sport: number): FlowSpec => ({ client: '203.0.113.50', sport, vip: '10.96.0.12', dport: 443 });
    const first = parsed(sim.run(LB_PROGRAM, clientPacket(sticky(50000)), { now: 1_000_000_000n }).packet).ipv4!.dst;
    // a source port whose own Maglev choice is another backend
    let other = 50001;
    while (predictedBackend(services, maps, sticky(other)).address === first) other++;
    const within = sim.run(LB_PROGRAM, clientPacket(sticky(other)), { now: 1_000_000_000n + 9_000_000_000n });
    expect(parsed(within.packet).ipv4!.dst).toBe(first);
    // the timeout counts from the last new connection: 11 s after it the table decides again
    let expired = other + 1;
    while (predictedBackend(services, maps, sticky(expired)).address === first) expired++;
    const after = sim.run(LB_PROGRAM, clientPacket(sticky(expired)), { now: 1_000_000_000n + 9_000_000_000n + 11_000_000_000n });
    expect(parsed(after.packet).ipv4!.dst).toBe(predictedBackend(services, maps, sticky(expired)).address);
  });

  it('keeps a drained backend’s connections and gives it no new ones', async () => {
    const sim = await lb();
    const before = parsed(sim.run(LB_PROGRAM, clientPacket(web(43000))).packet).ipv4!.dst;
    const drained = testServices({ web: { backends: backendsOf(4).map((b) => (b.address === before ? { ...b, state: 'drained' as const } : b)) } });
    update(sim, drained);
    expect(parsed(sim.run(LB_PROGRAM, clientPacket(web(43000, { flags: ['ack'] }))).packet).ipv4!.dst).toBe(before);
    const chosen = new Set<string>();
    for (let sport = 44000; sport < 44200; sport++) chosen.add(parsed(sim.run(LB_PROGRAM, clientPacket(web(sport))).packet).ipv4!.dst);
    expect(chosen.has(before)).toBe(false);
    expect(chosen.size).toBe(3);
  });

  it('answers a removed backend’s connection with a TCP RST from the VIP, or drops it', async () => {
    const sim = await lb();
    const before = parsed(sim.run(LB_PROGRAM, clientPacket(web(45000))).packet).ipv4!.dst;
    const removed = (action: 'reset' | 'drop') =>
      testServices({ web: { removedAction: action, backends: backendsOf(4).map((b) => (b.address === before ? { ...b, state: 'removed' as const } : b)) } });
    update(sim, removed('reset'));
    const r = sim.run(LB_PROGRAM, clientPacket(web(45000, { flags: ['ack'], payload: 'more' })));
    const rst = parsed(r.packet);
    expect(r.action).toBe('XDP_TX');
    expect(r.packet.length).toBe(54);
    expect(rst.ipv4).toMatchObject({ src: '10.96.0.10', dst: '203.0.113.7', valid: true });
    expect(rst.tcp).toMatchObject({ sport: 80, dport: 45000, flags: ['rst'], seq: 5000, valid: true });
    expect(rst.eth).toMatchObject({ src: LB_MAC, dst: ROUTER_MAC });
    // the connection is forgotten: its next packet is a new connection on an active backend
    const again = parsed(sim.run(LB_PROGRAM, clientPacket(web(45000))).packet);
    expect(again.ipv4!.dst).not.toBe(before);

    const sim2 = await lb();
    const b2 = parsed(sim2.run(LB_PROGRAM, clientPacket(web(45000))).packet).ipv4!.dst;
    expect(b2).toBe(before);
    update(sim2, removed('drop'));
    expect(sim2.run(LB_PROGRAM, clientPacket(web(45000, { flags: ['ack'] }))).action).toBe('XDP_DROP');
  });

  it('answers an IPv6 removed backend’s connection with a TCP RST from the VIP', async () => {
    const sim = await lb();
    const f: FlowSpec = { client: '2001:db8::9', sport: 53000, vip: 'fd00:96::10', dport: 80 };
    const before = parsed(sim.run(LB_PROGRAM, clientPacket(f)).packet).ipv6!.dst;
    update(sim, testServices({ web6: { backends: backends6Of(4).map((b) => (b.address === before ? { ...b, state: 'removed' as const } : b)) } }));
    const r = sim.run(LB_PROGRAM, clientPacket({ ...f, flags: ['ack'], payload: 'more' }));
    const rst = parsed(r.packet);
    expect(r.action).toBe('XDP_TX');
    expect(r.packet.length).toBe(74);
    expect(rst.ipv6).toMatchObject({ src: 'fd00:96::10', dst: '2001:db8::9', payloadLength: 20 });
    expect(rst.tcp).toMatchObject({ sport: 80, dport: 53000, flags: ['rst'], seq: 5000, valid: true });
  });

  it('answers a SYN to a removed backend’s connection with RST+ACK acknowledging it', async () => {
    const sim = await lb();
    const before = parsed(sim.run(LB_PROGRAM, clientPacket(web(46000))).packet).ipv4!.dst;
    update(sim, testServices({ web: { backends: backendsOf(4).map((b) => (b.address === before ? { ...b, state: 'removed' as const } : b)) } }));
    const rst = parsed(sim.run(LB_PROGRAM, clientPacket(web(46000, { payload: 'abc' }))).packet);
    expect(rst.tcp).toMatchObject({ flags: ['rst', 'ack'], seq: 0, ack: 1000 + 3 + 1, valid: true });
  });

  it('moves no connection of the 99 other backends when one of 100 is removed (10,000 connections)', async () => {
    const sim = await lb();
    const services = testServices();
    const maps = contents(services);
    const big = (i: number): FlowSpec => ({ client: `172.16.${i >> 8}.${i & 255}`, sport: 10000 + (i % 50000), vip: '10.96.0.13', dport: 80 });
    const owner: string[] = [];
    const flows = Array.from({ length: 10_000 }, (_, i) => big(i));
    for (const f of flows) {
      const p = parsed(sim.run(LB_PROGRAM, clientPacket(f)).packet);
      expect(p.ipv4!.dst).toBe(predictedBackend(services, maps, f).address);
      owner.push(p.ipv4!.dst);
    }
    const victim = '10.1.0.8';
    const after = testServices({ big: { removedAction: 'drop', backends: backendsOf(100).map((b) => (b.address === victim ? { ...b, state: 'removed' as const } : b)) } });
    update(sim, after);
    let moved = 0;
    let dropped = 0;
    flows.forEach((f, i) => {
      const r = sim.run(LB_PROGRAM, clientPacket({ ...f, flags: ['ack'] }));
      if (owner[i] === victim) {
        if (r.action === 'XDP_DROP') dropped++;
      } else if (parsed(r.packet).ipv4!.dst !== owner[i]) moved++;
    });
    expect(moved).toBe(0);
    expect(dropped).toBe(owner.filter((o) => o === victim).length);
    expect(dropped).toBeGreaterThan(0);
    // new connections follow the new table, which leaves the removed backend out and stays balanced
    const newMaps = contents(after);
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const f = { ...big(i), client: `172.17.${i >> 8}.${i & 255}` };
      const dst = parsed(sim.run(LB_PROGRAM, clientPacket(f)).packet).ipv4!.dst;
      expect(dst).toBe(predictedBackend(after, newMaps, f).address);
      counts.set(dst, (counts.get(dst) ?? 0) + 1);
    }
    expect(counts.has(victim)).toBe(false);
    expect(counts.size).toBe(99);
    // 10,000 / 99 ≈ 101 per backend; the table's shares differ by < 1%, so the spread is sampling noise
    expect(Math.max(...counts.values())).toBeLessThan(101 * 1.5);
    expect(Math.min(...counts.values())).toBeGreaterThan(101 * 0.5);
  }, 120_000);

  it('counts packets, bytes and new connections per service and backend', async () => {
    const sim = await lb();
    const f = web(47000);
    const frame = clientPacket(f);
    sim.run(LB_PROGRAM, frame);
    sim.run(LB_PROGRAM, clientPacket(web(47000, { flags: ['ack'] })));
    const svc = sim.map('svc_counters').get(Uint8Array.of(0, 0, 0, 0))!;
    const dv = new DataView(svc.buffer, svc.byteOffset, svc.byteLength);
    expect([dv.getBigUint64(0, true), dv.getBigUint64(16, true), dv.getBigUint64(24, true)]).toEqual([2n, 1n, 0n]);
    expect(dv.getBigUint64(8, true)).toBe(BigInt(frame.length * 2));
  });
});
