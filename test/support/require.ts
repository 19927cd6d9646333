// Facility gates for tests that need the kernel or native tools.
//
// A missing facility skips the test with a printed reason, except under TSBPF_REQUIRE_KERNEL=1 (CI),
// where it fails: CI must never go green by skipping the oracle.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const requireKernel = process.env['TSBPF_REQUIRE_KERNEL'] === '1';

export interface Facility {
  readonly ok: boolean;
  readonly reason: string;
}

function probeCommand(cmd: string, args: string[]): Facility {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return { ok: true, reason: '' };
  } catch {
    return { ok: false, reason: `${cmd} is not available` };
  }
}

export const clang19: Facility = probeCommand('clang-19', ['--version']);
export const llvmObjdump19: Facility = probeCommand('llvm-objdump-19', ['--version']);
export const bpftool: Facility = probeCommand('bpftool', ['version']);
/** setpriv (util-linux): runs the kernel oracle with capabilities dropped to CAP_BPF+CAP_NET_ADMIN */
export const setpriv: Facility = probeCommand('setpriv', ['--version']);

/** bpf(2) usable: root (euid 0) and bpffs mounted; a finer probe lives in loader/sys. */
export const kernelBpf: Facility = (() => {
  if (process.platform !== 'linux') return { ok: false, reason: 'not linux' };
  if (process.geteuid?.() !== 0) return { ok: false, reason: 'not running as root' };
  if (!existsSync('/sys/fs/bpf')) return { ok: false, reason: 'bpffs is not mounted at /sys/fs/bpf' };
  return { ok: true, reason: '' };
})();

/**
 * Whether a suite needing `facilities` should run. Prints the reason when it skips; throws under
 * TSBPF_REQUIRE_KERNEL=1 so CI fails instead of skipping.
 */
export function available(suite: string, ...facilities: Facility[]): boolean {
  const missing = facilities.filter((f) => !f.ok).map((f) => f.reason);
  if (missing.length === 0) return true;
  const msg = `${suite}: skipped: ${missing.join('; ')}`;
  if (requireKernel) throw new Error(`${msg} (TSBPF_REQUIRE_KERNEL=1 forbids skipping)`);
  console.warn(msg);
  return false;
}
