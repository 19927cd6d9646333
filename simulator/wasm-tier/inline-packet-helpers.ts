// The skb packet helpers answered inside wasm in their common case, instead of a crossing into JavaScript per
// call (the example policies make about nine bpf_skb_load_bytes per packet): bpf_skb_load_bytes (26),
// bpf_skb_store_bytes (9) and bpf_l3_csum_replace (10) of a 16-bit field, each computing what the runtime's
// fast path (register-helpers.ts, the run's table unrecorded) computes. The writes go through the packet's
// table entry only when it is writable (during a batch the staged frame is read-only until a JavaScript path
// moved it into the packet area, layout.ts; they then take the ordinary call, which moves it).
// bpf_skb_load_bytes copies the bytes from the packet's window into a region memory.check would let the
// program write; the wasm code does so when:
// - the run's table is unrecorded and its context an skb (SKB_PKT: the packet's region id, set by the runtime),
// - the packet's table entry is that region's (during a batch: the frame where it runs, read in place, which
//   is allowed; only writes must move the frame first),
// - 0 < len and offset + len within [data, data_end) (for an skb, data is the window's start: no data_meta),
// - the destination is another region the table holds, writable, with all len bytes inside its window.
// The copy leaves r1..r5 and the stack's low-water mark as the runtime's fast path does (untouched), r0 = 0.
// Everything else (the -EFAULT answer, the packet as the destination, unmirrored regions, a recorded run)
// takes the ordinary helper call, which gives the interpreter's answer or fault.
import { E_BASE, E_END, E_ID, E_START, E_WRITABLE, ENTRY_SIZE, TABLE, TABLE_ENTRIES } from './layout.ts';
import { CodeWriter, OP, VOID } from './wasm-module.ts';
import { emitCopy } from './wasm-copy.ts';
import type { HelperEnv } from '../helpers/index.ts';

/**
 * SKB_PKT (i32): the packet's region id while a run's helper table is unrecorded and its context an skb,
 * else 0. 0x2b0 follows M_LEAN/M_CPU's reserved 0x2a0..0x2b0 (layout.ts); nothing else uses it.
 */
export const SKB_PKT = 0x2b0;

/** What SKB_PKT holds for a run whose lean environment is `env` (undefined: its calls are recorded). */
export function skbPacketId(env: HelperEnv | undefined): number {
  if (env === undefined || env.contextKind !== 'skb' || env.packet === undefined) return 0;
  const p = env.packet;
  // the wasm code takes data as the window's start: true of every skb (no data_meta), checked all the same
  return p.meta === p.data ? p.region.id : 0;
}

/** i32.store16 (not in wasm-module.ts's OP) */
const I32_STORE16 = 0x3b;

/** The bulk-memory memory.copy on memory 0 (prefix 0xfc, 10, then the two memory indices). */
const MEMORY_COPY = [0xfc, 10, 0, 0] as const;
const MASK = TABLE_ENTRIES - 1;
const ENTRY_SHIFT = Math.log2(ENTRY_SIZE);
const BASE = 0x8000_0000 | 0;

/** Five i32 scratch locals of the calling function, dead across the helper call. */
export interface PacketLocals {
  readonly h: number;
  readonly e: number;
  readonly n: number;
  readonly t: number;
  readonly o: number;
}

function low(c: CodeWriter, r: number): CodeWriter {
  return c.get(r).op(OP.i32WrapI64);
}

/** the table entry's address (less TABLE) of the region id on the stack, which is kept in local `id` */
function entryOf(c: CodeWriter, id: number, into: number): CodeWriter {
  return c.tee(id).i32(MASK).op(OP.i32And).i32(ENTRY_SHIFT).op(OP.i32Shl).tee(into);
}

/** Pushes the high half of register `r` (a pointer's region id). */
function highHalf(c: CodeWriter, r: number): CodeWriter {
  return c.get(r).byte(OP.i64Const).s32(32).op(OP.i64ShrU).op(OP.i32WrapI64);
}

/** Pushes the linear address of packet byte r2 (the offset): the entry's base plus the window's start. */
function packetAt(c: CodeWriter, l: PacketLocals): CodeWriter {
  c.get(l.e).mem(OP.i32Load, TABLE + E_BASE).get(l.e);
  c.mem(OP.i32Load, TABLE + E_START).op(OP.i32Add);
  return low(c, 2).op(OP.i32Add);
}

/**
 * Branches to the slow path unless r3's l.n bytes lie inside the window of the region whose entry is at l.o;
 * leaves r3's offset in that region in l.t.
 */
function outsideRegion(c: CodeWriter, l: PacketLocals, slow: () => void): void {
  low(c, 3).i32(BASE).op(OP.i32Xor).tee(l.t).get(l.o);
  c.mem(OP.i32Load, TABLE + E_START).op(OP.i32LtS);
  slow();
  c.get(l.t).get(l.o);
  c.mem(OP.i32Load, TABLE + E_END).get(l.n).op(OP.i32Sub).op(OP.i32GtS);
  slow();
}

/**
 * Opens the two blocks of a helper call (the fast path, then the slow one) and branches to the slow path
 * unless the run's skb packet is in the table (and its entry is `writable`, when asked); returns that branch.
 */
function openPacketPath(c: CodeWriter, l: PacketLocals, writable: boolean): () => void {
  c.op(OP.block).byte(VOID);
  c.op(OP.block).byte(VOID);
  const slow = (): void => void c.op(OP.brIf).u32(0);
  packetEntry(c, l);
  slow();
  if (writable) {
    c.get(l.e).mem(OP.i32Load, TABLE + E_WRITABLE).op(OP.i32Eqz);
    slow();
  }
  return slow;
}

/** Pushes whether the run has no skb packet in the table (SKB_PKT 0, or its entry holds another id); sets l.h, l.e. */
function packetEntry(c: CodeWriter, l: PacketLocals): void {
  entryOf(c.i32(0).mem(OP.i32Load, SKB_PKT), l.h, l.e);
  c.mem(OP.i32Load, TABLE + E_ID).get(l.h).op(OP.i32Ne).get(l.h).op(OP.i32Eqz).op(OP.i32Or);
}

/** Pushes whether r2 (the offset) + l.n bytes end past the packet's window (in i64: neither can wrap). */
function pastWindow(c: CodeWriter, l: PacketLocals): void {
  low(c, 2).op(OP.i64ExtendI32U).get(l.n).op(OP.i64ExtendI32U).op(OP.i64Add);
  c.get(l.e).mem(OP.i32Load, TABLE + E_END).get(l.e);
  c.mem(OP.i32Load, TABLE + E_START).op(OP.i32Sub).op(OP.i64ExtendI32S).op(OP.i64GtS);
}

/** The fast path's end (memory.copy of the three operands pushed, r0 = 0, out of both blocks), then the slow path's `call()`. */
function copyThenEnd(c: CodeWriter, call: () => void): void {
  for (const b of MEMORY_COPY) c.byte(b);
  endFastPath(c, call);
}

/** The fast path's end (r0 = 0, out of both blocks), then the slow path's `call()`. */
function endFastPath(c: CodeWriter, call: () => void): void {
  c.byte(OP.i64Const).s32(0).set(0);
  c.op(OP.br).u32(1);
  c.op(OP.end);
  call();
  c.op(OP.end);
}

/**
 * Emit a call of bpf_skb_load_bytes(r1 skb, r2 offset, r3 to, r4 len) on the registers (locals 0..5): the
 * copy inside wasm when its case is the common one (see above), else `call()` (the translator's helper call).
 */
export function emitSkbLoadBytes(c: CodeWriter, l: PacketLocals, call: () => void): void {
  // the packet: an skb's, unrecorded, its table entry present
  const slow = openPacketPath(c, l, false);
  // len > 0, offset + len <= data_end - data (in i64: neither can wrap)
  low(c, 4).tee(l.n).op(OP.i32Eqz);
  slow();
  pastWindow(c, l);
  slow();
  // the destination: another region of the table, writable, len bytes inside its window (len is small now)
  highHalf(c, 3);
  entryOf(c, l.t, l.o);
  c.mem(OP.i32Load, TABLE + E_ID).get(l.t).op(OP.i32Ne).get(l.t).get(l.h).op(OP.i32Eq).op(OP.i32Or);
  slow();
  c.get(l.o).mem(OP.i32Load, TABLE + E_WRITABLE).op(OP.i32Eqz);
  slow();
  outsideRegion(c, l, slow);
  // copy len bytes from data + offset to `to` (another region: no overlap); r0 = 0
  c.get(l.o).mem(OP.i32Load, TABLE + E_BASE).get(l.t).op(OP.i32Add).set(l.o);
  packetAt(c, l).set(l.e);
  emitCopy(c, l.o, l.e, l.n);
  endFastPath(c, call);
}

/**
 * Emit a call of bpf_skb_store_bytes(r1 skb, r2 offset, r3 from, r4 len, r5 flags): the copy inside wasm when
 * the packet's table entry is writable (during a batch only once the frame was moved into the packet area:
 * the staged bytes are never written, layout.ts), flags <= 3 (BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH,
 * which the simulator's answer checks and otherwise ignores), 0 < len, offset <= 0xffff and offset + len
 * within the window, and the source len bytes inside the window of a region the table holds (the packet
 * itself too: memory.copy moves as copyWithin does). Else `call()`, which answers -EINVAL, -EFAULT or faults.
 */
export function emitSkbStoreBytes(c: CodeWriter, l: PacketLocals, call: () => void): void {
  const slow = openPacketPath(c, l, true);
  c.get(5).byte(OP.i64Const).s32(3).op(OP.i64GtU);
  slow();
  low(c, 4).tee(l.n).op(OP.i32Eqz);
  slow();
  low(c, 2).i32(0xffff).op(OP.i32GtU);
  slow();
  pastWindow(c, l);
  slow();
  // the source: len bytes inside the window of a region of the table
  highHalf(c, 3);
  entryOf(c, l.t, l.o);
  c.mem(OP.i32Load, TABLE + E_ID).get(l.t).op(OP.i32Ne).get(l.t).op(OP.i32Eqz).op(OP.i32Or);
  slow();
  outsideRegion(c, l, slow);
  // memory.copy(data + offset, from, len); r0 = 0
  packetAt(c, l);
  c.get(l.o).mem(OP.i32Load, TABLE + E_BASE).get(l.t).op(OP.i32Add);
  c.get(l.n);
  copyThenEnd(c, call);
}

/**
 * Emit a call of bpf_l3_csum_replace(r1 skb, r2 offset, r3 from, r4 to, r5 flags) for flags = 2 (a 16-bit
 * field changed: csum_replace2, RFC 1624 eqn. 3, as kernel-csum.ts computes it on the little-endian load of
 * the field, which register-helpers.ts does too) when the packet's table entry is writable, from's high half
 * is 0, and the offset is even, <= 0xffff, with its 2 bytes in the window. Else `call()`.
 */
export function emitL3CsumReplace(c: CodeWriter, l: PacketLocals, call: () => void): void {
  const slow = openPacketPath(c, l, true);
  c.get(5).byte(OP.i64Const).s32(2).op(OP.i64Ne);
  slow();
  highHalf(c, 3);
  slow();
  low(c, 2).i32(0xffff).op(OP.i32GtU);
  slow();
  low(c, 2).i32(1).op(OP.i32And);
  slow();
  low(c, 2).op(OP.i64ExtendI32U).byte(OP.i64Const).s32(2).op(OP.i64Add);
  c.get(l.e).mem(OP.i32Load, TABLE + E_END).get(l.e);
  c.mem(OP.i32Load, TABLE + E_START).op(OP.i32Sub).op(OP.i64ExtendI32S).op(OP.i64GtS);
  slow();
  // the field's address in o; n = ~field, t = ~from (16 bits each)
  packetAt(c, l).tee(l.o);
  c.mem(OP.i32Load16U, 0).i32(0xffff).op(OP.i32Xor).set(l.n);
  low(c, 3).i32(0xffff).op(OP.i32And).i32(0xffff).op(OP.i32Xor).set(l.t);
  // csum16Add(n, t): r = (n + t) & 0xffff, plus 1 when it wrapped (r < t); then csum16Add(r, to & 0xffff)
  const add16 = (): void => {
    c.get(l.n).get(l.t).op(OP.i32Add).i32(0xffff).op(OP.i32And).tee(l.n);
    c.get(l.n).get(l.t).op(OP.i32LtU).op(OP.i32Add).set(l.n);
  };
  add16();
  low(c, 4).i32(0xffff).op(OP.i32And).set(l.t);
  add16();
  c.get(l.o).get(l.n).i32(0xffff).op(OP.i32Xor).mem(I32_STORE16, 0);
  endFastPath(c, call);
}
