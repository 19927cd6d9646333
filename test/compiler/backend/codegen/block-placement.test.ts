// Block placement over hand-built machine IR: a block is followed by a jump target that no other block
// precedes, so emission can drop the jump; the entry stays first and every block is placed once.
import { describe, expect, it } from 'vitest';
import { placeBlocks } from '../../../../compiler/backend/codegen/block-placement.ts';
import { emitFunction } from '../../../../compiler/backend/codegen/emit.ts';
import { block, exit, imm, ja, jgt, mov } from './mir-builder.ts';

// b0 branches to b1 or b2; both go to b3. In this order (b0, b3, b1, b2) b0, b1 and b2 all end in a goto.
const diamond = () => [
  block(0, jgt(1, imm(5), 1), ja(2)),
  block(3, mov(0, imm(0)), exit()),
  block(1, mov(2, imm(1)), ja(3)),
  block(2, mov(2, imm(2)), ja(3)),
];

describe('placeBlocks', () => {
  it('puts a block right after the block that jumps to it, the entry first', () => {
    // b1 has a single target and chooses first; b0 then falls into b2 (its goto's target)
    expect(placeBlocks(diamond()).map((b) => b.id)).toEqual([0, 2, 1, 3]);
  });

  it('leaves emission one conditional jump and one goto where the given order needs four jumps', () => {
    const out = emitFunction(diamond(), [0, 3, 1, 2]).instructions;
    expect(out.filter((i) => i.kind === 'ja' || i.kind === 'jump')).toHaveLength(2);
    expect(out).toHaveLength(6);
  });

  it('never makes a chain of fall-throughs into a cycle', () => {
    // b1 and b2 jump to each other: only one of the two jumps can become a fall-through
    const blocks = [block(0, jgt(1, imm(5), 1), ja(2)), block(1, jgt(1, imm(7), 3), ja(2)), block(2, jgt(1, imm(9), 3), ja(1)), block(3, exit())];
    const order = placeBlocks(blocks).map((b) => b.id);
    expect(order[0]).toBe(0);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
  });
});
