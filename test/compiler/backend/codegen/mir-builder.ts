// Test support: machine IR written like assembly, for the codegen passes that take blocks of MIR.
//
//   const blocks = [
//     block(0, mov(A, imm(1)), jgt(A, imm(5), 1), ja(2)),
//     block(1, mov(0, A), exit()),
//     block(2, mov(0, imm(0)), exit()),
//   ];
//
// A bare number is a register (r0..r10 physical, FIRST_VREG up virtual); `imm(n)` is an immediate.
import type { AccessSize, AluOp, JumpOp, Width } from '../../../../bpf/index.ts';
import { FIRST_VREG, FP, type MBlock, type MInsn, type Operand, type Reg } from '../../../../compiler/backend/codegen/mir.ts';

export { FP };

/** Virtual registers for tests: `vreg(0)` is the first. */
export const vreg = (n: number): Reg => FIRST_VREG + n;

export const imm = (value: number): { imm: number } => ({ imm: value });

type Src = Reg | { imm: number };
const operand = (s: Src): Operand => (typeof s === 'number' ? { reg: s } : s);

export function block(id: number, ...insns: MInsn[]): MBlock {
  return { id, depth: 0, insns };
}

export const alu = (op: AluOp, dst: Reg, src: Src, width: Width = 64): MInsn => ({ kind: 'alu', width, op, dst, src: operand(src) });
export const mov = (dst: Reg, src: Src, width: Width = 64): MInsn => alu('mov', dst, src, width);
export const add = (dst: Reg, src: Src, width: Width = 64): MInsn => alu('add', dst, src, width);

/** `dst = *(size *)(base + off)` */
export const ldx = (size: AccessSize, dst: Reg, base: Reg, off: number): MInsn => ({ kind: 'ldx', size, dst, base, off });
/** `*(size *)(base + off) = src` */
export const stx = (size: AccessSize, base: Reg, off: number, src: Reg): MInsn => ({ kind: 'stx', size, base, off, src });
/** `*(size *)(base + off) = value` */
export const st = (size: AccessSize, base: Reg, off: number, value: number): MInsn => ({ kind: 'st', size, base, off, imm: value });

/** a helper call reading `args` argument registers */
export const call = (helper: number, args = 0): MInsn => ({ kind: 'call', target: 'helper', imm: helper, args });
export const exit = (usesR0 = true): MInsn => ({ kind: 'exit', usesR0 });
export const ja = (target: number): MInsn => ({ kind: 'ja', target });
export const jcc = (op: JumpOp, a: Reg, b: Src, target: number, width: Width = 64): MInsn => ({ kind: 'jcc', width, op, a, b: operand(b), target });
export const jgt = (a: Reg, b: Src, target: number): MInsn => jcc('jgt', a, b, target);
export const jeq = (a: Reg, b: Src, target: number): MInsn => jcc('jeq', a, b, target);

/** The blocks as assembly-like lines (`b1: r16 = 0`), for readable expectations. */
export function listing(blocks: readonly MBlock[]): string[] {
  const r = (x: Reg): string => (x === FP ? 'r10' : `r${x}`);
  const src = (o: Operand): string => ('reg' in o ? r(o.reg) : String(o.imm));
  const one = (i: MInsn): string => {
    switch (i.kind) {
      case 'alu':
        return i.op === 'mov' ? `${r(i.dst)} = ${src(i.src)}` : `${r(i.dst)} ${i.op}= ${src(i.src)}`;
      case 'ldx':
        return `${r(i.dst)} = *(u${i.size * 8} *)(${r(i.base)} ${i.off < 0 ? '-' : '+'} ${Math.abs(i.off)})`;
      case 'stx':
      case 'st':
        return `*(u${i.size * 8} *)(${r(i.base)} ${i.off < 0 ? '-' : '+'} ${Math.abs(i.off)}) = ${i.kind === 'stx' ? r(i.src) : i.imm}`;
      case 'call':
        return `call ${i.imm}`;
      case 'exit':
        return 'exit';
      case 'ja':
        return `goto b${i.target}`;
      case 'jcc':
        return `if ${r(i.a)} ${i.op} ${src(i.b)} goto b${i.target}`;
      default:
        return i.kind;
    }
  };
  return blocks.flatMap((b) => b.insns.map((i) => `b${b.id}: ${one(i)}`));
}
