// PREVAIL's YAML cases that have the kernel's semantics (docs/prevail-cases.md, classified against this
// machine's kernel by prevail-classify.ts): our verifier gives PREVAIL's verdict, which is the kernel's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verify } from '../../verifier/index.ts';
import { caseSpec, prevailCases, translate } from './prevail-cases.ts';

interface Recorded {
  readonly file: string;
  readonly name: string;
  readonly class: string;
  readonly expected?: 'accept' | 'reject';
  readonly kernel?: { readonly verdict: string; readonly insn?: number; readonly reason?: string };
  readonly ours?: { readonly verdict: string };
}

const recorded = JSON.parse(readFileSync(new URL('./prevail-cases.json', import.meta.url), 'utf8')) as Recorded[];
const all = recorded.filter((r) => r.class === 'kernel-semantics');
// infinite loops run to the 1M processed-instruction limit (seconds each): the classification run checks those
const atLimit = (r: Recorded): boolean => /too large/.test(r.kernel?.reason ?? '');
const kernelSemantics = all.filter((r) => !atLimit(r));
const cases = new Map(prevailCases().map((c) => [`${c.file}: ${c.name}`, c]));

describe('PREVAIL cases with the kernel semantics', () => {
  it('are all still in the corpus, each translated the same way', () => {
    expect(kernelSemantics.length).toBeGreaterThan(300);
    // the ones left to the classification run passed there
    for (const r of all.filter(atLimit)) expect(r.ours?.verdict, r.name).toBe(r.expected);
    for (const r of kernelSemantics) expect(cases.has(`${r.file}: ${r.name}`), `${r.file}: ${r.name}`).toBe(true);
  });

  for (const file of [...new Set(kernelSemantics.map((r) => r.file))]) {
    it(`${file}: verify() gives PREVAIL's (and the kernel's) verdict on every kernel-semantics case`, () => {
      const wrong: string[] = [];
      for (const r of kernelSemantics.filter((x) => x.file === file)) {
        const t = translate(cases.get(`${r.file}: ${r.name}`)!);
        if (!t.ok) {
          wrong.push(`${r.name}: no longer translates (${t.reason})`);
          continue;
        }
        const ours = verify(caseSpec(t.insns));
        if (ours.verdict !== r.expected) wrong.push(`${r.name}: ours ${ours.verdict} (${ours.error?.lines.at(-1) ?? ours.unsupported ?? ''}), PREVAIL and the kernel ${r.expected}`);
        // the instruction is reported, not required: infinite-loop detection names the loop head where the
        // kernel's pruning points put it (verifier/explore)
        if (r.kernel?.verdict === 'reject' && r.kernel.insn !== undefined && ours.error?.insn !== r.kernel.insn) {
          console.log(`${file}: ${r.name}: ours rejects insn ${ours.error?.insn}, the kernel insn ${r.kernel.insn}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
