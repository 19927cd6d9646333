// A finished run's RunState reset for the next run, as its constructor would set it up: the constructor's
// closures and typed arrays cost more than a short program's run. Both tiers' lean runs use it (the fast
// tier's runtime, and the interpreter's batch runner in lean-interp.ts).
import { MAY_GOTO_BUDGET, Region, REGION_BASE, type CompiledProgram, type RunOptions } from '../vm/index.ts';
import { RunState, type VmLimits } from '../vm/run-state.ts';

/** RunState without the readonly markers. */
type Resettable = { -readonly [K in keyof RunState]: RunState[K] };

/**
 * `spare` reset for a run of `entry` with `options`, or a new RunState when there is none or it does not fit
 * (other limits, another memory, tracing).
 */
export function reuseRunState(spare: RunState | undefined, vm: VmLimits, entry: CompiledProgram, options: RunOptions): RunState {
  if (
    spare === undefined ||
    spare.tracing ||
    options.trace === true ||
    (options.memory !== undefined && spare.memory !== options.memory) ||
    spare.stackSize !== vm.stackSize ||
    spare.maxFrames !== vm.maxCallFrames ||
    spare.maxTailCalls !== vm.maxTailCalls
  ) {
    return new RunState(vm, entry, options);
  }
  const st = spare as Resettable;
  st.helpers = options.helpers ?? vm.helpers;
  st.packet = options.packet;
  st.budget = options.budget ?? vm.budget;
  st.left = st.budget;
  st.traceLimit = options.traceLimit ?? st.traceLimit;
  if (st.trace.length !== 0) st.trace.length = 0;
  st.traceTruncated = false;
  if (st.frameProg.length !== 1) {
    // frames were entered (each sets frameProg[depth]): clear what they saved
    st.frameProg.length = 1;
    st.frameRet.fill(0);
    st.frameSaved.fill(0);
  }
  st.frameProg[0] = entry;
  st.prog = entry;
  st.code = entry.code;
  st.pc = 0;
  st.slot = 0;
  st.depth = 0;
  st.baseDepth = 0;
  st.mayGoto = MAY_GOTO_BUDGET;
  st.tailCalls = 0;
  st.pendingTail = undefined;
  zero(st.lo);
  zero(st.hi);
  arg(spare, 1, options.r1);
  arg(spare, 2, options.r2);
  arg(spare, 3, options.r3);
  arg(spare, 4, options.r4);
  arg(spare, 5, options.r5);
  st.enterStack(0);
  return spare;
}

/** Zero r0..r10's halves: written out, as a loop or fill() costs more than the rest of a short run's reset. */
function zero(r: Int32Array): void {
  r[0] = 0;
  r[1] = 0;
  r[2] = 0;
  r[3] = 0;
  r[4] = 0;
  r[5] = 0;
  r[6] = 0;
  r[7] = 0;
  r[8] = 0;
  r[9] = 0;
  r[10] = 0;
}

/** r`n` = `v` as RunState's constructor sets it (a region: its address, without BigInt arithmetic). */
function arg(st: RunState, n: number, v: RunOptions['r1']): void {
  if (v === undefined) return;
  if (v instanceof Region) {
    st.lo[n] = REGION_BASE | 0;
    st.hi[n] = v.id;
  } else {
    st.regs.set(n, v);
  }
}
