// The YAML examples (examples/k8s) in the kernel: each compiled policy is loaded (the kernel verifier accepts
// both programs), its maps filled from the build, and its vectors plus a fixed sample of generated packets run
// through BPF_PROG_TEST_RUN; every verdict must match the reference evaluator's (which reads the same YAML
// policies), and every vector's expectation. The kernel clock runs on its own, so packets have no pauses.
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { preparePolicy } from '../../cli/commands/policy-pipeline.ts';
import { hexBytes } from '../../compiler/cgen/index.ts';
import { Evaluator, EvaluatorState, packetFrame, readVectors, type VectorPacket } from '../../compiler/dsl/index.ts';
import { loadCollection, mapDelete, mapGetNextKey, mapUpdate, progTestRun, type Fd } from '../../loader/index.ts';
import { pools, sequenceArb } from '../compiler/cgen/policy-packets.ts';
import { K8S_EXAMPLES, K8S_EXAMPLES_DIR } from '../compiler/k8s/k8s-examples.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

const PACKETS = 100;
const TC_ACT_OK = 0;

function clear(fd: Fd): void {
  const keys: Uint8Array[] = [];
  for (let k = mapGetNextKey(fd, undefined); k !== undefined; k = mapGetNextKey(fd, k)) keys.push(k);
  for (const k of keys) mapDelete(fd, k);
}

describe.runIf(available('k8s policy examples in the kernel', kernelBpf, clang19))('Kubernetes and Cilium YAML examples in the kernel', () => {
  for (const name of K8S_EXAMPLES) {
    it(`${name}: the kernel accepts it, passes its vectors and agrees with the reference evaluator on ${PACKETS} packets`, async () => {
      const p = await preparePolicy(join(K8S_EXAMPLES_DIR, `${name}.yaml`), { driver: 'native' });
      const coll = loadCollection(readObject(p.compiled.object));
      try {
        for (const [map, content] of Object.entries(p.compiled.maps.maps)) {
          const fd = coll.maps.get(map)!;
          for (const e of content.entries) mapUpdate(fd, hexBytes(e.key), hexBytes(e.value));
        }
        const evaluator = new Evaluator(p.loaded.policies, p.inventory);
        const prog = new Map(p.compiled.programs.map((x) => [x.direction, coll.programs.get(x.name)!]));
        /** runs one sequence from empty connection state; undefined for a frame this kernel's test run refuses */
        const run = (seq: readonly VectorPacket[]) => {
          clear(coll.maps.get('conntrack')!);
          clear(coll.maps.get('fragments')!);
          const state = new EvaluatorState();
          return seq.map((packet) => {
            const frame = packetFrame(packet);
            let retval: number;
            try {
              retval = progTestRun(prog.get(packet.direction)!, { data: frame }).retval;
            } catch (e) {
              // this kernel's skb test run refuses frames without a whole IP header after an IP ethertype
              if (/invalid argument/i.test(String((e as Error).message))) return undefined;
              throw e;
            }
            const ref = evaluator.evaluate(packet, state, frame.length);
            return { packet, kernel: retval === TC_ACT_OK ? 'allow' : 'deny', reference: ref.verdict === 'audit' ? 'allow' : ref.verdict };
          });
        };
        const mismatches: string[] = [];
        for (const c of readVectors(join(K8S_EXAMPLES_DIR, `${name}.vectors.yaml`))) {
          for (const r of run(c.packets.map((x) => ({ ...x, advanceMs: 0 })))) {
            expect(r).toBeDefined();
            if (r!.kernel !== r!.reference || (r!.packet.expect !== undefined && r!.packet.expect !== r!.kernel)) {
              mismatches.push(`${c.name}: ${r!.packet.src} > ${r!.packet.dst} ${r!.packet.dport}: kernel ${r!.kernel}, reference ${r!.reference}, expected ${r!.packet.expect ?? '-'}`);
            }
          }
        }
        let compared = 0;
        const verdicts = new Set<string>();
        for (const seq of fc.sample(sequenceArb(pools(p.loaded.policies, p.inventory, p.model)), { numRuns: 300, seed: 2000 + name.length })) {
          if (compared >= PACKETS) break;
          for (const r of run(seq.map((x) => ({ ...x, advanceMs: 0 })))) {
            if (r === undefined) continue;
            compared++;
            verdicts.add(r.kernel);
            if (r.kernel !== r.reference) mismatches.push(`${JSON.stringify({ ...r.packet, payload: r.packet.payload.length })}: kernel ${r.kernel}, reference ${r.reference}`);
          }
        }
        expect(mismatches.slice(0, 5)).toEqual([]);
        expect(compared).toBeGreaterThanOrEqual(PACKETS);
        expect([...verdicts].sort()).toEqual(['allow', 'deny']);
      } finally {
        coll.close();
      }
    });
  }
});
