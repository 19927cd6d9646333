// Phi elimination through what the code computes: parallel copies (a swap cycle), phis on critical edges,
// constant and aliased incoming values, narrow phis kept zero-extended.
import { describe, expect, it } from 'vitest';
import { runIr } from './run-ir.ts';

describe('phi elimination', () => {
  it('swaps two phis that feed each other on a loop back edge', () => {
    const ir = `
define i32 @f(ptr %ctx) section "xdp" {
entry:
  br label %loop
loop:
  %a = phi i32 [ 1, %entry ], [ %b, %loop ]
  %b = phi i32 [ 2, %entry ], [ %a, %loop ]
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %i1 = add i32 %i, 1
  %c = icmp ult i32 %i1, 4
  br i1 %c, label %loop, label %exit
exit:
  %r = mul i32 %a, 10
  %s = add i32 %r, %b
  ret i32 %s
}`;
    // four passes through the loop: (1,2) (2,1) (1,2) (2,1); a broken swap gives 11 or 22
    expect(runIr(ir, 'f')).toBe(21n);
  });

  it('puts copies on critical edges so each predecessor passes its own value', () => {
    const ir = `
define i32 @f(ptr %ctx) section "xdp" {
entry:
  %p = load i32, ptr %ctx, align 4
  %e = getelementptr inbounds i8, ptr %ctx, i64 4
  %q = load i32, ptr %e, align 4
  %len = sub i32 %q, %p
  %big = icmp ugt i32 %len, 40
  br i1 %big, label %join, label %mid
mid:
  %small = icmp ult i32 %len, 20
  br i1 %small, label %join, label %other
other:
  br label %join
join:
  %r = phi i32 [ 1, %entry ], [ 2, %mid ], [ 3, %other ]
  ret i32 %r
}`;
    expect(runIr(ir, 'f', new Uint8Array(64))).toBe(1n);
    expect(runIr(ir, 'f', new Uint8Array(30))).toBe(3n);
    expect(runIr(ir, 'f', new Uint8Array(14))).toBe(2n);
  });

  it('zero-extends an i8 phi whose incoming value carries high garbage', () => {
    const ir = `
define i64 @f(ptr %ctx) section "xdp" {
entry:
  %x = add i8 -1, 0
  %y = add i8 %x, 3
  br label %join
join:
  %r = phi i8 [ %y, %entry ]
  %z = zext i8 %r to i64
  %w = add i64 %z, 0
  br label %next
next:
  %m = phi i8 [ %y, %join ], [ 0, %never ]
  %mz = zext i8 %m to i64
  %sum = add i64 %mz, %w
  ret i64 %sum
never:
  br label %next
}`;
    // 0xff + 3 = 0x102, which is 2 as an i8: both zero-extensions give 2
    expect(runIr(ir, 'f', new Uint8Array(64), true)).toBe(4n);
  });
});

describe('phi constants', () => {
  it('gives an i1 phi a true constant as exactly 1', () => {
    const ir = `
define i64 @f(ptr %ctx) section "xdp" {
entry:
  %p = load i32, ptr %ctx, align 4
  %e = getelementptr inbounds i8, ptr %ctx, i64 4
  %q = load i32, ptr %e, align 4
  %len = sub i32 %q, %p
  %big = icmp ugt i32 %len, 40
  br i1 %big, label %yes, label %no
yes:
  br label %join
no:
  %odd = trunc i32 %len to i1
  br label %join
join:
  %b = phi i1 [ true, %yes ], [ %odd, %no ]
  %z = zext i1 %b to i64
  ret i64 %z
}`;
    expect(runIr(ir, 'f', new Uint8Array(64))).toBe(1n);
    expect(runIr(ir, 'f', new Uint8Array(31))).toBe(1n);
    expect(runIr(ir, 'f', new Uint8Array(30))).toBe(0n);
  });

  it('materialises an i32 constant zero-extended, as clang-19 does', () => {
    const ir = `
define i32 @f(ptr %ctx) section "xdp" {
  ret i32 -1
}`;
    expect(runIr(ir, 'f')).toBe(0xffffffffn);
  });
});
