// The scalar part of the kernel's `struct bpf_reg_state` (include/linux/bpf_verifier.h) and the bounds
// synchronisation of kernel/bpf/verifier.c (Linux 6.18, as this machine's kernel behaves).
//
//   struct bpf_reg_state {            ScalarState
//     s32 off;                        off   (a scalar's: K of a linking `rX += K`)
//     ...                             id, addConst (the BPF_ADD_CONST bit of id), precise
//     struct tnum var_off;            varOff   (value, mask: u64 BigInts)
//     s64 smin_value, smax_value;     smin, smax   (signed BigInts)
//     u64 umin_value, umax_value;     umin, umax   (BigInts in [0, 2^64))
//     s32 s32_min_value, s32_max_value; s32min, s32max (numbers, int32)
//     u32 u32_min_value, u32_max_value; u32min, u32max (numbers, uint32)
//   };
//
// States are mutable and every function here works in place like its kernel counterpart, so callers that pass
// the same object twice (`if r1 > r1`) see the kernel's aliasing behaviour. 64-bit quantities are BigInts
// (exact; about 4 µs per reg_bounds_sync, see test/verifier/domains/perf.test.ts); 32-bit ones are plain numbers.
import {
  TNUM_UNKNOWN,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumRange,
  tnumStep,
  tnumSubreg,
  tnumSubregIsConst,
  type Tnum,
} from './tnum.ts';

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
export const S64_MAX = 0x7fff_ffff_ffff_ffffn;
export const S64_MIN = -0x8000_0000_0000_0000n;
export const U32_MAX = 0xffff_ffff;
export const S32_MAX = 0x7fff_ffff;
export const S32_MIN = -0x8000_0000;
const HI32 = 0xffff_ffff_0000_0000n;

export interface ScalarState {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: number;
  s32max: number;
  u32min: number;
  u32max: number;
  /** Scalar id linking copies of one value (0: none); the domain only clears it where the kernel does. */
  id: number;
  /**
   * The kernel's BPF_ADD_CONST bits of the id: this scalar is `off` more than the others sharing `id` (set by
   * `rX += K` on a linked scalar: BPF_ADD_CONST64, 64; or `wX += K` on one whose upper half is zero:
   * BPF_ADD_CONST32, 32, its value the 32-bit sum), so a branch narrowing one of them narrows this one shifted
   * by the difference of their offsets (sync_linked_regs). false: no such link. Meaningless while `id` is 0.
   */
  addConst: AddConst;
  /** The kernel's `reg->off` of a scalar: the K of that `rX += K` (0 when not linked that way). */
  off: number;
  /** The precision mark the kernel prints as a `P` prefix. */
  precise: boolean;
}

/** (s64)x for a u64 BigInt. */
export const toS64 = (x: bigint): bigint => BigInt.asIntN(64, x);
/** (u64)x for any BigInt. */
export const toU64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s32OfBig = (x: bigint): number => Number(BigInt.asIntN(32, x));
const u32OfBig = (x: bigint): number => Number(x & 0xffff_ffffn);

/** A scalar with every bound and bit unknown (`__mark_reg_unknown_imprecise`). */
export function unknownScalar(): ScalarState {
  return {
    varOff: TNUM_UNKNOWN,
    smin: S64_MIN,
    smax: S64_MAX,
    umin: 0n,
    umax: U64_MAX,
    s32min: S32_MIN,
    s32max: S32_MAX,
    u32min: 0,
    u32max: U32_MAX,
    id: 0,
    addConst: false,
    off: 0,
    precise: false,
  };
}

/** A known constant (`__mark_reg_known` on a fresh register); `imm` is taken modulo 2^64. */
export function knownScalar(imm: bigint): ScalarState {
  const reg = unknownScalar();
  markRegKnown(reg, imm);
  return reg;
}

/** A copy (the kernel copies `struct bpf_reg_state` by value). */
export function cloneScalar(reg: ScalarState): ScalarState {
  return { ...reg };
}

/** Copies every field of `src` into `dst` (`*dst = *src`). */
export function assignScalar(dst: ScalarState, src: ScalarState): void {
  Object.assign(dst, src);
}

/** Which `+= K` linked a scalar: none, BPF_ADD_CONST64 (`rX += K`) or BPF_ADD_CONST32 (`wX += K`). */
export type AddConst = false | 64 | 32;

/** `reg->id = 0`: the scalar no longer shares its value with others (the BPF_ADD_CONST link goes with the id). */
export function clearScalarId(reg: ScalarState): void {
  reg.id = 0;
  reg.addConst = false;
  reg.off = 0;
}

/**
 * The kernel's whole id, BPF_ADD_CONST bit included, as check_ids() maps it between states: a scalar linked by
 * `rX += K` and a plain copy of the same value have different ids there.
 */
export function scalarIdKey(reg: ScalarState): number {
  if (reg.id === 0) return 0;
  return reg.addConst === 64 ? reg.id + 2 ** 31 : reg.addConst === 32 ? reg.id + 2 ** 30 : reg.id;
}

/** Mirrors `___mark_reg_known`: every bound and the tnum set to `imm` (id kept). */
export function markRegKnownKeepId(reg: ScalarState, imm: bigint): void {
  const u = toU64(imm);
  reg.varOff = tnumConst(u);
  reg.smin = toS64(u);
  reg.smax = reg.smin;
  reg.umin = u;
  reg.umax = u;
  reg.s32min = s32OfBig(u);
  reg.s32max = reg.s32min;
  reg.u32min = u32OfBig(u);
  reg.u32max = reg.u32min;
}

/** Mirrors `__mark_reg_known`: as `___mark_reg_known`, and clears the id. */
export function markRegKnown(reg: ScalarState, imm: bigint): void {
  reg.id = 0;
  reg.addConst = false;
  reg.off = 0;
  markRegKnownKeepId(reg, imm);
}

/** Mirrors `__mark_reg32_known`: the low 32 bits become the constant `imm`. */
export function markReg32Known(reg: ScalarState, imm: number): void {
  reg.varOff = tnumConstSubreg(reg.varOff, imm);
  reg.s32min = imm | 0;
  reg.s32max = imm | 0;
  reg.u32min = imm >>> 0;
  reg.u32max = imm >>> 0;
}

/**
 * Mirrors `__mark_reg_unknown`: a completely unknown scalar, imprecise unless `precise` (the kernel marks
 * new scalars precise when the program is not `bpf_capable`).
 */
export function markRegUnknown(reg: ScalarState, precise = false): void {
  assignScalar(reg, unknownScalar());
  reg.precise = precise;
}

/** Mirrors `__mark_reg_unbounded`: all eight bounds reset; var_off kept. */
export function markRegUnbounded(reg: ScalarState): void {
  markReg64Unbounded(reg);
  markReg32Unbounded(reg);
}

/** Mirrors `__mark_reg64_unbounded`. */
export function markReg64Unbounded(reg: ScalarState): void {
  reg.smin = S64_MIN;
  reg.smax = S64_MAX;
  reg.umin = 0n;
  reg.umax = U64_MAX;
}

/** Mirrors `__mark_reg32_unbounded`. */
export function markReg32Unbounded(reg: ScalarState): void {
  reg.s32min = S32_MIN;
  reg.s32max = S32_MAX;
  reg.u32min = 0;
  reg.u32max = U32_MAX;
}

/** Mirrors `__update_reg32_bounds`: 32-bit bounds tightened from the low half of var_off. */
export function updateReg32Bounds(reg: ScalarState): void {
  const v = Number(reg.varOff.value & 0xffff_ffffn);
  const m = Number(reg.varOff.mask & 0xffff_ffffn);
  // min signed is max(sign bit) | min(other bits)
  reg.s32min = Math.max(reg.s32min, (v | (m & S32_MIN)) | 0);
  // max signed is min(sign bit) | max(other bits)
  reg.s32max = Math.min(reg.s32max, (v | (m & S32_MAX)) | 0);
  reg.u32min = Math.max(reg.u32min, v >>> 0);
  reg.u32max = Math.min(reg.u32max, (v | m) >>> 0);
}

/**
 * Mirrors `__update_reg64_bounds`: 64-bit bounds tightened from var_off, then (as this kernel does, with
 * `tnum_step`) a scalar whose u64 range and tnum share a single value becomes that constant.
 */
export function updateReg64Bounds(reg: ScalarState): void {
  const { value, mask } = reg.varOff;
  const sminT = toS64(value | (mask & 0x8000_0000_0000_0000n));
  const smaxT = toS64(value | (mask & S64_MAX));
  if (sminT > reg.smin) reg.smin = sminT;
  if (smaxT < reg.smax) reg.smax = smaxT;
  if (value > reg.umin) reg.umin = value;
  const tmax = value | mask;
  if (tmax < reg.umax) reg.umax = tmax;

  // Check if u64 and tnum overlap in a single value
  const uminInTnum = (reg.umin & ~mask & U64_MAX) === value;
  if (mask === U64_MAX) {
    // every number is a member (the common unknown tnum): a single value only when umin == umax
    if (reg.umin === reg.umax) markRegKnownKeepId(reg, reg.umin);
    return;
  }
  const tnumNext = tnumStep(reg.varOff, reg.umin);
  if (uminInTnum && tnumNext > reg.umax) {
    // u64 [xxxxxx], tnum members --xx----x-: they only overlap in umin
    markRegKnownKeepId(reg, reg.umin);
  } else if (!uminInTnum && tnumNext === tmax) {
    // they only overlap in the tnum's maximum
    markRegKnownKeepId(reg, tmax);
  } else if (!uminInTnum && tnumNext <= reg.umax && tnumStep(reg.varOff, tnumNext) > reg.umax) {
    // they only overlap between umin (excluded) and umax
    markRegKnownKeepId(reg, tnumNext);
  }
}

/** Mirrors `__update_reg_bounds`. */
export function updateRegBounds(reg: ScalarState): void {
  updateReg32Bounds(reg);
  updateReg64Bounds(reg);
}

const maxS32 = (a: number, b: number): number => Math.max(a | 0, b | 0);
const minS32 = (a: number, b: number): number => Math.min(a | 0, b | 0);
const maxU32 = (a: number, b: number): number => Math.max(a >>> 0, b >>> 0);
const minU32 = (a: number, b: number): number => Math.min(a >>> 0, b >>> 0);
const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * Mirrors `__reg32_deduce_bounds`: 32-bit bounds from 64-bit ones whose upper halves agree (or step by one
 * across a sign change of the low half), then u32 <-> s32 when the range does not cross the sign boundary.
 * E.g. u64 [0x1_0000000a, 0x1_0000000f] gives u32 and s32 [10, 15].
 */
export function reg32DeduceBounds(reg: ScalarState): void {
  // The halves of the four 64-bit bounds, as numbers (one conversion each instead of one per use).
  const su = reg.smin & U64_MAX;
  const sx = reg.smax & U64_MAX;
  const uminHi = Number(reg.umin >> 32n);
  const umaxHi = Number(reg.umax >> 32n);
  const uminLo = Number(reg.umin & 0xffff_ffffn);
  const umaxLo = Number(reg.umax & 0xffff_ffffn);
  const sminHi = Number(su >> 32n);
  const smaxHi = Number(sx >> 32n);
  const sminLo = Number(su & 0xffff_ffffn);
  const smaxLo = Number(sx & 0xffff_ffffn);
  if (uminHi === umaxHi) {
    // u64 to u32 casting preserves validity of low 32 bits as a range, if upper 32 bits are the same
    reg.u32min = maxU32(reg.u32min, uminLo);
    reg.u32max = minU32(reg.u32max, umaxLo);
    if ((uminLo | 0) <= (umaxLo | 0)) {
      reg.s32min = maxS32(reg.s32min, uminLo);
      reg.s32max = minS32(reg.s32max, umaxLo);
    }
  }
  if (sminHi === smaxHi) {
    // low 32 bits should form a proper u32 range
    if (sminLo <= smaxLo) {
      reg.u32min = maxU32(reg.u32min, sminLo);
      reg.u32max = minU32(reg.u32max, smaxLo);
    }
    // low 32 bits should form a proper s32 range
    if ((sminLo | 0) <= (smaxLo | 0)) {
      reg.s32min = maxS32(reg.s32min, sminLo);
      reg.s32max = minS32(reg.s32max, smaxLo);
    }
  }
  // Upper halves two sequential numbers (0xffffffff to 0 included) while the low halves go from negative to
  // positive: s64 [0xfffffff0fffffff0, 0xfffffff100000010] has s32 [-16, 16].
  if (((uminHi + 1) >>> 0) === umaxHi && (uminLo | 0) < 0 && (umaxLo | 0) >= 0) {
    reg.s32min = maxS32(reg.s32min, uminLo);
    reg.s32max = minS32(reg.s32max, umaxLo);
  }
  if (((sminHi + 1) >>> 0) === smaxHi && (sminLo | 0) < 0 && (smaxLo | 0) >= 0) {
    reg.s32min = maxS32(reg.s32min, sminLo);
    reg.s32max = minS32(reg.s32max, smaxLo);
  }
  // if u32 range forms a valid s32 range (due to matching sign bit), try to learn from that
  if ((reg.u32min | 0) <= (reg.u32max | 0)) {
    reg.s32min = maxS32(reg.s32min, reg.u32min);
    reg.s32max = minS32(reg.s32max, reg.u32max);
  }
  // If we cannot cross the sign boundary, then signed and unsigned bounds are the same, so combine.
  // This works even in the negative case, e.g. -3 s<= x s<= -1 implies 0xf...fd u<= x u<= 0xf...ff.
  if (reg.s32min >>> 0 <= reg.s32max >>> 0) {
    reg.u32min = maxU32(reg.s32min, reg.u32min);
    reg.u32max = minU32(reg.s32max, reg.u32max);
  } else if (reg.u32max < reg.s32min >>> 0) {
    // The s32 range crosses the sign boundary and the u32 range overlaps only its non-negative part (the
    // 32-bit twin of the s64 case in reg64DeduceBounds; this kernel has it: w = (s16)w; if r < 0x40000000
    // leaves s32 [-32768, -1]).
    reg.s32min = reg.u32min | 0;
    reg.u32max = minU32(reg.u32max, reg.s32max);
  } else if (reg.s32max >>> 0 < reg.u32min) {
    // ... or only its negative part
    reg.s32max = reg.u32max | 0;
    reg.u32min = maxU32(reg.u32min, reg.s32min);
  }
}

/**
 * Mirrors `__reg64_deduce_bounds` (with the 6.17 refinement for an s64 range crossing the sign boundary while
 * the u64 range overlaps only one of its ends).
 *
 *   0             0x7fffffffffffffff 0x8000000000000000        U64_MAX
 *   |-------------------------------|--------------------------------|
 *   0                        S64_MAX S64_MIN                        -1
 */
export function reg64DeduceBounds(reg: ScalarState): void {
  // u64 range inside one half: a valid s64 range
  if (toS64(reg.umin) <= toS64(reg.umax)) {
    reg.smin = maxBig(reg.smin, toS64(reg.umin));
    reg.smax = minBig(reg.smax, toS64(reg.umax));
  }
  if (toU64(reg.smin) <= toU64(reg.smax)) {
    // s64 range inside one half: signed and unsigned bounds are the same
    reg.umin = maxBig(toU64(reg.smin), reg.umin);
    reg.umax = minBig(toU64(reg.smax), reg.umax);
  } else if (reg.umax < toU64(reg.smin)) {
    // the s64 range crosses the sign boundary and the u64 range overlaps only its positive part
    reg.smin = toS64(reg.umin);
    reg.umax = minBig(reg.umax, toU64(reg.smax));
  } else if (toU64(reg.smax) < reg.umin) {
    // ... or only its negative part
    reg.smax = toS64(reg.umax);
    reg.umin = maxBig(reg.umin, toU64(reg.smin));
  }
}

/**
 * Mirrors `__reg_deduce_mixed_bounds`: 64-bit bounds tightened with the 32-bit ones substituted as their low
 * halves; e.g. [0x1_00000000, 0x3_80000000] with s32 [1, 0x7fffffff] becomes [0x1_00000001, 0x3_7fffffff].
 * Then the sign-extension special case: s32 >= 0 and s64 within [S32_MIN, S32_MAX] means the upper half is 0.
 */
export function regDeduceMixedBounds(reg: ScalarState): void {
  let newUmin: bigint, newUmax: bigint, newSmin: bigint, newSmax: bigint;
  // (a full u32 range [0, U32_MAX] cannot tighten anything: skipped, same result)
  if (reg.u32min !== 0 || reg.u32max !== U32_MAX) {
    // u32 -> u64 tightening, it's always well-formed
    newUmin = (reg.umin & HI32) | BigInt(reg.u32min >>> 0);
    newUmax = (reg.umax & HI32) | BigInt(reg.u32max >>> 0);
    reg.umin = maxBig(reg.umin, newUmin);
    reg.umax = minBig(reg.umax, newUmax);
    // u32 -> s64 tightening, u32 range embedded into s64 preserves range validity
    newSmin = toS64((toU64(reg.smin) & HI32) | BigInt(reg.u32min >>> 0));
    newSmax = toS64((toU64(reg.smax) & HI32) | BigInt(reg.u32max >>> 0));
    reg.smin = maxBig(reg.smin, newSmin);
    reg.smax = minBig(reg.smax, newSmax);
  }

  // if s32 can be treated as valid u32 range, we can use it as well
  if (reg.s32min >>> 0 <= reg.s32max >>> 0) {
    // s32 -> u64 tightening
    newUmin = (reg.umin & HI32) | BigInt(reg.s32min >>> 0);
    newUmax = (reg.umax & HI32) | BigInt(reg.s32max >>> 0);
    reg.umin = maxBig(reg.umin, newUmin);
    reg.umax = minBig(reg.umax, newUmax);
    // s32 -> s64 tightening
    newSmin = toS64((toU64(reg.smin) & HI32) | BigInt(reg.s32min >>> 0));
    newSmax = toS64((toU64(reg.smax) & HI32) | BigInt(reg.s32max >>> 0));
    reg.smin = maxBig(reg.smin, newSmin);
    reg.smax = minBig(reg.smax, newSmax);
  }

  // After a sign-extending load: [0xffff_ffff_8000_0000, 0x0000_0000_ffff_ffff] with a non-negative s32
  // range cannot have upper bits all 1s, so the value is the s32 range itself.
  if (reg.s32min >= 0 && reg.smin >= BigInt(S32_MIN) && reg.smax <= BigInt(S32_MAX)) {
    reg.smin = BigInt(reg.s32min);
    reg.smax = BigInt(reg.s32max);
    reg.umin = BigInt(reg.s32min);
    reg.umax = BigInt(reg.s32max);
    reg.varOff = tnumIntersect(reg.varOff, tnumRange(toU64(reg.smin), toU64(reg.smax)));
  }
}

/** Mirrors `__reg_deduce_bounds`. */
export function regDeduceBounds(reg: ScalarState): void {
  reg32DeduceBounds(reg);
  reg64DeduceBounds(reg);
  regDeduceMixedBounds(reg);
}

/** Mirrors `__reg_bound_offset`: var_off improved from the u64 and u32 ranges. */
export function regBoundOffset(reg: ScalarState): void {
  const var64 = tnumIntersect(reg.varOff, tnumRange(reg.umin, reg.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(BigInt(reg.u32min >>> 0), BigInt(reg.u32max >>> 0)));
  reg.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

/**
 * Mirrors `reg_bounds_sync`: bounds from var_off, sign deductions (three rounds since 6.17: the s64
 * sign-boundary case can feed the 32-bit deductions of the next round), bits from bounds, bounds from the
 * improved var_off.
 */
export function regBoundsSync(reg: ScalarState): void {
  // Fast paths with the same result as the full rounds: a completely unknown scalar has nothing to learn, and a
  // constant lying within every bound collapses every bound onto itself.
  const { varOff } = reg;
  if (varOff.mask === U64_MAX && varOff.value === 0n) {
    if (
      reg.umin === 0n && reg.umax === U64_MAX && reg.smin === S64_MIN && reg.smax === S64_MAX &&
      reg.u32min === 0 && reg.u32max === U32_MAX && reg.s32min === S32_MIN && reg.s32max === S32_MAX
    ) {
      return;
    }
  } else if (varOff.mask === 0n) {
    const v = varOff.value;
    const sv = toS64(v);
    const u32 = u32OfBig(v);
    const s32 = s32OfBig(v);
    if (
      reg.umin <= v && v <= reg.umax && reg.smin <= sv && sv <= reg.smax &&
      reg.u32min <= u32 && u32 <= reg.u32max && reg.s32min <= s32 && s32 <= reg.s32max
    ) {
      reg.umin = reg.umax = v;
      reg.smin = reg.smax = sv;
      reg.u32min = reg.u32max = u32;
      reg.s32min = reg.s32max = s32;
      return;
    }
  }
  updateRegBounds(reg);
  // Three rounds as the kernel does; a round is a pure function of the state, so once one changes nothing
  // the remaining rounds cannot either and are skipped (same result, less work).
  for (let round = 0; round < 3; round++) {
    const { varOff, smin, smax, umin, umax, s32min, s32max, u32min, u32max } = reg;
    regDeduceBounds(reg);
    if (
      reg.varOff === varOff &&
      reg.smin === smin &&
      reg.smax === smax &&
      reg.umin === umin &&
      reg.umax === umax &&
      reg.s32min === s32min &&
      reg.s32max === s32max &&
      reg.u32min === u32min &&
      reg.u32max === u32max
    ) {
      break;
    }
  }
  regBoundOffset(reg);
  updateRegBounds(reg);
}

const hex64 = (x: bigint): string => `0x${toU64(x).toString(16)}`;
const hex32 = (x: number): string => `0x${(x >>> 0).toString(16)}`;

/**
 * Mirrors `reg_bounds_sanity_check`: returns undefined when the state is consistent. Otherwise the kernel's
 * message; with `strict` (the kernel's `test_reg_invariants`, and what tests use) it throws a RangeError, and
 * without it the bounds are reset as the kernel does (`__mark_reg_unbounded`, var_off kept).
 */
export function regBoundsSanityCheck(reg: ScalarState, ctx: string, strict = false): string | undefined {
  let msg: string | undefined;
  if (reg.umin > reg.umax || reg.smin > reg.smax || reg.u32min > reg.u32max || reg.s32min > reg.s32max) {
    msg = 'range bounds violation';
  } else if (tnumIsConst(reg.varOff)) {
    const uval = reg.varOff.value;
    const sval = toS64(uval);
    if (reg.umin !== uval || reg.umax !== uval || reg.smin !== sval || reg.smax !== sval) {
      msg = 'const tnum out of sync with range bounds';
    }
  }
  if (msg === undefined && tnumSubregIsConst(reg.varOff)) {
    const uval32 = Number(reg.varOff.value & 0xffff_ffffn);
    const sval32 = uval32 | 0;
    if (reg.u32min !== uval32 || reg.u32max !== uval32 || reg.s32min !== sval32 || reg.s32max !== sval32) {
      msg = 'const subreg tnum out of sync with range bounds';
    }
  }
  if (msg === undefined) return undefined;
  const text =
    `REG INVARIANTS VIOLATION (${ctx}): ${msg} u64=[${hex64(reg.umin)}, ${hex64(reg.umax)}] ` +
    `s64=[${hex64(reg.smin)}, ${hex64(reg.smax)}] u32=[${hex32(reg.u32min)}, ${hex32(reg.u32max)}] ` +
    `s32=[${hex32(reg.s32min)}, ${hex32(reg.s32max)}] var_off=(${hex64(reg.varOff.value)}, ${hex64(reg.varOff.mask)})`;
  if (strict) throw new RangeError(text);
  markRegUnbounded(reg);
  return text;
}

/** Mirrors `__reg_assign_32_into_64`: 64-bit bounds from the 32-bit ones of a zero-extended value. */
export function regAssign32Into64(reg: ScalarState): void {
  reg.umin = BigInt(reg.u32min >>> 0);
  reg.umax = BigInt(reg.u32max >>> 0);
  // 32-bit signed bounds carry over only when non-negative; otherwise worst case, refined later from the tnum
  if (reg.s32min >= 0 && reg.s32max >= 0) {
    reg.smin = BigInt(reg.s32min);
    reg.smax = BigInt(reg.s32max);
  } else {
    reg.smin = 0n;
    reg.smax = BigInt(U32_MAX);
  }
}

/** Mirrors `zext_32_to_64`: the upper 32 bits become known 0. */
export function zext32To64(reg: ScalarState): void {
  reg.varOff = tnumSubreg(reg.varOff);
  regAssign32Into64(reg);
}

/** Mirrors `coerce_reg_to_size`: a zero-extending `size`-byte load or truncation (size 1, 2 or 4). */
export function coerceRegToSize(reg: ScalarState, size: 1 | 2 | 4): void {
  // clear high bits in bit representation
  reg.varOff = tnumCast(reg.varOff, size);
  // fix arithmetic bounds
  const mask = (1n << BigInt(size * 8)) - 1n;
  if ((reg.umin & ~mask) === (reg.umax & ~mask)) {
    reg.umin &= mask;
    reg.umax &= mask;
  } else {
    reg.umin = 0n;
    reg.umax = mask;
  }
  reg.smin = reg.umin;
  reg.smax = reg.umax;
  // below 32 bits the 32-bit bounds are truncated too: recompute them from the 64-bit ones
  if (size < 4) markReg32Unbounded(reg);
  regBoundsSync(reg);
}

/** Mirrors `set_sext64_default_val`. */
function setSext64DefaultVal(reg: ScalarState, size: 1 | 2 | 4): void {
  const bits = size * 8 - 1;
  reg.s32min = -(2 ** bits);
  reg.s32max = 2 ** bits - 1;
  reg.smin = BigInt(reg.s32min);
  reg.smax = BigInt(reg.s32max);
  reg.umin = 0n;
  reg.u32min = 0;
  reg.umax = U64_MAX;
  reg.u32max = U32_MAX;
  reg.varOff = TNUM_UNKNOWN;
}

const sext = (x: bigint, size: number): bigint => BigInt.asIntN(size * 8, x);

/**
 * Mirrors `coerce_reg_to_size_sx`: a sign-extending load or `movsx` of the low `size` bytes (1, 2 or 4).
 * The caller runs no `reg_bounds_sync` afterwards, as the kernel does not.
 */
export function coerceRegToSizeSx(reg: ScalarState, size: 1 | 2 | 4): void {
  if (tnumIsConst(reg.varOff)) {
    const v = toU64(sext(reg.varOff.value, size));
    reg.varOff = tnumConst(v);
    reg.smin = toS64(v);
    reg.smax = reg.smin;
    reg.umin = v;
    reg.umax = v;
    reg.s32min = s32OfBig(v);
    reg.s32max = reg.s32min;
    reg.u32min = u32OfBig(v);
    reg.u32max = reg.u32min;
    return;
  }
  const numBits = BigInt(size * 8);
  const topSmax = (toU64(reg.smax) >> numBits) << numBits;
  const topSmin = (toU64(reg.smin) >> numBits) << numBits;
  if (topSmax === topSmin) {
    // the s64 min and max after sign extension
    const initMax = sext(reg.smax, size);
    const initMin = sext(reg.smin, size);
    const s64Max = maxBig(initMax, initMin);
    const s64Min = minBig(initMax, initMin);
    // both of s64_max/s64_min positive or negative
    if (s64Max >= 0n === s64Min >= 0n) {
      reg.smin = s64Min;
      reg.s32min = s32OfBig(s64Min);
      reg.smax = s64Max;
      reg.s32max = s32OfBig(s64Max);
      reg.umin = toU64(s64Min);
      reg.u32min = u32OfBig(s64Min);
      reg.umax = toU64(s64Max);
      reg.u32max = u32OfBig(s64Max);
      reg.varOff = tnumRange(toU64(s64Min), toU64(s64Max));
      return;
    }
  }
  setSext64DefaultVal(reg, size);
}

/** Mirrors `set_sext32_default_val`. */
function setSext32DefaultVal(reg: ScalarState, size: 1 | 2): void {
  const bits = size * 8 - 1;
  reg.s32min = -(2 ** bits);
  reg.s32max = 2 ** bits - 1;
  reg.u32min = 0;
  reg.u32max = U32_MAX;
  reg.varOff = tnumSubreg(TNUM_UNKNOWN);
}

/**
 * Mirrors `coerce_subreg_to_size_sx`: `w = (s8|s16) w`, sign extension within the low 32 bits. The caller
 * then zero-extends to 64 bits and syncs (`zext32To64`, `regBoundsSync`), as check_alu_op does.
 */
export function coerceSubregToSizeSx(reg: ScalarState, size: 1 | 2): void {
  if (tnumIsConst(reg.varOff)) {
    const v = sext(reg.varOff.value & 0xffff_ffffn, size);
    reg.varOff = tnumConst(v);
    reg.s32min = s32OfBig(v);
    reg.s32max = reg.s32min;
    reg.u32min = u32OfBig(v);
    reg.u32max = reg.u32min;
    return;
  }
  const numBits = size * 8;
  const topSmax = Number((BigInt(reg.s32max >>> 0) >> BigInt(numBits)) << BigInt(numBits));
  const topSmin = Number((BigInt(reg.s32min >>> 0) >> BigInt(numBits)) << BigInt(numBits));
  if (topSmax === topSmin) {
    const initMax = Number(sext(BigInt(reg.s32max), size));
    const initMin = Number(sext(BigInt(reg.s32min), size));
    const s32Max = Math.max(initMax, initMin);
    const s32Min = Math.min(initMax, initMin);
    if (s32Min >= 0 === s32Max >= 0) {
      reg.s32min = s32Min;
      reg.s32max = s32Max;
      reg.u32min = s32Min >>> 0;
      reg.u32max = s32Max >>> 0;
      reg.varOff = tnumSubreg(tnumRange(toU64(BigInt(s32Min)), toU64(BigInt(s32Max))));
      return;
    }
  }
  setSext32DefaultVal(reg, size);
}

/** Whether the concrete u64 `x` is allowed by every part of the state (its concretisation). */
export function scalarContains(reg: ScalarState, x: bigint): boolean {
  const u = toU64(x);
  const s = toS64(u);
  const lo = Number(u & 0xffff_ffffn);
  const lo32s = lo | 0;
  return (
    (u & ~reg.varOff.mask & U64_MAX) === reg.varOff.value &&
    u >= reg.umin &&
    u <= reg.umax &&
    s >= reg.smin &&
    s <= reg.smax &&
    lo >= reg.u32min &&
    lo <= reg.u32max &&
    lo32s >= reg.s32min &&
    lo32s <= reg.s32max
  );
}

/** Field-by-field equality of the numeric parts (var_off and the eight bounds). */
export function scalarBoundsEqual(a: ScalarState, b: ScalarState): boolean {
  return (
    a.varOff.value === b.varOff.value &&
    a.varOff.mask === b.varOff.mask &&
    a.smin === b.smin &&
    a.smax === b.smax &&
    a.umin === b.umin &&
    a.umax === b.umax &&
    a.s32min === b.s32min &&
    a.s32max === b.s32max &&
    a.u32min === b.u32min &&
    a.u32max === b.u32max
  );
}
