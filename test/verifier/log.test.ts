// verify(spec, { log: true }): the verification log like the kernel's log level 2, on small assembled programs.
import { describe, expect, it } from 'vitest';
import { VerifierLog } from '../../verifier/explore/index.ts';
import { VerifierState } from '../../verifier/state/index.ts';
import { verify } from '../../verifier/index.ts';
import { asmSpec } from './cases.ts';
import { insnIndices, LOG_ASM } from './log-cases.ts';

const run = (asm: string, log = true) => verify(asmSpec({ name: 'p', progType: 'xdp', asm, verdict: 'accept' }), { log });
const insnLines = (log: readonly string[]) => insnIndices(log);
const safeLines = (log: readonly string[]) => log.filter((l) => / safe$/.test(l));

describe('the verification log', () => {
  it('verify() keeps no log unless asked', () => {
    expect(run('r0 = 0\nexit', false).log).toBeUndefined();
  });

  it('verify() logs one line per processed instruction of a straight-line program, with what it changed', () => {
    const r = run(LOG_ASM.straight);
    const log = r.log!;
    expect(insnLines(log)).toHaveLength(r.stats.processed);
    expect(log[0]).toBe('0: R1=ctx() R10=fp0');
    expect(log).toContain(`${'2: (0f) r0 += r1'.padEnd(38)} ; R0=7`);
    // the exit ends the path: no state after it
    expect(log).toContain('3: (95) exit');
  });

  it('verify() logs the resumed side of a branch with the state it starts in', () => {
    const r = run(LOG_ASM.forked);
    const log = r.log!;
    expect(insnLines(log)).toHaveLength(r.stats.processed);
    const from = log.indexOf('from 1 to 4: R0=0 R10=fp0');
    expect(from).toBeGreaterThan(log.findIndex((l) => l.startsWith('3: (95) exit')));
    expect(log[from + 1]).toMatch(/^4: \(b7\) r0 = 0x2 +; R0=2$/);
  });

  it('verify() logs a pruned path as safe, counted as processed like the kernel counts it', () => {
    const r = run(LOG_ASM.pruned);
    const log = r.log!;
    expect(safeLines(log)).toEqual(['from 7 to 9: safe']);
    expect(insnLines(log).length + safeLines(log).length).toBe(r.stats.processed);
    expect(log.at(-1)).toBe(
      `processed ${r.stats.processed} insns (limit 1000000) max_states_per_insn 0 total_states ${r.stats.states} peak_states 1 mark_read 0`,
    );
  });

  it('verify() logs a path pruned after its first instruction as "N: safe"', () => {
    const r = run(LOG_ASM.joined);
    const log = r.log!;
    const from = log.indexOf('from 7 to 10: R0=0 R6=0 R10=fp0');
    expect(from).toBeGreaterThan(0);
    expect(log[from + 1]).toMatch(/^10: \(b7\) r6 = 0x2 +; R6=2$/);
    expect(log[from + 2]).toBe('11: safe');
    expect(insnLines(log).length + safeLines(log).length).toBe(r.stats.processed);
  });

  it('verify() logs stack slots in the kernel notation and each pass of a bounded loop', () => {
    const r = run(LOG_ASM.loop);
    const log = r.log!;
    expect(log).toContain(`${'1: (7b) *(u64 *)(r10 - 0x8) = r1'.padEnd(38)} ; fp-8=0`);
    expect(insnLines(log)).toEqual([0, 1, 2, 3, 2, 3, 2, 3, 4, 5]);
    expect(insnLines(log)).toHaveLength(r.stats.processed);
  });

  it('verify() ends the log of a rejection with the kernel wording after the failing instruction', () => {
    const r = run('r2 = 0\nr0 = *(u32 *)(r2 + 0)\nexit');
    expect(r.verdict).toBe('reject');
    const log = r.log!;
    expect(log.slice(-3)).toEqual([
      '1: (61) w0 = *(u32 *)(r2 + 0x0)',
      "R2 invalid mem access 'scalar'",
      'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    ]);
  });

  it('VerifierLog stops at its cap with a note and still writes the statistics line', () => {
    const log = new VerifierLog({ lines: 3 });
    const state = VerifierState.entry();
    log.entry(0, state);
    for (let i = 0; i < 5; i++) {
      log.insn(i, { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: i, off: 0 } as never);
      log.after(state);
    }
    const lines = log.finish({ processed: 5, states: 0 }, 1_000_000);
    expect(lines).toHaveLength(5);
    expect(lines[3]).toMatch(/^log truncated after 3 lines/);
    expect(lines[4]).toMatch(/^processed 5 insns/);
  });
});
