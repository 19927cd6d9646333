// Rule scale: 1,000 CIDR rules (10 CIDRs each, IPv4 and IPv6, /8 to /32 and /128, a port or a port range) and
// 100 label rules over an inventory of 5,000 endpoints, in one host policy. Prints build time, map entries and
// memory estimate, instructions, and the verifier's verdict (seed); the program is the same size as for 10 rules.
//
//   npx tsx scripts/policy-scale.ts [--clang native|wasm]
import { readObject } from '../bpf/index.ts';
import { compilePolicy } from '../compiler/cgen/index.ts';
import { buildModel, cidr, endpoints, parseInventory, policy, type RuleInput } from '../compiler/dsl/index.ts';
import { verify } from '../verifier/index.ts';

const ci = process.argv.indexOf('--clang');
const driver = ci >= 0 ? (process.argv[ci + 1] as 'wasm' | 'native') : 'native';
let seed = 12345;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);

function v4(len: number): string {
  const a = [rnd(223) + 1, rnd(256), rnd(256), rnd(256)];
  const addr = ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
  const masked = len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 0xff).join('.')}/${len}`;
}
function v6(len: number): string {
  const groups = Array.from({ length: 8 }, () => rnd(65536));
  let bits = len;
  const masked = groups.map((g) => {
    const keep = Math.max(0, Math.min(16, bits));
    bits -= 16;
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
  });
  masked[0] = (masked[0]! & 0x1fff) | 0x2000;
  return `${masked.map((g) => g.toString(16)).join(':')}/${len}`;
}

const t0 = performance.now();
const inventory = parseInventory({
  endpoints: Array.from({ length: 5000 }, (_, i) => ({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`.replace(/^10\.0\./, '10.100.'), namespace: `ns${i % 20}`, labels: { app: `a${i % 200}` } })),
  host: ['192.168.0.1'],
  clusterCIDRs: ['10.0.0.0/8'],
});
const rules: RuleInput[] = [];
for (let i = 0; i < 1000; i++) {
  const peers = Array.from({ length: 10 }, (_, j) => (j % 3 === 2 ? cidr(j === 8 ? v6(128) : v6(32 + rnd(97))) : cidr(j === 1 ? v4(32) : v4(8 + rnd(25)))));
  const port = 1 + rnd(60000);
  rules.push({ name: `cidr-${i}`, from: peers, ports: [i % 2 === 0 ? { port } : { port, endPort: port + rnd(1000) }] });
}
for (let i = 0; i < 100; i++) rules.push({ name: `labels-${i}`, from: [endpoints({ matchLabels: { app: `a${i}` } }, { namespaces: {} })], ports: [{ port: 8000 + i }] });
const p = policy({ name: 'scale', host: true, ingress: rules });
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
