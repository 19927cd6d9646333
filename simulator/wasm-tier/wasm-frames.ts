// Call frames inside wasm: a BPF-to-BPF call (and a bpf_loop callback) enters its frame and leaves it without
// JavaScript, as RunState.localCall / enterStack / leaveStack do it, from what linear memory holds (layout.ts:
// FRAMES): the depth, and per depth the table entry of that depth's stack region.
//
//   enter  depth + 1 < maxFrames, the callee's stack mirrored: its window starts where the frames below left
//          of the limit (each frame's use from its lowest offset, rounded up to 16), its low water mark reset;
//          r10 = the end of that stack. Anything else (the depth limit: the fault; a stack not made or not
//          mirrored yet) goes to the runtime's enter(), which runs RunState.localCall.
//   leave  the callee's stack zeroed from its lowest offset (RunState.leaveStack), the depth one less.
//
// While wasm runs, linear memory is the truth: before JavaScript reads RunState (every slow import), the
// runtime calls framesToState(); after JavaScript changed it, framesFromState().
import { REGION_BASE } from '../vm/index.ts';
import type { RunState } from '../vm/run-state.ts';
import { AccessFault, ExitSignal, LoopFault } from '../vm/run-signals.ts';
import * as layout from './layout.ts';
import { CodeWriter, I32, OP, VOID, type FunctionBody } from './wasm-module.ts';

const { E_BASE, E_ID, E_LOW, E_START, F_CALLBACKS, F_CB_LEFT, F_CB_SLOT, F_DEPTH, F_ENTRY, F_ID, F_LOOP, F_MAX, F_SIZE, FRAME_SLOTS, TABLE, TABLE_ENTRIES } = layout;

/** RunState's depth and the windows and low water marks of the stacks above frame 0: linear memory → RunState. */
export function framesToState(i32: Int32Array, st: RunState): void {
  st.depth = i32[F_DEPTH >> 2]!;
  const stacks = st.stacks;
  for (let k = 1; k < FRAME_SLOTS; k++) {
    const e = i32[(F_ENTRY >> 2) + k]!;
    if (e === 0) continue;
    const r = stacks[k];
    if (r === undefined || i32[(e + E_ID) >> 2] !== r.id) continue;
    r.start = i32[(e + E_START) >> 2]!;
    r.lowWater = i32[(e + E_LOW) >> 2]!;
  }
}

/**
 * RunState's depth → linear memory, and the stacks the wasm code may enter: those mirrored (their bytes in
 * `buffer`) whose table entry is theirs (call after the table was written: WasmRuntime.push()).
 */
export function framesFromState(i32: Int32Array, st: RunState, buffer: ArrayBufferLike): void {
  i32[F_DEPTH >> 2] = st.depth;
  const stacks = st.stacks;
  for (let k = 0; k < FRAME_SLOTS; k++) {
    const r = stacks[k];
    let e = 0;
    if (r !== undefined && r.bytes.buffer === buffer) {
      e = TABLE + (r.id & (TABLE_ENTRIES - 1)) * 32;
      if (i32[(e + E_ID) >> 2] !== r.id) e = 0;
    }
    i32[(F_ENTRY >> 2) + k] = e;
    i32[(F_ID >> 2) + k] = r === undefined ? 0 : r.id;
  }
}

/** The frames block at the start of a run (`loop`: bpf_loop's callbacks may run from wasm). */
export function beginFrames(i32: Int32Array, st: RunState, buffer: ArrayBufferLike, loop: boolean): void {
  i32[F_MAX >> 2] = st.maxFrames <= FRAME_SLOTS ? st.maxFrames : 0;
  i32[F_SIZE >> 2] = st.stackSize;
  i32[F_LOOP >> 2] = loop ? 1 : 0;
  i32[F_CALLBACKS >> 2] = 0;
  framesFromState(i32, st, buffer);
}

/**
 * What a run that threw inside a bpf_loop callback run from wasm ends with, as the interpreter ends it: its
 * execute() (the caller's) leaves the call's slot and the budget left at the call in RunState when a loop or
 * memory signal goes through it, and a failed ld_abs in a callback ends the program as a helper's exit.
 * Returns the error to hand on (LdAbsEnd becomes ExitSignal(0)); `e` itself outside callbacks. LdAbsEnd is
 * a parameter: wasm-runtime.ts, which defines it, imports this module.
 */
export function settleThrow(i32: Int32Array, st: RunState, e: unknown, ldAbsEnd: abstract new () => unknown): unknown {
  if (i32[F_CALLBACKS >> 2] === 0) return e;
  i32[F_CALLBACKS >> 2] = 0;
  const left = i32[F_CB_LEFT >> 2]!;
  if (e instanceof LoopFault || e instanceof AccessFault) {
    st.slot = i32[F_CB_SLOT >> 2]!;
    st.left = left;
    return e;
  }
  if (e instanceof ExitSignal) {
    st.left = left;
    return e;
  }
  if (e instanceof ldAbsEnd) {
    st.left = left;
    return new ExitSignal(0n);
  }
  return e;
}

const MEMORY_FILL = [0xfc, 11, 0];

class Code extends CodeWriter {
  load(address: number): this {
    return this.i32(0).mem(OP.i32Load, address);
  }
  loadAt(offset: number): this {
    return this.mem(OP.i32Load, offset);
  }
  storeAt(offset: number): this {
    return this.mem(OP.i32Store, offset);
  }
}

/**
 * enterFrame() → the callee's r10, or 0 when the runtime must enter the frame (the depth limit, a stack not
 * mirrored). Type () → i64.
 */
export function enterFrameBody(type: number): FunctionBody {
  const D = 0;
  const E = 1;
  const I = 2;
  const USED = 3;
  const EI = 4;
  const SIZE = 5;
  const c = new Code();
  const fail = (): void => void c.op(OP.if).byte(VOID).byte(OP.i64Const).s32(0).op(OP.return).op(OP.end);
  c.load(F_DEPTH).tee(D).i32(1).op(OP.i32Add).load(F_MAX).op(OP.i32GeS);
  fail();
  // the callee's stack, its entry still its own
  c.get(D).i32(1).op(OP.i32Add).i32(2).op(OP.i32Shl).tee(I).loadAt(F_ENTRY).tee(E).op(OP.i32Eqz);
  fail();
  c.get(E).loadAt(E_ID).get(I).loadAt(F_ID).op(OP.i32Ne);
  fail();
  c.load(F_SIZE).set(SIZE);
  // what the frames 0..depth use: sum of round_up(size - lowWater, 16)
  c.i32(0).set(USED).i32(0).set(I);
  c.op(OP.loop).byte(VOID);
  c.get(I).i32(2).op(OP.i32Shl).loadAt(F_ENTRY).tee(EI).op(OP.i32Eqz);
  fail();
  c.get(EI).loadAt(E_ID).get(I).i32(2).op(OP.i32Shl).loadAt(F_ID).op(OP.i32Ne);
  fail();
  c.get(USED).get(SIZE).get(EI).loadAt(E_LOW).op(OP.i32Sub).i32(15).op(OP.i32Add).i32(~15).op(OP.i32And).op(OP.i32Add).set(USED);
  c.get(I).i32(1).op(OP.i32Add).tee(I).get(D).op(OP.i32LeS).op(OP.brIf).u32(0);
  c.op(OP.end);
  // window [min(size, used), size), low water = size
  c.get(E).get(USED).get(SIZE).get(USED).get(SIZE).op(OP.i32LtS).op(OP.select).storeAt(E_START);
  c.get(E).get(SIZE).storeAt(E_LOW);
  c.i32(0).get(D).i32(1).op(OP.i32Add).storeAt(F_DEPTH);
  // r10: the region's address of offset `size`
  c.get(E).loadAt(E_ID).op(OP.i64ExtendI32U).byte(OP.i64Const).s32(32).op(OP.i64Shl);
  c.get(SIZE).i32(REGION_BASE | 0).op(OP.i32Add).op(OP.i64ExtendI32U).op(OP.i64Or);
  c.op(OP.end);
  return { type, locals: [[6, I32]], code: c };
}

/** leaveFrame() → 1 when the frame was left, 0 when the runtime must leave it (its stack not mirrored). Type () → i32. */
export function leaveFrameBody(type: number): FunctionBody {
  const D = 0;
  const E = 1;
  const LOW = 2;
  const SIZE = 3;
  const c = new Code();
  // frame 0 is never left; frames past FRAME_SLOTS (a VM allowing that many) are the runtime's
  c.load(F_DEPTH).tee(D).op(OP.i32Eqz).get(D).i32(FRAME_SLOTS).op(OP.i32GeS).op(OP.i32Or);
  c.op(OP.if).byte(VOID).i32(0).op(OP.return).op(OP.end);
  c.get(D).i32(2).op(OP.i32Shl).loadAt(F_ENTRY).tee(E).op(OP.i32Eqz);
  c.op(OP.if).byte(VOID).i32(0).op(OP.return).op(OP.end);
  c.get(E).loadAt(E_ID).get(D).i32(2).op(OP.i32Shl).loadAt(F_ID).op(OP.i32Ne);
  c.op(OP.if).byte(VOID).i32(0).op(OP.return).op(OP.end);
  // zero from the lowest offset reached (never below 0) to the end
  c.get(E).loadAt(E_LOW).tee(LOW).load(F_SIZE).tee(SIZE).op(OP.i32LtS);
  c.op(OP.if).byte(VOID);
  c.get(LOW).i32(0).get(LOW).i32(0).op(OP.i32GtS).op(OP.select).set(LOW);
  c.get(E).loadAt(E_BASE).get(LOW).op(OP.i32Add).i32(0).get(SIZE).get(LOW).op(OP.i32Sub).bytes(MEMORY_FILL);
  c.get(E).get(SIZE).storeAt(E_LOW);
  c.op(OP.end);
  c.i32(0).get(D).i32(1).op(OP.i32Sub).storeAt(F_DEPTH);
  c.i32(1).op(OP.end);
  return { type, locals: [[4, I32]], code: c };
}
