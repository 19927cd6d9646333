// The model-based check at full size: for each example policy, packets generated from the policy (10,000 by
// default) run through the reference evaluator and the compiled datapath in the simulator; prints agreements,
// verdict reasons and how often each rule decided. The L7 examples also run generated TCP sessions of
// requests (10,000 judged requests by default, test/compiler/l7/l7-sessions.ts) and print the agreement per
// request and the L7 counter slots reached. Exit 1 on any disagreement.
//
//   npx tsx scripts/policy-model-based.ts [--packets N] [--requests N] [--clang wasm|native] [example ...]
import fc from 'fast-check';
import { join } from 'node:path';
import { readObject } from '../bpf/index.ts';
import { preparePolicy } from '../cli/commands/policy-pipeline.ts';
import { PolicySimulation } from '../compiler/cgen/policy-simulation.ts';
import { Evaluator } from '../compiler/dsl/index.ts';
import { compareSequence, pools, sequenceArb } from '../test/compiler/cgen/policy-packets.ts';
import { runL7Sessions } from '../test/compiler/l7/l7-sessions.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--packets');
const target = at >= 0 ? Number(args[at + 1]) : 10_000;
const ci = args.indexOf('--clang');
const driver = ci >= 0 ? (args[ci + 1] as 'wasm' | 'native') : 'native';
const ri = args.indexOf('--requests');
const requestTarget = ri >= 0 ? Number(args[ri + 1]) : 10_000;
const names = args.filter((a, i) => !a.startsWith('--') && i !== at + 1 && i !== ci + 1 && i !== ri + 1);
const L7_EXAMPLES = ['http-api', 'kafka-produce'];
const examples = names.length > 0 ? names : ['host-firewall', 'web-tier', 'namespace-default-deny', ...L7_EXAMPLES];
let failed = false;

for (const name of examples) {
  const t0 = performance.now();
  const p = await preparePolicy(join(import.meta.dirname, '..', 'examples', `${name}.ts`), { driver });
  const sim = await PolicySimulation.create(readObject(p.compiled.object), p.compiled.programs, p.compiled.maps, { l7: p.model.l7 });
  const evaluator = new Evaluator(p.loaded.policies, p.inventory);
  const pl = pools(p.loaded.policies, p.inventory, p.model);
  let packets = 0;
  let disagreements = 0;
  const reasons = new Map<string, number>();
  const rules = new Map<string, number>(p.model.rules.map((r) => [r.name, 0]));
  const t1 = performance.now();
  fc.assert(
    fc.property(sequenceArb(pl), (seq) => {
      if (packets >= target) return;
      for (const c of compareSequence(seq, sim, evaluator, p.model)) {
        packets++;
        reasons.set(c.reference.reason, (reasons.get(c.reference.reason) ?? 0) + 1);
        if (c.reference.rule !== undefined) rules.set(c.reference.rule, (rules.get(c.reference.rule) ?? 0) + 1);
        if (!c.agree) {
          disagreements++;
          if (disagreements <= 5) console.log(`  disagreement: ${JSON.stringify({ ...c.packet, payload: c.packet.payload.length })}\n    reference ${JSON.stringify(c.reference)} datapath ${JSON.stringify(c.datapath)}`);
        }
      }
    }),
    { numRuns: target * 10, seed: 42 },
  );
  const ms = performance.now() - t1;
  failed ||= disagreements > 0;
  const fewest = Math.min(...rules.values());
  console.log(`${name} (${driver} clang): ${packets} packets, ${packets - disagreements} agree, ${disagreements} disagree (${(ms / packets).toFixed(2)} ms/packet; build ${((t1 - t0) / 1000).toFixed(1)} s)`);
  console.log(`  reasons: ${[...reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  deciding rule counts (fewest ${fewest}${fewest < 100 ? ', below 100' : ''}): ${[...rules].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (p.model.l7.rulesets.length === 0) continue;
  const t2 = performance.now();
  let l7Disagreements = 0;
  const r = await runL7Sessions(name, requestTarget, 42, (m) => {
    l7Disagreements++;
    if (l7Disagreements <= 5) console.log(`  L7 disagreement: ${m}`);
  });
  failed ||= l7Disagreements > 0;
  console.log(`${name} L7 sessions: ${r.requests} requests judged in ${r.packets} packets, ${r.packets - l7Disagreements} packets agree, ${l7Disagreements} disagree (${((performance.now() - t2) / 1000).toFixed(1)} s)`);
  console.log(`  reasons: ${[...r.reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  L7 counter slots: ${[...r.slots].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
process.exitCode = failed ? 1 : 0;
