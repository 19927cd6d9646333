// The differential test of the two tiers on every fixture and every example policy (built with clang-19), on a
// fixed sample of generated packets, per packet through Simulator.run and as one runBatch (the full 10,000
// per program: `npx tsx scripts/sim-tiers.ts`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { createRng, randomPacket } from '../../../simulator/packet/index.ts';
import { compareTiers } from '../../../simulator/wasm-tier/index.ts';
import { repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';
import { EXAMPLES, exampleObjects, fillMaps } from './tier-programs.ts';

const fixtures = join(repoRoot, 'test/fixtures');
const files = readdirSync(fixtures).filter((f) => f.endsWith('.o') && !f.startsWith('bad_')).sort();
const rng = createRng(7);
const packets = Array.from({ length: 150 }, () => randomPacket(rng, { minSize: 14, maxSize: 1514 }).data);

describe('compareTiers()', () => {
  it.each(files)('finds no difference between the tiers on %s', (file) => {
    const results = compareTiers(readObject(new Uint8Array(readFileSync(join(fixtures, file)))), packets, { seed: 7 });
    for (const r of results) {
      expect(r.differences, `${file} ${r.program}`).toEqual([]);
      expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(packets.length);
    }
  });
});

describe.runIf(available('example policies in both tiers', clang19))('compareTiers() on the example policies', () => {
  it.each(EXAMPLES)('finds no difference between the tiers on %s with its map contents', async (name) => {
    const [o] = await exampleObjects([name]);
    const results = compareTiers(o!.spec, packets.slice(0, 100), { seed: 7, setup: (sim) => fillMaps(sim, o!.entries) });
    expect(results.map((r) => r.program).sort()).toEqual(o!.spec.programs.map((p) => p.name).sort());
    for (const r of results) expect(r.differences, `${name} ${r.program}`).toEqual([]);
  });
});
