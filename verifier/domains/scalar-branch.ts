// Branch refinement on scalars: kernel/bpf/verifier.c `is_scalar_branch_taken`, `flip_opcode`, `rev_opcode`,
// `regs_refine_cond_op` and `reg_set_min_max` (Linux 6.18 as this machine's kernel behaves).
import type { JumpOp } from '../../bpf/index.ts';
import { markRegUnbounded, regBoundsSanityCheck, regBoundsSync, toS64, type ScalarState } from './scalar.ts';
import {
  tnumAnd,
  tnumConst,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumOverlap,
  tnumSubreg,
  tnumWithSubreg,
} from './tnum.ts';

/** A condition: the ISA's jump ops plus `jset-not`, the false branch of `jset` (the kernel's BPF_JSET | BPF_X). */
export type BranchOp = JumpOp | 'jset-not';

/** What `is_branch_taken` returns: 1, 0 or -1 in the kernel. */
export type BranchTaken = 'taken' | 'not-taken' | 'unknown';

const U64 = 0xffff_ffff_ffff_ffffn;

/** Mirrors `is_reg_const`: the (low 32 bits of the) tnum is a constant. */
export function isRegConst(reg: ScalarState, subreg32: boolean): boolean {
  return tnumIsConst(subreg32 ? tnumSubreg(reg.varOff) : reg.varOff);
}

/** Mirrors `reg_const_value`. */
export function regConstValue(reg: ScalarState, subreg32: boolean): bigint {
  return subreg32 ? reg.varOff.value & 0xffff_ffffn : reg.varOff.value;
}

/** Mirrors `flip_opcode`: the op with operands swapped (`a < b` is `b > a`). */
export function flipOpcode(op: BranchOp): BranchOp {
  switch (op) {
    case 'jge':
      return 'jle';
    case 'jgt':
      return 'jlt';
    case 'jle':
      return 'jge';
    case 'jlt':
      return 'jgt';
    case 'jsge':
      return 'jsle';
    case 'jsgt':
      return 'jslt';
    case 'jsle':
      return 'jsge';
    case 'jslt':
      return 'jsgt';
    default:
      return op;
  }
}

/** Mirrors `rev_opcode`: the condition of the false branch. */
export function revOpcode(op: BranchOp): BranchOp {
  switch (op) {
    case 'jeq':
      return 'jne';
    case 'jne':
      return 'jeq';
    case 'jset':
      return 'jset-not';
    case 'jset-not':
      return 'jset';
    case 'jge':
      return 'jlt';
    case 'jgt':
      return 'jle';
    case 'jle':
      return 'jgt';
    case 'jlt':
      return 'jge';
    case 'jsge':
      return 'jslt';
    case 'jsgt':
      return 'jsle';
    case 'jsle':
      return 'jsgt';
    case 'jslt':
      return 'jsge';
  }
}

/**
 * Mirrors `is_scalar_branch_taken`: whether `reg1 OP reg2` (on the low 32 bits when `isJmp32`) is true for
 * every value pair, false for every pair, or undecided. Sound: never claims a direction a concrete pair
 * contradicts. Not for `jset-not`, which is no instruction.
 */
export function isScalarBranchTaken(reg1: ScalarState, reg2: ScalarState, op: JumpOp, isJmp32: boolean): BranchTaken {
  let t1 = isJmp32 ? tnumSubreg(reg1.varOff) : reg1.varOff;
  let t2 = isJmp32 ? tnumSubreg(reg2.varOff) : reg2.varOff;
  const umin1 = isJmp32 ? BigInt(reg1.u32min) : reg1.umin;
  const umax1 = isJmp32 ? BigInt(reg1.u32max) : reg1.umax;
  const smin1 = isJmp32 ? BigInt(reg1.s32min) : reg1.smin;
  const smax1 = isJmp32 ? BigInt(reg1.s32max) : reg1.smax;
  const umin2 = isJmp32 ? BigInt(reg2.u32min) : reg2.umin;
  const umax2 = isJmp32 ? BigInt(reg2.u32max) : reg2.umax;
  const smin2 = isJmp32 ? BigInt(reg2.s32min) : reg2.smin;
  const smax2 = isJmp32 ? BigInt(reg2.s32max) : reg2.smax;
  const T = 'taken';
  const F = 'not-taken';

  switch (op) {
    case 'jeq':
    case 'jne': {
      const eq = op === 'jeq';
      // constants, umin/umax and smin/smax checks would be redundant: they all should match
      if (tnumIsConst(t1) && tnumIsConst(t2)) return (t1.value === t2.value) === eq ? T : F;
      if (!tnumOverlap(t1, t2)) return eq ? F : T;
      // non-overlapping ranges
      if (umin1 > umax2 || umax1 < umin2) return eq ? F : T;
      if (smin1 > smax2 || smax1 < smin2) return eq ? F : T;
      if (!isJmp32) {
        // if 64-bit ranges are inconclusive, 32-bit subrange knowledge may rule the branch out
        if (reg1.u32min > reg2.u32max || reg1.u32max < reg2.u32min) return eq ? F : T;
        if (reg1.s32min > reg2.s32max || reg1.s32max < reg2.s32min) return eq ? F : T;
      }
      return 'unknown';
    }
    case 'jset': {
      let r2 = reg2;
      if (!isRegConst(r2, isJmp32)) {
        r2 = reg1;
        [t1, t2] = [t2, t1];
      }
      if (!isRegConst(r2, isJmp32)) return 'unknown';
      if ((~t1.mask & t1.value & t2.value) !== 0n) return T;
      if (((t1.mask | t1.value) & t2.value) === 0n) return F;
      return 'unknown';
    }
    case 'jgt':
      if (umin1 > umax2) return T;
      if (umax1 <= umin2) return F;
      return 'unknown';
    case 'jsgt':
      if (smin1 > smax2) return T;
      if (smax1 <= smin2) return F;
      return 'unknown';
    case 'jlt':
      if (umax1 < umin2) return T;
      if (umin1 >= umax2) return F;
      return 'unknown';
    case 'jslt':
      if (smax1 < smin2) return T;
      if (smin1 >= smax2) return F;
      return 'unknown';
    case 'jge':
      if (umin1 >= umax2) return T;
      if (umax1 < umin2) return F;
      return 'unknown';
    case 'jsge':
      if (smin1 >= smax2) return T;
      if (smax1 < smin2) return F;
      return 'unknown';
    case 'jle':
      if (umax1 <= umin2) return T;
      if (umin1 > umax2) return F;
      return 'unknown';
    case 'jsle':
      if (smax1 <= smin2) return T;
      if (smin1 > smax2) return F;
      return 'unknown';
  }
}

const isPowerOf2 = (x: bigint): boolean => x !== 0n && (x & (x - 1n)) === 0n;
const u32dec = (x: number): number => (x - 1) >>> 0;
const u32inc = (x: number): number => (x + 1) >>> 0;
const s32dec = (x: number): number => (x - 1) | 0;
const s32inc = (x: number): number => (x + 1) | 0;

/**
 * Mirrors `regs_refine_cond_op`: narrows `reg1` and `reg2` (in place) to the pairs for which `reg1 OP reg2`
 * holds. The caller runs `regBoundsSync` on both (as `reg_set_min_max` does). `reg1` and `reg2` may be the
 * same object, with the kernel's aliasing effects.
 */
export function regsRefineCondOp(reg1In: ScalarState, reg2In: ScalarState, opIn: BranchOp, isJmp32: boolean): void {
  let reg1 = reg1In;
  let reg2 = reg2In;
  let op = opIn;
  // In case of GE/GT/SGE/SGT, reuse LE/LT/SLE/SLT logic from below
  if (op === 'jge' || op === 'jgt' || op === 'jsge' || op === 'jsgt') {
    op = flipOpcode(op);
    [reg1, reg2] = [reg2, reg1];
  }
  switch (op) {
    case 'jeq':
      if (isJmp32) {
        reg1.u32min = Math.max(reg1.u32min, reg2.u32min);
        reg1.u32max = Math.min(reg1.u32max, reg2.u32max);
        reg1.s32min = Math.max(reg1.s32min, reg2.s32min);
        reg1.s32max = Math.min(reg1.s32max, reg2.s32max);
        reg2.u32min = reg1.u32min;
        reg2.u32max = reg1.u32max;
        reg2.s32min = reg1.s32min;
        reg2.s32max = reg1.s32max;
        const t = tnumIntersect(tnumSubreg(reg1.varOff), tnumSubreg(reg2.varOff));
        reg1.varOff = tnumWithSubreg(reg1.varOff, t);
        reg2.varOff = tnumWithSubreg(reg2.varOff, t);
      } else {
        reg1.umin = reg1.umin > reg2.umin ? reg1.umin : reg2.umin;
        reg1.umax = reg1.umax < reg2.umax ? reg1.umax : reg2.umax;
        reg1.smin = reg1.smin > reg2.smin ? reg1.smin : reg2.smin;
        reg1.smax = reg1.smax < reg2.smax ? reg1.smax : reg2.smax;
        reg2.umin = reg1.umin;
        reg2.umax = reg1.umax;
        reg2.smin = reg1.smin;
        reg2.smax = reg1.smax;
        reg1.varOff = tnumIntersect(reg1.varOff, reg2.varOff);
        reg2.varOff = reg1.varOff;
      }
      break;
    case 'jne': {
      if (!isRegConst(reg2, isJmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, isJmp32)) break;
      // reg2 a constant at an edge of reg1's range: move that edge
      const val = regConstValue(reg2, isJmp32);
      if (isJmp32) {
        const v32 = Number(val);
        if (reg1.u32min === v32 >>> 0) reg1.u32min = u32inc(reg1.u32min);
        if (reg1.u32max === v32 >>> 0) reg1.u32max = u32dec(reg1.u32max);
        if (reg1.s32min === (v32 | 0)) reg1.s32min = s32inc(reg1.s32min);
        if (reg1.s32max === (v32 | 0)) reg1.s32max = s32dec(reg1.s32max);
      } else {
        if (reg1.umin === val) reg1.umin = (reg1.umin + 1n) & U64;
        if (reg1.umax === val) reg1.umax = (reg1.umax - 1n) & U64;
        if (reg1.smin === toS64(val)) reg1.smin = toS64(reg1.smin + 1n);
        if (reg1.smax === toS64(val)) reg1.smax = toS64(reg1.smax - 1n);
      }
      break;
    }
    case 'jset': {
      if (!isRegConst(reg2, isJmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, isJmp32)) break;
      const val = regConstValue(reg2, isJmp32);
      // `r1 & 0x3` true does not say which bit is set: only a single-bit mask teaches something
      if (!isPowerOf2(val)) break;
      if (isJmp32) {
        const t = tnumOr(tnumSubreg(reg1.varOff), tnumConst(val));
        reg1.varOff = tnumWithSubreg(reg1.varOff, t);
      } else {
        reg1.varOff = tnumOr(reg1.varOff, tnumConst(val));
      }
      break;
    }
    case 'jset-not': {
      if (!isRegConst(reg2, isJmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, isJmp32)) break;
      const val = regConstValue(reg2, isJmp32);
      // Forget the ranges before narrowing tnums, to avoid invariant violations on a dead branch
      markRegUnbounded(reg1);
      if (isJmp32) {
        const t = tnumAnd(tnumSubreg(reg1.varOff), tnumConst(~val & U64));
        reg1.varOff = tnumWithSubreg(reg1.varOff, t);
      } else {
        reg1.varOff = tnumAnd(reg1.varOff, tnumConst(~val & U64));
      }
      break;
    }
    case 'jle':
      if (isJmp32) {
        reg1.u32max = Math.min(reg1.u32max, reg2.u32max);
        reg2.u32min = Math.max(reg1.u32min, reg2.u32min);
      } else {
        reg1.umax = reg1.umax < reg2.umax ? reg1.umax : reg2.umax;
        reg2.umin = reg1.umin > reg2.umin ? reg1.umin : reg2.umin;
      }
      break;
    case 'jlt':
      if (isJmp32) {
        reg1.u32max = Math.min(reg1.u32max, u32dec(reg2.u32max));
        reg2.u32min = Math.max(u32inc(reg1.u32min), reg2.u32min);
      } else {
        const m = (reg2.umax - 1n) & U64;
        reg1.umax = reg1.umax < m ? reg1.umax : m;
        const n = (reg1.umin + 1n) & U64;
        reg2.umin = n > reg2.umin ? n : reg2.umin;
      }
      break;
    case 'jsle':
      if (isJmp32) {
        reg1.s32max = Math.min(reg1.s32max, reg2.s32max);
        reg2.s32min = Math.max(reg1.s32min, reg2.s32min);
      } else {
        reg1.smax = reg1.smax < reg2.smax ? reg1.smax : reg2.smax;
        reg2.smin = reg1.smin > reg2.smin ? reg1.smin : reg2.smin;
      }
      break;
    case 'jslt':
      if (isJmp32) {
        reg1.s32max = Math.min(reg1.s32max, s32dec(reg2.s32max));
        reg2.s32min = Math.max(s32inc(reg1.s32min), reg2.s32min);
      } else {
        const m = toS64(reg2.smax - 1n);
        reg1.smax = reg1.smax < m ? reg1.smax : m;
        const n = toS64(reg1.smin + 1n);
        reg2.smin = n > reg2.smin ? n : reg2.smin;
      }
      break;
    default:
      break;
  }
}

/**
 * Mirrors `reg_set_min_max` for two scalars: refines the false branch's registers with the reversed
 * condition and the true branch's with `op`, syncs all four, and runs the sanity check on each (strict
 * throws; otherwise the messages of any violations are returned, as the kernel logs them).
 */
export function regSetMinMax(
  regs: {
    readonly trueReg1: ScalarState;
    readonly trueReg2: ScalarState;
    readonly falseReg1: ScalarState;
    readonly falseReg2: ScalarState;
  },
  op: JumpOp,
  options: { readonly isJmp32: boolean; readonly strict?: boolean },
): string[] {
  const { trueReg1, trueReg2, falseReg1, falseReg2 } = regs;
  const { isJmp32, strict = false } = options;
  // fallthrough (FALSE) branch
  regsRefineCondOp(falseReg1, falseReg2, revOpcode(op), isJmp32);
  regBoundsSync(falseReg1);
  regBoundsSync(falseReg2);
  // jump (TRUE) branch
  regsRefineCondOp(trueReg1, trueReg2, op, isJmp32);
  regBoundsSync(trueReg1);
  regBoundsSync(trueReg2);
  const messages: string[] = [];
  for (const [reg, ctx] of [
    [trueReg1, 'true_reg1'],
    [trueReg2, 'true_reg2'],
    [falseReg1, 'false_reg1'],
    [falseReg2, 'false_reg2'],
  ] as const) {
    const m = regBoundsSanityCheck(reg, ctx, strict);
    if (m !== undefined) messages.push(m);
  }
  return messages;
}
