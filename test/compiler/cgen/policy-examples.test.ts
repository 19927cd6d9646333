// End to end on examples/: each policy is built with clang-19 (the native driver), verified, and its vectors
// run in the simulator (with the reference evaluator agreeing on every packet); then a model-based test runs
// ~1,000 packets generated from the policy through the reference evaluator and the compiled datapath
// (scripts/policy-model-based.ts runs 10,000 per example).
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { Evaluator } from '../../../compiler/dsl/index.ts';
import { checkPolicy } from '../../../cli/commands/policy-check.ts';
import { preparePolicy } from '../../../cli/commands/policy-pipeline.ts';
import { repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';
import { compareSequence, pools, sequenceArb } from './policy-packets.ts';

const EXAMPLES = ['host-firewall', 'web-tier', 'namespace-default-deny'];
const PACKETS = 1000;

describe.runIf(available('policy examples', clang19))('policy examples', () => {
  for (const name of EXAMPLES) {
    const file = join(repoRoot, 'examples', `${name}.ts`);

    it(`${name}: builds, fits the seed limits, and passes its vectors`, async () => {
      const r = await checkPolicy(file, { driver: 'native' });
      expect(r.failed).toBe(0);
      expect(r.passed).toBeGreaterThan(5);
      for (const p of r.programs) {
        expect(p.insns).toBeLessThanOrEqual(4096);
        expect(p.stack).toBeLessThanOrEqual(512);
        for (const v of p.verify) expect(v).toMatchObject({ profile: 'seed', verdict: 'accept' });
      }
    });

    it(`${name}: the datapath agrees with the reference evaluator on ${PACKETS} generated packets`, async () => {
      const p = await preparePolicy(file, { driver: 'native' });
      const sim = await PolicySimulation.create(readObject(p.compiled.object), p.compiled.programs, p.compiled.maps);
      const evaluator = new Evaluator(p.loaded.policies, p.inventory);
      const pl = pools(p.loaded.policies, p.inventory, p.model);
      let packets = 0;
      const reasons = new Map<string, number>();
      const decided = new Set<string>();
      fc.assert(
        fc.property(sequenceArb(pl), (seq) => {
          if (packets >= PACKETS) return;
          for (const c of compareSequence(seq, sim, evaluator, p.model)) {
            packets++;
            reasons.set(c.reference.reason, (reasons.get(c.reference.reason) ?? 0) + 1);
            if (c.reference.rule !== undefined) decided.add(c.reference.rule);
            if (!c.agree) throw new Error(`disagreement on ${JSON.stringify({ ...c.packet, payload: c.packet.payload.length })}: reference ${JSON.stringify(c.reference)}, datapath ${JSON.stringify(c.datapath)}`);
          }
        }),
        { numRuns: 10_000, seed: 7 + name.length },
      );
      expect(packets).toBeGreaterThanOrEqual(PACKETS);
      // the generator reaches allows, denies, replies and the malformed path
      for (const r of ['allow', 'default-deny', 'reply', 'malformed']) expect(reasons.get(r) ?? 0).toBeGreaterThan(0);
      // every rule decides some packet
      expect([...decided].sort()).toEqual(p.model.rules.map((r) => r.name).sort());
    });
  }
});
