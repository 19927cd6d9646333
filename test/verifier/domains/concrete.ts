// Concrete semantics and random value sets for the soundness tests of the scalar domains.
import {
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  U32_MAX,
  U64_MAX,
  tnumConst,
  tnumUnion,
  type ScalarAluOp,
  type ScalarState,
} from '../../../verifier/domains/index.ts';
import type { JumpOp } from '../../../bpf/index.ts';

const M64 = U64_MAX;
const M32 = 0xffff_ffffn;

/** The tightest state holding exactly the information "the value is one of `values`" (u64s). */
export function scalarOfSet(values: readonly bigint[]): ScalarState {
  if (values.length === 0) throw new RangeError('scalarOfSet: empty set');
  let varOff = tnumConst(values[0]!);
  let smin = S64_MAX;
  let smax = S64_MIN;
  let umin = M64;
  let umax = 0n;
  let s32min = S32_MAX;
  let s32max = S32_MIN;
  let u32min = U32_MAX;
  let u32max = 0;
  for (const raw of values) {
    const v = raw & M64;
    varOff = tnumUnion(varOff, tnumConst(v));
    const s = BigInt.asIntN(64, v);
    if (s < smin) smin = s;
    if (s > smax) smax = s;
    if (v < umin) umin = v;
    if (v > umax) umax = v;
    const lo = Number(v & M32);
    if ((lo | 0) < s32min) s32min = lo | 0;
    if ((lo | 0) > s32max) s32max = lo | 0;
    if (lo < u32min) u32min = lo;
    if (lo > u32max) u32max = lo;
  }
  return { varOff, smin, smax, umin, umax, s32min, s32max, u32min, u32max, id: 0, addConst: false, off: 0, precise: false };
}

export type Rng = () => number;

/** A random 64-bit value biased toward the edges the bounds logic cares about. */
export function interesting(rng: Rng): bigint {
  const r = rng();
  const small = BigInt(Math.floor(rng() * 300)) - 150n;
  const big = (BigInt(Math.floor(rng() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng() * 2 ** 32));
  if (r < 0.25) return small & M64;
  if (r < 0.4) return (BigInt(Math.floor(rng() * 2 ** 32)) + small) & M64;
  if (r < 0.5) return (0x8000_0000n + small) & M64;
  if (r < 0.6) return (0x8000_0000_0000_0000n + small) & M64;
  if (r < 0.7) return ((0xffff_ffffn << 32n) | BigInt(Math.floor(rng() * 2 ** 32))) & M64;
  if (r < 0.8) return (1n << BigInt(Math.floor(rng() * 64))) & M64;
  return big;
}

/**
 * A random small set: a few values clustered around one or two centres (so ranges are narrow and the
 * bounds logic has something to do), sometimes masked to a bit pattern.
 */
export function randomSet(rng: Rng, maxSize = 6): bigint[] {
  const n = 1 + Math.floor(rng() * maxSize);
  const centre = interesting(rng);
  const other = interesting(rng);
  const spread = BigInt(1 + Math.floor(rng() * (rng() < 0.5 ? 16 : 5000)));
  const mask = rng() < 0.3 ? interesting(rng) | 0xffn : M64;
  const out = new Set<bigint>();
  for (let i = 0; i < n; i++) {
    const base = rng() < 0.8 ? centre : other;
    const d = BigInt(Math.floor(rng() * Number(spread))) - spread / 2n;
    out.add((base + d) & mask & M64);
  }
  return [...out];
}

const sext32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const swab = (x: bigint, bytes: number): bigint => {
  let r = 0n;
  for (let i = 0; i < bytes; i++) r = (r << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return r;
};

/** The BPF instruction's result (RFC 9669), u64; 32-bit ops zero-extend. */
export function concreteAlu(
  op: ScalarAluOp,
  alu32: boolean,
  a: bigint,
  b: bigint,
  end?: { readonly order: 'le' | 'be' | 'swap'; readonly bits: 16 | 32 | 64 },
): bigint {
  if (op === 'end') {
    const e = end!;
    const m = (1n << BigInt(e.bits)) - 1n;
    if (e.order === 'le') return e.bits === 64 ? a : a & m; // little-endian host: truncation only
    return swab(a & m, e.bits / 8);
  }
  if (alu32) {
    const x = a & M32;
    const y = b & M32;
    let r: bigint;
    switch (op) {
      case 'add': r = x + y; break;
      case 'sub': r = x - y; break;
      case 'mul': r = x * y; break;
      case 'div': r = y === 0n ? 0n : x / y; break;
      case 'sdiv': r = y === 0n ? 0n : sext32(x) === -0x8000_0000n && sext32(y) === -1n ? x : sext32(x) / sext32(y); break;
      case 'mod': r = y === 0n ? x : x % y; break;
      case 'smod': r = y === 0n ? x : sext32(y) === -1n ? 0n : sext32(x) % sext32(y); break;
      case 'or': r = x | y; break;
      case 'and': r = x & y; break;
      case 'xor': r = x ^ y; break;
      case 'lsh': r = x << (y & 31n); break;
      case 'rsh': r = x >> (y & 31n); break;
      case 'arsh': r = sext32(x) >> (y & 31n); break;
      case 'neg': r = -x; break;
    }
    return r & M32;
  }
  const sa = BigInt.asIntN(64, a);
  const sb = BigInt.asIntN(64, b);
  let r: bigint;
  switch (op) {
    case 'add': r = a + b; break;
    case 'sub': r = a - b; break;
    case 'mul': r = a * b; break;
    case 'div': r = b === 0n ? 0n : a / b; break;
    case 'sdiv': r = b === 0n ? 0n : sa === S64_MIN && sb === -1n ? a : sa / sb; break;
    case 'mod': r = b === 0n ? a : a % b; break;
    case 'smod': r = b === 0n ? a : sb === -1n ? 0n : sa % sb; break;
    case 'or': r = a | b; break;
    case 'and': r = a & b; break;
    case 'xor': r = a ^ b; break;
    case 'lsh': r = a << (b & 63n); break;
    case 'rsh': r = a >> (b & 63n); break;
    case 'arsh': r = sa >> (b & 63n); break;
    case 'neg': r = -a; break;
  }
  return r & M64;
}

/** Whether `a OP b` holds (on the low 32 bits when `jmp32`). */
export function concreteCond(op: JumpOp | 'jset-not', jmp32: boolean, a: bigint, b: bigint): boolean {
  const x = jmp32 ? a & M32 : a & M64;
  const y = jmp32 ? b & M32 : b & M64;
  const sx = jmp32 ? BigInt.asIntN(32, x) : BigInt.asIntN(64, x);
  const sy = jmp32 ? BigInt.asIntN(32, y) : BigInt.asIntN(64, y);
  switch (op) {
    case 'jeq': return x === y;
    case 'jne': return x !== y;
    case 'jgt': return x > y;
    case 'jge': return x >= y;
    case 'jlt': return x < y;
    case 'jle': return x <= y;
    case 'jsgt': return sx > sy;
    case 'jsge': return sx >= sy;
    case 'jslt': return sx < sy;
    case 'jsle': return sx <= sy;
    case 'jset': return (x & y) !== 0n;
    case 'jset-not': return (x & y) === 0n;
  }
}
