// Pruning with precision and liveness, on small programs whose paths meet: a stored state covers a later one
// unless a value the explored continuation relied on differs.
import { describe, expect, it } from 'vitest';
import { verify } from '../../../verifier/index.ts';
import { asmSpec } from '../cases.ts';

const run = (asm: string) => verify(asmSpec({ name: 'p', progType: 'xdp', asm, verdict: 'accept' }));

// Two paths meet at the `if r6 == 1` (a prune point): the first (fall-through, r0 != 0) with r6 = 1, the second
// with r6 = 0. Eight instructions and two jumps come first so the kernel's heuristics store a state there.
const prologue = 'r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 7\nr6 = 0\nif r0 == 0 goto +1\nr6 = 1\n';

describe('pruning with precision tracking', () => {
  it('verify() explores again a path whose value decided a later branch', () => {
    // r6 == 1 is decided on the first path, so r6 becomes precise in the stored state: the second path (r6 = 0)
    // is not covered and reaches the bad load
    const r = run(`${prologue}if r6 == 1 goto +3\nr2 = 0\nr0 = *(u32 *)(r2 + 0)\nexit\nr0 = 0\nexit`);
    expect(r.verdict).toBe('reject');
    expect(r.error?.message).toBe("R2 invalid mem access 'scalar'");
  });

  it('verify() prunes a path that differs only in a scalar nothing relied on', () => {
    const r = run(`${prologue}r0 = r6\nr0 = 0\nr0 = 0\nexit`);
    expect(r.verdict).toBe('accept');
    // the first path runs all 13 instructions; the second stops at the stored state (the kernel counts it)
    expect(r.stats.processed).toBe(13 + 1);
  });

  it('verify() follows precision through a spill and a fill', () => {
    const r = run(`${prologue}*(u64 *)(r10 - 8) = r6\nr7 = *(u64 *)(r10 - 8)\nif r7 == 1 goto +3\nr2 = 0\nr0 = *(u32 *)(r2 + 0)\nexit\nr0 = 0\nexit`);
    expect(r.verdict).toBe('reject');
    expect(r.error?.message).toBe("R2 invalid mem access 'scalar'");
  });

  it('verify() ignores a stack slot the explored continuation never reads', () => {
    const r = run(`${prologue}*(u64 *)(r10 - 8) = r6\nr0 = 0\nr0 = 0\nexit`);
    expect(r.verdict).toBe('accept');
    expect(r.stats.processed).toBe(13 + 1);
  });

  it('verify() rejects a loop that comes back to the same state', () => {
    const r = run('r0 = 0\nif r0 == 0 goto -1\nexit');
    expect(r.verdict).toBe('reject');
    expect(r.error?.message).toBe('infinite loop detected at insn 1');
  });

  it('verify() runs a bounded loop iteration by iteration', () => {
    const r = run('r1 = 0\nr1 += 1\nif r1 < 100 goto -2\nr0 = 0\nexit');
    expect(r.verdict).toBe('accept');
    expect(r.stats.processed).toBe(1 + 2 * 100 + 2);
  });
});
