// Differential run of the simulator's two tiers: every fixture (test/fixtures/*.o except bad_*) and every
// program in it on the same generated packets, interpreter against WebAssembly. Prints one row per program
// and every difference; exits 1 when there is one.
//
//   npx tsx scripts/sim-tiers.ts [--packets N] [--seed S] [FILE.o ...]
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { readObject } from '../bpf/index.ts';
import { createRng, randomPacket } from '../simulator/packet/index.ts';
import { compareTiers } from '../simulator/wasm-tier/index.ts';
import { repoRoot } from '../test/corpora.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { packets: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } },
});
const count = Number(values.packets);
const seed = Number(values.seed);
const fixtures = join(repoRoot, 'test/fixtures');
const files =
  positionals.length > 0
    ? positionals
    : readdirSync(fixtures)
        .filter((f) => f.endsWith('.o') && !f.startsWith('bad_'))
        .sort()
        .map((f) => join(fixtures, f));

const rng = createRng(seed);
const packets = Array.from({ length: count }, () => randomPacket(rng, { minSize: 14, maxSize: 1514 }).data);

let differences = 0;
let programs = 0;
const t0 = performance.now();
for (const file of files) {
  const results = compareTiers(readObject(new Uint8Array(readFileSync(file))), packets, { seed });
  for (const r of results) {
    programs++;
    differences += r.differences.length;
    // socket filters' `accept N` (N bytes kept) shown as one `accept` count
    const grouped: Record<string, number> = {};
    for (const [k, n] of Object.entries(r.outcomes)) grouped[k.replace(/^accept \d+$/, 'accept')] = (grouped[k.replace(/^accept \d+$/, 'accept')] ?? 0) + n;
    const outcomes = Object.entries(grouped)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    process.stdout.write(`${basename(file)} ${r.program}: ${r.packets} packets, ${r.differences.length} differences (${outcomes})\n`);
    for (const d of r.differences) {
      process.stdout.write(`  ${d.index < 0 ? 'maps' : `packet ${d.index}`}:\n    interp ${d.interp.slice(0, 600)}\n    wasm   ${d.wasm.slice(0, 600)}\n`);
    }
  }
}
process.stdout.write(`${programs} programs × ${count} packets in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${differences} differences\n`);
process.exit(differences === 0 ? 0 : 1);
