// bpf_map_push_elem (87), bpf_map_pop_elem (88) and bpf_map_peek_elem (89) answered inside wasm for a queue or
// stack map whose ring the runtime moved into linear memory and described in MAPS (lean-map-helpers.ts
// describeRing; layout.ts D_KIND_QUEUE/D_KIND_STACK): the ring's head and count, then max_entries slots of
// valueSize bytes, as maps/queue-stack-map.ts keeps them. sim_queue makes one such call per packet.
import { RING_HEADER } from '../maps/index.ts';
import * as layout from './layout.ts';
import { CodeWriter, OP, VOID } from './wasm-module.ts';
import { emitCopy, emitZero } from './wasm-copy.ts';
import { emitDescriptor } from './map-descriptor.ts';
import { emitRegionBytes } from './region-bytes.ts';

const { D_FIRST, D_KIND, D_KIND_QUEUE, D_KIND_STACK, D_MAX, D_STRIDE, MAPS } = layout;
const EINVAL = 22;
const E2BIG = 7;
const ENOENT = 2;

/** Six i32 scratch locals of the calling function, dead across the helper call. */
export interface QueueLocals {
  readonly h: number;
  readonly p: number;
  readonly e: number;
  readonly o: number;
  readonly n: number;
  readonly t: number;
}

/** r0 (local 0) = `v`, then out of the two blocks (`depth` is the slow block's depth from here) */
function answer(c: CodeWriter, v: number, depth: number): void {
  c.byte(OP.i64Const).s32(v).set(0).op(OP.br).u32(depth + 1);
}

/**
 * Emit bpf_map_push_elem (87), bpf_map_pop_elem (88) or bpf_map_peek_elem (89) on a queue or stack map whose
 * ring the runtime described in MAPS, as QueueStackMap.pushFrom / takeInto compute them, or `call()` (the
 * translator's helper call sequence). The wasm code answers when the run's calls go unrecorded (M_LEAN), r1
 * is such a map's handle, and r2's valueSize bytes are inside the window of a region the table holds
 * (writable for pop and peek: during a batch a staged frame is not, and takes the call); r1..r5 untouched.
 */
export function emitQueueOp(c: CodeWriter, id: 87 | 88 | 89, l: QueueLocals, call: () => void): void {
  c.op(OP.block).byte(VOID);
  c.op(OP.block).byte(VOID);
  const slow = (): void => void c.op(OP.brIf).u32(0);
  // r1: a described queue or stack map (l.p its descriptor, less MAPS)
  emitDescriptor(c, 1, l, slow);
  c.get(l.p).mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_QUEUE).op(OP.i32Sub).i32(1).op(OP.i32GtU);
  slow();
  // r2: n = valueSize bytes inside a table region's window; l.o their linear address
  c.get(l.p).mem(OP.i32Load, MAPS + D_STRIDE).set(l.n);
  emitRegionBytes(c, 2, { local: l.n }, id !== 87, l, slow);
  // the ring (l.e): head at +0 (l.h), count at +4 (l.t)
  c.get(l.p).mem(OP.i32Load, MAPS + D_FIRST).tee(l.e);
  c.mem(OP.i32Load, 0).set(l.h);
  c.get(l.e).mem(OP.i32Load, 4).set(l.t);
  if (id === 87) push(c, l);
  else take(c, l, id === 88);
  c.op(OP.end);
  call();
  c.op(OP.end);
}

/**
 * Pushes the linear address of the ring slot whose index (< 2 × max_entries) is on the stack; l.h becomes
 * that index (the head is in the ring's header by then, where it changed).
 */
function slotAddress(c: CodeWriter, l: QueueLocals): void {
  c.tee(l.h);
  c.get(l.h).get(l.p);
  c.mem(OP.i32Load, MAPS + D_MAX).op(OP.i32Sub);
  c.get(l.h).get(l.p);
  c.mem(OP.i32Load, MAPS + D_MAX).op(OP.i32LtU).op(OP.select);
  c.get(l.n).op(OP.i32Mul).get(l.e).op(OP.i32Add).i32(RING_HEADER).op(OP.i32Add);
}

/** push (inside the slow block): flags r3 must be 0 or BPF_EXIST (2); full: -E2BIG, or with BPF_EXIST the oldest goes. */
function push(c: CodeWriter, l: QueueLocals): void {
  c.get(3).byte(OP.i64Const).s32(2).op(OP.i64Or).byte(OP.i64Const).s32(2).op(OP.i64Ne);
  c.op(OP.if).byte(VOID);
  answer(c, -EINVAL, 1);
  c.op(OP.end);
  c.get(l.t).get(l.p);
  c.mem(OP.i32Load, MAPS + D_MAX).op(OP.i32GeU);
  c.op(OP.if).byte(VOID);
  c.get(3).op(OP.i64Eqz);
  c.op(OP.if).byte(VOID);
  answer(c, -E2BIG, 2);
  c.op(OP.end);
  // head + 1 (wrapping), count - 1
  c.get(l.h).i32(1).op(OP.i32Add).tee(l.h).get(l.p);
  c.mem(OP.i32Load, MAPS + D_MAX).op(OP.i32Eq);
  c.op(OP.if).byte(VOID).i32(0).set(l.h).op(OP.end);
  c.get(l.t).i32(1).op(OP.i32Sub).set(l.t);
  c.get(l.e).get(l.h);
  c.mem(OP.i32Store, 0);
  c.op(OP.end);
  // the value into slot head + count, count + 1
  c.get(l.e).get(l.t).i32(1).op(OP.i32Add);
  c.mem(OP.i32Store, 4);
  c.get(l.h).get(l.t).op(OP.i32Add);
  slotAddress(c, l);
  c.set(l.h);
  emitCopy(c, l.h, l.o, l.n);
  answer(c, 0, 0);
}

/** pop (`remove`) or peek (inside the slow block): empty: the value zeroed, -ENOENT. */
function take(c: CodeWriter, l: QueueLocals, remove: boolean): void {
  c.get(l.t).op(OP.i32Eqz);
  c.op(OP.if).byte(VOID);
  emitZero(c, l.o, l.n);
  answer(c, -ENOENT, 1);
  c.op(OP.end);
  if (remove) {
    // a queue's head moves on (wrapping); both lose one value (l.h and l.t keep the old head and count)
    c.get(l.p);
    c.mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_QUEUE).op(OP.i32Eq);
    c.op(OP.if).byte(VOID);
    c.get(l.e);
    c.get(l.h).i32(1).op(OP.i32Add).i32(0).get(l.h).i32(1).op(OP.i32Add).get(l.p);
    c.mem(OP.i32Load, MAPS + D_MAX).op(OP.i32Ne).op(OP.select);
    c.mem(OP.i32Store, 0);
    c.op(OP.end);
    c.get(l.e).get(l.t).i32(1).op(OP.i32Sub);
    c.mem(OP.i32Store, 4);
  }
  // the slot: the newest (head + count - 1) for a stack, the oldest (head) for a queue
  c.get(l.h).get(l.t).op(OP.i32Add).i32(1).op(OP.i32Sub).get(l.h);
  c.get(l.p);
  c.mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_STACK).op(OP.i32Eq).op(OP.select);
  slotAddress(c, l);
  c.set(l.h);
  emitCopy(c, l.o, l.h, l.n);
  answer(c, 0, 0);
}
