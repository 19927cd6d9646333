// Our linux-6.18-bpf profile against this kernel with only CAP_BPF and CAP_NET_ADMIN (setpriv): never a
// false accept; the same instruction and reason when both reject.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encode, readObject } from '../../bpf/index.ts';
import { verify } from '../../verifier/index.ts';
import { filesBelow, repoRoot } from '../corpora.ts';
import { available, kernelBpf, setpriv } from '../support/require.ts';
import { ASM_CASES, asmSpec, PROFILE_CASES } from '../verifier/cases.ts';

const run = available('verifier differential with CAP_BPF only', kernelBpf, setpriv);
const PROFILE = 'linux-6.18-bpf';
const CAPS = '-all,+bpf,+net_admin';

interface KernelResult {
  readonly verdict: 'accept' | 'reject' | 'error';
  readonly insn?: number;
  readonly reason?: string;
  readonly message?: string;
}

function kernelWithCapBpf(jobs: unknown[]): KernelResult[] {
  const child = fileURLToPath(new URL('../verifier/kernel-load.child.ts', import.meta.url));
  const out = execFileSync(
    'setpriv',
    [`--inh-caps=${CAPS}`, `--ambient-caps=${CAPS}`, `--bounding-set=${CAPS}`, process.execPath, '--import', 'tsx', child],
    { cwd: repoRoot, encoding: 'utf8', input: JSON.stringify(jobs), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as KernelResult[];
}

describe.runIf(run)('verify() with the linux-6.18-bpf profile agrees with the kernel under CAP_BPF+CAP_NET_ADMIN', () => {
  const cases = [...ASM_CASES, ...PROFILE_CASES.filter((c) => c.profile === PROFILE)];
  const objects = filesBelow(join(repoRoot, 'test/fixtures'), '.o').flatMap((file) =>
    readObject(readFileSync(file)).programs.map((p) => ({ file, program: p.name })),
  );

  it('never accepts what the kernel rejects, and names the same error', () => {
    const jobs: unknown[] = [];
    const ours: { name: string; verdict: string; insn?: number | undefined; reason?: string | undefined }[] = [];
    for (const c of cases) {
      const spec = asmSpec(c);
      const p = spec.programs[0]!;
      jobs.push({ kind: 'insns', type: p.type, attach: p.expectedAttachType, insns: Buffer.from(encode(spec.functions[0]!.instructions)).toString('base64') });
      const r = verify(spec, { profile: PROFILE });
      ours.push({ name: `asm: ${c.name}`, verdict: r.verdict, insn: r.error?.insn, reason: r.error?.lines.at(-1) });
    }
    for (const o of objects) {
      const spec = readObject(readFileSync(o.file));
      const r = verify(spec, { program: o.program, profile: PROFILE });
      if (!['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'cgroup_skb'].includes(r.progType)) continue;
      jobs.push({ kind: 'object', file: o.file, program: o.program });
      ours.push({ name: `${basename(o.file)}/${o.program}`, verdict: r.verdict, insn: r.error?.insn, reason: r.error?.lines.at(-1) });
    }
    const kernel = kernelWithCapBpf(jobs);
    const falseAccepts: string[] = [];
    const lines: string[] = [];
    let same = 0;
    let rejects = 0;
    let sameError = 0;
    ours.forEach((o, k) => {
      const kv = kernel[k]!;
      if (o.verdict === kv.verdict) same++;
      else lines.push(`${o.name}: ours ${o.verdict}, kernel ${kv.verdict} ${kv.reason ?? kv.message ?? ''}`);
      if (o.verdict === 'accept' && kv.verdict !== 'accept') falseAccepts.push(`${o.name}: ${kv.reason ?? kv.message ?? ''}`);
      if (o.verdict === 'reject' && kv.verdict === 'reject') {
        rejects++;
        if (o.insn === kv.insn && o.reason === kv.reason) sameError++;
        else lines.push(`${o.name}: ours insn ${o.insn} "${o.reason}", kernel insn ${kv.insn} "${kv.reason}"`);
      }
    });
    console.log(`${PROFILE} vs kernel with CAP_BPF+CAP_NET_ADMIN: ${ours.length} programs, ${same} same verdict, ${falseAccepts.length} false accepts; both reject ${rejects}, same error ${sameError}`);
    for (const l of lines) console.log(`  ${l}`);
    expect(falseAccepts).toEqual([]);
  });
});
