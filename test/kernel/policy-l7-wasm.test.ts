// The L7 examples through the embedded pipeline (clang as WebAssembly → our backend), not clang-19: each program
// fits its declared profile by our verifier, the vectors pass in the simulator with the reference evaluator
// agreeing, and the kernel accepts the object. Slow on purpose (clang-as-wasm takes tens of seconds on an
// unrolled HTTP matcher): it is the proof that L7 needs nothing installed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { runPolicyVectors, verifyPolicyPrograms } from '../../cli/commands/policy-check.ts';
import { defaultVectorsFile, preparePolicy } from '../../cli/commands/policy-pipeline.ts';
import { readVectors } from '../../compiler/dsl/index.ts';
import { loadCollection } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { available, kernelBpf } from '../support/require.ts';

const EXAMPLES = [
  { name: 'http-api', profile: 'seed' },
  { name: 'kafka-produce', profile: 'linux-6.18' },
];

describe.runIf(available('L7 examples built with the wasm pipeline', kernelBpf))('L7 examples built with the wasm pipeline', () => {
  for (const { name, profile } of EXAMPLES) {
    it(`${name}: fits ${profile}, passes its vectors, and the kernel accepts it`, { timeout: 600_000 }, async () => {
      const file = join(repoRoot, 'examples', `${name}.ts`);
      const p = await preparePolicy(file, { driver: 'wasm' });
      expect(p.compiled.driver).toBe('wasm');
      const spec = readObject(p.compiled.object);
      for (const prog of verifyPolicyPrograms(p, spec)) {
        expect(prog.verify).toEqual([{ profile, verdict: 'accept', error: null }]);
        if (profile === 'seed') expect(prog.insns).toBeLessThanOrEqual(4096);
      }
      const cases = await runPolicyVectors(p, spec, readVectors(defaultVectorsFile(file)!));
      expect(cases.length).toBeGreaterThan(3);
      expect(cases.filter((c) => !c.passed).map((c) => c.name)).toEqual([]);
      const coll = loadCollection(spec);
      try {
        expect([...coll.programs.keys()].sort()).toEqual(p.compiled.programs.map((x) => x.name).sort());
      } finally {
        coll.close();
      }
    });
  }
});
