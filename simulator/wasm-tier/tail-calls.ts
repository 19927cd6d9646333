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
import { isProgArray, type CompiledProgram, type Memory } from '../vm/index.ts';
import * as layout from './layout.ts';

const I_R2_HI = (layout.REGS >> 2) + 5;
const I_R3_LO = (layout.REGS >> 2) + 6;
const I_CURRENT = layout.B_CURRENT >> 2;
const I_CTX_READY = layout.CTX_READY >> 2;
const I_LEAN = layout.M_LEAN >> 2;

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
