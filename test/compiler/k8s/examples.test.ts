// End to end on examples/k8s: each YAML policy is built with clang-19 (native driver), its vectors run in the
// simulator (the reference evaluator agreeing on every packet), and then a fixed sample of generated packets
// runs through the reference evaluator and the compiled datapath (the model-based test of the DSL, here with
// the policies read from YAML). Our verifier checks one example: the programs of all examples differ only in
// map contents and names (all are endpoint mode without audit); the kernel test loads every one of them.
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { runPolicyVectors, verifyPolicyPrograms } from '../../../cli/commands/policy-check.ts';
import { preparePolicy } from '../../../cli/commands/policy-pipeline.ts';
import { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { Evaluator, readVectors } from '../../../compiler/dsl/index.ts';
import { available, clang19 } from '../../support/require.ts';
import { compareSequence, pools, sequenceArb } from '../cgen/policy-packets.ts';
import { K8S_EXAMPLES, K8S_EXAMPLES_DIR } from './k8s-examples.ts';

const PACKETS = 120;
const VERIFIED = 'ipblock-except';

describe.runIf(available('k8s policy examples', clang19))('Kubernetes and Cilium YAML examples', () => {
  it('covers the documentation examples the issue lists', () => {
    expect(K8S_EXAMPLES).toEqual(expect.arrayContaining(['deny-all', 'allow-all', 'namespace-isolation', 'ipblock-except', 'port-range', 'named-ports', 'cilium-deny']));
  });

  for (const name of K8S_EXAMPLES) {
    it(`${name}: builds, passes its vectors, and agrees with the reference evaluator on ${PACKETS} generated packets`, async () => {
      const file = join(K8S_EXAMPLES_DIR, `${name}.yaml`);
      const p = await preparePolicy(file, { driver: 'native' });
      expect(p.model.warnings).toEqual([]);
      const spec = readObject(p.compiled.object);
      if (name === VERIFIED) for (const prog of verifyPolicyPrograms(p, spec)) for (const v of prog.verify) expect(v).toMatchObject({ profile: 'seed', verdict: 'accept' });
      expect(p.model.mode).toBe('endpoint');
      expect(p.compiled.c).toContain('#define FEATURE_AUDIT 0');
      const cases = await runPolicyVectors(p, spec, readVectors(join(K8S_EXAMPLES_DIR, `${name}.vectors.yaml`)));
      expect(cases.length).toBeGreaterThanOrEqual(2);
      expect(cases.filter((c) => !c.passed).map((c) => ({ name: c.name, packets: c.packets }))).toEqual([]);

      const sim = await PolicySimulation.create(spec, p.compiled.programs, p.compiled.maps);
      const evaluator = new Evaluator(p.loaded.policies, p.inventory);
      const sample = fc.sample(sequenceArb(pools(p.loaded.policies, p.inventory, p.model)), { numRuns: 400, seed: 1000 + name.length });
      let packets = 0;
      const reasons = new Set<string>();
      for (const seq of sample) {
        if (packets >= PACKETS) break;
        for (const c of compareSequence(seq, sim, evaluator, p.model)) {
          packets++;
          reasons.add(c.reference.reason);
          if (!c.agree) throw new Error(`disagreement on ${JSON.stringify({ ...c.packet, payload: c.packet.payload.length })}: reference ${JSON.stringify(c.reference)}, datapath ${JSON.stringify(c.datapath)}`);
        }
      }
      expect(packets).toBeGreaterThanOrEqual(PACKETS);
      expect(reasons).toContain('allow');
      expect(reasons.has('deny') || reasons.has('default-deny')).toBe(true);
    });
  }
});
