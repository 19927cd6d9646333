// The compiled example policies in the kernel: loaded (so the kernel verifier accepts both programs), their
// maps filled from policy.maps.json, and a 1,000-packet sample generated from each policy run through
// BPF_PROG_TEST_RUN; every verdict must match the reference evaluator's, and the per-verdict counters the
// simulator's on the same packets. The kernel clock runs on its own, so the sample has no pauses.
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { preparePolicy } from '../../cli/commands/policy-pipeline.ts';
import { hexBytes } from '../../compiler/cgen/index.ts';
import { PolicySimulation } from '../../compiler/cgen/policy-simulation.ts';
import { Evaluator, EvaluatorState, packetFrame, type VectorPacket } from '../../compiler/dsl/index.ts';
import { loadCollection, mapDelete, mapGetNextKey, mapLookup, mapUpdate, possibleCpus, progTestRun, type Fd } from '../../loader/index.ts';
import { pools, sequenceArb } from '../compiler/cgen/policy-packets.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

const EXAMPLES = ['host-firewall', 'web-tier', 'namespace-default-deny'];
const PACKETS = 1000;
const TC_ACT_OK = 0;

function clear(fd: Fd): void {
  const keys: Uint8Array[] = [];
  for (let k = mapGetNextKey(fd, undefined); k !== undefined; k = mapGetNextKey(fd, k)) keys.push(k);
  for (const k of keys) mapDelete(fd, k);
}

/** packets of every slot of a per-CPU counter array (struct counter: packets, bytes), summed over CPUs */
function counterPackets(fd: Fd, slots: number): bigint[] {
  const cpus = possibleCpus();
  const out: bigint[] = [];
  for (let i = 0; i < slots; i++) {
    const v = mapLookup(fd, Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 0, 0))!;
    const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
    let sum = 0n;
    for (let c = 0; c < cpus; c++) sum += view.getBigUint64(c * 16, true);
    out.push(sum);
  }
  return out;
}

describe.runIf(available('policy examples in the kernel', kernelBpf, clang19))('policy examples in the kernel', () => {
  for (const name of EXAMPLES) {
    it(`${name}: the kernel accepts it and agrees with the reference evaluator on ${PACKETS} packets`, async () => {
      const p = await preparePolicy(join(repoRoot, 'examples', `${name}.ts`), { driver: 'native' });
      const spec = readObject(p.compiled.object);
      const coll = loadCollection(spec);
      try {
        for (const [map, content] of Object.entries(p.compiled.maps.maps)) {
          const fd = coll.maps.get(map)!;
          for (const e of content.entries) mapUpdate(fd, hexBytes(e.key), hexBytes(e.value));
        }
        const sim = await PolicySimulation.create(spec, p.compiled.programs, p.compiled.maps);
        sim.reset();
        const evaluator = new Evaluator(p.loaded.policies, p.inventory);
        const prog = new Map(p.compiled.programs.map((x) => [x.direction, coll.programs.get(x.name)!]));
        const sequences = fc.sample(sequenceArb(pools(p.loaded.policies, p.inventory, p.model)), { numRuns: 600, seed: 99 });
        let compared = 0;
        let refused = 0;
        const mismatches: string[] = [];
        for (const raw of sequences) {
          if (compared >= PACKETS) break;
          clear(coll.maps.get('conntrack')!);
          clear(coll.maps.get('fragments')!);
          const state = new EvaluatorState();
          sim.reset({ counters: false });
          for (const packet of raw.map((x): VectorPacket => ({ ...x, advanceMs: 0 }))) {
            const frame = packetFrame(packet);
            let retval: number;
            try {
              retval = progTestRun(prog.get(packet.direction)!, { data: frame }).retval;
            } catch (e) {
              // this kernel's skb test run refuses frames without a whole IP header after an IP ethertype
              if (/invalid argument/i.test(String((e as Error).message))) {
                refused++;
                continue;
              }
              throw e;
            }
            compared++;
            const ref = evaluator.evaluate(packet, state, frame.length);
            sim.run(packet, 0n);
            const kernel = retval === TC_ACT_OK ? 'allow' : 'deny';
            if (kernel !== (ref.verdict === 'audit' ? 'allow' : ref.verdict)) mismatches.push(`${JSON.stringify({ ...packet, payload: packet.payload.length })}: kernel ${kernel}, reference ${JSON.stringify(ref)}`);
          }
        }
        // the per-verdict and per-rule counters over the whole sample: the kernel's and the simulator's
        const simCounters = sim.counters();
        const kernelVerdicts = counterPackets(coll.maps.get('verdict_counters')!, simCounters.verdicts.length);
        const kernelRules = counterPackets(coll.maps.get('rule_counters')!, simCounters.rules.length);
        expect(mismatches.slice(0, 5)).toEqual([]);
        expect(compared).toBeGreaterThanOrEqual(PACKETS * 0.9);
        expect(kernelVerdicts.reduce((a, b) => a + b, 0n)).toBe(BigInt(compared));
        expect(kernelVerdicts).toEqual(simCounters.verdicts);
        expect(kernelRules).toEqual(simCounters.rules);
        expect(refused).toBeLessThan(compared);
      } finally {
        coll.close();
      }
    });
  }
});
