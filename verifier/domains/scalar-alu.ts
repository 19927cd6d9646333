// ALU transfer functions on scalars: kernel/bpf/verifier.c `adjust_scalar_min_max_vals` and its
// `scalar(32)_min_max_*` helpers, as Linux 6.18 on this machine behaves (BPF_NEG and BPF_END tracked; div and
// mod give an unknown scalar; shifts only by a constant below the width).
import type { AluOp } from '../../bpf/index.ts';
import {
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  U32_MAX,
  U64_MAX,
  clearScalarId,
  cloneScalar,
  coerceRegToSize,
  markReg32Known,
  markReg32Unbounded,
  markReg64Unbounded,
  markRegKnown,
  markRegUnbounded,
  markRegUnknown,
  regBoundsSync,
  toS64,
  updateReg32Bounds,
  updateRegBounds,
  zext32To64,
  type ScalarState,
} from './scalar.ts';
import {
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap16,
  tnumBswap32,
  tnumBswap64,
  tnumIsConst,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumRshift,
  tnumSub,
  tnumSubreg,
  tnumSubregIsConst,
  tnumXor,
} from './tnum.ts';

/** The ALU operations on scalars: the ISA's (without the moves) plus byte swaps. */
export type ScalarAluOp = Exclude<AluOp, 'mov' | 'movsx8' | 'movsx16' | 'movsx32'> | 'end';

export interface ScalarAluInsn {
  readonly op: ScalarAluOp;
  /** ALU (32-bit) class rather than ALU64. `end` with `le`/`be` is ALU class, `swap` is ALU64. */
  readonly alu32: boolean;
  /** For `end`: the conversion and its width. */
  readonly order?: 'le' | 'be' | 'swap';
  readonly bits?: 16 | 32 | 64;
}

const U32 = 0xffff_ffffn;
const B_U32_MAX = BigInt(U32_MAX);

/** Mirrors `check_add_overflow` on signed 32-bit operands: [result, overflowed]. */
function addS32(a: number, b: number): [number, boolean] {
  const r = a + b;
  return [r | 0, r > S32_MAX || r < S32_MIN];
}
function subS32(a: number, b: number): [number, boolean] {
  const r = a - b;
  return [r | 0, r > S32_MAX || r < S32_MIN];
}
function addU32(a: number, b: number): [number, boolean] {
  const r = a + b;
  return [r >>> 0, r > U32_MAX];
}
function subU32(a: number, b: number): [number, boolean] {
  const r = a - b;
  return [r >>> 0, r < 0];
}
function addS64(a: bigint, b: bigint): [bigint, boolean] {
  const r = a + b;
  return [toS64(r), r > S64_MAX || r < S64_MIN];
}
function subS64(a: bigint, b: bigint): [bigint, boolean] {
  const r = a - b;
  return [toS64(r), r > S64_MAX || r < S64_MIN];
}
function addU64(a: bigint, b: bigint): [bigint, boolean] {
  const r = a + b;
  return [r & U64_MAX, r > U64_MAX];
}
function subU64(a: bigint, b: bigint): [bigint, boolean] {
  const r = a - b;
  return [r & U64_MAX, r < 0n];
}

/** Mirrors `scalar32_min_max_add`: wrapping u32 sums are exact when all or none overflow. */
export function scalar32MinMaxAdd(dst: ScalarState, src: ScalarState): void {
  const [smin, o1] = addS32(dst.s32min, src.s32min);
  const [smax, o2] = addS32(dst.s32max, src.s32max);
  if (o1 || o2) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    dst.s32min = smin;
    dst.s32max = smax;
  }
  // If either all additions overflow or no additions overflow, then [umin + umin, umax + umax] holds
  const [umin, minOverflow] = addU32(dst.u32min, src.u32min);
  const [umax, maxOverflow] = addU32(dst.u32max, src.u32max);
  dst.u32min = umin;
  dst.u32max = umax;
  if (!minOverflow && maxOverflow) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  }
}

/** Mirrors `scalar_min_max_add`. */
export function scalarMinMaxAdd(dst: ScalarState, src: ScalarState): void {
  const [smin, o1] = addS64(dst.smin, src.smin);
  const [smax, o2] = addS64(dst.smax, src.smax);
  if (o1 || o2) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = smin;
    dst.smax = smax;
  }
  const [umin, minOverflow] = addU64(dst.umin, src.umin);
  const [umax, maxOverflow] = addU64(dst.umax, src.umax);
  dst.umin = umin;
  dst.umax = umax;
  if (!minOverflow && maxOverflow) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  }
}

/** Mirrors `scalar32_min_max_sub`: exact when all or no subtractions underflow. */
export function scalar32MinMaxSub(dst: ScalarState, src: ScalarState): void {
  const [smin, o1] = subS32(dst.s32min, src.s32max);
  const [smax, o2] = subS32(dst.s32max, src.s32min);
  if (o1 || o2) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    dst.s32min = smin;
    dst.s32max = smax;
  }
  const [umin, minUnderflow] = subU32(dst.u32min, src.u32max);
  const [umax, maxUnderflow] = subU32(dst.u32max, src.u32min);
  dst.u32min = umin;
  dst.u32max = umax;
  if (minUnderflow && !maxUnderflow) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  }
}

/** Mirrors `scalar_min_max_sub`. */
export function scalarMinMaxSub(dst: ScalarState, src: ScalarState): void {
  const [smin, o1] = subS64(dst.smin, src.smax);
  const [smax, o2] = subS64(dst.smax, src.smin);
  if (o1 || o2) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = smin;
    dst.smax = smax;
  }
  const [umin, minUnderflow] = subU64(dst.umin, src.umax);
  const [umax, maxUnderflow] = subU64(dst.umax, src.umin);
  dst.umin = umin;
  dst.umax = umax;
  if (minUnderflow && !maxUnderflow) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  }
}

/** Mirrors `scalar32_min_max_mul`: unsigned corners when no overflow, signed from the four corner products. */
export function scalar32MinMaxMul(dst: ScalarState, src: ScalarState): void {
  // check_mul_overflow(*dst_umax, src->u32_max, dst_umax) || check_mul_overflow(*dst_umin, ...)
  const umax = BigInt(dst.u32max) * BigInt(src.u32max);
  const umin = BigInt(dst.u32min) * BigInt(src.u32min);
  if (umax > B_U32_MAX || umin > B_U32_MAX) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = Number(umin);
    dst.u32max = Number(umax);
  }
  // signed corner products, exact (an int32 product needs up to 62 bits)
  const pb = [
    BigInt(dst.s32min) * BigInt(src.s32min),
    BigInt(dst.s32min) * BigInt(src.s32max),
    BigInt(dst.s32max) * BigInt(src.s32min),
    BigInt(dst.s32max) * BigInt(src.s32max),
  ];
  if (pb.some((x) => x > BigInt(S32_MAX) || x < BigInt(S32_MIN))) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    const n = pb.map(Number);
    dst.s32min = Math.min(...n);
    dst.s32max = Math.max(...n);
  }
}

/** Mirrors `scalar_min_max_mul`. */
export function scalarMinMaxMul(dst: ScalarState, src: ScalarState): void {
  const umax = dst.umax * src.umax;
  const umin = dst.umin * src.umin;
  if (umax > U64_MAX || umin > U64_MAX) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin = umin;
    dst.umax = umax;
  }
  const p = [dst.smin * src.smin, dst.smin * src.smax, dst.smax * src.smin, dst.smax * src.smax];
  if (p.some((x) => x > S64_MAX || x < S64_MIN)) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    let lo = p[0]!;
    let hi = p[0]!;
    for (const x of p) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    dst.smin = lo;
    dst.smax = hi;
  }
}

/** Mirrors `scalar32_min_max_and`: the minimum from var_off, the maximum the smaller of the maxima. */
export function scalar32MinMaxAnd(dst: ScalarState, src: ScalarState): void {
  const srcKnown = tnumSubregIsConst(src.varOff);
  const dstKnown = tnumSubregIsConst(dst.varOff);
  const var32 = tnumSubreg(dst.varOff);
  if (srcKnown && dstKnown) {
    markReg32Known(dst, Number(var32.value));
    return;
  }
  dst.u32min = Number(var32.value);
  dst.u32max = Math.min(dst.u32max, src.u32max);
  setS32FromU32(dst);
}

/** Mirrors `scalar_min_max_and`. */
export function scalarMinMaxAnd(dst: ScalarState, src: ScalarState): void {
  if (tnumIsConst(src.varOff) && tnumIsConst(dst.varOff)) {
    markRegKnown(dst, dst.varOff.value);
    return;
  }
  dst.umin = dst.varOff.value;
  dst.umax = dst.umax < src.umax ? dst.umax : src.umax;
  setS64FromU64(dst);
  updateRegBounds(dst);
}

/** Mirrors `scalar32_min_max_or`: the maximum from var_off, the minimum the larger of the minima. */
export function scalar32MinMaxOr(dst: ScalarState, src: ScalarState): void {
  const srcKnown = tnumSubregIsConst(src.varOff);
  const dstKnown = tnumSubregIsConst(dst.varOff);
  const var32 = tnumSubreg(dst.varOff);
  if (srcKnown && dstKnown) {
    markReg32Known(dst, Number(var32.value));
    return;
  }
  dst.u32min = Math.max(dst.u32min, src.u32min);
  dst.u32max = Number(var32.value | var32.mask);
  setS32FromU32(dst);
}

/** Mirrors `scalar_min_max_or`. */
export function scalarMinMaxOr(dst: ScalarState, src: ScalarState): void {
  if (tnumIsConst(src.varOff) && tnumIsConst(dst.varOff)) {
    markRegKnown(dst, dst.varOff.value);
    return;
  }
  dst.umin = dst.umin > src.umin ? dst.umin : src.umin;
  dst.umax = dst.varOff.value | dst.varOff.mask;
  setS64FromU64(dst);
  updateRegBounds(dst);
}

/** Mirrors `scalar32_min_max_xor`: both bounds from var_off. */
export function scalar32MinMaxXor(dst: ScalarState, src: ScalarState): void {
  const srcKnown = tnumSubregIsConst(src.varOff);
  const dstKnown = tnumSubregIsConst(dst.varOff);
  const var32 = tnumSubreg(dst.varOff);
  if (srcKnown && dstKnown) {
    markReg32Known(dst, Number(var32.value));
    return;
  }
  dst.u32min = Number(var32.value);
  dst.u32max = Number(var32.value | var32.mask);
  setS32FromU32(dst);
}

/** Mirrors `scalar_min_max_xor`. */
export function scalarMinMaxXor(dst: ScalarState, src: ScalarState): void {
  if (tnumIsConst(src.varOff) && tnumIsConst(dst.varOff)) {
    markRegKnown(dst, dst.varOff.value);
    return;
  }
  dst.umin = dst.varOff.value;
  dst.umax = dst.varOff.value | dst.varOff.mask;
  setS64FromU64(dst);
  updateRegBounds(dst);
}

// Safe to set signed bounds by casting the unsigned ones when they do not cross the sign boundary.
function setS32FromU32(dst: ScalarState): void {
  if ((dst.u32min | 0) <= (dst.u32max | 0)) {
    dst.s32min = dst.u32min | 0;
    dst.s32max = dst.u32max | 0;
  } else {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  }
}
function setS64FromU64(dst: ScalarState): void {
  if (toS64(dst.umin) <= toS64(dst.umax)) {
    dst.smin = toS64(dst.umin);
    dst.smax = toS64(dst.umax);
  } else {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  }
}

/** Mirrors `__scalar32_min_max_lsh`. */
function scalar32MinMaxLshBounds(dst: ScalarState, uminVal: bigint, umaxVal: bigint): void {
  // We lose all sign bit information (except what we can pick up from var_off)
  dst.s32min = S32_MIN;
  dst.s32max = S32_MAX;
  // If we might shift our top bit out, then we know nothing
  if (umaxVal > 31n || BigInt(dst.u32max) > 1n << (31n - umaxVal)) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = Number((BigInt(dst.u32min) << uminVal) & U32);
    dst.u32max = Number((BigInt(dst.u32max) << umaxVal) & U32);
  }
}

/** Mirrors `scalar32_min_max_lsh`. */
export function scalar32MinMaxLsh(dst: ScalarState, src: ScalarState): void {
  const umaxVal = BigInt(src.u32max);
  const uminVal = BigInt(src.u32min);
  // u32 alu operation will zext upper bits
  const subreg = tnumSubreg(dst.varOff);
  scalar32MinMaxLshBounds(dst, uminVal, umaxVal);
  dst.varOff = tnumSubreg(tnumLshift(subreg, src.u32min));
  // mark the 64-bit bounds unknown: they are picked up from the tnum and zext later
  markReg64Unbounded(dst);
  updateReg32Bounds(dst);
}

/**
 * Mirrors `__scalar64_min_max_lsh`: `<< 32` (the `<<32 s>>32` sign-extension idiom) moves the s32 range into
 * the upper half, negative values included as this kernel does (s32 [-128, 127] gives
 * [0xffffff8000000000, 0x7f00000000]); other shifts lose the signed bounds.
 */
function scalar64MinMaxLshBounds(dst: ScalarState, uminVal: bigint, umaxVal: bigint): void {
  if (uminVal === 32n && umaxVal === 32n) {
    dst.smax = BigInt(dst.s32max) << 32n;
    dst.smin = BigInt(dst.s32min) << 32n;
  } else {
    dst.smax = S64_MAX;
    dst.smin = S64_MIN;
  }
  // If we might shift our top bit out, then we know nothing
  if (dst.umax > 1n << (63n - umaxVal)) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin = (dst.umin << uminVal) & U64_MAX;
    dst.umax = (dst.umax << umaxVal) & U64_MAX;
  }
}

/** Mirrors `scalar_min_max_lsh`. */
export function scalarMinMaxLsh(dst: ScalarState, src: ScalarState): void {
  const umaxVal = src.umax;
  const uminVal = src.umin;
  // scalar64 calc uses 32bit unshifted bounds so must be called first
  scalar64MinMaxLshBounds(dst, uminVal, umaxVal);
  scalar32MinMaxLshBounds(dst, uminVal, umaxVal);
  dst.varOff = tnumLshift(dst.varOff, Number(uminVal));
  updateRegBounds(dst);
}

/** Mirrors `scalar32_min_max_rsh`: signed bounds dropped, rebuilt from the unsigned ones and var_off. */
export function scalar32MinMaxRsh(dst: ScalarState, src: ScalarState): void {
  const subreg = tnumSubreg(dst.varOff);
  dst.s32min = S32_MIN;
  dst.s32max = S32_MAX;
  dst.varOff = tnumRshift(subreg, src.u32min);
  dst.u32min = Math.floor(dst.u32min / 2 ** src.u32max);
  dst.u32max = Math.floor(dst.u32max / 2 ** src.u32min);
  markReg64Unbounded(dst);
  updateReg32Bounds(dst);
}

/** Mirrors `scalar_min_max_rsh`. */
export function scalarMinMaxRsh(dst: ScalarState, src: ScalarState): void {
  dst.smin = S64_MIN;
  dst.smax = S64_MAX;
  dst.varOff = tnumRshift(dst.varOff, Number(src.umin));
  dst.umin >>= src.umax;
  dst.umax >>= src.umin;
  // 32-bit bounds depend on bits shifted in: recalculated from the tnum
  markReg32Unbounded(dst);
  updateRegBounds(dst);
}

/** Mirrors `scalar32_min_max_arsh` (the shift is a known constant here). */
export function scalar32MinMaxArsh(dst: ScalarState, src: ScalarState): void {
  const s = src.u32min;
  dst.s32min = dst.s32min >> s;
  dst.s32max = dst.s32max >> s;
  dst.varOff = tnumArshift(tnumSubreg(dst.varOff), s, 32);
  // blow away the unsigned bounds and rely on var_off
  dst.u32min = 0;
  dst.u32max = U32_MAX;
  markReg64Unbounded(dst);
  updateReg32Bounds(dst);
}

/** Mirrors `scalar_min_max_arsh`. */
export function scalarMinMaxArsh(dst: ScalarState, src: ScalarState): void {
  const s = src.umin;
  dst.smin >>= s;
  dst.smax >>= s;
  dst.varOff = tnumArshift(dst.varOff, Number(s), 64);
  dst.umin = 0n;
  dst.umax = U64_MAX;
  markReg32Unbounded(dst);
  updateRegBounds(dst);
}

const IS_BIG_ENDIAN = false; // BPF on this machine (x86-64, arm64) is little endian

/**
 * Mirrors `scalar_byte_swap`: `swap` (ALU64) always swaps; `le`/`be` swap when the host order differs
 * (`be` on little endian) and otherwise only truncate to 16 or 32 bits.
 */
export function scalarByteSwap(dst: ScalarState, insn: ScalarAluInsn): void {
  const bits = insn.bits ?? 64;
  const alu64 = !insn.alu32;
  const toLe = insn.order !== 'be';
  const needBswap = alu64 || toLe === IS_BIG_ENDIAN;
  // a mutated register loses its links to copies
  if (needBswap || bits === 16 || bits === 32) clearScalarId(dst);
  if (needBswap) {
    dst.varOff = bits === 16 ? tnumBswap16(dst.varOff) : bits === 32 ? tnumBswap32(dst.varOff) : tnumBswap64(dst.varOff);
    // byte swap scrambles the range: bounds are re-derived from the new tnum
    markRegUnbounded(dst);
  }
  if (bits === 16 || bits === 32) coerceRegToSize(dst, bits / 8 as 2 | 4);
}

/**
 * Mirrors `is_safe_to_compute_dst_reg_range`: whether the kernel tracks the result of `op`, given the source
 * operand. Shifts need a constant amount below the width; div and mod are never tracked.
 */
export function isSafeToComputeDstRegRange(insn: ScalarAluInsn, src: ScalarState): boolean {
  const bitness = insn.alu32 ? 32 : 64;
  let srcIsConst: boolean;
  if (bitness === 32) {
    srcIsConst = tnumSubregIsConst(src.varOff) && src.s32min === src.s32max && src.u32min === src.u32max;
  } else {
    srcIsConst = tnumIsConst(src.varOff) && src.smin === src.smax && src.umin === src.umax;
  }
  switch (insn.op) {
    case 'add':
    case 'sub':
    case 'neg':
    case 'and':
    case 'xor':
    case 'or':
    case 'mul':
    case 'end':
      return true;
    case 'lsh':
    case 'rsh':
    case 'arsh':
      return srcIsConst && src.umax < BigInt(bitness);
    default:
      return false;
  }
}

/**
 * Whether this kernel forks the verifier state before `dst &= K` or `dst |= K` (64- or 32-bit): when the low
 * 32 bits of `dst` are known to be -1 or 0 (s32 range exactly [-1, 0], the `x s>> 63` select idiom) and the
 * source is a 64-bit constant, the kernel explores the two cases separately (`from N to N:` in its log) instead of
 * joining them. Observed on this machine's 6.18 kernel; use `forkMinusOneOrZero` to split.
 */
export function forksMinusOneOrZero(dst: ScalarState, src: ScalarState, insn: ScalarAluInsn): boolean {
  if (insn.op !== 'and' && insn.op !== 'or') return false;
  // a constant in all 64 bits, even for the 32-bit ops (`w6 &= w7` with only w7 known does not fork)
  if (!tnumIsConst(src.varOff)) return false;
  return dst.s32min === -1 && dst.s32max === 0;
}

/**
 * Splits a scalar whose low 32 bits are -1 or 0 as the kernel's fork does: `dst` keeps the -1 case and the
 * returned copy, which the kernel pushes to explore later at the same instruction, the 0 case. A 64-bit
 * range of [-1, 0] makes whole constants; otherwise only the low 32 bits become known (no sync, as the
 * kernel's log shows: `w6 s>>= 31; r6 |= 32` gives 0xffffffff, `r6 s>>= 63; r6 &= -256` gives -256).
 */
export function forkMinusOneOrZero(dst: ScalarState): ScalarState {
  const zero = cloneScalar(dst);
  if (dst.smin === -1n && dst.smax === 0n) {
    markRegKnown(zero, 0n);
    markRegKnown(dst, -1n);
  } else {
    markReg32Known(zero, 0);
    markReg32Known(dst, -1);
  }
  return zero;
}

/**
 * Mirrors `adjust_scalar_min_max_vals`: `dst = dst OP src` on two scalars, in place. `src` is read as a copy
 * (the kernel passes it by value), so `dst` and `src` may be the same object. For `neg` and `end` pass the
 * register itself as `src`. Untracked operations leave `dst` completely unknown (imprecise unless
 * `precise`). The caller clears or links `dst.id` as `adjust_reg_min_max_vals` does.
 *
 * @example
 * const r1 = unknownScalar(); adjustScalarMinMaxVals(r1, knownScalar(0xffn), { op: 'and', alu32: false });
 * formatScalar(r1) // 'scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))'
 */
export function adjustScalarMinMaxVals(
  dst: ScalarState,
  srcReg: ScalarState,
  insn: ScalarAluInsn,
  options: { readonly precise?: boolean } = {},
): void {
  const src = cloneScalar(srcReg);
  const { op, alu32 } = insn;
  if (!isSafeToComputeDstRegRange(insn, src)) {
    markRegUnknown(dst, options.precise ?? false);
    return;
  }
  // alu32 and alu64 bounds are tracked independently for add, sub, mul, and, or, xor; shifts work on one
  // width and recompute the other from the tnum.
  switch (op) {
    case 'add':
      scalar32MinMaxAdd(dst, src);
      scalarMinMaxAdd(dst, src);
      dst.varOff = tnumAdd(dst.varOff, src.varOff);
      break;
    case 'sub':
      scalar32MinMaxSub(dst, src);
      scalarMinMaxSub(dst, src);
      dst.varOff = tnumSub(dst.varOff, src.varOff);
      break;
    case 'neg':
      markRegKnown(dst, 0n);
      scalar32MinMaxSub(dst, src);
      scalarMinMaxSub(dst, src);
      dst.varOff = tnumNeg(src.varOff);
      break;
    case 'mul':
      dst.varOff = tnumMul(dst.varOff, src.varOff);
      scalar32MinMaxMul(dst, src);
      scalarMinMaxMul(dst, src);
      break;
    case 'and':
      dst.varOff = tnumAnd(dst.varOff, src.varOff);
      scalar32MinMaxAnd(dst, src);
      scalarMinMaxAnd(dst, src);
      break;
    case 'or':
      dst.varOff = tnumOr(dst.varOff, src.varOff);
      scalar32MinMaxOr(dst, src);
      scalarMinMaxOr(dst, src);
      break;
    case 'xor':
      dst.varOff = tnumXor(dst.varOff, src.varOff);
      scalar32MinMaxXor(dst, src);
      scalarMinMaxXor(dst, src);
      break;
    case 'lsh':
      if (alu32) scalar32MinMaxLsh(dst, src);
      else scalarMinMaxLsh(dst, src);
      break;
    case 'rsh':
      if (alu32) scalar32MinMaxRsh(dst, src);
      else scalarMinMaxRsh(dst, src);
      break;
    case 'arsh':
      if (alu32) scalar32MinMaxArsh(dst, src);
      else scalarMinMaxArsh(dst, src);
      break;
    case 'end':
      scalarByteSwap(dst, insn);
      break;
    default:
      break;
  }
  // ALU32 ops are zero extended into 64bit register (a byte swap has set its own width)
  if (alu32 && op !== 'end') zext32To64(dst);
  regBoundsSync(dst);
}
