// Rule scale: 1,000 CIDR rules (10 CIDRs each, IPv4 and IPv6, /8 to /32 and /128, a port or a port range) and
// 100 label rules over an inventory of 5,000 endpoints, in one host policy. Prints build time, map entries and
// memory estimate, instructions, and the verifier's verdict (seed); the program is the same size as for 10 rules.
//
//   npx tsx scripts/policy-scale.ts [--clang native|wasm]
import { readObject } from '../bpf/index.ts';
import { compilePolicy } from '../compiler/cgen/index.ts';
import { buildModel } from '../compiler/dsl/index.ts';
import { ISSUE_SCALE, scalePolicy } from '../bench/policy-scale-input.ts';
import { verify } from '../verifier/index.ts';

const ci = process.argv.indexOf('--clang');
const driver = ci >= 0 ? (process.argv[ci + 1] as 'wasm' | 'native') : 'native';
const t0 = performance.now();
const { policy: p, inventory } = scalePolicy(ISSUE_SCALE);
const t1 = performance.now();
const model = buildModel([p], inventory);
const t2 = performance.now();
const compiled = await compilePolicy(model, { driver });
const t3 = performance.now();
const spec = readObject(compiled.object);
const reports = compiled.programs.map((x) => verify(spec, { program: x.name, profile: 'seed' }));
const t4 = performance.now();
let bytes = 0;
for (const [, m] of Object.entries(compiled.maps.maps)) bytes += m.entries.length * (m.keySize + m.valueSize);
console.log(`policy: ${model.rules.length} rules, ${model.identities.length} identities, ${model.entries.length} rule-table intervals`);
console.log(`maps: ${Object.entries(compiled.maps.maps).map(([n, m]) => `${n} ${m.entries.length}/${m.maxEntries}`).join(', ')}; ~${(bytes / 1024).toFixed(0)} KiB of keys and values`);
console.log(`time: policy ${((t1 - t0) / 1000).toFixed(1)} s, model ${((t2 - t1) / 1000).toFixed(1)} s, C+compile (${driver}) ${((t3 - t2) / 1000).toFixed(1)} s, verify ${((t4 - t3) / 1000).toFixed(1)} s`);
for (const r of reports) console.log(`${r.program}: seed ${r.verdict}${r.error ? ` (${r.error.message})` : ''}, ${r.stats.processed} processed`);

if (process.argv.includes('--kernel')) {
  // the kernel verifier on the same object, and the map contents written through bpf(2)
  const { loadCollection, mapUpdate } = await import('../loader/index.ts');
  const { hexBytes } = await import('../compiler/cgen/index.ts');
  const t5 = performance.now();
  const coll = loadCollection(spec);
  try {
    let n = 0;
    for (const [name, m] of Object.entries(compiled.maps.maps)) {
      const fd = coll.maps.get(name)!;
      for (const e of m.entries) mapUpdate(fd, hexBytes(e.key), hexBytes(e.value)), n++;
    }
    console.log(`kernel: loaded ${[...coll.programs.keys()].join(', ')}; ${n} map entries written in ${((performance.now() - t5) / 1000).toFixed(1)} s`);
  } finally {
    coll.close();
  }
}
