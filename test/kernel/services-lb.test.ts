// The north-south XDP load balancer in the kernel: the object the simulator tests run, loaded with its maps
// filled from TypeScript, given the same packet sequence under BPF_PROG_TEST_RUN as the simulator (new
// connections over six services: TCP, UDP, affinity, 100 backends, DSR, IPv6 TCP and UDP; the backends' replies, follow-ups, then a drained backend and removed
// ones with RST and drop): the same return value and the same output bytes for every packet, and the same
// per-service and per-backend counters at the end.
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { EW_EGRESS_PROGRAM, EW_INGRESS_PROGRAM, LB_PROGRAM, type Service } from '../../compiler/services/index.ts';
import { loadCollection, mapLookup, mapUpdate, possibleCpus, progTestRun } from '../../loader/index.ts';
import { Simulator } from '../../simulator/index.ts';
import { packet, parsePacket } from '../../simulator/packet/index.ts';
import { backends6Of, backendsOf, clientPacket, compileTestLb, contents, fillMaps, replyPacket, testServices, type FlowSpec } from '../compiler/services/lb-harness.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

const FLOWS = 150;

function flow(i: number): FlowSpec {
  const client = `203.0.${113 + (i % 3)}.${(i * 7) & 255}`;
  switch (i % 7) {
    case 5:
      return { client: `2001:db8::${(i * 7).toString(16)}`, sport: 20000 + i, vip: 'fd00:96::10', dport: 80, payload: 'GET /6' };
    case 6:
      return { client: `2001:db8::${(i * 7).toString(16)}`, sport: 20000 + i, vip: 'fd00:96::11', dport: 53, protocol: 'udp', payload: 'q6' };
    case 4:
      return { client, sport: 20000 + i, vip: '10.96.0.14', dport: 80, payload: 'direct' };
    case 0:
      return { client, sport: 20000 + i, vip: '10.96.0.10', dport: 80, payload: 'GET /' };
    case 1:
      return { client, sport: 20000 + i, vip: '10.96.0.11', dport: 53, protocol: 'udp', payload: 'q' };
    case 2:
      return { client, sport: 20000 + i, vip: '10.96.0.12', dport: 443 };
    default:
      return { client, sport: 20000 + i, vip: '10.96.0.13', dport: 80 };
  }
}

function sumCounters(perCpu: Uint8Array, cpus: number, stride: number): bigint[] {
  const dv = new DataView(perCpu.buffer, perCpu.byteOffset, perCpu.byteLength);
  return [0, 1, 2, 3].map((f) => {
    let s = 0n;
    for (let c = 0; c < cpus; c++) s += dv.getBigUint64(c * stride + f * 8, true);
    return s;
  });
}

describe.runIf(available('services load balancer in the kernel', kernelBpf, clang19))('services load balancer in the kernel', () => {
  it('gives the same verdicts, output bytes and counters as the simulator', async () => {
    const object = await compileTestLb('native');
    const spec = readObject(object);
    const sim = await Simulator.load(spec);
    const coll = loadCollection(spec);
    try {
      const prog = coll.programs.get(LB_PROGRAM)!;
      const apply = (services: Service[]) =>
        fillMaps(contents(services), (m, k, v) => {
          sim.map(m).set(k, v);
          mapUpdate(coll.maps.get(m)!, k, v);
        });
      apply(testServices());
      const mismatches: string[] = [];
      let compared = 0;
      const actions = new Map<string, number>();
      const both = (frame: Uint8Array, what: string): Uint8Array => {
        const s = sim.run(LB_PROGRAM, frame);
        const k = progTestRun(prog, { data: frame });
        compared++;
        const rst = s.action === 'XDP_TX' && parsePacket(s.packet).tcp?.flags.includes('rst') === true;
        const kind = rst ? (s.packet.length === 74 ? 'RST6' : 'RST') : s.action;
        actions.set(kind, (actions.get(kind) ?? 0) + 1);
        const same = s.retval32 === k.retval && Buffer.from(s.packet).equals(Buffer.from(k.data));
        if (!same) mismatches.push(`${what}: simulator ${s.action} ${Buffer.from(s.packet).toString('hex')}, kernel ${k.retval} ${Buffer.from(k.data).toString('hex')}`);
        return s.packet;
      };
      const firstDst: string[] = [];
      for (let i = 0; i < FLOWS; i++) {
        const f = flow(i);
        const out = parsePacket(both(clientPacket(f), `flow ${i} first packet`));
        firstDst.push(out.ipv4?.dst ?? out.ipv6!.dst);
        const l4 = (out.tcp ?? out.udp)!;
        // DSR: the backend answers the client directly, no reply through us
        if (f.vip !== '10.96.0.14') both(replyPacket(firstDst[i]!, l4.dport, l4.sport, f.protocol ?? 'tcp'), `flow ${i} reply`);
        both(clientPacket({ ...f, flags: ['ack'], payload: 'next' }), `flow ${i} follow-up`);
      }
      // drain one web backend, remove another (reset) and one of big's (drop): maps only
      const web = backendsOf(4);
      const changed = testServices({
        web: { backends: web.map((b, i) => (i === 0 ? { ...b, state: 'drained' as const } : i === 1 ? { ...b, state: 'removed' as const } : b)) },
        big: { removedAction: 'drop', backends: backendsOf(100).map((b) => (b.address === firstDst[3] ? { ...b, state: 'removed' as const } : b)) },
        web6: { backends: backends6Of(4).map((b, i) => (i === 0 ? { ...b, state: 'removed' as const } : b)) },
      });
      apply(changed);
      for (let i = 0; i < FLOWS; i++) both(clientPacket({ ...flow(i), flags: ['ack'], payload: 'after' }), `flow ${i} after the change`);
      for (let i = FLOWS; i < FLOWS + 50; i++) both(clientPacket(flow(i)), `new flow ${i} after the change`);
      expect(mismatches.slice(0, 3)).toEqual([]);
      const dsrFlows = Array.from({ length: FLOWS }, (_, i) => flow(i)).filter((f) => f.vip === '10.96.0.14').length;
      expect(compared).toBe(FLOWS * 4 + 50 - dsrFlows);
      // the sample exercises forwarding, resets and drops
      expect(actions.get('XDP_TX')).toBeGreaterThan(FLOWS * 3);
      expect(actions.get('RST')).toBeGreaterThan(0);
      expect(actions.get('RST6')).toBeGreaterThan(0);
      expect(actions.get('XDP_DROP')).toBeGreaterThan(0);

      const cpus = possibleCpus();
      for (const [map, slots] of [['svc_counters', 7], ['backend_counters', 122]] as const) {
        for (let i = 0; i < slots; i++) {
          const key = Uint8Array.of(i & 0xff, i >> 8, 0, 0);
          const kernel = sumCounters(mapLookup(coll.maps.get(map)!, key)!, cpus, 32);
          const ours = sumCounters(sim.map(map).getPerCpu(key)!.reduce((a, b) => Uint8Array.from([...a, ...b]), new Uint8Array()), sim.cpus, 32);
          expect(kernel, `${map}[${i}]`).toEqual(ours);
        }
      }
    } finally {
      coll.close();
    }
  }, 40_000);

  it('gives the same east-west tc results as the simulator, IPv4 and IPv6: DNAT out, reverse translation in, removed dropped', async () => {
    const spec = readObject(await compileTestLb('native'));
    const sim = await Simulator.load(spec);
    const coll = loadCollection(spec);
    try {
      const apply = (services: Service[]) =>
        fillMaps(contents(services), (m, k, v) => {
          sim.map(m).set(k, v);
          mapUpdate(coll.maps.get(m)!, k, v);
        });
      apply(testServices());
      const mismatches: string[] = [];
      const both = (program: string, frame: Uint8Array, what: string): { action: string; packet: Uint8Array } => {
        const s = sim.run(program, frame);
        const k = progTestRun(coll.programs.get(program)!, { data: frame });
        if (s.retval32 !== k.retval || !Buffer.from(s.packet).equals(Buffer.from(k.data))) {
          mismatches.push(`${what}: simulator ${s.action} ${Buffer.from(s.packet).toString('hex')}, kernel ${k.retval} ${Buffer.from(k.data).toString('hex')}`);
        }
        return s;
      };
      const dsts: string[] = [];
      for (let i = 0; i < FLOWS; i++) {
        const f = flow(i);
        if (f.vip === '10.96.0.14') continue; // DSR is north-south only
        const out = parsePacket(both(EW_EGRESS_PROGRAM, clientPacket(f), `flow ${i} out`).packet);
        const dst = out.ipv4?.dst ?? out.ipv6!.dst;
        dsts.push(dst);
        const l4 = (out.tcp ?? out.udp)!;
        const ip = f.vip.includes(':') ? packet.eth().ipv6({ src: dst, dst: f.client }) : packet.eth().ipv4({ src: dst, dst: f.client });
        const back = (f.protocol === 'udp' ? ip.udp({ sport: l4.dport, dport: f.sport }) : ip.tcp({ sport: l4.dport, dport: f.sport, flags: ['ack'] })).payload('re').build();
        both(EW_INGRESS_PROGRAM, back, `flow ${i} reply`);
      }
      apply(testServices({ web: { backends: backendsOf(4).map((b, i) => (i < 2 ? { ...b, state: 'removed' as const } : b)) }, web6: { backends: backends6Of(4).map((b, i) => (i < 2 ? { ...b, state: 'removed' as const } : b)) } }));
      const shot = Array.from({ length: FLOWS }, (_, i) => both(EW_EGRESS_PROGRAM, clientPacket({ ...flow(i), flags: ['ack'] }), `flow ${i} after`).action).filter((a) => a === 'TC_ACT_SHOT');
      expect(mismatches.slice(0, 3)).toEqual([]);
      expect(shot.length).toBeGreaterThan(0);
      expect(new Set(dsts).size).toBeGreaterThan(20);
      expect(dsts.filter((d) => d.includes(':')).length).toBeGreaterThan(30);
    } finally {
      coll.close();
    }
  }, 40_000);
});
