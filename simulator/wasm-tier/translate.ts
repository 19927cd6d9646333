// Translate a CompiledProgram (the interpreter's pre-decoded form) into a WebAssembly module, handler by
// handler as execute.ts runs them, so the two tiers share one meaning of every instruction.
//
// - Each BPF function becomes a wasm function of type (r0..r10: i64) → (r0..r5: i64): registers are locals,
//   a local call passes the caller's r0..r9 and the callee's frame pointer, and takes back r0..r5 (r6..r9 and
//   r10 stay the caller's, as the interpreter restores them). The callee's frame is entered and left in
//   wasm (wasm-frames.ts); bpf_loop with kernelHelpers' unrecorded table calls its callback the same way.
// - Control flow inside a function: nested blocks, one per jump target, in a topological order when the
//   function has no cycle (block-order.ts), so every jump branches forward out of the blocks; with a cycle,
//   a loop around them in the code's order, and backward jumps set the target's number and re-enter the
//   loop's br_table.
// - The budget (a local, synchronised through LEFT around calls) is taken per segment: a run of
//   register-only instructions and the one after them (#budget), so a runaway loop faults at the same
//   instruction as in the interpreter; one call of the budget import per function makes the fault.
// - Memory: the inline check of the region table (layout.ts) covers mirrored regions (stacks, packets);
//   anything else, and every refused access, calls the runtime (slowLoad, slowStore), which runs the
//   interpreter's resolve() and so makes the same fault. A context's packet pointers come from CTX_FIELDS
//   (context-fields.ts), its other fields from its bytes in CTX_BYTES (context-bytes.ts); through a register
//   still holding the entry r1 (context-provenance.ts) those come first. Stack accesses at r10 plus a
//   constant are direct after one frame check per function (frame-access.ts).
import { CODE_TAG, REGION_BASE, type CompiledProgram } from '../vm/index.ts';
import { B_CURRENT, CTX_BYTES, CTX_DIRTY, CTX_FIELDS, CTX_FRAME, CTX_ID, CTX_LEN, CTX_PERM, CTX_READY, CTX_SLOTS, E_BASE, E_END, E_ID, E_LOW, E_START, E_WRITABLE, F_CALLBACKS, F_CB_LEFT, F_CB_SLOT, F_LOOP, LEFT, MEMORY_PAGES, PKT_ID, REGS, SCRATCH, TABLE, TABLE_ENTRIES } from './layout.ts';
import { emitMapLookup, mapLookupBody } from './inline-map-ops.ts';
import { emitL3CsumReplace, emitSkbLoadBytes, emitSkbStoreBytes } from './inline-packet-helpers.ts';
import { CodeWriter, encodeModule, I32, I64, OP, VOID, type FuncType, type FunctionBody, type ImportedFunc } from './wasm-module.ts';
import { enterFrameBody, leaveFrameBody } from './wasm-frames.ts';
import { emitFrameCheck, frameAccesses, flushLowBody, NO_LOW, type FrameAccesses } from './frame-access.ts';
import { contextRegisters } from './context-provenance.ts';
import { fieldSlot } from './context-fields.ts';
import { accessSize, isStore, registersOnly } from './handlers.ts';
import { blockOrder, type BlockOrder } from './block-order.ts';
import { batchBody } from './batch-driver.ts';
import { emitSpinLock } from './inline-spin-lock.ts';
import { emitTailCall } from './tail-calls.ts';
import { emitMapUpdate } from './inline-map-update.ts';
import { emitQueueOp } from './inline-queue-ops.ts';
import { emitKtimeGetNs } from './wasm-clock.ts';

/** The runtime's entry points, in import order (see WasmImports in wasm-runtime.ts). */
export const IMPORTS = ['budget', 'load', 'store', 'helper', 'enter', 'leave', 'callx', 'atomic', 'ldabs', 'mayGoto', 'invalid'] as const;
const IMP = Object.fromEntries(IMPORTS.map((n, i) => [n, i])) as Record<(typeof IMPORTS)[number], number>;

const i32s = (n: number): readonly (typeof I32)[] => Array<typeof I32>(n).fill(I32);
const i64s = (n: number): readonly (typeof I64)[] => Array<typeof I64>(n).fill(I64);
const TYPES: readonly FuncType[] = [
  { params: i32s(1), results: [] }, // 0 budget, enter
  { params: i32s(4), results: [] }, // 1 load
  { params: i32s(6), results: [] }, // 2 store
  { params: i32s(2), results: [I32] }, // 3 helper
  { params: [], results: [] }, // 4 leave
  { params: i32s(3), results: [I32] }, // 5 callx
  { params: i32s(5), results: [] }, // 6 atomic
  { params: i32s(4), results: [I32] }, // 7 ldabs
  { params: [], results: [I32] }, // 8 mayGoto
  { params: i64s(11), results: i64s(6) }, // 9 a BPF function
  { params: [I64, I64], results: [I64] }, // 10 division, mapLookup
  { params: i32s(2), results: [] }, // 11 invalid
  { params: [], results: [I64] }, // 12 enterFrame
  { params: [I64, I32], results: [I32] }, // 13 flushLow
  { params: [I32, I64, I32, I64, I32], results: [I64] }, // 14 slowLoad
  { params: [I32, I64, I32, I64, I64, I32], results: [] }, // 15 slowStore
];
const T_FN = 9;
const IMPORT_TYPES: Record<(typeof IMPORTS)[number], number> = {
  budget: 0, load: 1, store: 2, helper: 3, enter: 0, leave: 4, callx: 5, atomic: 6, ldabs: 7, mayGoto: 8, invalid: 11,
};

// Internal functions after the imports.
const DIV = ['udiv64', 'umod64', 'sdiv64', 'smod64', 'udiv32', 'umod32', 'sdiv32', 'smod32'] as const;
const F_DIV = Object.fromEntries(DIV.map((n, i) => [n, IMPORTS.length + i])) as Record<(typeof DIV)[number], number>;
const F_CTX = IMPORTS.length + DIV.length;
const F_START = F_CTX + 1;
const F_ENTER = F_START + 1;
const F_LEAVE = F_ENTER + 1;
const F_CTXB = F_LEAVE + 1;
const F_LOOKUP = F_CTXB + 1;
const F_FLUSH = F_LOOKUP + 1;
const F_SLOW_LOAD = F_FLUSH + 1;
const F_SLOW_STORE = F_SLOW_LOAD + 1;
const F_FIRST_BPF = F_SLOW_STORE + 1;

// Locals of a BPF function: r0..r10 are the parameters.
const L_LEFT = 11;
const L_LABEL = 12;
const L_A = 13;
const L_P = 14;
const L_T = 15;
const L_H = 16;
const L_E = 17;
const L_O = 18;
const L_OLD = 19;
const L_I = 20;
const L_N = 21;
const L_K = 22;
const L_FP = 23;
/** the linear address of r10 + FrameAccesses.low (0: direct frame accesses off), the lowest offset they reached */
const L_SB = 24;
const L_LOW = 25;
/** the frame check's scratch (its own: it runs right after helpers, whose scratch locals may still be live) */
const L_FA = 26;
const L_FH = 27;
const L_FE = 28;
const L_FO = 29;
const LOCALS: FunctionBody['locals'] = [
  [2, I32],
  [1, I64],
  [5, I32],
  [1, I64],
  [3, I32],
  [1, I64],
  [2, I32],
  [1, I64],
  [3, I32],
];

const MASK = TABLE_ENTRIES - 1;
/** BPF_MAX_LOOPS: bpf_loop's limit on nr_loops */
const MAX_LOOPS = 1 << 23;
const ENTRY_SHIFT = 5;

/** The module's bytes for `prog`. */
export function translate(prog: CompiledProgram): Uint8Array {
  const fns = prog.functions;
  const bodies: FunctionBody[] = [...DIV.map(division), contextLoad(), start(), enterFrameBody(12), leaveFrameBody(8), contextBytes(), mapLookupBody(10), flushLowBody(13), slowLoad(), slowStore()];
  for (let k = 0; k < fns.length; k++) bodies.push(new FunctionTranslator(prog, k).translate());
  // the batch loop (batch-driver.ts) after the BPF functions, calling the entry one directly
  const F_BATCH = F_FIRST_BPF + fns.length;
  bodies.push(batchBody(F_FIRST_BPF, 3));
  const imports: ImportedFunc[] = IMPORTS.map((name) => ({ module: 'bpf', name, type: IMPORT_TYPES[name] }));
  return encodeModule({
    types: TYPES,
    imports,
    memoryPages: MEMORY_PAGES,
    functions: bodies,
    exports: [['start', F_START], ['batch', F_BATCH]],
    table: fns.map((_, k) => F_FIRST_BPF + k),
  });
}

/** An instruction stream with the few composite forms the translator repeats. */
class Code extends CodeWriter {
  i64(v: bigint | number): this {
    return typeof v === 'number' ? this.byte(OP.i64Const).s32(v) : this.byte(OP.i64Const).s64(v);
  }
  call(f: number): this {
    return this.byte(OP.call).u32(f);
  }
  /** the low 32 bits of an i64 local */
  low(l: number): this {
    return this.get(l).op(OP.i32WrapI64);
  }
  /** the high 32 bits of an i64 local */
  high(l: number): this {
    return this.get(l).i64(32).op(OP.i64ShrU).op(OP.i32WrapI64);
  }
}

/** The kernel's division and modulo: by zero gives 0 (div) or leaves the dividend (mod); MIN / -1 wraps. */
function division(name: (typeof DIV)[number]): FunctionBody {
  const A = 0;
  const B = 1;
  const c = new Code();
  const wide = name.endsWith('64');
  const isDiv = name.includes('div');
  const signed = name.startsWith('s');
  // 32-bit forms work on the low halves and zero-extend.
  const operand = (l: number): void => {
    if (wide) c.get(l);
    else c.low(l);
  };
  const zero = (): void => void (wide ? c.i64(0).op(OP.i64Eq) : c.op(OP.i32Eqz));
  operand(B);
  zero();
  c.op(OP.if).byte(VOID);
  if (isDiv) c.i64(0);
  else if (wide) c.get(A);
  else c.low(A).op(OP.i64ExtendI32U);
  c.op(OP.return).op(OP.end);
  if (signed && isDiv) {
    // MIN / -1 = MIN (wasm traps)
    operand(B);
    if (wide) c.i64(-1).op(OP.i64Eq);
    else c.i32(-1).op(OP.i32Eq);
    c.op(OP.if).byte(VOID);
    if (wide) c.i64(0).get(A).op(OP.i64Sub);
    else c.i32(0).low(A).op(OP.i32Sub).op(OP.i64ExtendI32U);
    c.op(OP.return).op(OP.end);
  }
  operand(A);
  operand(B);
  const ops = wide
    ? { udiv64: OP.i64DivU, umod64: OP.i64RemU, sdiv64: OP.i64DivS, smod64: OP.i64RemS }
    : { udiv32: OP.i32DivU, umod32: OP.i32RemU, sdiv32: OP.i32DivS, smod32: OP.i32RemS };
  c.op((ops as Record<string, number>)[name]!);
  if (!wide) c.op(OP.i64ExtendI32U);
  c.op(OP.end);
  return { type: 10, locals: [], code: c };
}

/**
 * contextLoad(hi, lo) → 1 when (hi, lo) is a context field kept in CTX_FIELDS (its value then in SCRATCH),
 * else 0: a 4-byte load of a packet pointer from the context without a call into JavaScript.
 */
function contextLoad(): FunctionBody {
  const H = 0;
  const LO = 1;
  const O = 2;
  const c = new Code();
  c.get(H).op(OP.i32Eqz).get(H).i32(0).mem(OP.i32Load, CTX_ID).op(OP.i32Ne).op(OP.i32Or);
  c.op(OP.if).byte(VOID).i32(0).op(OP.return).op(OP.end);
  c.get(LO).i32(0x8000_0000 | 0).op(OP.i32Xor).set(O);
  for (let k = 0; k < CTX_SLOTS; k++) {
    const at = CTX_FIELDS + 16 * k;
    c.get(O).i32(0).mem(OP.i32Load, at).op(OP.i32Eq).i32(0).mem(OP.i32Load, at + 4).op(OP.i32And);
    c.op(OP.if).byte(VOID).i32(0).i32(0).mem(OP.i64Load, at + 8).mem(OP.i64Store, SCRATCH).i32(1).op(OP.return).op(OP.end);
  }
  c.i32(0).op(OP.end);
  return { type: 3, locals: [[1, I32]], code: c };
}

/**
 * slowLoad(slot, address, kind, r10, low) → the value of a load the region table refused (kind: its size, +16
 * when sign-extending): a packet pointer from CTX_FIELDS, a field from CTX_BYTES, else the runtime's load()
 * (after the frame's low-water mark is flushed: it may fault, and the run's end zeroes the stack from it).
 * One call per access site instead of three: each call in a function costs the code around it registers.
 */
function slowLoad(): FunctionBody {
  const [SLOT, A, KIND, R10, LOW, H, LO, P] = [0, 1, 2, 3, 4, 5, 6, 7];
  const c = new Code();
  c.high(A).set(H).low(A).set(LO);
  c.get(KIND).i32(15).op(OP.i32And).i32(4).op(OP.i32Eq).op(OP.if).byte(VOID);
  c.get(H).get(LO).call(F_CTX).op(OP.if).byte(VOID).i32(0).mem(OP.i64Load, SCRATCH).op(OP.return).op(OP.end);
  c.op(OP.end);
  c.get(H).get(LO).get(KIND).i32(15).op(OP.i32And).call(F_CTXB).tee(P).op(OP.if).byte(VOID);
  for (const [, [size, op, signed]] of Object.entries(LOAD_OP)) {
    c.get(KIND).i32(size | (signed ? 16 : 0)).op(OP.i32Eq).op(OP.if).byte(VOID).get(P).mem(op, 0).op(OP.return).op(OP.end);
  }
  c.op(OP.end);
  c.get(R10).get(LOW).call(F_FLUSH).op(OP.drop);
  c.get(SLOT).get(LO).get(H).get(KIND).call(IMP.load).i32(0).mem(OP.i64Load, SCRATCH).op(OP.end);
  return { type: 14, locals: [[3, I32]], code: c };
}

/** slowStore(slot, address, size, value, r10, low): slowLoad's counterpart (CTX_BYTES, else the runtime's store()). */
function slowStore(): FunctionBody {
  const [SLOT, A, SIZE, V, R10, LOW, H, LO, P] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const c = new Code();
  c.high(A).set(H).low(A).set(LO);
  c.get(H).get(LO).get(SIZE).i32(4).op(OP.i32Shl).call(F_CTXB).tee(P).op(OP.if).byte(VOID);
  for (const [size, op] of [[1, OP.i64Store8], [2, OP.i64Store16], [4, OP.i64Store32], [8, OP.i64Store]] as const) {
    c.get(SIZE).i32(size).op(OP.i32Eq).op(OP.if).byte(VOID).get(P).get(V).mem(op, 0).op(OP.end);
  }
  c.i32(0).i32(1).mem(OP.i32Store, CTX_DIRTY).op(OP.return);
  c.op(OP.end);
  c.get(R10).get(LOW).call(F_FLUSH).op(OP.drop);
  c.get(SLOT).get(LO).get(H).get(SIZE).low(V).high(V).call(IMP.store).op(OP.end);
  return { type: 15, locals: [[3, I32]], code: c };
}

/**
 * contextBytes(hi, lo, bit) → the linear address of the context's bytes at (hi, lo) when the run's context
 * is kept in CTX_BYTES, its copy good for this frame, and CTX_PERM has `bit` for that offset (context-bytes.ts),
 * else 0.
 */
function contextBytes(): FunctionBody {
  const H = 0;
  const LO = 1;
  const BIT = 2;
  const O = 3;
  const c = new Code();
  const no = (): void => void c.op(OP.if).byte(VOID).i32(0).op(OP.return).op(OP.end);
  c.i32(0).mem(OP.i32Load, CTX_LEN).op(OP.i32Eqz).get(H).op(OP.i32Eqz).op(OP.i32Or);
  c.get(H).i32(0).mem(OP.i32Load, CTX_ID).op(OP.i32Ne).op(OP.i32Or);
  c.i32(0).mem(OP.i32Load, CTX_FRAME).i32(0).mem(OP.i32Load, B_CURRENT).op(OP.i32Ne).op(OP.i32Or);
  no();
  c.get(LO).i32(0x8000_0000 | 0).op(OP.i32Xor).tee(O).i32(0).mem(OP.i32Load, CTX_LEN).op(OP.i32GeU);
  no();
  c.get(O).mem(OP.i32Load8U, CTX_PERM).get(BIT).op(OP.i32And).op(OP.i32Eqz);
  no();
  c.get(O).i32(CTX_BYTES).op(OP.i32Add).op(OP.end);
  return { type: 5, locals: [[1, I32]], code: c };
}

/**
 * start(): r0..r10 from REGS into the entry function, its r0..r5 back into REGS; the context's copy spoilt
 * unless it was made for this run (CTX_READY).
 */
function start(): FunctionBody {
  const c = new Code();
  c.i32(0).mem(OP.i32Load, CTX_READY).op(OP.i32Eqz).op(OP.if).byte(VOID).i32(0).i32(-2).mem(OP.i32Store, CTX_FRAME).op(OP.end);
  c.i32(0).i32(0).mem(OP.i32Store, CTX_READY);
  for (let r = 0; r <= 10; r++) c.i32(0).mem(OP.i64Load, REGS + 8 * r);
  c.call(F_FIRST_BPF);
  for (let r = 5; r >= 0; r--) c.set(r);
  for (let r = 0; r <= 5; r++) c.i32(0).get(r).mem(OP.i64Store, REGS + 8 * r);
  c.op(OP.end);
  return { type: 4, locals: [[6, I64]], code: c };
}

const LOAD_OP: Readonly<Record<number, readonly [size: number, op: number, signed: boolean]>> = {
  0x61: [4, OP.i64Load32U, false], 0x69: [2, OP.i64Load16U, false], 0x71: [1, OP.i64Load8U, false], 0x79: [8, OP.i64Load, false],
  0x81: [4, OP.i64Load32S, true], 0x89: [2, OP.i64Load16S, true], 0x91: [1, OP.i64Load8S, true],
};
const STORE_OP: Readonly<Record<number, readonly [size: number, op: number, imm: boolean]>> = {
  0x62: [4, OP.i64Store32, true], 0x6a: [2, OP.i64Store16, true], 0x72: [1, OP.i64Store8, true], 0x7a: [8, OP.i64Store, true],
  0x63: [4, OP.i64Store32, false], 0x6b: [2, OP.i64Store16, false], 0x73: [1, OP.i64Store8, false], 0x7b: [8, OP.i64Store, false],
};
const LOG2: Readonly<Record<number, number>> = { 1: 0, 2: 1, 4: 2, 8: 3 };
/** ALU64 ops with a direct wasm counterpart, by handler & 0xf0. */
const ALU64: Readonly<Record<number, number>> = {
  0x00: OP.i64Add, 0x10: OP.i64Sub, 0x20: OP.i64Mul, 0x40: OP.i64Or, 0x50: OP.i64And, 0x60: OP.i64Shl, 0x70: OP.i64ShrU, 0xa0: OP.i64Xor, 0xc0: OP.i64ShrS,
};
const ALU32: Readonly<Record<number, number>> = {
  0x00: OP.i32Add, 0x10: OP.i32Sub, 0x20: OP.i32Mul, 0x40: OP.i32Or, 0x50: OP.i32And, 0x60: OP.i32Shl, 0x70: OP.i32ShrU, 0xa0: OP.i32Xor, 0xc0: OP.i32ShrS,
};
/** jump op (handler & 0xf0) → [64-bit compare, 32-bit compare] */
const CMP: Readonly<Record<number, readonly [number, number]>> = {
  0x10: [OP.i64Eq, OP.i32Eq], 0x50: [OP.i64Ne, OP.i32Ne],
  0x20: [OP.i64GtU, OP.i32GtU], 0x30: [OP.i64GeU, OP.i32GeU], 0xa0: [OP.i64LtU, OP.i32LtU], 0xb0: [OP.i64LeU, OP.i32LeU],
  0x60: [OP.i64GtS, OP.i32GtS], 0x70: [OP.i64GeS, OP.i32GeS], 0xc0: [OP.i64LtS, OP.i32LtS], 0xd0: [OP.i64LeS, OP.i32LeS],
};

class FunctionTranslator {
  readonly #prog: CompiledProgram;
  readonly #code: Int32Array;
  readonly #first: number;
  readonly #end: number;
  readonly #blocks: BlockOrder;
  readonly #leaders: readonly number[];
  /** a block's leader index by its first slot */
  readonly #blockOf = new Map<number, number>();
  readonly c = new Code();
  /** the position (in the emitted order) of the block being emitted */
  #block = 0;
  /** the direct r10 accesses (frame-access.ts), undefined when there are none */
  readonly #frame: FrameAccesses | undefined;
  /** per slot - first, the registers holding the entry r1 (context-provenance.ts); the entry function only */
  readonly #ctxRegs: Uint16Array | undefined;
  /**
   * The lowest offset from r10 a direct access reached on every path since the block started: an access at or
   * above it need not note its offset in L_LOW (the low-water mark, in E_LOW or L_LOW, is that low already;
   * nothing raises a running frame's mark).
   */
  #noted = 0;

  constructor(prog: CompiledProgram, k: number) {
    this.#prog = prog;
    this.#code = prog.code;
    this.#first = prog.functions[k]!;
    this.#end = prog.functions[k + 1] ?? prog.slots;
    this.#blocks = blockOrder(this.#code, this.#first, this.#end);
    this.#leaders = this.#blocks.leaders;
    this.#leaders.forEach((s, i) => this.#blockOf.set(s, i));
    this.#frame = frameAccesses(this.#code, this.#first, this.#end);
    this.#ctxRegs = k === 0 ? contextRegisters(this.#code, this.#first, this.#end) : undefined;
  }

  translate(): FunctionBody {
    const c = this.c;
    const n = this.#leaders.length;
    c.i32(0).mem(OP.i32Load, LEFT).set(L_LEFT);
    if (this.#frame !== undefined) c.i32(NO_LOW).set(L_LOW);
    this.#checkFrame();
    // the budget's fault: one call for the whole function (a call in each segment's branch would cost the
    // code around it registers), reached with the segment's end slot in L_T
    // without a dispatch (block-order.ts) the loop is a plain block: the branch depths stay the same
    const { order, dispatch } = this.#blocks;
    c.op(OP.block).byte(VOID);
    c.op(dispatch ? OP.loop : OP.block).byte(VOID);
    for (let i = 0; i < n; i++) c.op(OP.block).byte(VOID);
    if (dispatch) {
      c.get(L_LABEL).op(OP.brTable).u32(n);
      for (let i = 0; i < n; i++) c.u32(i);
      c.u32(0);
    }
    for (let p = 0; p < n; p++) {
      c.op(OP.end);
      const j = order[p]!;
      this.#block = p;
      this.#noted = 0;
      const last = this.#leaders[j + 1] ?? this.#end;
      let segmentEnd = 0;
      let lastH = -1;
      for (let s = this.#leaders[j]!; s < last; s++) {
        const h = this.#code[s * 4]!;
        if (h === 0xf9) continue; // an ld_imm64's second half
        if (s >= segmentEnd) segmentEnd = this.#budget(s, last);
        this.#instruction(s);
        lastH = h;
      }
      // the fallthrough, when the block that follows in the code is not the next one emitted
      if (lastH !== 0x05 && lastH !== 0x95 && order[p + 1] !== j + 1) {
        if (j + 1 < n) this.#jump(this.#leaders[j + 1]!, 0);
        else if (p + 1 < n) c.op(OP.unreachable); // off the function's end, as after the last block
      }
    }
    c.op(OP.end); // loop
    c.op(OP.unreachable);
    c.op(OP.end);
    this.#flushLow();
    c.get(L_LEFT).get(L_T).op(OP.i32Add).call(IMP.budget).op(OP.unreachable).op(OP.end);
    return { type: T_FN, locals: LOCALS, code: c };
  }

  /**
   * The budget of the segment starting at `first` (before `last`, the next block's start), taken at once:
   * the interpreter takes one per instruction, checked before it runs, and names the first instruction it
   * had none left for. A segment is a run of instructions that change nothing a fault leaves seen (registers;
   * direct frame accesses: the stack is zeroed at a faulting run's end) and the one instruction after them,
   * so the fault names first + the budget there was, unless a frame access before that point faults first:
   * none can once the frame check passed (L_SB), and without it the cold path tries each such access in
   * order through the runtime, which makes its fault. An ld_imm64 ends a segment too, so its slots are
   * consecutive. Returns the slot after the segment.
   */
  #budget(first: number, last: number): number {
    const c = this.c;
    const code = this.#code;
    let n = 0;
    let s = first;
    const frame: number[] = []; // the direct accesses before the last instruction, by index in the segment
    for (;;) {
      const h = code[s * 4]!;
      const direct = this.#direct(s);
      n++;
      s += h === 0x18 ? 2 : 1;
      if (h === 0x18 || !(registersOnly(h) || direct) || s >= last) break;
      if (direct) frame.push(n - 1, s - 1);
    }
    c.get(L_LEFT).i32(n).op(OP.i32Sub).tee(L_LEFT).i32(0).op(OP.i32LtS);
    c.op(OP.if).byte(VOID);
    if (frame.length > 0) {
      // without the frame check, the accesses the budget reaches (index < LEFT + n) run first
      c.get(L_SB).op(OP.i32Eqz).op(OP.if).byte(VOID);
      for (let k = 0; k < frame.length; k += 2) {
        const at = frame[k + 1]! * 4;
        const h = code[at]!;
        const size = accessSize(h);
        c.get(L_LEFT).i32(frame[k]! - n).op(OP.i32GtS).op(OP.if).byte(VOID);
        c.i32(frame[k + 1]!).get(10).i64(code[at + 2]!).op(OP.i64Add).i32(size);
        if (isStore(h)) c.i64(0);
        this.#lowArgs();
        if (isStore(h)) c.call(F_SLOW_STORE);
        else c.call(F_SLOW_LOAD).op(OP.drop);
        c.op(OP.end);
      }
      c.op(OP.end);
    }
    // out of the if, the blocks still open in this one's code and the loop, to the fault
    c.i32(first + n).set(L_T).op(OP.br).u32(this.#leaders.length - this.#block + 1).op(OP.end);
    return s;
  }

  /** Branch to the block starting at `target` from inside `nested` structured blocks. */
  #jump(target: number, nested: number): void {
    const m = this.#blocks.position[this.#blockOf.get(target)!]!;
    const j = this.#block;
    const n = this.#leaders.length;
    if (m > j) {
      this.c.op(OP.br).u32(m - j - 1 + nested);
    } else {
      this.c.i32(m).set(L_LABEL).op(OP.br).u32(n - 1 - j + nested);
    }
  }

  /** Jump when the i32 on the stack is non-zero. */
  #jumpIf(target: number): void {
    const m = this.#blocks.position[this.#blockOf.get(target)!]!;
    const j = this.#block;
    if (m > j) {
      this.c.op(OP.brIf).u32(m - j - 1);
    } else {
      this.c.op(OP.if).byte(VOID);
      this.#jump(target, 1);
      this.c.op(OP.end);
    }
  }

  #returnSequence(): void {
    const c = this.c;
    this.#flushLow();
    c.i32(0).get(L_LEFT).mem(OP.i32Store, LEFT);
    for (let r = 0; r <= 5; r++) c.get(r);
    c.op(OP.return);
  }

  #spill(): void {
    for (let r = 0; r <= 10; r++) this.c.i32(0).get(r).mem(OP.i64Store, REGS + 8 * r);
    this.c.i32(0).get(L_LEFT).mem(OP.i32Store, LEFT);
  }

  #reload(): void {
    for (let r = 0; r <= 9; r++) this.c.i32(0).mem(OP.i64Load, REGS + 8 * r).set(r);
    this.c.i32(0).mem(OP.i32Load, LEFT).set(L_LEFT);
  }

  /** A helper call; the id on top of the stack as an i32 is pushed by `id`. */
  #helper(slot: number, id: () => void): void {
    const c = this.c;
    this.#flushLow();
    this.#spill();
    id();
    c.i32(slot).call(IMP.helper).set(L_T);
    this.#reload();
    this.#checkFrame();
    // 1: a tail call ran its target to the end; its r0..r5 are this function's result
    c.get(L_T).op(OP.if).byte(VOID);
    this.#returnSequence();
    c.op(OP.end);
  }

  /**
   * A call of BPF function number `k` (or of the one whose number is in L_T when k is undefined): the frame
   * entered and left in wasm (wasm-frames.ts) unless the runtime must do it; r0..r5 are the callee's.
   */
  #localCall(slot: number, k: number | undefined): void {
    const c = this.c;
    this.#flushLow();
    c.i32(0).get(L_LEFT).mem(OP.i32Store, LEFT);
    this.#enterFrame(slot);
    for (let r = 0; r <= 9; r++) c.get(r);
    c.get(L_FP);
    if (k === undefined) c.get(L_T).op(OP.callIndirect).u32(T_FN).u32(0);
    else c.call(F_FIRST_BPF + k);
    for (let r = 5; r >= 0; r--) c.set(r);
    this.#leaveFrame();
    c.i32(0).mem(OP.i32Load, LEFT).set(L_LEFT);
    this.#checkFrame();
  }

  /** L_FP = the new frame's r10 (entered in wasm, or by the runtime's enter(), which also makes the depth fault). */
  #enterFrame(slot: number): void {
    const c = this.c;
    c.call(F_ENTER).tee(L_FP).i64(0).op(OP.i64Eq).op(OP.if).byte(VOID);
    c.i32(slot).call(IMP.enter).i32(0).mem(OP.i64Load, SCRATCH).set(L_FP);
    c.op(OP.end);
  }

  #leaveFrame(): void {
    this.c.call(F_LEAVE).op(OP.i32Eqz).op(OP.if).byte(VOID).call(IMP.leave).op(OP.end);
  }

  /**
   * bpf_loop(nr_loops, callback, ctx, flags) as kernelHelpers runs it (F_LOOP: the run's table is that one,
   * unrecorded), its callback a direct call: r1 = i, r2 = ctx, r3..r5 = 0, the caller's r0 and r6..r9, a new
   * frame each time, until it returns non-zero (r0 = i + 1) or n calls (r0 = n); r1..r9 stay the caller's.
   * Flags, too many loops, a callback that is no function of this program and other tables: the helper itself.
   */
  #bpfLoop(slot: number): void {
    const c = this.c;
    const fns = this.#prog.functions;
    this.#flushLow();
    // the callback's function number, -1 when its address is none
    c.i32(-1).set(L_K);
    c.high(2).i32(CODE_TAG).op(OP.i32Eq).op(OP.if).byte(VOID);
    for (let j = 0; j < fns.length; j++) c.low(2).i32(fns[j]!).op(OP.i32Eq).op(OP.if).byte(VOID).i32(j).set(L_K).op(OP.end);
    c.op(OP.end);
    c.low(1).set(L_N);
    // inline when: F_LOOP, flags 0, n <= BPF_MAX_LOOPS, and n = 0 or a known callback
    c.i32(0).mem(OP.i32Load, F_LOOP).get(4).op(OP.i64Eqz).op(OP.i32And);
    c.get(L_N).i32(MAX_LOOPS).op(OP.i32LeU).op(OP.i32And);
    c.get(L_N).op(OP.i32Eqz).get(L_K).i32(0).op(OP.i32GeS).op(OP.i32Or).op(OP.i32And);
    c.op(OP.if).byte(VOID);
    // the outermost callback notes the call's slot and budget (settleThrow)
    c.i32(0).mem(OP.i32Load, F_CALLBACKS).op(OP.i32Eqz).op(OP.if).byte(VOID);
    c.i32(0).i32(slot).mem(OP.i32Store, F_CB_SLOT).i32(0).get(L_LEFT).mem(OP.i32Store, F_CB_LEFT);
    c.op(OP.end);
    c.i32(0).i32(0).mem(OP.i32Load, F_CALLBACKS).i32(1).op(OP.i32Add).mem(OP.i32Store, F_CALLBACKS);
    c.i32(0).set(L_I);
    c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
    // i = n: r0 = n
    c.get(L_I).get(L_N).op(OP.i32GeU).op(OP.if).byte(VOID).get(L_N).op(OP.i64ExtendI32U).set(0).op(OP.br).u32(2).op(OP.end);
    c.i32(0).get(L_LEFT).mem(OP.i32Store, LEFT);
    this.#enterFrame(slot);
    c.get(0).get(L_I).op(OP.i64ExtendI32U).get(3).i64(0).i64(0).i64(0);
    for (let r = 6; r <= 9; r++) c.get(r);
    c.get(L_FP).get(L_K).op(OP.callIndirect).u32(T_FN).u32(0);
    // keep the callback's r0 only
    for (let r = 5; r >= 1; r--) c.op(OP.drop);
    c.set(L_OLD);
    this.#leaveFrame();
    c.i32(0).mem(OP.i32Load, LEFT).set(L_LEFT);
    c.get(L_I).i32(1).op(OP.i32Add).set(L_I);
    c.get(L_OLD).i64(0).op(OP.i64Ne).op(OP.if).byte(VOID).get(L_I).op(OP.i64ExtendI32U).set(0).op(OP.br).u32(2).op(OP.end);
    c.op(OP.br).u32(0);
    c.op(OP.end).op(OP.end);
    c.i32(0).i32(0).mem(OP.i32Load, F_CALLBACKS).i32(1).op(OP.i32Sub).mem(OP.i32Store, F_CALLBACKS);
    this.#checkFrame();
    c.op(OP.else);
    this.#helper(slot, () => void c.i32(181));
    c.op(OP.end);
  }

  #instruction(slot: number): void {
    const c = this.c;
    const code = this.#code;
    const at = slot * 4;
    const h = code[at]!;
    const d = code[at + 1]! & 15;
    const s = code[at + 1]! >> 4;
    const off = code[at + 2]!;
    const imm = code[at + 3]!;

    const cls = h & 7;
    const x = (h & 0x08) !== 0;
    const srcOrImm64 = (): void => void (x ? c.get(s) : c.i64(imm));
    const srcOrImm32 = (): void => void (x ? c.low(s) : c.i32(imm));

    switch (h) {
      // ---- signed division and modulo, sign-extending moves, byte order, address space casts
      case 0x01: case 0x09: case 0x11: case 0x19: case 0x21: case 0x29: case 0x31: case 0x39: {
        const name = (['sdiv32', 'sdiv32', 'sdiv64', 'sdiv64', 'smod32', 'smod32', 'smod64', 'smod64'] as const)[h >> 3]!;
        c.get(d);
        srcOrImm64();
        c.call(F_DIV[name]).set(d);
        return;
      }
      case 0x41: c.low(s).op(OP.i32Extend8S).op(OP.i64ExtendI32U).set(d); return;
      case 0x49: c.low(s).op(OP.i32Extend16S).op(OP.i64ExtendI32U).set(d); return;
      case 0x51: c.get(s).op(OP.i64Extend8S).set(d); return;
      case 0x59: c.get(s).op(OP.i64Extend16S).set(d); return;
      case 0x99: c.get(s).op(OP.i64Extend32S).set(d); return;
      case 0xd1: c.get(s).set(d); return;
      case 0xa1: c.get(d).i64(0xffff).op(OP.i64And).set(d); return;
      case 0xa9: c.get(d).i64(0xffff_ffffn).op(OP.i64And).set(d); return;
      case 0xb1: return;
      case 0xb9: // swap16
        c.get(d).i64(0xff).op(OP.i64And).i64(8).op(OP.i64Shl);
        c.get(d).i64(8).op(OP.i64ShrU).i64(0xff).op(OP.i64And).op(OP.i64Or).set(d);
        return;
      case 0xc1: // swap32
        c.low(d);
        bswap32(c);
        c.op(OP.i64ExtendI32U).set(d);
        return;
      case 0xc9: // swap64: the swapped low half becomes the high half
        c.low(d);
        bswap32(c);
        c.op(OP.i64ExtendI32U).i64(32).op(OP.i64Shl);
        c.high(d);
        bswap32(c);
        c.op(OP.i64ExtendI32U).op(OP.i64Or).set(d);
        return;
      case 0xd9: // may_goto
        this.#flushLow();
        c.call(IMP.mayGoto);
        this.#jumpIf(off);
        return;
      case 0xe1:
        this.#localCall(slot, this.#prog.functions.indexOf(off));
        return;
      case 0xe9: case 0xf9:
        this.#flushLow();
        c.i32(slot).i32(h === 0xe9 ? -1 : h).call(IMP.invalid).op(OP.unreachable);
        return;
      case 0x18:
        c.i64((BigInt(off) << 32n) | BigInt(imm >>> 0)).set(d);
        return;
      case 0x85:
        if (imm === 181) this.#bpfLoop(slot);
        else if (imm === 1) emitMapLookup(c, F_LOOKUP, L_A, () => this.#helper(slot, () => void c.i32(imm)), { t: L_T, h: L_H, e: L_E, o: L_O, p: L_P, k: L_N });
        else if (imm === 26) emitSkbLoadBytes(c, { h: L_H, e: L_E, n: L_N, t: L_T, o: L_O }, () => this.#helper(slot, () => void c.i32(imm)));
        else if (imm === 9) emitSkbStoreBytes(c, { h: L_H, e: L_E, n: L_N, t: L_T, o: L_O }, () => this.#helper(slot, () => void c.i32(imm)));
        else if (imm === 10) emitL3CsumReplace(c, { h: L_H, e: L_E, n: L_N, t: L_T, o: L_O }, () => this.#helper(slot, () => void c.i32(imm)));
        else if (imm === 93 || imm === 94) emitSpinLock(c, imm === 93, { h: L_H, e: L_E, o: L_O }, () => this.#helper(slot, () => void c.i32(imm)));
        else if (imm === 2) emitMapUpdate(c, F_LOOKUP, { h: L_H, p: L_P, e: L_E, o: L_O, n: L_N, t: L_T, a: L_A }, () => this.#helper(slot, () => void c.i32(imm)));
        else if (imm === 12) emitTailCall(c, { h: L_H, p: L_E }, () => this.#helper(slot, () => void c.i32(imm)));
        else if (imm === 5) emitKtimeGetNs(c, () => this.#helper(slot, () => void c.i32(imm)));
        else if (imm === 87 || imm === 88 || imm === 89) emitQueueOp(c, imm, { h: L_H, p: L_P, e: L_E, o: L_O, n: L_N, t: L_T }, () => this.#helper(slot, () => void c.i32(imm)));
        else this.#helper(slot, () => void c.i32(imm));
        return;
      case 0x8d:
        this.#flushLow();
        c.i32(slot).low(d).high(d).call(IMP.callx).tee(L_T).i32(0).op(OP.i32GeS);
        c.op(OP.if).byte(VOID);
        this.#localCall(slot, undefined);
        c.op(OP.else);
        this.#helper(slot, () => void c.low(d));
        c.op(OP.end);
        return;
      case 0x95:
        this.#returnSequence();
        return;
      case 0x05:
        this.#jump(off, 0);
        return;
      case 0xc3: case 0xdb:
        this.#atomic(slot, h === 0xdb, imm, d, s, off);
        return;
      case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50:
        this.#ldAbs(slot, h, s, imm);
        return;
    }

    const load = LOAD_OP[h];
    if (load !== undefined) {
      const [size, op, signed] = load;
      // the fast paths first (each opens a block the generic path ends in), then the generic path
      let open = 0;
      if (this.#direct(slot)) {
        c.get(L_SB).op(OP.if).byte(I64);
        this.#noteLow(off);
        c.get(L_SB).mem(op, off - this.#frame!.low).op(OP.else);
        open++;
      } else if (this.#isContext(slot, s)) {
        open += this.#contextLoad(s, off, size, op);
      }
      this.#guarded(s, off, size, false, I64, () => {
        this.#address();
        c.mem(op, 0);
      }, () => {
        // the context's fields, else the runtime (which makes the fault)
        c.i32(slot).get(L_A).i32(size | (signed ? 16 : 0));
        this.#lowArgs();
        c.call(F_SLOW_LOAD);
      });
      for (; open > 0; open--) c.op(OP.end);
      c.set(d);
      return;
    }
    const store = STORE_OP[h];
    if (store !== undefined) {
      const [size, op, isImm] = store;
      const value = (): void => void (isImm ? c.i64(imm) : c.get(s));
      let open = 0;
      if (this.#direct(slot)) {
        c.get(L_SB).op(OP.if).byte(VOID);
        this.#noteLow(off);
        c.get(L_SB);
        value();
        c.mem(op, off - this.#frame!.low).op(OP.else);
        open++;
      } else if (this.#isContext(slot, d)) {
        // a context field kept in CTX_BYTES first (the context is never in the region table)
        c.get(d).i64(off).op(OP.i64Add).set(L_A);
        c.high(L_A).low(L_A).i32(1 << (4 + LOG2[size]!)).call(F_CTXB).tee(L_P).op(OP.if).byte(VOID);
        c.get(L_P);
        value();
        c.mem(op, 0).i32(0).i32(1).mem(OP.i32Store, CTX_DIRTY).op(OP.else);
        open++;
      }
      this.#guarded(d, off, size, true, VOID, () => {
        this.#address();
        value();
        c.mem(op, 0);
      }, () => {
        // a field of the context kept in CTX_BYTES (noted for the runtime: CTX_DIRTY), else the runtime
        c.i32(slot).get(L_A).i32(size);
        value();
        this.#lowArgs();
        c.call(F_SLOW_STORE);
      });
      for (; open > 0; open--) c.op(OP.end);
      return;
    }

    const op = h & 0xf0;
    if (cls === 7) {
      // ALU64
      if (op === 0xb0) {
        srcOrImm64();
        c.set(d);
      } else if (op === 0x80) {
        c.i64(0).get(d).op(OP.i64Sub).set(d);
      } else if (op === 0x30 || op === 0x90) {
        c.get(d);
        srcOrImm64();
        c.call(op === 0x30 ? F_DIV.udiv64 : F_DIV.umod64).set(d);
      } else if (ALU64[op] !== undefined) {
        c.get(d);
        srcOrImm64();
        c.op(ALU64[op]).set(d);
      } else {
        this.#invalid(slot, h);
      }
      return;
    }
    if (cls === 4) {
      // ALU32: the low halves, zero-extended
      if (op === 0xb0) {
        srcOrImm32();
      } else if (op === 0x80) {
        c.i32(0).low(d).op(OP.i32Sub);
      } else if (op === 0x30 || op === 0x90) {
        c.get(d);
        srcOrImm64();
        c.call(op === 0x30 ? F_DIV.udiv32 : F_DIV.umod32).set(d);
        return;
      } else if (ALU32[op] !== undefined) {
        c.low(d);
        srcOrImm32();
        c.op(ALU32[op]);
      } else {
        this.#invalid(slot, h);
        return;
      }
      c.op(OP.i64ExtendI32U).set(d);
      return;
    }
    if (cls === 5 || cls === 6) {
      const wide = cls === 5;
      if (op === 0x40) {
        // jset
        if (wide) {
          c.get(d);
          srcOrImm64();
          c.op(OP.i64And).i64(0).op(OP.i64Ne);
        } else {
          c.low(d);
          srcOrImm32();
          c.op(OP.i32And);
        }
        this.#jumpIf(off);
        return;
      }
      const cmp = CMP[op];
      if (cmp !== undefined) {
        if (wide) {
          c.get(d);
          srcOrImm64();
        } else {
          c.low(d);
          srcOrImm32();
        }
        c.op(wide ? cmp[0] : cmp[1]);
        this.#jumpIf(off);
        return;
      }
    }
    this.#invalid(slot, h);
  }

  /** Whether the load or store at `slot` is a direct frame access (frame-access.ts). */
  #direct(slot: number): boolean {
    return this.#frame !== undefined && this.#frame.slots.has(slot);
  }

  /** Whether r`reg` holds the entry r1 before `slot` (context-provenance.ts). */
  #isContext(slot: number, reg: number): boolean {
    return this.#ctxRegs !== undefined && (this.#ctxRegs[slot - this.#first]! & (1 << reg)) !== 0;
  }

  /**
   * L_SB = the frame check's answer (frame-access.ts), in a function with direct accesses. Inline: a call at
   * the start of every function, and after every helper, costs the code around it its registers.
   */
  #checkFrame(): void {
    const f = this.#frame;
    if (f !== undefined) emitFrameCheck(this.c, f, { r10: 10, a: L_FA, h: L_FH, e: L_FE, o: L_FO, sb: L_SB });
  }

  /** E_LOW brought down to what the direct accesses reached (before anything that may read it). */
  #flushLow(): void {
    // the call only when a direct access noted an offset since the last flush (most paths note none)
    if (this.#frame !== undefined) {
      this.c.get(L_LOW).i32(NO_LOW).op(OP.i32Ne).op(OP.if).byte(VOID).get(10).get(L_LOW).call(F_FLUSH).set(L_LOW).op(OP.end);
    }
  }

  /** r10 and L_LOW for a function that flushes the low-water mark (slowLoad, slowStore), else nothing to flush. */
  #lowArgs(): void {
    if (this.#frame !== undefined) this.c.get(10).get(L_LOW);
    else this.c.i64(0).i32(NO_LOW);
  }

  /** A direct access at r10 + `off` notes its offset in L_LOW, unless one as low did on every way here. */
  #noteLow(off: number): void {
    if (off >= this.#noted) return;
    this.#noted = off;
    this.c.i32(off).get(L_LOW).i32(off).get(L_LOW).op(OP.i32LtS).op(OP.select).set(L_LOW);
  }

  /**
   * The fast paths of a load through a register holding the context: a packet pointer (or skb->len) from its
   * CTX_FIELDS slot when the address is the context's field (context-fields.ts fieldSlot: the slot is fixed by
   * the offset), then a field kept in CTX_BYTES. Leaves the address in L_A; returns the blocks it opened
   * (each one's else is the rest, ending in the generic path).
   */
  #contextLoad(s: number, off: number, size: number, op: number): number {
    const c = this.c;
    const k = size === 4 ? fieldSlot(off) : undefined;
    c.get(s).i64(off).op(OP.i64Add).tee(L_A);
    let open = 0;
    if (k !== undefined) {
      // A = (CTX_ID << 32 | REGION_BASE + off), CTX_ID set, slot k enabled (+4) for this offset (+0)
      c.i64(BigInt(REGION_BASE + off)).i32(0).mem(OP.i32Load, CTX_ID).tee(L_H).op(OP.i64ExtendI32U).i64(32).op(OP.i64Shl).op(OP.i64Or).op(OP.i64Eq);
      c.get(L_H).i32(0).op(OP.i32Ne).op(OP.i32And);
      c.i32(0).mem(OP.i64Load, CTX_FIELDS + 16 * k).i64((1n << 32n) | BigInt(off)).op(OP.i64Eq).op(OP.i32And);
      c.op(OP.if).byte(I64).i32(0).mem(OP.i64Load, CTX_FIELDS + 16 * k + 8).op(OP.else);
      open++;
    } else {
      c.op(OP.drop);
    }
    c.high(L_A).low(L_A).i32(1 << LOG2[size]!).call(F_CTXB).tee(L_P).op(OP.if).byte(I64).get(L_P).mem(op, 0).op(OP.else);
    return open + 1;
  }

  /**
   * `fast` when the access of `size` bytes at r`reg` + `off` is one the table allows (a mirrored region, inside
   * its window, writable for a write), else `slow`; both leave a value of `type` (or none: VOID). The inline
   * form of effectiveAddress(), as a chain of branches out of the fast path (a branch per test is cheaper than
   * and-ing the tests' flags); the address is left in L_A, the entry and offset in L_E and L_O for #address().
   */
  #guarded(reg: number, off: number, size: number, write: boolean, type: number, fast: () => void, slow: () => void): void {
    const c = this.c;
    c.op(OP.block).byte(type).op(OP.block).byte(VOID);
    c.get(reg).i64(off).op(OP.i64Add).tee(L_A);
    c.i64(32).op(OP.i64ShrU).op(OP.i32WrapI64).tee(L_H).i32(MASK).op(OP.i32And).i32(ENTRY_SHIFT).op(OP.i32Shl).tee(L_E);
    c.mem(OP.i32Load, TABLE + E_ID).get(L_H).op(OP.i32Ne).op(OP.brIf).u32(0);
    c.low(L_A).i32(0x8000_0000 | 0).op(OP.i32Xor).tee(L_O).get(L_E).mem(OP.i32Load, TABLE + E_START).op(OP.i32LtS).op(OP.brIf).u32(0);
    c.get(L_O).get(L_E).mem(OP.i32Load, TABLE + E_END).i32(size).op(OP.i32Sub).op(OP.i32GtS).op(OP.brIf).u32(0);
    if (write) c.get(L_E).mem(OP.i32Load, TABLE + E_WRITABLE).op(OP.i32Eqz).op(OP.brIf).u32(0);
    fast();
    c.op(OP.br).u32(1);
    c.op(OP.end);
    slow();
    c.op(OP.end);
  }

  /**
   * Push whether the access of `size` bytes at r`reg` + `off` is one the table allows (a mirrored region,
   * inside its window, writable for a write): the inline form of effectiveAddress(), leaving the address in
   * L_A and the entry and offset in L_E and L_O for #address().
   */
  #checkAccess(reg: number, off: number, size: number, write: boolean): void {
    const c = this.c;
    c.get(reg).i64(off).op(OP.i64Add).tee(L_A);
    c.i64(32).op(OP.i64ShrU).op(OP.i32WrapI64).tee(L_H).i32(MASK).op(OP.i32And).i32(ENTRY_SHIFT).op(OP.i32Shl).tee(L_E);
    c.mem(OP.i32Load, TABLE + E_ID).get(L_H).op(OP.i32Eq);
    c.low(L_A).i32(0x8000_0000 | 0).op(OP.i32Xor).tee(L_O).get(L_E).mem(OP.i32Load, TABLE + E_START).op(OP.i32GeS).op(OP.i32And);
    c.get(L_O).get(L_E).mem(OP.i32Load, TABLE + E_END).i32(size).op(OP.i32Sub).op(OP.i32LeS).op(OP.i32And);
    if (write) c.get(L_E).mem(OP.i32Load, TABLE + E_WRITABLE).op(OP.i32And);
  }

  /** After #checkAccess() allowed it: note the lowest offset reached, push the linear address. */
  #address(): void {
    const c = this.c;
    c.get(L_O).get(L_E).mem(OP.i32Load, TABLE + E_LOW).op(OP.i32LtS);
    c.op(OP.if).byte(VOID).get(L_E).get(L_O).mem(OP.i32Store, TABLE + E_LOW).op(OP.end);
    c.get(L_E).mem(OP.i32Load, TABLE + E_BASE).get(L_O).op(OP.i32Add);
  }

  /**
   * An atomic operation (imm: add 0, or 1, and 2, xor 3, xchg 4, cmpxchg 5, + 8 fetch), as execute.ts's
   * atomic(): inline on a region the table allows writing (one thread: a load, the operation, a store),
   * else through the runtime (which makes the fault). Narrow forms store the low half; what they fetch (into
   * src, or r0 for cmpxchg) is the old 32-bit value zero-extended.
   */
  #atomic(slot: number, wide: boolean, k: number, d: number, s: number, off: number): void {
    const c = this.c;
    const op = k & 7;
    const fetch = (k & 8) !== 0;
    this.#checkAccess(d, off, wide ? 8 : 4, true);
    c.op(OP.if).byte(VOID);
    this.#address();
    c.tee(L_P).mem(wide ? OP.i64Load : OP.i64Load32U, 0).set(L_OLD);
    if (op === 5) {
      // cmpxchg: store src when the old value equals r0 (its low half for the narrow form); r0 = old
      if (wide) c.get(0).get(L_OLD).op(OP.i64Eq);
      else c.low(0).low(L_OLD).op(OP.i32Eq);
      c.op(OP.if).byte(VOID).get(L_P).get(s).mem(wide ? OP.i64Store : OP.i64Store32, 0).op(OP.end);
      c.get(L_OLD).set(0);
    } else {
      c.get(L_P);
      if (op === 4) c.get(s);
      else c.get(L_OLD).get(s).op([OP.i64Add, OP.i64Or, OP.i64And, OP.i64Xor][op]!);
      c.mem(wide ? OP.i64Store : OP.i64Store32, 0);
      if (fetch) c.get(L_OLD).set(s);
    }
    c.op(OP.else);
    this.#flushLow();
    this.#spill();
    c.i32(slot).i32(k | (wide ? 0x10 : 0)).i32(d).i32(s).i32(off).call(IMP.atomic);
    this.#reload();
    this.#checkFrame();
    c.op(OP.end);
  }

  /**
   * ld_abs / ld_ind: a big-endian load at imm (+ src's low half) from the start of the run's packet window,
   * inline when the packet is in the table (PKT_ID) and the load is inside the window, as the runtime's
   * ldabs() reads it (the window's length from its start); anything else (no packet, out of the window: the
   * program ends) goes to ldabs().
   */
  #ldAbs(slot: number, h: number, s: number, imm: number): void {
    const c = this.c;
    const size = (h & 0x18) === 0x00 ? 4 : (h & 0x18) === 0x08 ? 2 : 1;
    if (h >= 0x40) c.low(s).i32(imm).op(OP.i32Add);
    else c.i32(imm);
    c.set(L_O);
    c.i32(0).mem(OP.i32Load, PKT_ID).tee(L_H).i32(MASK).op(OP.i32And).i32(ENTRY_SHIFT).op(OP.i32Shl).set(L_E);
    c.get(L_H).i32(0).op(OP.i32Ne);
    c.get(L_E).mem(OP.i32Load, TABLE + E_ID).get(L_H).op(OP.i32Eq).op(OP.i32And);
    c.get(L_O).i32(0).op(OP.i32GeS).op(OP.i32And);
    c.get(L_O).get(L_E).mem(OP.i32Load, TABLE + E_END).get(L_E).mem(OP.i32Load, TABLE + E_START).op(OP.i32Sub).i32(size).op(OP.i32Sub).op(OP.i32LeS).op(OP.i32And);
    c.op(OP.if).byte(I64);
    c.get(L_E).mem(OP.i32Load, TABLE + E_BASE).get(L_E).mem(OP.i32Load, TABLE + E_START).op(OP.i32Add).get(L_O).op(OP.i32Add);
    if (size === 4) {
      c.mem(OP.i32Load, 0);
      bswap32(c);
      c.op(OP.i64ExtendI32U);
    } else if (size === 2) {
      c.mem(OP.i32Load16U, 0).tee(L_P).i32(8).op(OP.i32Shl).i32(0xff00).op(OP.i32And);
      c.get(L_P).i32(8).op(OP.i32ShrU).op(OP.i32Or).op(OP.i64ExtendI32U);
    } else {
      c.mem(OP.i64Load8U, 0);
    }
    c.op(OP.else);
    this.#flushLow();
    c.i32(0).get(L_LEFT).mem(OP.i32Store, LEFT);
    c.i32(slot).i32(h).low(s).i32(imm).call(IMP.ldabs).op(OP.i64ExtendI32U);
    c.op(OP.end).set(0);
  }

  #invalid(slot: number, h: number): void {
    this.#flushLow();
    this.c.i32(slot).i32(h).call(IMP.invalid).op(OP.unreachable);
  }
}

/** Byte-swap the i32 on the stack: (rotl 8 & 0x00ff00ff) | (rotr 8 & 0xff00ff00). */
function bswap32(c: Code): void {
  // wasm has no dup: the value is kept in the scratch local L_P for its second use
  c.tee(L_P).i32(8).op(OP.i32Rotl).i32(0x00ff00ff).op(OP.i32And);
  c.get(L_P).i32(8).op(OP.i32Rotr).i32(0xff00ff00 | 0).op(OP.i32And).op(OP.i32Or);
}
