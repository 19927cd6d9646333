// Differential run of the simulator's two tiers: every fixture (test/fixtures/*.o except bad_*) and every
// program of the example policies (examples/*.ts built with clang-19, their maps filled from the policy), on
// the same generated packets, interpreter against WebAssembly. Prints one row per program and every
// difference; exits 1 when there is one.
//
//   npx tsx scripts/sim-tiers.ts [--packets N] [--seed S] [--no-examples] [FILE.o ...]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { readObject } from '../bpf/index.ts';
import { createRng, randomPacket } from '../simulator/packet/index.ts';
import { compareTiers } from '../simulator/wasm-tier/index.ts';
import { exampleObjects, fillMaps, fixtureObjects, type TierObject } from '../test/simulator/wasm-tier/tier-programs.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    packets: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'no-examples': { type: 'boolean', default: false },
  },
});
const count = Number(values.packets);
const seed = Number(values.seed);
const objects: TierObject[] =
  positionals.length > 0
    ? positionals.map((f) => ({ label: basename(f), spec: readObject(new Uint8Array(readFileSync(f))), entries: [] }))
    : [...fixtureObjects(), ...(values['no-examples'] ? [] : await exampleObjects())];

const rng = createRng(seed);
const packets = Array.from({ length: count }, () => randomPacket(rng, { minSize: 14, maxSize: 1514 }).data);

let differences = 0;
let programs = 0;
const t0 = performance.now();
for (const o of objects) {
  const results = compareTiers(o.spec, packets, { seed, setup: (sim) => fillMaps(sim, o.entries) });
  for (const r of results) {
    programs++;
    differences += r.differences.length;
    // socket filters' `accept N` (N bytes kept) shown as one `accept` count
    const grouped: Record<string, number> = {};
    for (const [k, n] of Object.entries(r.outcomes)) grouped[k.replace(/^accept \d+$/, 'accept')] = (grouped[k.replace(/^accept \d+$/, 'accept')] ?? 0) + n;
    const outcomes = Object.entries(grouped)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    process.stdout.write(`${o.label} ${r.program}: ${r.packets} packets, ${r.differences.length} differences (${outcomes})\n`);
    for (const d of r.differences) {
      process.stdout.write(`  ${d.index === -1 ? 'maps' : d.index === -2 ? 'batch' : `packet ${d.index}`}:\n    interp ${d.interp.slice(0, 600)}\n    wasm   ${d.wasm.slice(0, 600)}\n`);
    }
  }
}
process.stdout.write(`${programs} programs × ${count} packets in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${differences} differences\n`);
process.exit(differences === 0 ? 0 : 1);
