// The east-west tc programs in the simulator: the client's packets to a VIP DNATed to the backend the
// table names (no SNAT), the replies translated back to the VIP, removed backends' connections dropped;
// IPv4 and IPv6.
import { beforeAll, describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { EW_EGRESS_PROGRAM, EW_INGRESS_PROGRAM, LB_PROGRAM } from '../../../compiler/services/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { verify } from '../../../verifier/index.ts';
import { backends6Of, backendsOf, clientPacket, compileTestLb, contents, fillMaps, parsed, predictedBackend, testServices, type FlowSpec } from './lb-harness.ts';
import { packet } from '../../../simulator/packet/index.ts';

let object: Uint8Array;
beforeAll(async () => {
  object = await compileTestLb();
}, 120_000);

async function node(services = testServices()): Promise<Simulator> {
  const sim = await Simulator.load(object);
  fillMaps(contents(services), (m, k, v) => sim.map(m).set(k, v));
  return sim;
}

const reply = (f: FlowSpec, backend: string, bport: number): Uint8Array => {
  const ip = f.client.includes(':') ? packet.eth().ipv6({ src: backend, dst: f.client }) : packet.eth().ipv4({ src: backend, dst: f.client });
  return (f.protocol === 'udp' ? ip.udp({ sport: bport, dport: f.sport }) : ip.tcp({ sport: bport, dport: f.sport, flags: ['syn', 'ack'] })).payload('pong').build();
};

describe('east-west tc load balancing on the client’s node', () => {
  it('passes the verifier’s seed profile, both programs', () => {
    for (const program of [EW_EGRESS_PROGRAM, EW_INGRESS_PROGRAM, LB_PROGRAM]) expect(verify(readObject(object), { program, profile: 'seed' }).verdict).toBe('accept');
  });

  it('DNATs the client’s VIP packets to the table’s backend and translates the replies back', async () => {
    const sim = await node();
    const services = testServices();
    const maps = contents(services);
    const flows: FlowSpec[] = [
      ...Array.from({ length: 10 }, (_, i): FlowSpec => ({ client: '10.0.5.9', sport: 33000 + i, vip: '10.96.0.10', dport: 80, payload: 'hi' })),
      ...Array.from({ length: 5 }, (_, i): FlowSpec => ({ client: '10.0.5.9', sport: 34000 + i, vip: '10.96.0.11', dport: 53, protocol: 'udp', payload: 'q' })),
    ];
    for (const f of flows) {
      const want = predictedBackend(services, maps, f);
      const out = sim.run(EW_EGRESS_PROGRAM, clientPacket(f));
      const p = parsed(out.packet);
      expect(out.action).toBe('TC_ACT_OK');
      expect(p.ipv4).toMatchObject({ src: f.client, dst: want.address, valid: true });
      expect(p.tcp ?? p.udp).toMatchObject({ sport: f.sport, dport: want.port, valid: true });
      const back = parsed(sim.run(EW_INGRESS_PROGRAM, reply(f, want.address, want.port)).packet);
      expect(back.ipv4).toMatchObject({ src: f.vip, dst: f.client, valid: true });
      expect(back.tcp ?? back.udp).toMatchObject({ sport: f.dport, dport: f.sport, valid: true });
    }
  });

  it('does the same for IPv6: DNAT to the table’s backend with valid TCP/UDP checksums, replies back from the VIP', async () => {
    const sim = await node();
    const services = testServices();
    const maps = contents(services);
    const flows: FlowSpec[] = [
      ...Array.from({ length: 10 }, (_, i): FlowSpec => ({ client: '2001:db8::9', sport: 33000 + i, vip: 'fd00:96::10', dport: 80, payload: 'hi' })),
      ...Array.from({ length: 5 }, (_, i): FlowSpec => ({ client: '2001:db8::9', sport: 34000 + i, vip: 'fd00:96::11', dport: 53, protocol: 'udp', payload: 'q' })),
    ];
    const chosen = new Set<string>();
    for (const f of flows) {
      const want = predictedBackend(services, maps, f);
      const out = sim.run(EW_EGRESS_PROGRAM, clientPacket(f));
      const p = parsed(out.packet);
      expect(out.action).toBe('TC_ACT_OK');
      expect(p.ipv6).toMatchObject({ src: f.client, dst: want.address });
      expect(p.tcp ?? p.udp).toMatchObject({ sport: f.sport, dport: want.port, valid: true });
      chosen.add(want.address);
      const back = parsed(sim.run(EW_INGRESS_PROGRAM, reply(f, want.address, want.port)).packet);
      expect(back.ipv6).toMatchObject({ src: f.vip, dst: f.client });
      expect(back.tcp ?? back.udp).toMatchObject({ sport: f.dport, dport: f.sport, valid: true });
    }
    expect(chosen.size).toBeGreaterThan(1);
  });

  it('drops a removed IPv6 backend’s connection and keeps a drained one’s', async () => {
    const sim = await node();
    const f: FlowSpec = { client: '2001:db8::9', sport: 35000, vip: 'fd00:96::10', dport: 80 };
    const first = parsed(sim.run(EW_EGRESS_PROGRAM, clientPacket(f)).packet).ipv6!.dst;
    const withState = (state: 'drained' | 'removed') => testServices({ web6: { backends: backends6Of(4).map((b) => (b.address === first ? { ...b, state } : b)) } });
    fillMaps(contents(withState('drained')), (m, k, v) => sim.map(m).set(k, v));
    expect(parsed(sim.run(EW_EGRESS_PROGRAM, clientPacket({ ...f, flags: ['ack'] })).packet).ipv6!.dst).toBe(first);
    fillMaps(contents(withState('removed')), (m, k, v) => sim.map(m).set(k, v));
    expect(sim.run(EW_EGRESS_PROGRAM, clientPacket({ ...f, flags: ['ack'] })).action).toBe('TC_ACT_SHOT');
  });

  it('leaves other traffic alone in both directions', async () => {
    const sim = await node();
    const other = clientPacket({ client: '10.0.5.9', sport: 1234, vip: '10.0.9.9', dport: 80 });
    expect(sim.run(EW_EGRESS_PROGRAM, other).packet).toEqual(other);
    const unknown = reply({ client: '10.0.5.9', sport: 1234, vip: '10.96.0.10', dport: 80 }, '10.1.0.1', 8080);
    expect(sim.run(EW_INGRESS_PROGRAM, unknown).packet).toEqual(unknown);
  });

  it('keeps a drained backend’s connection and drops a removed backend’s', async () => {
    const sim = await node();
    const f: FlowSpec = { client: '10.0.5.9', sport: 35000, vip: '10.96.0.10', dport: 80 };
    const first = parsed(sim.run(EW_EGRESS_PROGRAM, clientPacket(f)).packet).ipv4!.dst;
    const withState = (state: 'drained' | 'removed') => testServices({ web: { backends: backendsOf(4).map((b) => (b.address === first ? { ...b, state } : b)) } });
    fillMaps(contents(withState('drained')), (m, k, v) => sim.map(m).set(k, v));
    expect(parsed(sim.run(EW_EGRESS_PROGRAM, clientPacket({ ...f, flags: ['ack'] })).packet).ipv4!.dst).toBe(first);
    fillMaps(contents(withState('removed')), (m, k, v) => sim.map(m).set(k, v));
    expect(sim.run(EW_EGRESS_PROGRAM, clientPacket({ ...f, flags: ['ack'] })).action).toBe('TC_ACT_SHOT');
  });
});
