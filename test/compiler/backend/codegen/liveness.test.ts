// Liveness and live ranges over hand-built machine IR.
import { describe, expect, it } from 'vitest';
import { computeLiveness, liveRanges, overlaps } from '../../../../compiler/backend/codegen/liveness.ts';
import type { MBlock } from '../../../../compiler/backend/codegen/mir.ts';

const A = 16;
const B = 17;

// b0: a = 1; b = a; b += 2; if b > 5 goto b1 else b2     b1: r0 = a; exit     b2: r0 = b; exit
function diamond(): MBlock[] {
  return [
    {
      id: 0,
      depth: 0,
      insns: [
        { kind: 'alu', width: 64, op: 'mov', dst: A, src: { imm: 1 } },
        { kind: 'alu', width: 64, op: 'mov', dst: B, src: { reg: A } },
        { kind: 'alu', width: 64, op: 'add', dst: B, src: { imm: 2 } },
        { kind: 'jcc', width: 64, op: 'jgt', a: B, b: { imm: 5 }, target: 1 },
        { kind: 'ja', target: 2 },
      ],
    },
    { id: 1, depth: 0, insns: [{ kind: 'alu', width: 64, op: 'mov', dst: 0, src: { reg: A } }, { kind: 'exit', usesR0: true }] },
    { id: 2, depth: 0, insns: [{ kind: 'alu', width: 64, op: 'mov', dst: 0, src: { reg: B } }, { kind: 'exit', usesR0: true }] },
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
    const blocks: MBlock[] = [
      {
        id: 0,
        depth: 0,
        insns: [
          { kind: 'alu', width: 64, op: 'mov', dst: A, src: { imm: 1 } },
          { kind: 'alu', width: 64, op: 'mov', dst: B, src: { reg: A } },
          { kind: 'alu', width: 64, op: 'mov', dst: 0, src: { reg: B } },
          { kind: 'exit', usesR0: true },
        ],
      },
    ];
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
    const blocks: MBlock[] = [
      {
        id: 0,
        depth: 0,
        insns: [
          { kind: 'alu', width: 64, op: 'mov', dst: A, src: { imm: 1 } },
          { kind: 'call', target: 'helper', imm: 7, args: 0 },
          { kind: 'alu', width: 64, op: 'add', dst: A, src: { reg: 0 } },
          { kind: 'alu', width: 64, op: 'mov', dst: 0, src: { reg: A } },
          { kind: 'exit', usesR0: true },
        ],
      },
    ];
    const r = liveRanges(blocks, computeLiveness(blocks));
    expect(r.get(3)).toEqual([{ start: 3, end: 4 }]);
    expect(overlaps(r.get(A)!, r.get(3)!)).toBe(true);
    expect(overlaps(r.get(A)!, r.get(0)!)).toBe(true);
  });
});
