// Liveness and live ranges over hand-built machine IR.
import { describe, expect, it } from 'vitest';
import { computeLiveness, liveRanges, overlaps } from '../../../../compiler/backend/codegen/liveness.ts';
import type { MBlock } from '../../../../compiler/backend/codegen/mir.ts';
import { add, block, call, exit, imm, ja, jgt, mov, vreg } from './mir-builder.ts';

const A = vreg(0);
const B = vreg(1);

// b0: a = 1; b = a; b += 2; if b > 5 goto b1 else b2     b1: r0 = a; exit     b2: r0 = b; exit
function diamond(): MBlock[] {
  return [
    block(0, mov(A, imm(1)), mov(B, A), add(B, imm(2)), jgt(B, imm(5), 1), ja(2)),
    block(1, mov(0, A), exit()),
    block(2, mov(0, B), exit()),
  ];
}

describe('liveness', () => {
  it('computeLiveness() makes a value live into exactly the successors that read it', () => {
    const live = computeLiveness(diamond());
    expect([...live.liveIn.get(1)!]).toEqual([A]);
    expect([...live.liveIn.get(2)!]).toEqual([B]);
    expect([...live.liveOut.get(0)!].sort()).toEqual([A, B]);
    expect(live.liveIn.get(0)!.size).toBe(0);
  });

  it('liveRanges() lets a copy destination start where its source ends', () => {
    // a copy whose source dies: x = 1; y = x; r0 = y; exit
    const blocks = [block(0, mov(A, imm(1)), mov(B, A), mov(0, B), exit())];
    const r = liveRanges(blocks, computeLiveness(blocks));
    expect(r.get(A)).toEqual([{ start: 1, end: 3 }]);
    expect(r.get(B)).toEqual([{ start: 3, end: 5 }]);
    expect(overlaps(r.get(A)!, r.get(B)!)).toBe(false);
    expect(r.get(0)).toEqual([{ start: 5, end: 7 }]);
  });

  it('liveRanges() makes values that are live together overlap, across blocks', () => {
    const blocks = diamond();
    const r = liveRanges(blocks, computeLiveness(blocks));
    expect(overlaps(r.get(A)!, r.get(B)!)).toBe(true);
    // a is live through b0 and into b1, not in b2
    expect(r.get(A)).toEqual([{ start: 1, end: 10 }, { start: 10, end: 11 }]);
  });

  it('liveRanges() gives a call clobber a point range that meets values live across the call', () => {
    const blocks = [block(0, mov(A, imm(1)), call(7), add(A, 0), mov(0, A), exit())];
    const r = liveRanges(blocks, computeLiveness(blocks));
    expect(r.get(3)).toEqual([{ start: 3, end: 4 }]);
    expect(overlaps(r.get(A)!, r.get(3)!)).toBe(true);
    expect(overlaps(r.get(A)!, r.get(0)!)).toBe(true);
  });
});
