// Small programs for the verification log (test/verifier/log.test.ts) and its kernel comparison
// (test/oracle/verifier-log.test.ts).

const PROLOGUE = 'r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 7\nr6 = 0\n';

export const LOG_ASM = {
  straight: 'r0 = 0\nr1 = 7\nr0 += r1\nexit',
  /** both sides of insn 1 run to their own exit */
  forked: 'call 7\nif r0 == 0 goto +2\nr0 = 1\nexit\nr0 = 2\nexit',
  /** r6 = 0 or 1 on the two sides of insn 7; eight instructions and two jumps first, so a state is stored at 9
   * (the branch target) and the taken side is pruned there */
  pruned: `${PROLOGUE}if r0 == 0 goto +1\nr6 = 1\nr0 = r6\nr0 = 0\nr0 = 0\nexit`,
  /** the sides meet at 11 (a goto's target) after the taken side ran one instruction of its own */
  joined: `${PROLOGUE}if r0 == 0 goto +2\nr6 = 1\ngoto +1\nr6 = 2\nr0 = 0\nexit`,
  /** a bounded loop with a spill, run iteration by iteration */
  loop: 'r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 += 1\nif r1 < 3 goto -2\nr0 = 0\nexit',
} as const;

/** The instruction indices of `N: (op) …` lines: one per instruction checked, in the kernel's log as in ours. */
export const insnIndices = (log: readonly string[]): number[] =>
  log.flatMap((l) => {
    const m = /^(\d+): \([0-9a-f]{2}\) /.exec(l);
    return m ? [Number(m[1])] : [];
  });
