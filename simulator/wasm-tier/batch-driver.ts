// The loop of a batch inside WebAssembly: a function `batch(i, n)` of each program's module (translate.ts
// adds the body made here), which makes runs i..n-1, run k on frame k mod B_FRAMES of the staging arena (a
// batch repeated: runBatch's repeat), calls the program's entry function directly (r1 and r10 as arguments,
// r0 from its results: no round trip through REGS) and counts the verdicts, so a batch enters JavaScript only
// where a run needs it (a helper, a fault).
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
//                Copy mode (B_COPY), chosen by the driver once JavaScript brought the frame into the packet
//                area in 1 run of COPY_SHARE or more (a program writing the packet, or one that needs
//                JavaScript anyway): the driver copies each frame there itself before its run, the entry
//                writable as the region is, so stores and the packet helpers made in wasm need no JavaScript.
//   window       the packet's table entry [data, head + length), data_end's (and len's) value in CTX_FIELDS
//   registers    r1 the context, r10 the frame pointer, the others 0; the budget full; B_CURRENT = the run
//   context      CTX_FRAME spoilt once per call of batch(): run indices only grow within a call, so a copy
//                of the context's bytes JavaScript makes for one run (CTX_FRAME = its index) is good for no
//                other (context-bytes.ts; what start() does per run for a single run). A frame whose
//                context bytes JavaScript staged (STAGE_CTX, made the first time one of its runs needed
//                them) gets them copied into CTX_BYTES, CTX_FRAME = the run: no JavaScript for its fields.
// After the run: the stack zeroed from the lowest offset the run reached (as RunState.leaveStack), then the
// verdict counted in VERDICTS. Only when JavaScript brought the frame into the packet area during the run
// (the table entry's base is no longer the staged frame's), or in copy mode, can the packet have changed:
// a helper that moved the window leaves the whole area zeroed (B_PREV_LEN 0) and data, data_meta reset; the
// entry is made read-only with the window's start again for the next frame. The driver returns i (B_STOP
// saying why, r0 in REGS) when r0 finds no counter or a helper replaced the packet's bytes (its table entry
// is gone), n when all ran. REGS does not hold r0..r5 after a run otherwise (nothing reads them).
//
// Verdicts: VERDICT_SLOTS counters of 8 bytes (+0 r0's low 32 bits, +4 the count, 0: free), found by a hash
// of r0 and linear probing (at most VERDICT_PROBES slots), and the slots in the order they first counted
// (VERDICT_ORDER, B_ORDER_N of them), which JavaScript reads and zeroes (wasm-batch.ts #flush): a socket
// filter's verdicts are packet lengths, far more than a table indexed by r0 holds.
import { B_AREA, B_BUDGET, B_COPY, B_CURRENT, B_DATA_BASE, B_DATA_FIELD, B_DATA_OFF, B_DIRTY, B_END_BASE, B_END_FIELD, B_FRAMES, B_HEAD, B_LEN_ADJ, B_LEN_FIELD, B_META_FIELD, B_ORDER_N, B_PKT, B_PKT_ENTRY, B_PKT_ID, B_PREV_LEN, B_R1, B_R10, B_STACK_ENTRY, B_STACK_SIZE, B_STOP, B_STOP_DIRTY, B_STOP_VERDICT, B_WRITABLE, CTX_BYTES, CTX_DIRTY, CTX_FRAME, CTX_LEN, CTX_MAX, CTX_READY, CTX_STAGE, E_BASE, E_END, E_ID, E_LOW, E_START, E_WRITABLE, LEFT, REGS, STAGE, STAGE_CTX, VERDICT_ORDER, VERDICT_PROBES, VERDICT_SLOTS, VERDICTS } from './layout.ts';
import { CodeWriter, I32, I64, OP, VOID, type FunctionBody } from './wasm-module.ts';

/** The bulk-memory opcode (prefix 0xfc) memory.fill on memory 0. */
const MEMORY_FILL = [0xfc, 11, 0];
/** The SIMD opcodes (prefix 0xfd) v128.load and v128.store, their memarg to follow. */
const V128_LOAD = [0xfd, 0x00];
const V128_STORE = [0xfd, 0x0b];
/** i64x2.splat (an i64 into both lanes of a v128) */
const I64X2_SPLAT = [0xfd, 0x12];
const I32_STORE8 = 0x3a;
/** copy mode once JavaScript brought the frame into the packet area in 1 run of this many (moved()) */
const COPY_SHARE = 16;
/** Knuth's multiplicative hash constant (2^32 / the golden ratio), as an i32 */
const GOLDEN = 0x9e37_79b1 | 0;
const SLOT_SHIFT = 32 - Math.log2(VERDICT_SLOTS);
/** the most 8-byte stores that zero a stack inline */
const ZERO_STORES = 16;

class Code extends CodeWriter {
  /** i32.load of the constant address `a` */
  load(a: number): this {
    return this.i32(0).loadAt(a);
  }
  /** i32.load at the address on the stack plus `offset` */
  loadAt(offset: number): this {
    return this.mem(OP.i32Load, offset);
  }
  /** i32.store of the value pushed by `value` to the constant address `a` */
  store(a: number, value: () => void): this {
    this.i32(0);
    value();
    return this.storeAt(a);
  }
  storeAt(offset: number): this {
    return this.mem(OP.i32Store, offset);
  }
  /** if (the i32 on the stack) { then() } */
  when(then: () => void): this {
    this.op(OP.if).byte(VOID);
    then();
    return this.op(OP.end);
  }
}

// parameters and locals of batch(i, n)
const I = 0;
const N = 1;
/** the frame of run I, and the number of frames staged */
const F = 2;
const NF = 3;
/** the frame's length, and its packet entry's base */
const LEN = 4;
const BASE = 5;
const STOP = 6;
const V = 7;
const T = 8;
const H = 9;
const P = 10;
/** the control block's values, read once per call (JavaScript changes them only between calls) */
const E = 11;
const HEAD = 12;
const END_FIELD = 13;
const END_BASE = 14;
const LEN_FIELD = 15;
const LEN_ADJ = 16;
const STACK = 17;
const STACK_SIZE = 18;
const BUDGET = 19;
const DATA_OFF = 20;
const CTX_LENGTH = 21;
/** copy mode (B_COPY), the packet area's address and the region's writable flag, runs the JavaScript moved */
const COPY = 22;
const AREA = 23;
const WRITABLE = 24;
const MOVED = 25;
/** the first run of the call */
const FIRST = 26;
const R1 = 27;
const R10 = 28;
const R0 = 29;
/** the frame's address in its STAGE index entry (STAGE_CTX in its low bits) */
const SRC = 30;
const LOCALS: FunctionBody['locals'] = [
  [R1 - F, I32],
  [R0 + 1 - R1, I64],
  [1, I32],
];

/** bodies made so far, by entry function and type index (every module of a translator version has the same) */
const bodies = new Map<number, FunctionBody>();

/**
 * The body of `batch(i, n) → i32` for a module whose entry BPF function (r0..r10: i64 → r0..r5: i64) has
 * index `entry`; `type` is the module's index of the type (i32, i32) → i32. Made once per pair (its bytes
 * are never written after).
 */
export function batchBody(entry: number, type: number): FunctionBody {
  const key = entry * 0x1_0000 + type;
  let body = bodies.get(key);
  if (body === undefined) {
    body = makeBody(entry, type);
    bodies.set(key, body);
  }
  return body;
}

function makeBody(entry: number, type: number): FunctionBody {
  const c = new Code();
  prologue(c);
  // two loops: a lean one for frames run in place without staged context bytes, which hands over to the
  // full one (copy mode, staged context bytes) for the rest of the call when a frame needs it: the lean
  // loop's machine code stays small (V8 keeps more of its locals in registers across the program's call)
  c.op(OP.block).byte(VOID);
  c.op(OP.block).byte(VOID);
  c.get(COPY).op(OP.brIf).u32(0);
  c.op(OP.loop).byte(VOID);
  c.get(I).get(N).op(OP.i32GeS).op(OP.brIf).u32(2);
  frameInPlace(c);
  c.get(SRC).i32(STAGE_CTX).op(OP.i32And).op(OP.brIf).u32(1);
  run(c, entry, false);
  c.get(COPY).op(OP.brIf).u32(1);
  c.op(OP.br).u32(0);
  c.op(OP.end);
  c.op(OP.end);
  c.op(OP.loop).byte(VOID);
  c.get(I).get(N).op(OP.i32GeS).op(OP.brIf).u32(1);
  c.get(COPY).op(OP.if).byte(VOID);
  frameToArea(c);
  c.op(OP.else);
  frameInPlace(c);
  c.op(OP.end);
  stagedContext(c);
  run(c, entry, true);
  c.op(OP.br).u32(0);
  c.op(OP.end);
  c.op(OP.end);
  c.get(N).op(OP.end);
  return { type, locals: LOCALS, code: c };
}

/**
 * The run of frame F (set up), what follows it (stack, packet, verdict: the driver returns when it stops),
 * then I and F on to the next; `copying` when copy mode may be on (the full loop).
 */
function run(c: Code, entry: number, copying: boolean): void {
  c.store(LEFT, () => c.get(BUDGET));
  c.store(B_CURRENT, () => c.get(I));
  c.byte(OP.i64Const).s32(0).get(R1);
  for (let r = 2; r <= 9; r++) c.byte(OP.i64Const).s32(0);
  c.get(R10).op(OP.call).u32(entry);
  for (let r = 5; r >= 1; r--) c.op(OP.drop);
  c.set(R0);
  zeroStack(c);
  c.i32(0).set(STOP);
  // the packet can have changed only if JavaScript brought the frame into the packet area (or in copy mode)
  c.get(E).loadAt(E_BASE).get(BASE).op(OP.i32Ne).tee(T);
  if (copying) c.get(COPY).op(OP.i32Or);
  c.when(() => {
    c.get(T).when(() => moved(c));
    packetAfterJs(c);
  });
  count(c);
  c.get(STOP).when(() => {
    c.i32(0).get(R0).mem(OP.i64Store, REGS);
    c.store(B_STOP, () => c.get(STOP));
    c.get(I).op(OP.return);
  });
  c.get(I).i32(1).op(OP.i32Add).set(I);
  c.get(F).i32(1).op(OP.i32Add).tee(F).get(NF).op(OP.i32Eq).when(() => c.i32(0).set(F));
}

/** Once per call: the control block into locals, the context's copy spoilt, the packet's entry read-only. */
function prologue(c: Code): void {
  c.load(B_FRAMES).set(NF);
  c.get(I).get(NF).op(OP.i32RemU).set(F);
  const fields: [number, number][] = [
    [E, B_PKT_ENTRY], [HEAD, B_HEAD], [END_FIELD, B_END_FIELD], [END_BASE, B_END_BASE], [LEN_FIELD, B_LEN_FIELD],
    [LEN_ADJ, B_LEN_ADJ], [STACK, B_STACK_ENTRY], [STACK_SIZE, B_STACK_SIZE], [BUDGET, B_BUDGET], [DATA_OFF, B_DATA_OFF],
    [CTX_LENGTH, CTX_LEN], [COPY, B_COPY], [AREA, B_PKT], [WRITABLE, B_WRITABLE],
  ];
  for (const [local, at] of fields) c.load(at).set(local);
  c.i32(0).mem(OP.i64Load, B_R1).set(R1);
  c.i32(0).mem(OP.i64Load, B_R10).set(R10);
  c.store(CTX_FRAME, () => c.i32(-2));
  c.store(CTX_READY, () => c.i32(0));
  c.get(I).set(FIRST);
  c.i32(0).set(MOVED);
  readOnly(c);
}

/** The packet's entry read-only, its window starting where a new context's does. */
function readOnly(c: Code): void {
  c.get(E).i32(0).storeAt(E_WRITABLE);
  c.get(E).get(DATA_OFF).storeAt(E_START);
}

/** Frame F's length and staged address (LEN, SRC), its window's end and len in CTX_FIELDS. */
function frameSetup(c: Code): void {
  c.get(F).i32(3).op(OP.i32Shl).tee(T).loadAt(STAGE + 4).set(LEN);
  c.get(T).loadAt(STAGE).set(SRC);
  c.get(E).get(HEAD).get(LEN).op(OP.i32Add).storeAt(E_END);
  c.get(END_FIELD).when(() => c.get(END_FIELD).get(END_BASE).get(LEN).op(OP.i32Add).storeAt(0));
  c.get(LEN_FIELD).when(() => c.get(LEN_FIELD).get(LEN).get(LEN_ADJ).op(OP.i32Add).storeAt(0));
}

/** The frame in place: the packet's table entry on its staged bytes (read-only). */
function frameInPlace(c: Code): void {
  frameSetup(c);
  c.get(E).get(SRC).i32(-8).op(OP.i32And).get(HEAD).op(OP.i32Sub).tee(BASE).storeAt(E_BASE);
}

/**
 * Copy mode: the frame (at the staged address in SRC) copied to the packet area after the headroom, the
 * bytes the previous frame left past its end zeroed first (16 at a time from a 16-byte boundary of the area,
 * which the runtime places 16-byte aligned with its size rounded up to 16), as wasm-batch.ts #toArea does;
 * the packet's table entry there, writable as the region is.
 */
function frameToArea(c: Code): void {
  frameSetup(c);
  c.load(B_PREV_LEN).tee(P).get(LEN).op(OP.i32GtU).when(() => {
    c.get(HEAD).get(LEN).op(OP.i32Add).i32(-16).op(OP.i32And).set(H);
    c.get(HEAD).get(P).op(OP.i32Add).set(P);
    c.op(OP.loop).byte(VOID);
    c.get(AREA).get(H).op(OP.i32Add).byte(OP.i64Const).s32(0).bytes(I64X2_SPLAT).bytes(V128_STORE).u32(4).u32(0);
    c.get(H).i32(16).op(OP.i32Add).tee(H).get(P).op(OP.i32LtU).op(OP.brIf).u32(0);
    c.op(OP.end);
  });
  c.get(SRC).i32(-8).op(OP.i32And).set(T);
  c.get(AREA).get(HEAD).op(OP.i32Add).set(P);
  c.get(LEN).i32(16).op(OP.i32GeU).op(OP.if).byte(VOID);
  // 16 bytes at a time, the last 16 overlapping the one before
  c.i32(0).set(H);
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  c.get(H).get(LEN).i32(16).op(OP.i32Sub).op(OP.i32GeU).op(OP.brIf).u32(1);
  c.get(P).get(H).op(OP.i32Add).get(T).get(H).op(OP.i32Add).bytes(V128_LOAD).u32(4).u32(0).bytes(V128_STORE).u32(4).u32(0);
  c.get(H).i32(16).op(OP.i32Add).set(H);
  c.op(OP.br).u32(0);
  c.op(OP.end).op(OP.end);
  c.get(LEN).i32(16).op(OP.i32Sub).set(H);
  c.get(P).get(H).op(OP.i32Add).get(T).get(H).op(OP.i32Add).bytes(V128_LOAD).u32(4).u32(0).bytes(V128_STORE).u32(4).u32(0);
  c.op(OP.else);
  c.i32(0).set(H);
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  c.get(H).get(LEN).op(OP.i32GeU).op(OP.brIf).u32(1);
  c.get(P).get(H).op(OP.i32Add).get(T).get(H).op(OP.i32Add).mem(OP.i32Load8U, 0).mem(I32_STORE8, 0);
  c.get(H).i32(1).op(OP.i32Add).set(H);
  c.op(OP.br).u32(0);
  c.op(OP.end).op(OP.end);
  c.op(OP.end);
  c.store(B_PREV_LEN, () => c.get(LEN));
  c.get(AREA).set(BASE);
  c.get(E).get(AREA).storeAt(E_BASE);
  c.get(E).get(WRITABLE).storeAt(E_WRITABLE);
}

/**
 * A run JavaScript brought the frame into the packet area for (read-only mode): when that is so in 1 run
 * of COPY_SHARE or more (4 at least) since the call began, copy mode from the next run on (kept in B_COPY for
 * the calls to come): the driver's copy costs less than JavaScript's.
 */
function moved(c: Code): void {
  c.get(MOVED).i32(1).op(OP.i32Add).tee(MOVED).i32(4).op(OP.i32GeU);
  c.get(MOVED).i32(COPY_SHARE).op(OP.i32Mul).get(I).get(FIRST).op(OP.i32Sub).op(OP.i32GeU).op(OP.i32And);
  c.when(() => {
    c.i32(1).set(COPY);
    c.store(B_COPY, () => c.i32(1));
  });
}

/**
 * The context's bytes of the frame, when JavaScript staged them (STAGE_CTX in the staged address in SRC),
 * copied into CTX_BYTES for the run: its context field accesses then need no JavaScript (context-bytes.ts).
 */
function stagedContext(c: Code): void {
  c.get(SRC).i32(STAGE_CTX).op(OP.i32And).when(() => {
    c.get(F).i32(Math.log2(CTX_MAX)).op(OP.i32Shl).set(T);
    copy16(c, { to: CTX_BYTES, from: T, fromOffset: CTX_STAGE, length: CTX_LENGTH, i: H });
    c.store(CTX_FRAME, () => c.get(I));
    c.store(CTX_DIRTY, () => c.i32(0));
  });
}

/**
 * Copy `length` bytes (a local, > 0) rounded up to 16 from the address in local `from` plus `fromOffset` to
 * the address `to`, 16 bytes at a time (V8 makes memory.copy a call into C++); `i` is a scratch local.
 */
function copy16(c: Code, l: { readonly to: number; readonly from: number; readonly fromOffset: number; readonly length: number; readonly i: number }): void {
  c.i32(0).set(l.i);
  c.op(OP.loop).byte(VOID);
  c.get(l.i);
  c.get(l.i).get(l.from).op(OP.i32Add).bytes(V128_LOAD).u32(4).u32(l.fromOffset);
  c.bytes(V128_STORE).u32(4).u32(l.to);
  c.get(l.i).i32(16).op(OP.i32Add).tee(l.i).get(l.length).op(OP.i32LtU).op(OP.brIf).u32(0);
  c.op(OP.end);
}

/**
 * The stack zeroed from the lowest offset the run reached, 8 bytes at a time from that offset rounded down
 * (the bytes below it are zero already: no run reached them since they were last zeroed), memory.fill for
 * more than ZERO_STORES stores (V8 makes memory.fill a call into C++, which costs more than a few stores).
 */
function zeroStack(c: Code): void {
  c.get(STACK).loadAt(E_LOW).tee(T).get(STACK_SIZE).op(OP.i32LtS).when(() => {
    c.get(STACK).loadAt(E_BASE).tee(H).get(STACK_SIZE).op(OP.i32Add).set(P);
    c.get(H).get(T).i32(-8).op(OP.i32And).op(OP.i32Add).set(H);
    // a stack whose size is no multiple of 8 (VmOptions.stackSize) is left to memory.fill
    c.get(P).get(H).op(OP.i32Sub).tee(V).i32(8 * ZERO_STORES).op(OP.i32GtU).get(V).i32(7).op(OP.i32And).op(OP.i32Or).op(OP.if).byte(VOID);
    c.get(H).i32(0).get(P).get(H).op(OP.i32Sub).bytes(MEMORY_FILL);
    c.op(OP.else).op(OP.loop).byte(VOID);
    c.get(H).byte(OP.i64Const).s32(0).mem(OP.i64Store, 0);
    c.get(H).i32(8).op(OP.i32Add).tee(H).get(P).op(OP.i32LtU).op(OP.brIf).u32(0);
    c.op(OP.end).op(OP.end);
    c.get(STACK).get(STACK_SIZE).storeAt(E_LOW);
  });
}

/**
 * After a run JavaScript saw the packet in: a helper may have replaced its bytes (JavaScript takes over) or
 * moved its window (the whole area zeroed, data and data_meta reset, as a new context would have them).
 */
function packetAfterJs(c: Code): void {
  c.get(E).loadAt(E_ID).load(B_PKT_ID).op(OP.i32Ne).op(OP.if).byte(VOID);
  c.i32(B_STOP_DIRTY).set(STOP);
  c.op(OP.else);
  c.load(B_DIRTY);
  c.get(E).loadAt(E_START).get(DATA_OFF).op(OP.i32Ne).op(OP.i32Or);
  c.get(E).loadAt(E_END).get(HEAD).get(LEN).op(OP.i32Add).op(OP.i32Ne).op(OP.i32Or);
  c.when(() => {
    c.load(B_PKT).i32(0).load(B_AREA).bytes(MEMORY_FILL);
    c.store(B_PREV_LEN, () => c.i32(0));
    c.store(B_DIRTY, () => c.i32(0));
    for (const field of [B_DATA_FIELD, B_META_FIELD]) {
      c.load(field).tee(T).when(() => c.get(T).load(B_DATA_BASE).storeAt(0));
    }
  });
  readOnly(c);
  c.op(OP.end);
}

/** r0's low half counted in VERDICTS, or STOP |= B_STOP_VERDICT when its probes find no slot. */
function count(c: Code): void {
  c.get(R0).op(OP.i32WrapI64).tee(V).i32(GOLDEN).op(OP.i32Mul).i32(SLOT_SHIFT).op(OP.i32ShrU).set(H);
  c.i32(VERDICT_PROBES).set(P);
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  c.get(H).i32(3).op(OP.i32Shl).tee(T).loadAt(VERDICTS + 4).op(OP.i32Eqz).when(() => {
    // a free slot: this verdict's, noted in the order
    c.get(T).get(V).storeAt(VERDICTS);
    c.get(T).i32(1).storeAt(VERDICTS + 4);
    c.load(B_ORDER_N).tee(T).i32(2).op(OP.i32Shl).get(H).storeAt(VERDICT_ORDER);
    c.store(B_ORDER_N, () => c.get(T).i32(1).op(OP.i32Add));
    c.op(OP.br).u32(2);
  });
  c.get(T).loadAt(VERDICTS).get(V).op(OP.i32Eq).when(() => {
    c.get(T).get(T).loadAt(VERDICTS + 4).i32(1).op(OP.i32Add).storeAt(VERDICTS + 4);
    c.op(OP.br).u32(2);
  });
  c.get(H).i32(1).op(OP.i32Add).i32(VERDICT_SLOTS - 1).op(OP.i32And).set(H);
  c.get(P).i32(1).op(OP.i32Sub).tee(P).op(OP.brIf).u32(0);
  c.get(STOP).i32(B_STOP_VERDICT).op(OP.i32Or).set(STOP);
  c.op(OP.end).op(OP.end);
}
