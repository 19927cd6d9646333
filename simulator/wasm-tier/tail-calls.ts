// bpf_tail_call (helper 12) from wasm code without the helper's slow path: no RunState brought to the frame,
// no registers copied out and back, no packet shown to JavaScript. The call reads r2 (the prog array) and r3
// (the index) where the wasm code spilled them, counts the run's tail calls, and runs the target's instance
// in place, as the interpreter's RunState.context.tailCall and callHelper do:
//   - the map is found as RunState.mapAt finds it (the region named by the pointer's high half); anything
//     but a prog array is left to the slow path, which makes the interpreter's fault;
//   - past the limit (RunState.maxTailCalls) or at an empty slot the call falls through, r0 unchanged;
//   - the target starts with the caller's registers and frame (the interpreter keeps both), and its end is
//     the calling function's end (the runtime's helper() returns 1).
// Only for a run whose helper calls nobody records (M_LEAN: kernelHelpers' unrecorded table, whose helper 12
// is bpf_tail_call); any other table goes the slow path, which records the call or runs its own helper 12.
// The prog array is read at the call, so a slot set or emptied between runs is seen at once.
//
// The count: a single run (WasmVm) keeps it in its RunState, as the interpreter does, so the run's result
// reports it. A batch running inside wasm (wasm-batch.ts) brings its RunState to a frame only when JavaScript
// needs it, so the count lives here instead, tied to the run index (B_CURRENT) it belongs to; a batch
// starting or resuming (the runtime's batch setter) forgets it, since the run index starts again.
//
// A call that falls through at an empty slot (or an index past max_entries) has no effect at all: the wasm
// code answers it without JavaScript (emitTailCall) from the prog array's descriptor in MAPS (layout.ts
// D_KIND_PROG: a bit per slot 0..31), which tailCall() writes the first time it sees the map and which is
// good while its D_EPOCH is 0: setting or emptying a slot (ProgArrayMap, map-events.ts keysChanged) makes
// the runtime give it a new epoch, so the next call takes the JavaScript path again and describes it anew.
import { isProgArray, type CompiledProgram, type Memory, type ProgArrayHandle } from '../vm/index.ts';
import * as layout from './layout.ts';
import { CodeWriter, OP, VOID } from './wasm-module.ts';
import { emitDescriptor } from './map-descriptor.ts';

const I_R2_HI = (layout.REGS >> 2) + 5;
const I_R3_LO = (layout.REGS >> 2) + 6;
const I_CURRENT = layout.B_CURRENT >> 2;
const I_CTX_READY = layout.CTX_READY >> 2;
const I_LEAN = layout.M_LEAN >> 2;
const { D_EPOCH, D_FIRST, D_ID, D_KIND, D_KIND_PROG, D_MAX, MAP_ENTRIES, MAP_ENTRY_SIZE, MAPS } = layout;
/** the slots a descriptor's bits cover */
const SLOT_BITS = 32;

/** What a tail call needs of the runtime (WasmRuntime; an interface, so that this module imports no runtime). */
export interface TailCallRuntime {
  readonly i32: Int32Array;
  readonly memory: Memory;
  readonly st: { tailCalls: number; readonly maxTailCalls: number };
  readonly batch: unknown;
  instance(prog: CompiledProgram): { start(): void };
}

/** The tail calls of the batch run in progress. */
export class TailCount {
  /** the run index (B_CURRENT) `count` belongs to; NaN: none */
  #run = Number.NaN;
  #count = 0;

  /** A batch starts or resumes: its run indices start again. */
  forget(): void {
    this.#run = Number.NaN;
    this.#count = 0;
  }

  /** The count of run `run` (0 for a run not seen before). */
  of(run: number): number {
    if (run !== this.#run) {
      this.#run = run;
      this.#count = 0;
    }
    return this.#count;
  }

  set(count: number): void {
    this.#count = count;
  }
}

/**
 * The tail call the wasm code asks for with r1..r5 spilled to REGS: 1 when the target ran to its end (its
 * r0..r5 in REGS), 0 when the call fell through, -1 when the slow path must make it (a recorded
 * call, or not a prog array: a fault).
 */
export function tailCall(rt: TailCallRuntime, tails: TailCount): number {
  const i32 = rt.i32;
  if (i32[I_LEAN] !== 1) return -1;
  const regions = rt.memory.regions;
  const id = i32[I_R2_HI]! >>> 0;
  const map = id < regions.length ? regions[id]?.map : undefined;
  if (map === undefined || !isProgArray(map)) return -1;
  describe(i32, map, id);
  const st = rt.st;
  const inBatch = rt.batch !== undefined;
  const run = i32[I_CURRENT]!;
  const count = inBatch ? tails.of(run) : st.tailCalls;
  if (count >= st.maxTailCalls) return 0;
  const target = map.program(i32[I_R3_LO]! >>> 0);
  if (target === undefined) return 0;
  if (inBatch) tails.set(count + 1);
  else st.tailCalls = count + 1;
  // the same run goes on: the target's start() must not spoil the context's copy made for it (context-bytes.ts)
  i32[I_CTX_READY] = 1;
  rt.instance(target).start();
  return 1;
}

/** Prog array `map` (handle region id `h`) described in MAPS for emitTailCall, unless it is already. */
function describe(i32: Int32Array, map: ProgArrayHandle, h: number): void {
  const d = (MAPS + (h & (MAP_ENTRIES - 1)) * MAP_ENTRY_SIZE) >> 2;
  if (i32[d + (D_ID >> 2)] === h && i32[d + (D_KIND >> 2)] === D_KIND_PROG && i32[d + (D_EPOCH >> 2)] === 0) return;
  let bits = 0;
  const n = Math.min(map.maxEntries, SLOT_BITS);
  for (let i = 0; i < n; i++) if (map.program(i) !== undefined) bits |= 1 << i;
  i32[d + (D_FIRST >> 2)] = bits;
  i32[d + (D_MAX >> 2)] = map.maxEntries;
  i32[d + (D_KIND >> 2)] = D_KIND_PROG;
  i32[d + (D_EPOCH >> 2)] = 0;
  i32[d + (D_ID >> 2)] = h;
}

/**
 * Emit bpf_tail_call(r1, r2, r3): nothing (r0 and r1..r5 unchanged, as the interpreter falls through) when
 * the wasm code sees from the prog array's descriptor that the slot r3 names holds no program, else `call()`
 * (the translator's helper call sequence, which runs the target or makes the fault). `h` and `p` are i32
 * scratch locals dead across the call.
 */
export function emitTailCall(c: CodeWriter, l: { readonly h: number; readonly p: number }, call: () => void): void {
  c.op(OP.block).byte(VOID);
  c.op(OP.block).byte(VOID);
  const slow = (): void => void c.op(OP.brIf).u32(0);
  // the descriptor: this map's, a prog array's, still true
  emitDescriptor(c, 2, l, slow);
  c.get(l.p).mem(OP.i32Load, MAPS + D_KIND).i32(D_KIND_PROG).op(OP.i32Ne);
  slow();
  c.get(l.p).mem(OP.i32Load, MAPS + D_EPOCH);
  slow();
  // the index (u32): past max_entries it falls through; past the bits, the slow path; an empty slot falls through
  c.get(3).op(OP.i32WrapI64).tee(l.h).get(l.p);
  c.mem(OP.i32Load, MAPS + D_MAX).op(OP.i32GeU);
  c.op(OP.brIf).u32(1);
  c.get(l.h).i32(SLOT_BITS).op(OP.i32GeU);
  slow();
  c.get(l.p);
  c.mem(OP.i32Load, MAPS + D_FIRST).get(l.h).op(OP.i32ShrU).i32(1).op(OP.i32And);
  slow();
  c.op(OP.br).u32(1);
  c.op(OP.end);
  call();
  c.op(OP.end);
}
