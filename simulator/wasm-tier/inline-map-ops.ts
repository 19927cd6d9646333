// bpf_map_lookup_elem answered inside wasm when the run's helper calls go unrecorded (M_LEAN), for the maps
// the runtime described in MAPS (layout.ts):
// - arrays and per-CPU arrays: the value's address from the index, as the runtime's lean lookup computes it
//   (wasm-runtime.ts: the same region, 0 past max_entries);
// - hash maps, LPM tries and maps of maps: the answer the runtime gave last time for the same key, remembered
//   in LOOKUPS, while the map's D_EPOCH is unchanged (it changes whenever a key comes or goes, or an inner map
//   is replaced; an update of an existing element's value keeps every answer). An LRU map's hits are not
//   remembered: each one is a use the map must see (its eviction order); its misses are.
// The key must be in a region the table holds, inside its window. Anything else takes the ordinary helper
// call, which makes every fault and every other answer, and remembers it.
// The array case is also emitted at each call site (no call: a call makes V8 save the caller's live
// registers), the rest is one internal function, mapLookup(). The LOOKUPS index hashes the key's words with a
// rotate and xor each and one multiplication at the end: a short dependency chain (conntrack keys are 40 bytes).
import {
  D_CPU_MASK, D_EPOCH, D_FIRST, D_KEY, D_KIND, D_KIND_ARRAY, D_KIND_HASH, D_KIND_LRU, D_MAX, D_STRIDE,
  L_EPOCH, L_KEYS, L_MAP, L_VALUE, LOOKUP_ENTRIES, LOOKUP_KEY, LOOKUP_SIZE, LOOKUPS, M_CPU, MAPS,
} from './layout.ts';
import { CodeWriter, I32, I64, OP, VOID, type FunctionBody } from './wasm-module.ts';
import { emitDescriptor } from './map-descriptor.ts';
import { emitRegionBytes } from './region-bytes.ts';

/** i32.load8_u (not in wasm-module.ts's OP) */
const I32_LOAD8_U = 0x2d;

/** The locals of mapLookup(): r1 and r2 (its parameters), r0 (i64), six i32 scratch locals (k: the key size). */
const x = { r1: 0, r2: 1, r0: 2, t: 3, h: 4, e: 5, o: 6, p: 7, k: 8 } as const;
type LookupLocals = { readonly [K in keyof typeof x]: number };

/** What mapLookup() returns when the ordinary helper call must answer (never an address nor 0). */
const SLOW = 1;

const GOLDEN = 0x9e37_79b1 | 0;
const LOOKUP_SHIFT = Math.log2(LOOKUP_SIZE);
const LOOKUP_INDEX_SHIFT = 32 - Math.log2(LOOKUP_ENTRIES);

/**
 * The LOOKUPS index of the `size`-byte key at `at` of `u8` in map `h` (its handle's region id): the hash the
 * wasm code computes (4-byte little-endian words, then the bytes left).
 */
export function lookupIndex(u8: Uint8Array, at: number, size: number, h: number): number {
  let hash = Math.imul(h, GOLDEN);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const w = u8[at + i]! | (u8[at + i + 1]! << 8) | (u8[at + i + 2]! << 16) | (u8[at + i + 3]! << 24);
    hash = ((hash << 5) | (hash >>> 27)) ^ w;
  }
  for (; i < size; i++) hash = ((hash << 5) | (hash >>> 27)) ^ u8[at + i]!;
  // the top bits: the multiplication mixes every bit of the key into them (the low ones miss the high bytes)
  return Math.imul(hash, GOLDEN) >>> LOOKUP_INDEX_SHIFT;
}

/** local `r0` = the address of offset 0 of the region whose id is on the stack (an i32) */
function regionAddress(c: CodeWriter, r0: number = x.r0): void {
  c.op(OP.i64ExtendI32U).byte(OP.i64Const).s32(32).op(OP.i64Shl);
  c.byte(OP.i64Const).s64(0x8000_0000).op(OP.i64Or).set(r0);
}

/** Six i32 scratch locals of the calling function, dead across the helper call. */
export interface ArrayLocals {
  readonly t: number;
  readonly h: number;
  readonly e: number;
  readonly o: number;
  readonly p: number;
  readonly k: number;
}

/**
 * Emit a call of bpf_map_lookup_elem: mapLookup() (internal function `fn`) on r1 and r2 (locals 1 and 2),
 * its answer into r0 (local 0), or, when it answers SLOW, `call()` (the translator's helper call sequence).
 * `scratch` is an i64 local dead across the call. The inline paths leave r1..r5 as the runtime's lean
 * lookup does (untouched). With `l`, an array's lookup is answered in place, without the call (the kernel's
 * verifier inlines array lookups too; programs make them per packet): what mapLookup() would answer.
 */
export function emitMapLookup(c: CodeWriter, fn: number, scratch: number, call: () => void, l?: ArrayLocals): void {
  if (l !== undefined) {
    const y: LookupLocals = { r1: 1, r2: 2, r0: 0, ...l };
    c.op(OP.block).byte(VOID);
    c.op(OP.block).byte(VOID);
    emitDescriptor(c, y.r1, y, () => void c.op(OP.brIf).u32(0));
    c.get(y.p);
    c.mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_ARRAY).op(OP.i32Eq);
    c.op(OP.if).byte(VOID);
    array(c, y);
    c.op(OP.br).u32(2);
    c.op(OP.end);
    c.op(OP.end);
  }
  c.get(1).get(2).op(OP.call).u32(fn).tee(scratch).byte(OP.i64Const).s32(SLOW).op(OP.i64Ne);
  c.op(OP.if).byte(VOID).get(scratch).set(0).op(OP.else);
  call();
  c.op(OP.end);
  if (l !== undefined) c.op(OP.end);
}

/** mapLookup(r1, r2) → r0 as the runtime's lean lookup gives it, or SLOW (type (i64, i64) → i64). */
export function mapLookupBody(type: number): FunctionBody {
  const c = new CodeWriter();
  c.op(OP.block).byte(VOID);
  const slow = (depth: number): void => void c.op(OP.brIf).u32(depth);
  // unrecorded calls, r1 the start of a region, a descriptor for it
  emitDescriptor(c, x.r1, x, () => slow(0));
  c.get(x.p);
  c.mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_ARRAY).op(OP.i32Eq);
  c.op(OP.if).byte(VOID);
  array(c, x);
  c.get(x.r0).op(OP.return);
  c.op(OP.end);
  // D_KIND_HASH or D_KIND_LRU (a prog array's or a queue's descriptor has no remembered lookups)
  c.get(x.p);
  c.mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_HASH).op(OP.i32Sub).i32(D_KIND_LRU - D_KIND_HASH).op(OP.i32GtU);
  slow(0);
  remembered(c, x);
  c.get(x.r0).op(OP.return);
  c.op(OP.end);
  c.byte(OP.i64Const).s32(SLOW).op(OP.end);
  return { type, locals: [[1, I64], [6, I32]], code: c };
}

/** The linear address of the key (x.k bytes, or `size`) at r2 into x.o, or leave for slow (`depth`). */
function keyAddress(c: CodeWriter, x: LookupLocals, depth: number, size: number | undefined): void {
  emitRegionBytes(c, x.r2, size ?? { local: x.k }, false, { h: x.t, e: x.e, o: x.o }, () => void c.op(OP.brIf).u32(depth));
}

/** An array's lookup (inside the `if` of mapLookupBody: slow is 1 out). */
function array(c: CodeWriter, x: LookupLocals): void {
  // the CPU's copy exists (a per-CPU map: the run's CPU below the map's CPUs)
  c.i32(0).mem(OP.i32Load, M_CPU).get(x.p);
  c.mem(OP.i32Load, MAPS + D_CPU_MASK).op(OP.i32And).get(x.p);
  c.mem(OP.i32Load, MAPS + D_STRIDE).op(OP.i32GeU);
  c.op(OP.brIf).u32(1);
  keyAddress(c, x, 1, 4);
  c.get(x.o).mem(OP.i32Load, 0).tee(x.o).get(x.p);
  c.mem(OP.i32Load, MAPS + D_MAX).op(OP.i32GeU);
  c.op(OP.if).byte(VOID);
  c.byte(OP.i64Const).s32(0).set(x.r0);
  c.op(OP.else);
  // value region D_FIRST + index * D_STRIDE + cpu
  c.get(x.p);
  c.mem(OP.i32Load, MAPS + D_FIRST).get(x.o).get(x.p);
  c.mem(OP.i32Load, MAPS + D_STRIDE).op(OP.i32Mul).op(OP.i32Add);
  c.i32(0).mem(OP.i32Load, M_CPU).get(x.p);
  c.mem(OP.i32Load, MAPS + D_CPU_MASK).op(OP.i32And).op(OP.i32Add);
  regionAddress(c, x.r0);
  c.op(OP.end);
}

/** A hash or LPM map's remembered answer (slow is 0 out). */
function remembered(c: CodeWriter, x: LookupLocals): void {
  c.get(x.p).mem(OP.i32Load, MAPS + D_KEY).tee(x.k);
  c.i32(LOOKUP_KEY).op(OP.i32GtU);
  c.op(OP.brIf).u32(0);
  keyAddress(c, x, 0, undefined);
  /** while t + `step` <= k (or t < k for a step of 1): body; t += step */
  const loop = (step: number, body: () => void): void => {
    c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
    if (step === 1) c.get(x.t).get(x.k).op(OP.i32GeU);
    else c.get(x.t).i32(step).op(OP.i32Add).get(x.k).op(OP.i32GtU);
    c.op(OP.brIf).u32(1);
    body();
    c.get(x.t).i32(step).op(OP.i32Add).set(x.t).op(OP.br).u32(0);
    c.op(OP.end).op(OP.end);
  };
  // the hash (lookupIndex) in x.e
  c.get(x.h).i32(GOLDEN).op(OP.i32Mul).set(x.e);
  c.i32(0).set(x.t);
  const mix = (op: number): void => {
    c.get(x.e).i32(5).op(OP.i32Rotl).get(x.o).get(x.t).op(OP.i32Add);
    c.mem(op, 0).op(OP.i32Xor).set(x.e);
  };
  loop(4, () => mix(OP.i32Load));
  loop(1, () => mix(I32_LOAD8_U));
  // the entry: the same map and epoch
  c.get(x.e).i32(GOLDEN).op(OP.i32Mul).i32(LOOKUP_INDEX_SHIFT).op(OP.i32ShrU).i32(LOOKUP_SHIFT).op(OP.i32Shl).tee(x.e);
  c.mem(OP.i32Load, LOOKUPS + L_MAP).get(x.h).op(OP.i32Ne);
  c.op(OP.brIf).u32(0);
  c.get(x.e);
  c.mem(OP.i32Load, LOOKUPS + L_EPOCH).get(x.p);
  c.mem(OP.i32Load, MAPS + D_EPOCH).op(OP.i32Ne);
  c.op(OP.brIf).u32(0);
  // the same key, 8 bytes at a time, then 4, then single bytes (inside block + loop: slow is 2 out)
  c.i32(0).set(x.t);
  const differs = (op: number, ne: number): void => {
    c.get(x.o).get(x.t).op(OP.i32Add);
    c.mem(op, 0).get(x.e).get(x.t).op(OP.i32Add);
    c.mem(op, LOOKUPS + L_KEYS).op(ne).op(OP.brIf).u32(2);
  };
  loop(8, () => differs(OP.i64Load, OP.i64Ne));
  loop(4, () => differs(OP.i32Load, OP.i32Ne));
  loop(1, () => differs(I32_LOAD8_U, OP.i32Ne));
  c.get(x.e);
  c.mem(OP.i32Load, LOOKUPS + L_VALUE).tee(x.t);
  c.op(OP.if).byte(VOID);
  c.get(x.t);
  regionAddress(c);
  c.op(OP.else);
  c.byte(OP.i64Const).s32(0).set(x.r0);
  c.op(OP.end);
}
