// primeExecute() gives execute() its type feedback before the first program, so that V8's optimized code of
// execute() survives every program after it. When it does not (a path priming never took, a hook or helper
// function execute() had not seen, a HelperDispatch of another shape), V8 throws the code away in the middle
// of a run and rebuilds it on-stack (OSR), and from then on every run enters execute() through that on-stack
// code: 1.5-2x slower for the rest of the process. The child process runs fixtures of every context kind
// under --trace-deopt; execute() must never be deoptimized.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora.ts';

describe('primeExecute()', () => {
  it('leaves nothing for a program to deoptimize execute() with', { timeout: 60_000 }, () => {
    const probe = join(repoRoot, 'test/simulator/vm/deopt-probe.ts');
    const r = spawnSync('node', ['--trace-deopt', '--import', 'tsx', probe, '1500'], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/probed (1[0-9]|[2-9][0-9]) programs/);
    // a deoptimization (eager, soft or lazy) of execute's code, or its code dropped as something it embeds died
    const lines = r.stdout.split('\n').filter((l) => /<JSFunction execute \(|<SharedFunctionInfo execute>/.test(l));
    expect(lines).toEqual([]);
  });
});
