// 64-bit arithmetic on pairs of 32-bit halves (lo, hi as int32), for the operations too long to inline in the
// interpreter. Results go to OUT[0] (lo) and OUT[1] (hi). Multiplication is exact with 16-bit partial products;
// division takes a 32-bit fast path and falls back to BigInt only when an operand needs more than 32 bits
// (rare in BPF programs, and never in the instruction dispatch itself).

/** The result of the last operation: [lo, hi]. */
export const OUT = new Int32Array(2);

/** The high 32 bits of the 64-bit product of two unsigned 32-bit values. */
export function mulHighU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a0 * b0;
  const m = a1 * b0 + (t >>> 16);
  const m2 = a0 * b1 + (m & 0xffff);
  return (a1 * b1 + (m >>> 16) + (m2 >>> 16)) | 0;
}

export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  OUT[0] = Math.imul(alo, blo);
  OUT[1] = (mulHighU32(alo >>> 0, blo >>> 0) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

const toU64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const toS64 = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);
const put = (v: bigint): void => {
  OUT[0] = Number(BigInt.asIntN(32, v));
  OUT[1] = Number(BigInt.asIntN(32, v >> 32n));
};

/** Unsigned division; by zero gives 0 (the kernel's rule). */
export function udiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) {
    OUT[0] = 0;
    OUT[1] = 0;
  } else if (ahi === 0 && bhi === 0) {
    OUT[0] = ((alo >>> 0) / (blo >>> 0)) | 0;
    OUT[1] = 0;
  } else {
    put(toU64(alo, ahi) / toU64(blo, bhi));
  }
}

/** Unsigned modulo; by zero leaves the dividend (the kernel's rule). */
export function umod64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) {
    OUT[0] = alo;
    OUT[1] = ahi;
  } else if (ahi === 0 && bhi === 0) {
    OUT[0] = (alo >>> 0) % (blo >>> 0) | 0;
    OUT[1] = 0;
  } else {
    put(toU64(alo, ahi) % toU64(blo, bhi));
  }
}

/** Signed division, truncating; by zero gives 0; INT64_MIN / -1 wraps to INT64_MIN. */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) {
    OUT[0] = 0;
    OUT[1] = 0;
  } else if (ahi === alo >> 31 && bhi === blo >> 31 && !(alo === -0x8000_0000 && blo === -1)) {
    const q = Math.trunc(alo / blo);
    OUT[0] = q | 0;
    OUT[1] = q < 0 ? -1 : 0;
  } else {
    put(BigInt.asIntN(64, toS64(alo, ahi) / toS64(blo, bhi)));
  }
}

/** Signed modulo (the sign of the dividend); by zero leaves the dividend; INT64_MIN % -1 is 0. */
export function smod64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (blo === 0 && bhi === 0) {
    OUT[0] = alo;
    OUT[1] = ahi;
  } else if (ahi === alo >> 31 && bhi === blo >> 31) {
    const r = (alo % blo) | 0;
    OUT[0] = r;
    OUT[1] = r >> 31;
  } else {
    put(toS64(alo, ahi) % toS64(blo, bhi));
  }
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}
