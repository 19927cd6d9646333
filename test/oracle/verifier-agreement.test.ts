// A fixed sample of scripts/verifier-agreement.ts for CI: every fixture program, every tenth loadable corpus
// program (small ones), and 3 mutants of each kind, against this kernel as root and with only
// CAP_BPF+CAP_NET_ADMIN. Each program has a time limit for our verifier (reported, with the slowest); the hard
// rule is zero false accepts (unsupported programs and false rejects are printed with their reasons).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { available, kernelBpf, setpriv } from '../support/require.ts';
import { compareAll, corpusItems, fixtureItems, mutantItems, PRIVILEGES, tally, type Item } from '../verifier/agreement.ts';

const run = available('verifier agreement sample', kernelBpf, setpriv);
const LIMIT_MS = 5_000;

/** Corpus programs with small entry functions, every tenth (the full table comes from the script). */
function corpusSample(): Item[] {
  const small = corpusItems().filter((i) => {
    const spec = readObject(readFileSync(i.job.file));
    const p = spec.programs.find((x) => x.name === i.job.program);
    return (spec.functions.find((f) => f.name === p?.function)?.instructions.length ?? Infinity) <= 300;
  });
  return small.filter((_, k) => k % 10 === 0);
}

describe.runIf(run)('verify() agrees with the kernel on a fixed sample of fixtures, corpus programs and mutants', () => {
  it('never accepts what the kernel rejects, and reports its time per program', { timeout: 90_000 }, async () => {
    const fixtures = fixtureItems();
    const corpus = corpusSample();
    const mutants = mutantItems([...fixtures, ...corpus], { perKind: 3, seed: 5, maxInsns: 300 });
    const items = [...fixtures, ...corpus, ...mutants];
    const cs = await compareAll(items, { limitMs: LIMIT_MS });
    for (const p of PRIVILEGES) {
      const mine = cs.filter((c) => c.privilege === p.name);
      const t = tally(mine);
      const slowest = [...mine].sort((a, b) => b.ours.ms - a.ours.ms)[0];
      console.log(
        `${p.name} (${p.profile}): ${t.programs} programs, ${t.same} same verdict, ${t.falseAccepts} false accepts, ${t.falseRejects} false rejects, ` +
          `${t.unsupported} unsupported, same error insn ${t.sameInsn}/${t.bothReject}; our time limit ${LIMIT_MS} ms per program: ` +
          `${t.timeouts} past it, median ${t.medianMs.toFixed(1)} ms, slowest ${slowest?.ours.ms.toFixed(0) ?? 0} ms (${slowest?.item.name ?? ''})`,
      );
      for (const c of mine) if (c.why !== undefined) console.log(`  ${c.outcome}: ${c.item.name}: ${c.why}`);
    }
    expect(cs.filter((c) => c.outcome === 'false-accept').map((c) => `${c.privilege} ${c.item.name}: ${c.why ?? ''}`)).toEqual([]);
    expect(mutants.length).toBe(27);
  });
});
