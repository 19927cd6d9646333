// Type feedback for every case of execute() before the first real program runs. execute() is one large
// function shared by every program; V8 optimizes it from the feedback of the cases run so far, and the
// first time a later program reaches a case that never ran (another opcode, a jump taken the other way, a
// load from a context), the optimized code is thrown away and rebuilt, which takes V8 a few hundred
// milliseconds for a function this size, during which every run is interpreted. One synthetic program
// through every handler (both outcomes of each jump, plain and hooked loads and stores, helpers with and
// without a register fast path, a local call, callx, ld_abs, atomics, may_goto, a traced run) gives each case
// its feedback once, so later programs keep the optimized code. The fused sequences (fuse.ts) are in it too.
import { CODE_TAG, CompiledProgram, HANDLER } from './compiled-program.ts';
import { execute } from './execute.ts';
import { helperTable, type HelperDispatch } from './helpers.ts';
import { LENGTH_FIELD, Memory, POINTER_DATA, REGION_BASE, type LoadHook, type Region, type RegionOptions, type RegLoadHook } from './memory.ts';
import { RunState } from './run-state.ts';

const ALU = [
  0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87, 0x97, 0x9f,
  0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64,
  0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc,
  ...Object.values(HANDLER).filter((h) => h < 0xd9 && h !== HANDLER.mayGoto),
];
const JUMPS = [0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d, 0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd];
const LOADS = [0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91];
const STORES = [0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b];
const LD_ABS = [0x20, 0x28, 0x30, 0x40, 0x48, 0x50];
/** atomic imm: op (add, or, and, xor, xchg, cmpxchg) + fetch */
const ATOMIC_OPS = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13];

/**
 * (r4, r5) per pass: each conditional jump taken and not, shifts under and over 32, division by zero. The
 * values that widen V8's feedback most (negative, above 2^30, 64-bit) come first: V8 starts compiling about
 * ten runs in (three passes), and what it reads then should be what the rest of the passes give.
 */
const PASSES: readonly (readonly [number, number, number, number])[] = [
  [-7, -1, 40, 0],
  [3, 0, -1, -1],
  [0, 0, 0, 1],
  [3, 0, 5, 0],
  [5, 0, 3, 0],
  [5, 0, 5, 0],
  [2, 0, 1, 0],
];

let primed = false;

/** Run the priming program once per process (later calls return at once). */
export function primeExecute(): void {
  if (primed) return;
  primed = true;
  const code: number[] = [];
  const emit = (h: number, dst: number, src: number, off: number, imm: number): void => {
    code.push(h, dst | (src << 4), off, imm);
  };
  const next = (): number => code.length / 4 + 1;
  // a jump to the next slot: no sequence starts or ends with it, so the instruction after it is dispatched (a
  // fused pair just before would otherwise run that instruction as its own second part)
  const gap = (): void => emit(0x05, 0, 0, next(), 0);
  for (const imm of [3, 40, -2]) {
    for (const h of ALU) {
      emit(h, 3, 4, 0, imm);
      emit(0xbf, 3, 5, 0, 0); // r3 = r5 again: each op sees the pass's value
    }
  }
  for (const imm of [3, -1, 5]) {
    for (const h of JUMPS) {
      emit(h, 5, 4, next(), imm);
      emit((h & 0xf8) | 0x06, 5, 4, next(), imm); // the JMP32 form
    }
  }
  gap();
  // the fused sequences (fuse.ts): the bounds check taken and not, a verdict (below), stores plain and hooked
  for (const imm of [3, -1, 5]) {
    for (const jump of [0x2d, 0xbd]) {
      emit(0xbf, 3, 5, 0, 0);
      emit(0x07, 3, 0, 0, imm);
      emit(jump, 3, 4, next(), 0);
    }
  }
  emit(0xb4, 3, 0, 0, 7);
  emit(0x63, 2, 3, 48, 0);
  emit(0xb4, 3, 0, 0, 7);
  emit(0x63, 1, 3, 0, 0);
  for (const off of [0, 8]) {
    for (const h of LOADS) {
      gap();
      emit(h, 0, 1, off, 0); // the hooked region: the hook answers offset 0, not 8
      gap();
      emit(h, 0, 2, off + 8, 0); // plain memory
    }
    for (const h of STORES) {
      gap();
      emit(h, 1, 4, off, 7);
      gap();
      emit(h, 2, 4, off + 16, 7);
    }
  }
  // a context's pointer fields (Region.pointers), each load twice (resolve() allows it first)
  for (const off of [16, 20, 16, 20]) emit(0x61, 0, 1, off, 0);
  // The memory pairs with each access in every place: plain memory (r2), a context field whose hook answers
  // the load or takes the store (r1 + 0), one the hook leaves to memory (r1 + 8), and for a word load a packet
  // pointer (r1 + 16). A handler's path that no pair here takes would have execute() thrown away when a
  // program takes it (a context's field copied: loadStore's first load hooked).
  const loadsAt = [[2, 0], [1, 0], [1, 8]] as const;
  const wordLoadsAt = [...loadsAt, [1, 16]] as const;
  const storesAt = [[2, 24], [1, 0], [1, 8]] as const;
  for (const [a, ao] of wordLoadsAt) {
    for (const [b, bo] of storesAt) {
      gap();
      emit(0x61, 0, a, ao, 0); // loadStore
      emit(0x63, b, 0, bo, 0);
    }
  }
  for (const [a, ao] of storesAt) {
    for (const [b, bo] of wordLoadsAt) {
      gap();
      emit(0x63, a, 0, ao, 0); // storeLoad
      emit(0x61, 0, b, bo, 0);
    }
    for (const [b, bo] of storesAt) {
      gap();
      emit(0x63, a, 0, ao, 0); // storeStore
      emit(0x63, b, 0, bo, 0);
    }
    gap();
    emit(0x63, a, 0, ao, 0); // storeMov
    emit(0xbf, 3, 5, 0, 0);
    gap();
    emit(0x63, a, 0, ao, 0); // storeImm
    emit(0xb4, 3, 0, 0, 9);
    gap();
    emit(0xb4, 3, 0, 0, 7); // immStore
    emit(0x63, a, 3, ao, 0);
  }
  // counters (ldxdw; add; stxdw) in each place, adding an immediate and a register
  for (const [a, ao] of loadsAt) {
    for (const add of [0x07, 0x0f]) {
      gap();
      emit(0x79, 6, a, ao, 0);
      emit(add, 6, 5, 0, 3);
      emit(0x7b, a, 6, ao, 0);
    }
  }
  emit(0xb4, 3, 0, 0, 1);
  emit(0xb4, 7, 0, 0, 0);
  // a load or an and, then a test (fused: byteJne, wordJne, andJne; in each place, the jump taken in some passes)
  for (const [a, ao] of wordLoadsAt) {
    for (const h of ao === 16 ? [0x61] : [0x71, 0x61]) {
      emit(h, 6, a, ao, 0);
      emit(0x56, 4, 0, next(), 3);
    }
  }
  emit(0x54, 6, 0, 0, 0xf);
  emit(0x56, 4, 0, next(), 3);
  // byte pairs (byteByte) and 16-bit fields read byte by byte (halfBytes), each byte in each place
  for (const [a, ao] of loadsAt) {
    for (const [b, bo] of loadsAt) {
      gap();
      emit(0x71, 6, a, ao, 0);
      emit(0x71, 3, b, bo, 0);
      gap();
      emit(0x71, 6, a, ao, 0);
      emit(0x71, 3, b, bo, 0);
      emit(0x64, 3, 0, 0, 8);
      emit(0x4c, 3, 6, 0, 0);
    }
  }
  // a map and a call, with a key pointer before them (r1 and r3 are not read as pointers past here)
  for (const id of [1, 2]) {
    emit(0x18, 1, 0, 0, 5);
    emit(HANDLER.lddwHigh, 0, 0, 0, 0);
    emit(0x85, 0, 0, 0, id);
    emit(0xbf, 3, 10, 0, 0);
    emit(0x07, 3, 0, 0, -8);
    emit(0x18, 1, 0, 0, 5);
    emit(HANDLER.lddwHigh, 0, 0, 0, 0);
    emit(0x85, 0, 0, 0, id);
  }
  emit(0x18, 6, 0, 0x1234, 0x5678);
  emit(HANDLER.lddwHigh, 0, 0, 0, 0);
  for (const h of LD_ABS) emit(h, 0, 7, 0, 2);
  for (const k of ATOMIC_OPS) {
    emit(0xc3, 2, 4, 32, k);
    emit(0xdb, 2, 4, 40, k);
  }
  emit(0x85, 0, 0, 0, 1); // a helper the fast path answers
  emit(0x85, 0, 0, 0, 2); // one it leaves to call()
  emit(HANDLER.mayGoto, 0, 0, next(), 0);
  emit(0xbf, 1, 8, 0, 0);
  emit(0x8d, 8, 0, 0, 0); // callx to the function in r8
  emit(0x8d, 9, 0, 0, 0); // callx of helper id 1 in r9
  const callAt = code.length / 4;
  emit(HANDLER.callLocal, 0, 0, 0, 0);
  const call2At = code.length / 4;
  emit(HANDLER.callLocal, 0, 0, 0, 0);
  emit(0xb4, 0, 0, 0, 0);
  emit(0x95, 0, 0, 0, 0);
  // a function returning through the fused verdict (retImm), one through a plain exit
  const sub = code.length / 4;
  code[callAt * 4 + 2] = sub;
  emit(0xb4, 0, 0, 0, 1);
  emit(0x95, 0, 0, 0, 0);
  const sub2 = code.length / 4;
  code[call2At * 4 + 2] = sub2;
  emit(0xbf, 0, 2, 0, 0);
  emit(0x95, 0, 0, 0, 0);
  const prog = new CompiledProgram({ name: 'prime', instructions: [], slots: code.length / 4, code: Int32Array.from(code), functions: [0, sub, sub2], sourceLine: undefined });
  const outOfPacket = new CompiledProgram({ name: 'prime', instructions: [], slots: 1, code: Int32Array.of(0x20, 0, 0, 1 << 20), functions: [0], sourceLine: undefined });
  // a plain exit of the entry function (r0 = r1: no verdict to fuse with)
  const plainExit = new CompiledProgram({ name: 'prime', instructions: [], slots: 2, code: Int32Array.of(0xbf, 0 | (1 << 4), 0, 0, 0x95, 0, 0, 0), functions: [0], sourceLine: undefined });

  const memory = new Memory();
  const plain = memory.add({ name: 'memory', kind: 'memory', size: 64 });
  const packet = memory.add({ name: 'packet', kind: 'packet', size: 64 });
  // offset 0: a hooked scalar; 16: a pointer to the packet's start (its window is [0, 8)); 20: its length
  const fields = new Uint8Array(64);
  fields[16] = POINTER_DATA;
  fields[20] = LENGTH_FIELD;
  const load: LoadHook = (o) => (o === 0 ? 5n : o === 16 ? packet.address(0) : o === 20 ? 8n : undefined);
  const loadReg: RegLoadHook = (o, _size, lo, hi, d) => {
    if (o === 0 || o === 20) {
      lo[d] = o === 0 ? 5 : 8;
      hi[d] = 0;
    } else if (o === 16) {
      lo[d] = REGION_BASE | 0;
      hi[d] = packet.id;
    } else return false;
    return true;
  };
  const context = (name: string, hooks: Pick<RegionOptions, 'access' | 'load' | 'loadReg' | 'store'>): Region =>
    memory.add({
      name,
      kind: 'ctx',
      size: 64,
      pureAccess: true, // resolve() skips the rule once it allowed an access, as for contexts
      pointers: { region: packet, window: Int32Array.of(0, 0, 8), fields },
      ...hooks,
    });
  // Every call execute() makes to a function the program's environment supplies (a context's hooks, the
  // helpers' register fast path) sees two functions here, two function literals: V8 then calls whatever comes
  // without assuming a target, where one target would have it throw its optimized code away at the first
  // program's own hook (and rebuild it on-stack, entered anew by every later run: a run then costs 1.5-2×)
  const hooked = context('ctx', { access: () => undefined, load, loadReg, store: (o) => o === 0 });
  const hooked2 = context('ctx2', {
    access: () => undefined,
    load: (o, size) => load(o, size),
    loadReg: (o, size, lo, hi, d) => loadReg(o, size, lo, hi, d),
    store: (o) => o === 0,
  });
  const withFast: HelperDispatch = { has: (id) => id === 1 || id === 2, fast: (id) => id === 1, call: () => 0 };
  const withFast2: HelperDispatch = { has: (id) => id === 1 || id === 2, fast: (id) => id === 1, call: () => 0 };
  const plainTable = helperTable({ 1: () => 0, 2: () => 7n });
  const limits = { budget: 1_000_000, stackSize: 512, maxCallFrames: 8, maxTailCalls: 33 };
  // V8 starts compiling execute() about ten runs in, reading the feedback as it goes: each pass runs every
  // kind of run (both hooks and fast paths, no fast path, traced) before the next pass
  const kinds = [
    { helpers: withFast, r1: hooked, trace: false },
    { helpers: withFast2, r1: hooked2, trace: false },
    { helpers: plainTable, r1: hooked, trace: true },
  ];
  for (const [a, b, c, d] of PASSES) {
    for (const { helpers, r1, trace } of kinds) {
      const st = new RunState({ helpers, ...limits }, prog, { memory, r1, r2: plain, packet, ...(trace ? { trace: true, traceLimit: 4 } : {}) });
      set(st, 4, a, b);
      set(st, 5, c, d);
      set(st, 7, 0, 0);
      set(st, 8, sub, CODE_TAG);
      set(st, 9, 1, 0);
      if (a === 0) st.mayGoto = 0;
      run(st);
    }
  }
  run(new RunState({ helpers: plainTable, ...limits }, outOfPacket, { memory, packet }));
  run(new RunState({ helpers: plainTable, ...limits }, plainExit, { memory, r1: plain }));
  for (const r of [hooked, hooked2, plain, packet] as Region[]) memory.remove(r);
}

function set(st: RunState, n: number, lo: number, hi: number): void {
  st.lo[n] = lo;
  st.hi[n] = hi;
}

function run(st: RunState): void {
  try {
    execute(st);
  } finally {
    st.releaseStacks();
  }
}
