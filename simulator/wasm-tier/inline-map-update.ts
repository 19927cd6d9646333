// bpf_map_update_elem answered inside wasm for the common case of a program's per-packet state: a plain hash
// map (HashMap, not LRU, not per-CPU) whose key the wasm code remembers as present (a lookup of it was
// answered and no key of the map came or went since: inline-map-ops.ts), flags BPF_ANY or BPF_EXIST. That is
// HashMap.update on an existing element: the value's bytes replaced, r0 = 0, nothing else changes (the
// element keeps its place; no key came or went, so every remembered answer stays good). Anything else (a new
// key, BPF_NOEXIST, other maps, a value that is not where the table says, overlapping bytes) takes the
// ordinary helper call, which makes every other answer and every fault.
import { D_KIND, D_KIND_HASH, D_UPDATABLE, D_VALUE_SIZE, MAPS } from './layout.ts';
import { emitDescriptor } from './map-descriptor.ts';
import { emitRegionBytes } from './region-bytes.ts';
import { emitCopy } from './wasm-copy.ts';
import { OP, VOID, type CodeWriter } from './wasm-module.ts';

/** What mapLookup() answers for a key it cannot answer itself, or 0 for an absent one: no value address. */
const NO_VALUE = 1;

/** The calling function's scratch locals (i32 h, p, e, o, n, t; i64 a), dead across the helper call. */
export interface UpdateLocals {
  readonly h: number;
  readonly p: number;
  readonly e: number;
  readonly o: number;
  readonly n: number;
  readonly t: number;
  readonly a: number;
}

/**
 * Emit a call of bpf_map_update_elem (r1 map, r2 key, r3 value, r4 flags): answered here when it can be, else
 * `call()`. `lookup` is mapLookup()'s function index (type (i64, i64) → i64).
 */
export function emitMapUpdate(c: CodeWriter, lookup: number, l: UpdateLocals, call: () => void): void {
  c.op(OP.block).byte(VOID);
  c.op(OP.block).byte(VOID);
  const slow = (): void => void c.op(OP.brIf).u32(0);
  emitDescriptor(c, 1, l, slow);
  // a plain hash map's descriptor; flags 0 or 2 (BPF_ANY, BPF_EXIST)
  c.get(l.p).mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_HASH).op(OP.i32Ne);
  slow();
  c.get(l.p).mem(OP.i32Load, MAPS + D_UPDATABLE).op(OP.i32Eqz);
  slow();
  c.get(4).byte(OP.i64Const).s32(2).op(OP.i64Or).byte(OP.i64Const).s32(2).op(OP.i64Ne);
  slow();
  c.get(l.p).mem(OP.i32Load, MAPS + D_VALUE_SIZE).set(l.n);
  // the key present: mapLookup() gives its value's address (0: absent, NO_VALUE: not remembered)
  c.get(1).get(2).op(OP.call).u32(lookup).tee(l.a).byte(OP.i64Const).s32(NO_VALUE).op(OP.i64LeU);
  slow();
  // the value's bytes (offset 0 of its region) in the table, writable: their linear address in l.t; r3's
  // value bytes in a region the table holds: theirs in l.o
  emitRegionBytes(c, l.a, { local: l.n }, true, l, slow);
  c.get(l.o).set(l.t);
  emitRegionBytes(c, 3, { local: l.n }, false, l, slow);
  // overlapping bytes (a value updated from itself, shifted) are the helper's: a forward copy would smear them
  c.get(l.t).get(l.o).get(l.n).op(OP.i32Add).op(OP.i32LtU);
  c.get(l.o).get(l.t).get(l.n).op(OP.i32Add).op(OP.i32LtU).op(OP.i32And);
  c.get(l.t).get(l.o).op(OP.i32Ne).op(OP.i32And);
  slow();
  emitCopy(c, l.t, l.o, l.n);
  c.byte(OP.i64Const).s32(0).set(0);
  c.op(OP.br).u32(1);
  c.op(OP.end);
  call();
  c.op(OP.end);
}
