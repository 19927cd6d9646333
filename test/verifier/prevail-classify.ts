// Classifies every PREVAIL YAML case by what this machine's kernel says about its translation
// (prevail-cases.ts), and writes docs/prevail-cases.md and test/verifier/prevail-cases.json (the list
// test/verifier/prevail-cases.test.ts runs). Run as root: npx tsx test/verifier/prevail-classify.ts
//
//   kernel-semantics   the kernel's verdict is PREVAIL's expectation (an expected error: the kernel rejects an
//                      instruction of the case's own code); our verifier must give the same verdict
//   prevail-only       the kernel disagrees: PREVAIL proves what the kernel's domains cannot (relations,
//                      precision), reports errors the kernel does not (division by zero, termination), or
//                      accepts what the kernel refuses
//   not expressible    no translation (PREVAIL's context, packet and shared-region model, stack contents,
//                      relational pre-conditions, a big-endian target)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '../../bpf/index.ts';
import { progLoad, VerifierError } from '../../loader/index.ts';
import { verify } from '../../verifier/index.ts';
import { repoRoot } from '../corpora.ts';
import { caseSpec, expectsError, prevailCases, translate, type PrevailCase } from './prevail-cases.ts';

export interface CaseClass {
  readonly file: string;
  readonly name: string;
  readonly class: 'kernel-semantics' | 'prevail-only' | 'not expressible';
  readonly reason: string;
  readonly expected?: 'accept' | 'reject';
  readonly kernel?: { readonly verdict: 'accept' | 'reject'; readonly insn?: number; readonly reason?: string };
  readonly ours?: { readonly verdict: string; readonly insn?: number; readonly reason?: string };
  readonly checked?: number;
  readonly skipped?: readonly string[];
}

const BPF_PROG_TYPE_SOCKET_FILTER = 1;

function kernelVerdict(insns: Parameters<typeof encode>[0]): NonNullable<CaseClass['kernel']> {
  try {
    progLoad({ type: BPF_PROG_TYPE_SOCKET_FILTER, insns: encode(insns), license: 'GPL' }).fd.close();
    return { verdict: 'accept' };
  } catch (e) {
    for (let x: unknown = e; x !== undefined && x !== null; x = (x as { cause?: unknown }).cause) {
      if (x instanceof VerifierError) return { verdict: 'reject', ...(x.insn !== undefined ? { insn: x.insn } : {}), ...(x.reason !== undefined ? { reason: x.reason } : {}) };
    }
    throw e;
  }
}

export function classify(c: PrevailCase): CaseClass {
  const base = { file: c.file, name: c.name };
  const t = translate(c);
  if (!t.ok) return { ...base, class: 'not expressible', reason: t.reason };
  const kernel = kernelVerdict(t.insns);
  const r = verify(caseSpec(t.insns), { profile: 'linux-6.18' });
  const ours = { verdict: r.verdict, ...(r.error?.insn !== undefined ? { insn: r.error.insn } : {}), ...(r.error !== undefined ? { reason: r.error.lines.at(-1) ?? '' } : {}), ...(r.unsupported !== undefined ? { reason: r.unsupported } : {}) };
  const more = { expected: t.expected, kernel, ours, checked: t.checked, skipped: t.skipped };
  const [codeStart, codeEnd] = t.codeSlots;
  const inCode =
    kernel.insn !== undefined && ((kernel.insn >= codeStart && kernel.insn < codeEnd) || (t.subprogramSlot !== undefined && kernel.insn >= t.subprogramSlot));
  if (kernel.verdict === 'reject' && kernel.insn !== undefined && kernel.insn < codeStart) {
    return { ...base, class: 'not expressible', reason: `the kernel rejects the set-up: ${kernel.reason ?? ''}`, ...more };
  }
  if (t.expected === 'accept' && kernel.verdict === 'accept') return { ...base, class: 'kernel-semantics', reason: 'both accept (post-conditions proven)', ...more };
  if (t.expected === 'reject' && kernel.verdict === 'reject' && (inCode || kernel.insn === undefined)) {
    return { ...base, class: 'kernel-semantics', reason: `both reject: kernel "${kernel.reason ?? ''}", PREVAIL "${c.messages.find((m) => !/unreachable/.test(m)) ?? ''}"`, ...more };
  }
  if (t.expected === 'accept') {
    return {
      ...base,
      class: 'prevail-only',
      reason: inCode
        ? `the kernel rejects the code: ${kernel.reason ?? ''}`
        : `PREVAIL proves a post-condition the kernel's domains do not (its relational/interval domain): ${kernel.reason ?? ''}`,
      ...more,
    };
  }
  const msg = c.messages.find((m) => !/unreachable/.test(m)) ?? '';
  return {
    ...base,
    class: 'prevail-only',
    reason: kernel.verdict === 'accept' ? `PREVAIL reports "${msg}"; the kernel accepts` : `PREVAIL reports "${msg}"; the kernel rejects only a post-condition check`,
    ...more,
  };
}

function markdown(all: readonly CaseClass[]): string {
  const count = (k: CaseClass['class']) => all.filter((c) => c.class === k).length;
  const ks = all.filter((c) => c.class === 'kernel-semantics');
  const pass = ks.filter((c) => c.ours?.verdict === c.expected).length;
  const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const files = [...new Set(all.map((c) => c.file))];
  const lines = [
    '# PREVAIL test cases in kernel terms',
    '',
    'Generated by `npx tsx test/verifier/prevail-classify.ts` (as root) from PREVAIL\'s YAML cases in',
    '`../shared/corpora/prevail-test-data/test-data`. Each case becomes one socket-filter program',
    '(`test/verifier/prevail-cases.ts`): the pre-conditions as a set-up (unknown numbers from `bpf_ktime_get_ns`, ranges',
    'as branches to a clean exit, constants, stack pointers), PREVAIL\'s code rewritten to LLVM syntax (`assume C` as a',
    'branch on the negation to a clean exit, every `exit` jumping to the checks), and the post-conditions on numbers',
    'as branches to an instruction the kernel always rejects. The expected verdict is PREVAIL\'s: reject when it reports',
    'an error (any message but "Code becomes unreachable"), else accept. The class comes from this kernel\'s verdict:',
    '',
    '- **kernel-semantics**: the kernel agrees with PREVAIL (an expected error is rejected inside the case\'s own code);',
    '- **prevail-only**: the kernel disagrees, with the reason (PREVAIL\'s relational domain proves more; PREVAIL reports',
    '  division by zero or possible non-termination, which the kernel defines or bounds; the kernel refuses code PREVAIL accepts);',
    '- **not expressible**: no kernel program says the same (PREVAIL\'s context, packet and shared-region model,',
    '  stack contents, relational pre-conditions, a big-endian target).',
    '',
    'Post-conditions on pointers and on the stack are not checked (counted as skipped per case): a kernel-semantics',
    'case agrees on the verdict and on every number post-condition.',
    '',
    `Totals: ${all.length} cases: **${count('kernel-semantics')} kernel-semantics**, ${count('prevail-only')} prevail-only, ${count('not expressible')} not expressible.`,
    `Our verifier (profile \`linux-6.18\`) gives the expected verdict on **${pass} of ${ks.length}** kernel-semantics cases.`,
    `\`test/verifier/prevail-cases.test.ts\` re-runs them, except the ${ks.filter((c) => /too large/.test(c.kernel?.reason ?? '')).length} infinite loops the kernel rejects at its 1M`,
    'processed-instruction limit (about 10 s each here: their verdicts are the ones recorded in this table).',
    '',
    '| file | cases | kernel-semantics | passed | prevail-only | not expressible |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of files) {
    const m = all.filter((c) => c.file === f);
    const k = m.filter((c) => c.class === 'kernel-semantics');
    lines.push(`| ${f} | ${m.length} | ${k.length} | ${k.filter((c) => c.ours?.verdict === c.expected).length} | ${m.filter((c) => c.class === 'prevail-only').length} | ${m.filter((c) => c.class === 'not expressible').length} |`);
  }
  lines.push('', '## Every case', '', '| file | case | class | expected | kernel | ours | reason |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of all) {
    const k = c.kernel === undefined ? '' : c.kernel.verdict === 'reject' ? `reject insn ${c.kernel.insn ?? '?'}` : 'accept';
    const o = c.ours === undefined ? '' : c.ours.verdict === 'reject' ? `reject insn ${c.ours.insn ?? '?'}` : c.ours.verdict;
    lines.push(`| ${c.file} | ${esc(c.name)} | ${c.class} | ${c.expected ?? ''} | ${k} | ${o} | ${esc(c.reason)}${c.skipped && c.skipped.length > 0 ? ` (unchecked: ${esc(c.skipped.join(', '))})` : ''} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const all = prevailCases().map(classify);
  const count = (k: CaseClass['class']) => all.filter((c) => c.class === k).length;
  const ks = all.filter((c) => c.class === 'kernel-semantics');
  process.stderr.write(
    `${all.length} cases: ${count('kernel-semantics')} kernel-semantics (${ks.filter((c) => c.ours?.verdict === c.expected).length} passed), ${count('prevail-only')} prevail-only, ${count('not expressible')} not expressible\n`,
  );
  writeFileSync(join(repoRoot, 'docs/prevail-cases.md'), markdown(all));
  writeFileSync(
    join(repoRoot, 'test/verifier/prevail-cases.json'),
    `${JSON.stringify(all.map((c) => ({ file: c.file, name: c.name, class: c.class, ...(c.expected ? { expected: c.expected } : {}), ...(c.kernel ? { kernel: c.kernel } : {}), ...(c.ours ? { ours: c.ours } : {}) })), null, 1)}\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
