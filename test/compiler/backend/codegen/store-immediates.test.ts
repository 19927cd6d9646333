// Stack stores of registers holding known constants become immediate stores, and the moves left unread go;
// stores through other registers, and 64-bit constants an immediate cannot carry, stay.
import { describe, expect, it } from 'vitest';
import { storeImmediates } from '../../../../compiler/backend/codegen/store-immediates.ts';
import { block, exit, FP, imm, listing, mov, stx } from './mir-builder.ts';

describe('storeImmediates', () => {
  it('stores the constant itself and drops the move nothing else reads', () => {
    const blocks = [block(0, mov(1, imm(0)), stx(8, FP, -8, 1), stx(4, FP, -12, 1), mov(0, imm(0)), exit())];
    expect(storeImmediates(blocks)).toBe(2);
    expect(listing(blocks)).toEqual(['b0: *(u64 *)(r10 - 8) = 0', 'b0: *(u32 *)(r10 - 12) = 0', 'b0: r0 = 0', 'b0: exit']);
  });

  it('keeps stores through other bases, of 32-bit moves that an 8-byte store would sign-extend, and reused moves', () => {
    const blocks = [block(0, mov(1, imm(-1), 32), stx(8, FP, -8, 1), mov(2, imm(3)), stx(8, 6, 0, 2), mov(0, 2), exit())];
    expect(storeImmediates(blocks)).toBe(0);
    expect(blocks[0]!.insns).toHaveLength(6);
  });
});
