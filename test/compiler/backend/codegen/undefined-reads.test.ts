// defineBeforeReads over hand-built machine IR: a register or spill slot that some path reads before writing
// gets a zero on exactly the paths that lack a write, as late as possible; the programs the pass exists for
// (a phi's undefined incoming value) go through generateCode and our verifier in both privilege profiles.
import { describe, expect, it } from 'vitest';
import { defineBeforeReads } from '../../../../compiler/backend/codegen/undefined-reads.ts';
import { verify } from '../../../../verifier/index.ts';
import { block, call, exit, FP, imm, ja, jgt, ldx, listing, mov, stx } from './mir-builder.ts';
import { generate, objectOf } from './run-ir.ts';

// spill slots at or below r10 - 8 (no allocas)
const SPILL_TOP = -8;

describe('defineBeforeReads', () => {
  it('writes zero on the edge out of the block that no write reaches, not at the entry', () => {
    // b2 reads r8, which b1 writes (a helper's result) and the path through b3 does not
    const blocks = [
      block(0, ldx(4, 6, 1, 12), jgt(6, imm(40), 1), ja(3)),
      block(3, mov(2, imm(1)), ja(2)),
      block(1, call(7), mov(8, 0), ja(2)),
      block(2, mov(0, 8), exit()),
    ];
    expect(defineBeforeReads(blocks, 1, SPILL_TOP)).toBe(1);
    expect(listing(blocks)).toEqual([
      'b0: r6 = *(u32 *)(r1 + 12)',
      'b0: if r6 jgt 40 goto b1',
      'b0: goto b3',
      'b3: r2 = 1',
      'b3: r8 = 0',
      'b3: goto b2',
      'b1: call 7',
      'b1: r8 = r0',
      'b1: goto b2',
      'b2: r0 = r8',
      'b2: exit',
    ]);
  });

  it('writes zero on the edges of the paths without a write, looking back through joins', () => {
    // r6 written only in b1; b3 joins b1 and b2 (which write nothing) and reads r6
    const blocks = [
      block(0, ldx(4, 2, 1, 12), jgt(2, imm(40), 1), ja(2)),
      block(1, mov(6, 2), ja(3)),
      block(2, mov(3, imm(0)), ja(3)),
      block(3, mov(0, 6), exit()),
    ];
    expect(defineBeforeReads(blocks, 1, SPILL_TOP)).toBe(1);
    expect(listing(blocks).filter((l) => l.startsWith('b2'))).toEqual(['b2: r3 = 0', 'b2: r6 = 0', 'b2: goto b3']);
  });

  it('writes zero right before a read that no write reaches at all', () => {
    const blocks = [block(0, mov(0, 1)), block(1, mov(0, 4), exit())];
    blocks[0]!.insns.push(ja(1));
    expect(defineBeforeReads(blocks, 1, SPILL_TOP)).toBe(1);
    expect(listing(blocks)).toEqual(['b0: r0 = r1', 'b0: goto b1', 'b1: r4 = 0', 'b1: r0 = r4', 'b1: exit']);
  });

  it('stores zero to a spill slot that one path reloads before any store', () => {
    const blocks = [
      block(0, ldx(4, 6, 1, 12), jgt(6, imm(40), 1), ja(2)),
      block(1, call(7), stx(8, FP, -16, 0), ja(2)),
      block(2, ldx(8, 0, FP, -16), exit()),
    ];
    expect(defineBeforeReads(blocks, 1, SPILL_TOP)).toBe(1);
    expect(listing(blocks).slice(0, 4)).toEqual(['b0: r6 = *(u32 *)(r1 + 12)', 'b0: *(u64 *)(r10 - 16) = 0', 'b0: if r6 jgt 40 goto b1', 'b0: goto b2']);
  });

  it('leaves code alone where every path writes before it reads, allocas included', () => {
    const blocks = [
      block(0, ldx(4, 6, 1, 12), jgt(6, imm(40), 1), ja(2)),
      block(1, stx(8, FP, -16, 6), mov(7, imm(1)), ja(3)),
      block(2, stx(8, FP, -16, 1), mov(7, imm(2)), ja(3)),
      // r10 - 4 lies above the spill slots: an alloca, the C program's business
      block(3, ldx(8, 0, FP, -16), ldx(4, 2, FP, -4), mov(0, 7), exit()),
    ];
    const before = listing(blocks);
    expect(defineBeforeReads(blocks, 1, SPILL_TOP)).toBe(0);
    expect(listing(blocks)).toEqual(before);
  });
});

// `phi [ %t, %draw ], [ undef, %entry ]`: the phi gets no copy on the edge from %entry. `calls` more helper
// calls between the phi and its use make it the value to spill
const undefPhi = (calls: number): string => `
define i64 @f(ptr %ctx) section "xdp" {
entry:
  %i = getelementptr inbounds i8, ptr %ctx, i64 12
  %n = load i32, ptr %i, align 4
  %l = zext i32 %n to i64
  %big = icmp ugt i32 %n, 40
  br i1 %big, label %draw, label %join
draw:
  %t = call i64 inttoptr (i64 7 to ptr)()
  br label %join
join:
  %x = phi i64 [ %t, %draw ], [ undef, %entry ]
  %s0 = add i64 %l, 1
${Array.from({ length: calls }, (_, k) => `  %c${k} = call i64 inttoptr (i64 7 to ptr)()`).join('\n')}
${Array.from({ length: calls }, (_, k) => `  %s${k + 1} = xor i64 %s${k}, %c${k}`).join('\n')}
  %y = and i64 %x, 0
  %r = add i64 %s${calls}, %y
  ret i64 %r
}`;

describe('a phi with an undefined incoming value', () => {
  it.each([
    ['kept in a register (R0 !read_ok before the fix)', 0],
    ['spilled across five helper calls (invalid read from stack before the fix)', 5],
  ])('is written on every path when %s', (_name, calls) => {
    const fns = generate(undefPhi(calls));
    const spec = objectOf(fns, 'f');
    if (calls > 0) expect(fns[0]!.instructions.some((i) => i.kind === 'ldx' && i.src === FP)).toBe(true);
    for (const profile of ['linux-6.18', 'linux-6.18-bpf']) {
      const r = verify(spec, { profile });
      expect([profile, r.verdict, r.error?.message]).toEqual([profile, 'accept', undefined]);
    }
  });
});
