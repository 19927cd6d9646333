// A program whose speculative exploration reaches the 1M processed-instruction limit only without CAP_PERFMON:
// the XDP build of examples/web-tier.ts with the header-copy length read without `volatile`. As root the kernel
// accepts it after ~13K processed instructions; with only CAP_BPF+CAP_NET_ADMIN it hits "BPF program is too
// large" (its stack stores of scalars stay 4-byte spills that end speculative paths, and once a pointer moves by
// a register that is not a constant, env->explore_alu_limits makes every scalar compare exactly when pruning).
// verify() must give both verdicts, with the kernel's wording.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { buildC } from '../../compiler/build-c.ts';
import { generatePolicyC } from '../../compiler/cgen/index.ts';
import { buildModel, loadPolicyFile, readInventory } from '../../compiler/dsl/index.ts';
import { verify } from '../../verifier/index.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19, kernelBpf, setpriv } from '../support/require.ts';

const PROGRAM = 'policy_from_endpoint';
const VOLATILE_LEN = 'return *(volatile __u32 *)&h->len;';
const CAPS = '-all,+bpf,+net_admin';

interface KernelStats {
  readonly verdict: 'accept' | 'reject';
  readonly processed?: number;
  readonly reason?: string;
}

/** The kernel's verdict, processed count and error line, as root or with CAP_BPF+CAP_NET_ADMIN only. */
function kernelStats(file: string, capBpf: boolean): KernelStats {
  const child = fileURLToPath(new URL('../verifier/explore/kernel-stats-object.child.ts', import.meta.url));
  const node = [process.execPath, '--import', 'tsx', child, file, PROGRAM];
  const [cmd, ...args] = capBpf ? ['setpriv', `--inh-caps=${CAPS}`, `--ambient-caps=${CAPS}`, `--bounding-set=${CAPS}`, ...node] : node;
  const out = execFileSync(cmd!, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as KernelStats;
}

describe.runIf(available('verifier processed-instruction limit under CAP_BPF (clang-19, setpriv)', kernelBpf, clang19, setpriv))(
  'a program too large for the kernel only without CAP_PERFMON',
  () => {
    let dir: string;
    let file: string;
    let spec: ObjectSpec;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tsbpf-too-large-'));
      const loaded = await loadPolicyFile(join(repoRoot, 'examples/web-tier.ts'));
      const model = buildModel(loaded.policies, readInventory(join(repoRoot, 'examples/web-tier.endpoints.yaml')));
      const c = generatePolicyC(model, { cFile: 'policy.c', attachMode: 'xdp' });
      expect(c).toContain(VOLATILE_LEN);
      const object = await buildC(c.replace(VOLATILE_LEN, 'return h->len;'), 'native', { cFile: 'policy.c' });
      file = join(dir, 'web-tier-xdp.o');
      writeFileSync(file, object);
      spec = readObject(object);
    }, 60_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verify() accepts it as root after as many processed instructions as the kernel', () => {
      const kernel = kernelStats(file, false);
      const ours = verify(spec, { program: PROGRAM, profile: 'linux-6.18' });
      expect(kernel.verdict).toBe('accept');
      expect(ours.verdict).toBe('accept');
      // far from the limit: within 5% of the kernel's count (equal on this kernel when written)
      expect(Math.abs(ours.stats.processed - kernel.processed!)).toBeLessThanOrEqual(kernel.processed! * 0.05);
    }, 30_000);

    it('verify() refuses it with CAP_BPF only, with the kernel\'s "BPF program is too large"', () => {
      const kernel = kernelStats(file, true);
      const ours = verify(spec, { program: PROGRAM, profile: 'linux-6.18-bpf' });
      expect(kernel.verdict).toBe('reject');
      expect(kernel.reason).toMatch(/^BPF program is too large\. Processed 1000001 insn/);
      expect(ours.verdict).toBe('reject');
      expect(ours.error?.message).toBe(kernel.reason);
      expect(ours.stats.processed).toBe(kernel.processed);
    }, 120_000);
  },
);
