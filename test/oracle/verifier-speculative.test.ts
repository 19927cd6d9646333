// Speculative paths and scalar ids against this kernel: the programs of test/verifier/explore/speculative-cases.ts
// as root (linux-6.18) and with only CAP_BPF+CAP_NET_ADMIN (linux-6.18-bpf, setpriv): the same verdict, and the
// same number of processed instructions (speculative paths are counted by the kernel too).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encode, readObject } from '../../bpf/index.ts';
import { verify } from '../../verifier/index.ts';
import { corpusDir, repoRoot } from '../corpora.ts';
import { available, clang19, kernelBpf, setpriv } from '../support/require.ts';
import { asmSpec } from '../verifier/cases.ts';
import { kernelWithCapBpf } from '../verifier/agreement.ts';
import { kernelJob } from '../verifier/kernel-verdict.ts';
import { SPECULATIVE_ASM, TAIL_CALL_C } from '../verifier/explore/speculative-cases.ts';

const CAPS = '-all,+bpf,+net_admin';

interface KernelStats {
  readonly verdict: 'accept' | 'reject' | 'error';
  readonly processed?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** The kernel's verdicts and processed counts for raw programs, as root or with CAP_BPF+CAP_NET_ADMIN only. */
function kernelStats(jobs: readonly unknown[], capBpf: boolean): KernelStats[] {
  const child = fileURLToPath(new URL('../verifier/explore/kernel-stats.child.ts', import.meta.url));
  const node = [process.execPath, '--import', 'tsx', child];
  const [cmd, ...args] = capBpf ? ['setpriv', `--inh-caps=${CAPS}`, `--ambient-caps=${CAPS}`, `--bounding-set=${CAPS}`, ...node] : node;
  const out = execFileSync(cmd!, args, { cwd: repoRoot, encoding: 'utf8', input: JSON.stringify(jobs), stdio: ['pipe', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as KernelStats[];
}

describe.runIf(available('verifier speculative paths against the kernel', kernelBpf, setpriv))('speculative paths and scalar ids agree with the kernel', () => {
  const names = Object.keys(SPECULATIVE_ASM) as (keyof typeof SPECULATIVE_ASM)[];
  const specs = names.map((name) => asmSpec({ name, progType: 'xdp', asm: SPECULATIVE_ASM[name], verdict: 'accept' }));
  const jobs = specs.map((s) => ({ type: s.programs[0]!.type, insns: Buffer.from(encode(s.functions[0]!.instructions)).toString('base64') }));

  it.each([
    ['linux-6.18', false],
    ['linux-6.18-bpf', true],
  ] as const)('verify() with %s gives the kernel\'s verdict and processed-instruction count', (profile, capBpf) => {
    const kernel = kernelStats(jobs, capBpf);
    const mismatches: string[] = [];
    names.forEach((name, k) => {
      const ours = verify(specs[k]!, { profile });
      const kv = kernel[k]!;
      if (ours.verdict !== kv.verdict || ours.stats.processed !== kv.processed) {
        mismatches.push(`${name}: ours ${ours.verdict} (${ours.stats.processed}), kernel ${kv.verdict} (${kv.processed ?? '?'}) ${kv.reason ?? kv.message ?? ''}`);
      }
    });
    expect(mismatches).toEqual([]);
  });

  const loop = join(corpusDir('ebpf-samples'), 'build/bounded_loop.o');
  it.runIf(existsSync(loop))('verify() walks the speculative paths of a bounded loop as the kernel does (same processed count)', async () => {
    const job = { file: loop, program: 'test_bounded_loop', type: 'socket_filter' };
    const [kernel] = await kernelWithCapBpf([job]);
    const ours = verify(readObject(readFileSync(loop)), { program: job.program, type: job.type, profile: 'linux-6.18-bpf' });
    expect(ours.verdict).toBe(kernel!.verdict);
    expect(ours.stats.processed).toBe(kernel!.processed);
  });

  describe.runIf(available('verifier tail-call poisoning against the kernel (clang-19)', clang19))('tail calls through two prog arrays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-speculative-oracle-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const files = (Object.keys(TAIL_CALL_C) as (keyof typeof TAIL_CALL_C)[]).map((name) => {
      const src = join(dir, `${name}.c`);
      const obj = join(dir, `${name}.o`);
      writeFileSync(src, TAIL_CALL_C[name]);
      execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', join(repoRoot, 'bpf/include'), '-c', src, '-o', obj]);
      return { name, file: obj };
    });

    it('verify() gives the kernel\'s verdicts as root and with CAP_BPF only', async () => {
      const cap = await kernelWithCapBpf(files.map((f) => ({ file: f.file, program: 'prog' })));
      const lines: string[] = [];
      files.forEach((f, k) => {
        const spec = readObject(readFileSync(f.file));
        const root = kernelJob({ file: f.file, program: 'prog' });
        for (const [profile, kv] of [['linux-6.18', root], ['linux-6.18-bpf', cap[k]!]] as const) {
          const ours = verify(spec, { profile });
          lines.push(`${f.name} ${profile}: ours ${ours.verdict} ${ours.error?.message ?? ''}, kernel ${kv.verdict} ${kv.reason ?? ''}`.trim());
          expect(ours.verdict, lines.join('\n')).toBe(kv.verdict);
          if (kv.verdict === 'reject') expect(ours.error?.message).toBe(kv.reason);
        }
      });
    });
  });
});
