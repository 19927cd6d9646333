// Hoisting critical-edge copies after register allocation: the copies move before the branch when the other
// successors do not read what they write, and stay when they do or when the branch compares it.
import { describe, expect, it } from 'vitest';
import { hoistEdgeCopies } from '../../../../compiler/backend/codegen/edge-copies.ts';
import { block, exit, imm, ja, jgt, listing, mov } from './mir-builder.ts';

describe('hoistEdgeCopies', () => {
  it('moves an edge block of constants into its branching block and jumps past it', () => {
    // b0 → b7 (r2 = 1) → b4, or b0 → b3 (r2 = 2) → b4; b4 returns r2
    const blocks = [
      block(0, jgt(1, imm(5), 7), ja(3)),
      block(7, mov(2, imm(1)), ja(4)),
      block(3, mov(2, imm(2)), ja(4)),
      block(4, mov(0, 2), exit()),
    ];
    expect(hoistEdgeCopies(blocks)).toBe(1);
    expect(listing(blocks).slice(0, 3)).toEqual(['b0: r2 = 1', 'b0: if r1 jgt 5 goto b4', 'b0: goto b3']);
  });

  it('keeps the copies on their edge when another successor reads the register or the branch compares it', () => {
    const readsIt = [block(0, jgt(1, imm(5), 7), ja(3)), block(7, mov(2, imm(1)), ja(4)), block(3, mov(0, 2), exit()), block(4, mov(0, 2), exit())];
    expect(hoistEdgeCopies(readsIt)).toBe(0);
    const compared = [block(0, jgt(2, imm(5), 7), ja(3)), block(7, mov(2, imm(1)), ja(4)), block(3, mov(2, imm(2)), ja(4)), block(4, mov(0, 2), exit())];
    expect(hoistEdgeCopies(compared)).toBe(0);
  });
});
