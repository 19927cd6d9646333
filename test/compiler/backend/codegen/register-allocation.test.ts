// Register allocation through generateCode(): copies coalesce away, values live across calls land in
// r6..r9, and register pressure beyond that spills to 8-byte stack slots without changing the result.
import { describe, expect, it } from 'vitest';
import type { Instruction } from '../../../../bpf/index.ts';
import { generate, runIr } from './run-ir.ts';
import { xdpWindowPrologue } from '../xdp-window-ir.ts';

function defines(i: Instruction): number | undefined {
  return i.kind === 'alu' || i.kind === 'ldx' || i.kind === 'lddw' ? i.dst : undefined;
}

describe('register allocation', () => {
  it('coalesces copies so a load, an add and a return need three instructions', () => {
    // a subprogram: its pointer argument is no context, so the loaded value needs no mov32 to become a scalar
    const [f] = generate(`
define i32 @f(ptr %p) {
  %v = load i32, ptr %p, align 4
  %r = add i32 %v, 1
  ret i32 %r
}`);
    expect(f!.instructions).toEqual([
      { kind: 'ldx', size: 4, signed: false, dst: 0, src: 1, off: 0 },
      { kind: 'alu', width: 32, op: 'add', source: 'imm', dst: 0, src: 0, imm: 1 },
      { kind: 'exit' },
    ]);
  });

  it('keeps a value live across a helper call in a callee-saved register', () => {
    const ir = `
define i64 @f(ptr %ctx) section "xdp" {
  %a = call i64 inttoptr (i64 7 to ptr)()
  %b = call i64 inttoptr (i64 7 to ptr)()
  %d = sub i64 %b, %a
  ret i64 %d
}`;
    const [f] = generate(ir);
    const afterFirstCall = f!.instructions[1]!;
    expect(afterFirstCall).toMatchObject({ kind: 'alu', op: 'mov', src: 0 });
    expect(defines(afterFirstCall)).toBeGreaterThanOrEqual(6);
    // two bpf_get_prandom_u32 draws differ: a lost value would give 0 or the second draw
    const d = runIr(ir, 'f');
    expect(d).not.toBe(0n);
  });

  it('spills to 8-byte stack slots when more than four values live across a call', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const loads = names.map((n, k) => `  %${n} = load i8, ptr %p${k}, align 1`).join('\n');
    const geps = names.map((_n, k) => `  %p${k} = getelementptr i8, ptr %data, i64 ${k}`).join('\n');
    const sums = names.map((n, k) => `  %z${k} = zext i8 %${n} to i64\n  %s${k + 1} = add i64 %s${k}, %z${k}`).join('\n');
    const ir = `
define i64 @f(ptr %ctx) section "xdp" {
${xdpWindowPrologue(8)}body:
${geps}
${loads}
  %t = call i64 inttoptr (i64 7 to ptr)()
  %s0 = and i64 %t, 0
${sums}
  ret i64 %s7
out:
  ret i64 0
}`;
    const [f] = generate(ir);
    const spills = f!.instructions.filter((i) => i.kind === 'stx' && i.dst === 10);
    expect(spills.length).toBeGreaterThan(0);
    expect(spills.every((i) => i.kind === 'stx' && i.size === 8)).toBe(true);
    expect(f!.stackSize % 8).toBe(0);
    const packet = Uint8Array.from({ length: 64 }, (_, k) => k + 1);
    expect(runIr(ir, 'f', packet)).toBe(1n + 2n + 3n + 4n + 5n + 6n + 7n);
  });
});
