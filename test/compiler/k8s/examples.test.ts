// End to end on examples/k8s: each YAML policy is built with clang-19 (native driver), its vectors run in the
// simulator (the reference evaluator agreeing on every packet), and then a fixed sample of generated packets
// runs through the reference evaluator and the compiled datapath (the model-based test of the DSL, here with
// the policies read from YAML); for the NetworkPolicy examples every opening packet is also held
// to an independent reading of the YAML (network-policy-reference.ts). Our verifier checks one example: the programs of all examples differ only in
// map contents and names (all are endpoint mode without audit); the kernel test loads every one of them.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
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
import { NetworkPolicyReference, plainPacket } from './network-policy-reference.ts';

const PACKETS = 60;
const VERIFIED = 'ipblock-except';

describe.runIf(available('k8s policy examples', clang19))('Kubernetes and Cilium YAML examples', () => {
  it('covers the documentation examples the issue lists', () => {
    expect(K8S_EXAMPLES).toEqual(expect.arrayContaining(['deny-all', 'allow-all', 'namespace-isolation', 'ipblock-except', 'port-range', 'named-ports', 'cilium-deny', 'cilium-l7-http', 'cilium-kafka', 'cilium-clusterwide-namespaces']));
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

      const sim = await PolicySimulation.create(spec, p.compiled.programs, p.compiled.maps, { l7: p.model.l7 });
      const evaluator = new Evaluator(p.loaded.policies, p.inventory);
      // NetworkPolicy examples: opening packets also against an independent reading of the YAML
      const independent = name.startsWith('cilium-') ? undefined : new NetworkPolicyReference(readFileSync(file, 'utf8'), p.inventory);
      let independentPackets = 0;
      const sample = fc.sample(sequenceArb(pools(p.loaded.policies, p.inventory, p.model)), { numRuns: 400, seed: 1000 + name.length });
      let packets = 0;
      const reasons = new Set<string>();
      for (const seq of sample) {
        if (packets >= PACKETS) break;
        const comparisons = compareSequence(seq, sim, evaluator, p.model);
        if (independent !== undefined) {
          // each plain packet again on its own, from empty state: the opening packet of a connection
          for (const { packet } of comparisons.filter((c) => plainPacket(c.packet))) {
            independentPackets++;
            const got = compareSequence([{ ...packet, advanceMs: 0 }], sim, evaluator, p.model)[0]!.datapath.verdict;
            const want = independent.verdict(packet);
            if ((got === 'audit' ? 'allow' : got) !== want) throw new Error(`the datapath says ${got} where the Kubernetes reading says ${want}: ${JSON.stringify({ ...packet, payload: 0 })}`);
          }
        }
        for (const c of comparisons) {
          packets++;
          reasons.add(c.reference.reason);
          if (!c.agree) throw new Error(`disagreement on ${JSON.stringify({ ...c.packet, payload: c.packet.payload.length })}: reference ${JSON.stringify(c.reference)}, datapath ${JSON.stringify(c.datapath)}`);
        }
      }
      expect(packets).toBeGreaterThanOrEqual(PACKETS);
      if (independent !== undefined) expect(independentPackets).toBeGreaterThanOrEqual(PACKETS / 3);
      // the sample reaches the policy's denials and more than one other path
      expect(reasons.has('deny') || reasons.has('default-deny')).toBe(true);
      expect(reasons.size).toBeGreaterThanOrEqual(3);
    });
  }
});
