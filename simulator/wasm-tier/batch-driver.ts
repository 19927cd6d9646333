// The loop of a batch inside WebAssembly: one small module, the same for every program, whose `batch(i, n)`
// makes runs i..n-1, run k on frame k mod B_FRAMES of the staging arena (a batch repeated: runBatch's
// repeat), through the program's `start` (imported: a direct wasm call) and counts the verdicts, so a batch
// enters JavaScript only where a run needs it (a helper, a fault).
//
// Per frame, as a new context of that frame would be (layout.ts: BATCH; XDP or skb, which differ in the
// headroom, where the window starts and whether skb->len is kept in CTX_FIELDS):
//   packet       run in place: the packet's table entry points at the frame's staged bytes (its base the
//                staged address less the headroom, so region offsets stay those of the packet area) and is
//                read-only, so wasm code reads the frame where it was staged and nothing is copied. A store
//                to the packet, a helper or any other import brings the frame into the packet area first
//                (wasm-batch.ts: the batch's view(), sync()), where JavaScript sees it as region.bytes and
//                the run carries on with the table entry pointing there, writable as the region is. The
//                staged bytes are never written, so a repeated batch finds each frame as it was staged.
//   window       the packet's table entry [data, head + length), data_end's (and len's) value in CTX_FIELDS
//   registers    r1 the context, r10 the frame pointer, the others 0; the budget full; B_CURRENT = the run
// After the run: the stack zeroed from the lowest offset the run reached (as RunState.leaveStack), then the
// verdict counted in COUNTS[r0 + 1]. A helper that moved the packet's window leaves the whole area zeroed
// (B_PREV_LEN 0) and data, data_meta reset. The driver returns i (B_STOP saying why) when r0 has no counter
// or a helper replaced the packet's bytes (its table entry is gone), n when all ran.
import { B_AREA, B_BUDGET, B_DATA_BASE, B_DATA_FIELD, B_DATA_OFF, B_FRAMES, B_LEN_ADJ, B_LEN_FIELD, B_META_FIELD, B_CURRENT, B_DIRTY, B_END_BASE, B_END_FIELD, B_HEAD, B_ORDER_N, B_PKT, B_PKT_ENTRY, B_PKT_ID, B_PREV_LEN, B_R1, B_R10, B_STACK_ENTRY, B_STACK_SIZE, B_STOP, B_STOP_DIRTY, B_STOP_VERDICT, BATCH_VERDICTS, COUNTS, E_BASE, E_END, E_ID, E_LOW, E_START, E_WRITABLE, LEFT, MEMORY_PAGES, ORDER, REGS, STAGE } from './layout.ts';
import { CodeWriter, encodeModule, I32, OP, VOID } from './wasm-module.ts';
import { Wasm, type WasmModule } from './webassembly.ts';

/** The bulk-memory opcode (prefix 0xfc) memory.fill on memory 0. */
const MEMORY_FILL = [0xfc, 11, 0];

class Code extends CodeWriter {
  /** i32.load of the constant address `a` */
  load(a: number): this {
    return this.i32(0).byte(OP.i32Load).u32(2).u32(a);
  }
  /** i32.load at the address on the stack plus `offset` */
  loadAt(offset: number): this {
    return this.byte(OP.i32Load).u32(2).u32(offset);
  }
  /** i32.store of the value on the stack to the constant address `a` (the address pushed first by `value`) */
  store(a: number, value: () => void): this {
    this.i32(0);
    value();
    return this.byte(OP.i32Store).u32(2).u32(a);
  }
  storeAt(offset: number): this {
    return this.byte(OP.i32Store).u32(2).u32(offset);
  }
}

// parameters and locals of batch(i, n)
const I = 0;
const N = 1;
const LEN = 2;
const SRC = 3;
const E = 4;
const LOW = 5;
const V = 6;
const STOP = 7;
/** the frame of run I, and the number of frames staged */
const F = 8;
const NF = 9;

function driverBytes(): Uint8Array {
  const c = new Code();
  c.load(B_FRAMES).set(NF);
  c.get(I).get(NF).op(OP.i32RemU).set(F);
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  // i >= n: done
  c.get(I).get(N).op(OP.i32GeS).op(OP.brIf).u32(1);
  // the frame in place: the packet's table entry on its staged bytes, read-only, the window on it
  c.get(F).i32(3).op(OP.i32Shl).tee(SRC).loadAt(STAGE + 4).set(LEN);
  c.load(B_PKT_ENTRY).tee(E).get(SRC).loadAt(STAGE).load(B_HEAD).op(OP.i32Sub).storeAt(E_BASE);
  c.get(E).i32(0).storeAt(E_WRITABLE);
  c.get(E).load(B_DATA_OFF).storeAt(E_START);
  c.get(E).load(B_HEAD).get(LEN).op(OP.i32Add).storeAt(E_END);
  c.load(B_END_FIELD).tee(E).op(OP.if).byte(VOID);
  c.get(E).load(B_END_BASE).get(LEN).op(OP.i32Add).storeAt(0);
  c.op(OP.end);
  c.load(B_LEN_FIELD).tee(E).op(OP.if).byte(VOID);
  c.get(E).get(LEN).load(B_LEN_ADJ).op(OP.i32Add).storeAt(0);
  c.op(OP.end);
  // registers: r0, r2..r9 zero, r1 and r10 from the control block
  for (let r = 0; r <= 10; r++) {
    c.i32(0);
    if (r === 1 || r === 10) c.i32(0).byte(OP.i64Load).u32(3).u32(r === 1 ? B_R1 : B_R10);
    else c.byte(OP.i64Const).s32(0);
    c.byte(OP.i64Store).u32(3).u32(REGS + 8 * r);
  }
  c.store(LEFT, () => c.load(B_BUDGET));
  c.store(B_CURRENT, () => c.get(I));
  c.op(OP.call).u32(0);
  // the stack: zero from the lowest offset reached
  c.load(B_STACK_ENTRY).tee(E).loadAt(E_LOW).tee(LOW).load(B_STACK_SIZE).op(OP.i32LtS).op(OP.if).byte(VOID);
  c.get(E).loadAt(E_BASE).get(LOW).op(OP.i32Add).i32(0).load(B_STACK_SIZE).get(LOW).op(OP.i32Sub).bytes(MEMORY_FILL);
  c.get(E).load(B_STACK_SIZE).storeAt(E_LOW);
  c.op(OP.end);
  // the packet as the driver set it up? A helper may have replaced its bytes (JavaScript takes over) or moved
  // its window: then the whole area is zeroed and data, data_meta reset, as a new context would have them
  c.i32(0).set(STOP);
  c.load(B_PKT_ENTRY).tee(E).loadAt(E_ID).load(B_PKT_ID).op(OP.i32Ne).op(OP.if).byte(VOID);
  c.i32(B_STOP_DIRTY).set(STOP);
  c.op(OP.else);
  c.load(B_DIRTY);
  c.get(E).loadAt(E_START).load(B_DATA_OFF).op(OP.i32Ne).op(OP.i32Or);
  c.get(E).loadAt(E_END).load(B_HEAD).get(LEN).op(OP.i32Add).op(OP.i32Ne).op(OP.i32Or);
  c.op(OP.if).byte(VOID);
  c.load(B_PKT).i32(0).load(B_AREA).bytes(MEMORY_FILL);
  c.store(B_PREV_LEN, () => c.i32(0));
  c.store(B_DIRTY, () => c.i32(0));
  for (const field of [B_DATA_FIELD, B_META_FIELD]) {
    c.load(field).tee(LOW).op(OP.if).byte(VOID);
    c.get(LOW).load(B_DATA_BASE).storeAt(0);
    c.op(OP.end);
  }
  c.op(OP.end);
  c.op(OP.end);
  // the verdict
  c.i32(0).loadAt(REGS).i32(1).op(OP.i32Add).tee(V).i32(BATCH_VERDICTS).op(OP.i32GeU).op(OP.if).byte(VOID);
  c.get(STOP).i32(B_STOP_VERDICT).op(OP.i32Or).set(STOP);
  c.op(OP.else);
  c.get(V).i32(2).op(OP.i32Shl).tee(E).loadAt(COUNTS).op(OP.i32Eqz).op(OP.if).byte(VOID);
  // first count of this verdict: note its place in the order
  c.load(B_ORDER_N).tee(LOW).i32(2).op(OP.i32Shl).get(V).storeAt(ORDER);
  c.store(B_ORDER_N, () => c.get(LOW).i32(1).op(OP.i32Add));
  c.op(OP.end);
  c.get(E).get(E).loadAt(COUNTS).i32(1).op(OP.i32Add).storeAt(COUNTS);
  c.op(OP.end);
  c.get(STOP).op(OP.if).byte(VOID);
  c.store(B_STOP, () => c.get(STOP));
  c.get(I).op(OP.return);
  c.op(OP.end);
  c.get(I).i32(1).op(OP.i32Add).set(I);
  c.get(F).i32(1).op(OP.i32Add).tee(F).get(NF).op(OP.i32Eq).op(OP.if).byte(VOID);
  c.i32(0).set(F);
  c.op(OP.end);
  c.op(OP.br).u32(0);
  c.op(OP.end).op(OP.end);
  c.get(N).op(OP.end);
  return encodeModule({
    types: [
      { params: [], results: [] },
      { params: [I32, I32], results: [I32] },
    ],
    imports: [{ module: 'bpf', name: 'run', type: 0 }],
    memoryPages: MEMORY_PAGES,
    functions: [{ type: 1, locals: [[NF - 1, I32]], code: c }],
    exports: [['batch', 1]],
    table: [],
  });
}

let driver: WasmModule | undefined;

/** The driver module (compiled once per process). */
export function batchDriver(): WasmModule {
  return (driver ??= new Wasm.Module(driverBytes()));
}
