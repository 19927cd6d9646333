// Our verifier against this machine's kernel (as root, profile linux-6.18): the same verdict, and for
// rejections the same instruction and the same error lines. Zero false accepts is the hard rule. Mutants are
// in verifier-agreement.test.ts (both privileges).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode, readObject, type ObjectSpec } from '../../bpf/index.ts';
import { loadCollection, progLoad, VerifierError } from '../../loader/index.ts';
import { verify, type VerifyReport } from '../../verifier/index.ts';
import { filesBelow, repoRoot } from '../corpora.ts';
import { available, kernelBpf } from '../support/require.ts';
import { ASM_CASES, asmSpec } from '../verifier/cases.ts';

const run = available('verifier differential', kernelBpf);

interface KernelVerdict {
  readonly verdict: 'accept' | 'reject';
  readonly insn?: number;
  readonly reason?: string;
  readonly log: readonly string[];
}

function verifierErrorOf(e: unknown): VerifierError | undefined {
  for (let x: unknown = e; x !== undefined && x !== null; x = (x as { cause?: unknown }).cause) {
    if (x instanceof VerifierError) return x;
  }
  return undefined;
}

function kernelLoad(spec: ObjectSpec, program: string): KernelVerdict {
  try {
    loadCollection(spec, { programs: [program] }).close();
    return { verdict: 'accept', log: [] };
  } catch (e) {
    const v = verifierErrorOf(e);
    if (v === undefined) throw e;
    return { verdict: 'reject', ...(v.insn !== undefined ? { insn: v.insn } : {}), ...(v.reason !== undefined ? { reason: v.reason } : {}), log: v.log };
  }
}

/** The kernel's log lines of the error: after the last instruction line, before the statistics. */
function errorLines(log: readonly string[]): string[] {
  const end = log.findIndex((l) => /^processed \d+ insns/.test(l));
  const body = log.slice(0, end < 0 ? log.length : end).filter((l) => l.trim() !== '');
  let start = body.length;
  while (start > 0 && !/^\d+: /.test(body[start - 1]!) && !/^;/.test(body[start - 1]!)) start--;
  return body.slice(start);
}

const tally = { programs: 0, agree: 0, falseAccepts: 0, falseRejects: 0, unsupported: 0, rejects: 0, sameInsn: 0, sameReason: 0 };
const disagreements: string[] = [];

function compare(name: string, ours: VerifyReport, kernel: KernelVerdict): void {
  tally.programs++;
  if (ours.verdict === 'accept' && kernel.verdict === 'reject') tally.falseAccepts++;
  if (ours.verdict === 'reject' && kernel.verdict === 'accept') tally.falseRejects++;
  if (ours.verdict === 'unsupported') tally.unsupported++;
  if (ours.verdict === kernel.verdict) tally.agree++;
  else disagreements.push(`${name}: ours ${ours.verdict} (${ours.unsupported ?? ours.error?.message ?? ''}), kernel ${kernel.verdict} (${kernel.reason ?? ''})`);
  if (kernel.verdict === 'reject' && ours.verdict === 'reject') {
    tally.rejects++;
    if (ours.error?.insn === kernel.insn) tally.sameInsn++;
    if (ours.error?.lines.at(-1) === kernel.reason) tally.sameReason++;
    else disagreements.push(`${name}: both reject, ours "${ours.error?.lines.at(-1) ?? ''}", kernel "${kernel.reason ?? ''}"`);
  }
}

afterAll(() => {
  if (!run) return;
  console.log(
    `verifier vs kernel: ${tally.programs} programs, ${tally.agree} same verdict, ${tally.falseAccepts} false accepts, ` +
      `${tally.falseRejects} false rejects, ${tally.unsupported} unsupported; rejections by both: ${tally.rejects}, ` +
      `same instruction ${tally.sameInsn}, same reason ${tally.sameReason}`,
  );
  for (const d of disagreements) console.log(`  ${d}`);
});

describe.runIf(run)('verify() agrees with the kernel on assembled programs', () => {
  it.each(ASM_CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const spec = asmSpec(c);
    const fn = spec.functions[0]!;
    const p = spec.programs[0]!;
    let kernel: KernelVerdict;
    try {
      progLoad({
        type: p.type!,
        insns: encode(fn.instructions),
        license: 'GPL',
        ...(p.expectedAttachType !== undefined ? { expectedAttachType: p.expectedAttachType } : {}),
      }).fd.close();
      kernel = { verdict: 'accept', log: [] };
    } catch (e) {
      const v = verifierErrorOf(e);
      if (v === undefined) throw e;
      kernel = { verdict: 'reject', ...(v.insn !== undefined ? { insn: v.insn } : {}), ...(v.reason !== undefined ? { reason: v.reason } : {}), log: v.log };
    }
    const ours = verify(spec);
    compare(`asm: ${c.name}`, ours, kernel);
    // the recorded expectation is the kernel's
    expect(kernel.verdict).toBe(c.verdict);
    expect(ours.verdict).toBe(kernel.verdict);
    if (kernel.verdict === 'reject') {
      expect(ours.error?.lines.at(-1)).toBe(kernel.reason);
      expect(ours.error?.lines).toEqual(errorLines(kernel.log));
      if (c.insn !== undefined) expect(ours.error?.insn).toBe(kernel.insn);
    }
  });
});

describe.runIf(run)('verify() agrees with the kernel on the fixtures', () => {
  const objects = filesBelow(join(repoRoot, 'test/fixtures'), '.o');
  for (const file of objects) {
    const spec = readObject(readFileSync(file));
    for (const p of spec.programs) {
      const ours = verify(spec, { program: p.name });
      if (!['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'cgroup_skb'].includes(ours.progType)) continue;
      it(`${basename(file)}/${p.name}: never a false accept, same error when both reject`, () => {
        const kernel = kernelLoad(spec, p.name);
        compare(`${basename(file)}/${p.name}`, ours, kernel);
        if (ours.verdict === 'accept') expect(kernel.verdict).toBe('accept');
        if (ours.verdict === 'reject' && kernel.verdict === 'reject') {
          expect(ours.error?.insn).toBe(kernel.insn);
          expect(ours.error?.lines.at(-1)).toBe(kernel.reason);
        }
      });
    }
  }
});
