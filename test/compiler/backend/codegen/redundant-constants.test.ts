// Redundant constant moves after register allocation: a register that already holds a constant is not loaded
// with it again, until something writes the register (a call clobbers r1..r5) or a new block starts.
import { describe, expect, it } from 'vitest';
import { dropRedundantConstants } from '../../../../compiler/backend/codegen/redundant-constants.ts';
import { block, call, exit, FP, imm, mov, stx } from './mir-builder.ts';

describe('dropRedundantConstants', () => {
  it('drops a second move of the same constant into a register that still holds it', () => {
    const b = block(0, mov(1, imm(0)), stx(8, FP, -8, 1), mov(1, imm(0)), stx(8, FP, -16, 1), exit(false));
    dropRedundantConstants([b]);
    expect(b.insns.map((i) => i.kind)).toEqual(['alu', 'stx', 'stx', 'exit']);
  });

  it('keeps the move after a call clobbered the register, and a different width or value', () => {
    const b = block(
      0,
      mov(1, imm(-1)),
      mov(1, imm(-1), 32), // 0xffffffff, not all ones
      mov(2, imm(7)),
      call(7),
      mov(2, imm(7)),
      exit(false),
    );
    dropRedundantConstants([b]);
    expect(b.insns).toHaveLength(6);
  });
});
