// Tristate numbers: the kernel's bit-level knowledge of a 64-bit value (kernel/bpf/tnum.c, include/linux/tnum.h).
//
// A tnum is a pair (value, mask) of u64s. Each bit is known 0 (value 0, mask 0), known 1 (value 1, mask 0) or
// unknown (value 0, mask 1); value & mask is always 0. The set of numbers a tnum stands for is
// { x : x & ~mask == value }. Arithmetic propagates unknown bits so that the result holds every possible
// result of the operation on members of the operands (soundness); most operations here mirror the kernel
// bit for bit, since the verifier's verdicts depend on the exact bits.
//
// Values are BigInts in [0, 2^64). Every function returns a fresh tnum and never mutates its arguments.

/** struct tnum { u64 value; u64 mask; } */
export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const U64 = 0xffff_ffff_ffff_ffffn;
const U32 = 0xffff_ffffn;

function tn(value: bigint, mask: bigint): Tnum {
  return { value, mask };
}

/** A completely unknown value: (0; 0xffffffffffffffff). Mirrors `tnum_unknown`. */
export const TNUM_UNKNOWN: Tnum = Object.freeze(tn(0n, U64));

/** Mirrors `tnum_const`: a known constant (taken modulo 2^64). */
export function tnumConst(value: bigint): Tnum {
  return tn(value & U64, 0n);
}

/** Mirrors `fls64`: the 1-based index of the most significant set bit, 0 for 0. */
export function fls64(x: bigint): number {
  if (x === 0n) return 0;
  const hi = Number(x >> 32n);
  if (hi !== 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(Number(x & U32));
}

/**
 * Mirrors `tnum_range`: the smallest tnum holding every value in [min, max] (u64).
 * E.g. min = 4, max = 7: chi = 3, two low bits unknown, (0x4; 0x3). min = max: the constant.
 */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  const bits = fls64(chi);
  // special case, needed because 1ULL << 64 is undefined in C
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return tn(min & ~delta & U64, delta);
}

/** Mirrors `tnum_lshift`: both halves shifted left, truncated to 64 bits. */
export function tnumLshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return tn((a.value << s) & U64, (a.mask << s) & U64);
}

/** Mirrors `tnum_rshift`: logical right shift. */
export function tnumRshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return tn(a.value >> s, a.mask >> s);
}

/**
 * Mirrors `tnum_arshift(a, min_shift, insn_bitness)`: arithmetic right shift of the low 32 bits (result
 * zero-extended) when `bitness` is 32, of all 64 bits otherwise. An unknown sign bit spreads unknown bits:
 * (0x0; 0x80000000) s>> 4 at 32 bits is (0x0; 0xf8000000).
 */
export function tnumArshift(a: Tnum, minShift: number, bitness: 32 | 64): Tnum {
  const s = BigInt(minShift);
  if (bitness === 32) {
    return tn(BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s), BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s));
  }
  return tn(BigInt.asUintN(64, BigInt.asIntN(64, a.value) >> s), BigInt.asUintN(64, BigInt.asIntN(64, a.mask) >> s));
}

/**
 * Mirrors `tnum_add`: sums the known values, and marks as unknown every bit a carry from an unknown bit may
 * reach. E.g. (0x1; 0x0) + (0x0; 0x1) = (0x0; 0x3): 1 + {0, 1} = {1, 2}.
 */
export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = (a.mask + b.mask) & U64;
  const sv = (a.value + b.value) & U64;
  const sigma = (sm + sv) & U64;
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return tn(sv & ~mu & U64, mu);
}

/** Mirrors `tnum_sub`: the borrow-propagating counterpart of `tnumAdd`. */
export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = (a.value - b.value) & U64;
  const alpha = (dv + a.mask) & U64;
  const beta = (dv - b.mask) & U64;
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return tn(dv & ~mu & U64, mu);
}

/** Mirrors `tnum_neg`: 0 - a. */
export function tnumNeg(a: Tnum): Tnum {
  return tnumSub(tn(0n, 0n), a);
}

/** Mirrors `tnum_and`: a bit is known 1 when known 1 in both, known 0 when known 0 in either. */
export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return tn(v, alpha & beta & ~v & U64);
}

/** Mirrors `tnum_or`. */
export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return tn(v, mu & ~v & U64);
}

/** Mirrors `tnum_xor`. */
export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return tn(v & ~mu & U64, mu);
}

/**
 * Mirrors `tnum_mul` as of Linux 6.18 (Nandakumar Edamana's long multiplication, bpf-next August 2025): walk the
 * trits of `a` from the least significant; a known 1 adds `b` (shifted) to the accumulator; an unknown trit
 * takes the union of "added" and "not added". E.g. (0x0; 0x3) * (0x0; 0x5) = (0x0; 0xf).
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let acc = tn(0n, 0n);
  let av = a.value;
  let am = a.mask;
  let bv = b.value;
  let bm = b.mask;
  while (av !== 0n || am !== 0n) {
    if ((av & 1n) !== 0n) {
      // LSB of a is a certain 1
      acc = tnumAdd(acc, tn(bv, bm));
    } else if ((am & 1n) !== 0n) {
      // LSB of a is uncertain: acc_0 = acc, acc_1 = acc + b
      acc = tnumUnion(acc, tnumAdd(acc, tn(bv, bm)));
    }
    // no case for a certain 0
    av >>= 1n;
    am >>= 1n;
    bv = (bv << 1n) & U64;
    bm = (bm << 1n) & U64;
  }
  return acc;
}

/**
 * Mirrors `tnum_overlap`: false when some bit known in both has different values (then no number is in both).
 */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const mu = ~a.mask & ~b.mask & U64;
  return (a.value & mu) === (b.value & mu);
}

/**
 * Mirrors `tnum_intersect`: numbers satisfying both. If a and b disagree (a known 1 against a known 0) the
 * result has a known 1 there.
 */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return tn(v & ~mu & U64, mu);
}

/**
 * Mirrors `tnum_union`: the uncertainty of both plus every position where they disagree, a superset of the
 * union of both sets. E.g. union of the constants 0b1010 and 0b0101 is (0x0; 0xf).
 */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const v = a.value & b.value;
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return tn(v & ~mu & U64, mu);
}

/** Mirrors `tnum_cast`: `a` with all but the lowest `size` bytes cleared (size 8 keeps everything). */
export function tnumCast(a: Tnum, size: number): Tnum {
  if (size >= 8) return a;
  const m = (1n << BigInt(size * 8)) - 1n;
  return tn(a.value & m, a.mask & m);
}

/** Mirrors `tnum_is_aligned`: every member is a multiple of `size` (a power of two; 0 means always). */
export function tnumIsAligned(a: Tnum, size: bigint): boolean {
  if (size === 0n) return true;
  return ((a.value | a.mask) & (size - 1n)) === 0n;
}

/** Mirrors `tnum_in`: every member of `b` is a member of `a`. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask) !== 0n) return false;
  return a.value === (b.value & ~a.mask);
}

/** Whether `x` (u64) is a member of `a`. */
export function tnumContains(a: Tnum, x: bigint): boolean {
  return ((x & U64) & ~a.mask) === a.value;
}

/** Mirrors `tnum_is_const`. */
export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

/** Mirrors `tnum_equals_const`. */
export function tnumEqualsConst(a: Tnum, b: bigint): boolean {
  return a.mask === 0n && a.value === (b & U64);
}

/** Mirrors `tnum_is_unknown`: every bit unknown. */
export function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === U64;
}

/** Structural equality (same value and mask). */
export function tnumEquals(a: Tnum, b: Tnum): boolean {
  return a.value === b.value && a.mask === b.mask;
}

/** Mirrors `tnum_subreg`: the low 32 bits. */
export function tnumSubreg(a: Tnum): Tnum {
  return tn(a.value & U32, a.mask & U32);
}

/** Mirrors `tnum_clear_subreg`: the high 32 bits, low 32 known 0. */
export function tnumClearSubreg(a: Tnum): Tnum {
  return tn(a.value & ~U32 & U64, a.mask & ~U32 & U64);
}

/** Mirrors `tnum_with_subreg`: high 32 bits of `reg`, low 32 bits of `subreg`. */
export function tnumWithSubreg(reg: Tnum, subreg: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
}

/** Mirrors `tnum_const_subreg`: high 32 bits of `a`, low 32 bits the constant `value`. */
export function tnumConstSubreg(a: Tnum, value: number): Tnum {
  return tnumWithSubreg(a, tnumConst(BigInt(value >>> 0)));
}

/** Mirrors `tnum_subreg_is_const`. */
export function tnumSubregIsConst(a: Tnum): boolean {
  return (a.mask & U32) === 0n;
}

function swab(x: bigint, bytes: number): bigint {
  let r = 0n;
  for (let i = 0; i < bytes; i++) r = (r << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return r;
}

/** Mirrors `tnum_bswap16`: swab16 of the low 16 bits of value and mask. 0x12__ becomes 0x__12. */
export function tnumBswap16(a: Tnum): Tnum {
  return tn(swab(a.value, 2), swab(a.mask, 2));
}

/** Mirrors `tnum_bswap32`. */
export function tnumBswap32(a: Tnum): Tnum {
  return tn(swab(a.value, 4), swab(a.mask, 4));
}

/** Mirrors `tnum_bswap64`. */
export function tnumBswap64(a: Tnum): Tnum {
  return tn(swab(a.value, 8), swab(a.mask, 8));
}

/**
 * Mirrors `tnum_step`: for tmin <= z < tmax (tmin = t.value, tmax = t.value | t.mask) the smallest member of
 * `t` greater than z; z >= tmax gives tmax, z < tmin gives tmin.
 * E.g. t = x11100x0, z = 11110001 (241): 11110010 (242).
 */
export function tnumStep(t: Tnum, z: bigint): bigint {
  const tmax = t.value | t.mask;
  if (z >= tmax) return tmax;
  if (z < t.value) return t.value;
  // keep t's known bits, and match all unknown bits to z
  const j = t.value | (z & t.mask);
  if (j > z) {
    const p = ~z & t.value & ~t.mask & U64;
    const k = BigInt(fls64(p)); // the most significant 0-to-1 flip
    const q = (U64 << k) & U64;
    const r = q & z; // positions > k matched to z
    const s = ~q & t.value & U64; // positions <= k matched to t.value
    return r | s;
  }
  const p = z & ~t.value & ~t.mask & U64;
  const k = BigInt(fls64(p)); // the most significant 1-to-0 flip
  const q = (U64 << k) & U64;
  const r = q & t.mask & z; // unknown positions > k, matched to z
  const s = q & ~t.mask & U64; // known positions > k, set to 1
  const v = r | s;
  // add 1 to unknown positions > k to make the value greater than z
  const u = (v + (1n << k)) & U64;
  // bits in unknown positions > k from u, the rest from t.value
  return (u & t.mask) | t.value;
}

function hex(x: bigint): string {
  return `0x${x.toString(16)}`;
}

/** Mirrors `tnum_strn` (the kernel's `%#llx`, which prints 0 as 0x0): `(0x0; 0xff)`. */
export function tnumStrn(a: Tnum): string {
  return `(${hex(a.value)}; ${hex(a.mask)})`;
}

/**
 * Mirrors `tnum_sbin`: 64 characters, most significant first, `x` for unknown bits. `bits` keeps only the low
 * bits (for readable tests and logs); the kernel always prints 64.
 */
export function tnumSbin(a: Tnum, bits = 64): string {
  let s = '';
  for (let i = bits - 1; i >= 0; i--) {
    const bit = 1n << BigInt(i);
    s += (a.mask & bit) !== 0n ? 'x' : (a.value & bit) !== 0n ? '1' : '0';
  }
  return s;
}

/** Parses the `tnumSbin` form ("x10", most significant first) back to a tnum, for tests and examples. */
export function tnumFromSbin(s: string): Tnum {
  let value = 0n;
  let mask = 0n;
  for (const c of s) {
    value <<= 1n;
    mask <<= 1n;
    if (c === '1') value |= 1n;
    else if (c === 'x') mask |= 1n;
    else if (c !== '0') throw new SyntaxError(`tnum ${s}: unexpected character ${c}`);
  }
  return tn(value, mask);
}
