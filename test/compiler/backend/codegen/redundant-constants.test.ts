// Redundant constant moves after register allocation: a register that already holds a constant is not loaded
// with it again, until something writes the register (a call clobbers r1..r5) or a new block starts.
import { describe, expect, it } from 'vitest';
import type { MBlock } from '../../../../compiler/backend/codegen/mir.ts';
import { dropRedundantConstants } from '../../../../compiler/backend/codegen/redundant-constants.ts';

const FP = 10;

describe('dropRedundantConstants', () => {
  it('drops a second move of the same constant into a register that still holds it', () => {
    const b: MBlock = {
      id: 0,
      depth: 0,
      insns: [
        { kind: 'alu', width: 64, op: 'mov', dst: 1, src: { imm: 0 } },
        { kind: 'stx', size: 8, base: FP, off: -8, src: 1 },
        { kind: 'alu', width: 64, op: 'mov', dst: 1, src: { imm: 0 } },
        { kind: 'stx', size: 8, base: FP, off: -16, src: 1 },
        { kind: 'exit', usesR0: false },
      ],
    };
    dropRedundantConstants([b]);
    expect(b.insns.map((i) => i.kind)).toEqual(['alu', 'stx', 'stx', 'exit']);
  });

  it('keeps the move after a call clobbered the register, and a different width or value', () => {
    const b: MBlock = {
      id: 0,
      depth: 0,
      insns: [
        { kind: 'alu', width: 64, op: 'mov', dst: 1, src: { imm: -1 } },
        { kind: 'alu', width: 32, op: 'mov', dst: 1, src: { imm: -1 } }, // 0xffffffff, not all ones
        { kind: 'alu', width: 64, op: 'mov', dst: 2, src: { imm: 7 } },
        { kind: 'call', target: 'helper', imm: 7, args: 0 },
        { kind: 'alu', width: 64, op: 'mov', dst: 2, src: { imm: 7 } },
        { kind: 'exit', usesR0: false },
      ],
    };
    dropRedundantConstants([b]);
    expect(b.insns).toHaveLength(6);
  });
});
