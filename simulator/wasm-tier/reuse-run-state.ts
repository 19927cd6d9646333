// A finished run's RunState reset for the next run, as its constructor would set it up: the constructor's
// closures and typed arrays cost more than a short program's run. Both tiers' lean runs use it (the fast
// tier's runtime, and the interpreter's batch runner in lean-interp.ts).
import { MAY_GOTO_BUDGET, REGION_BASE, type CompiledProgram, type Memory, type Region, type RunOptions } from '../vm/index.ts';
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
  st.fastHelper = st.helpers.fast;
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
  st.clearRegisters();
  arg(spare, 1, options.r1);
  arg(spare, 2, options.r2);
  arg(spare, 3, options.r3);
  arg(spare, 4, options.r4);
  arg(spare, 5, options.r5);
  st.enterStack(0);
  return spare;
}

/** r`n` = `v` as RunState's constructor sets it (a region: its address, without BigInt arithmetic). */
function arg(st: RunState, n: number, v: RunOptions['r1']): void {
  if (v === undefined) return;
  // a Region is the only object a RegisterValue can be (typeof: instanceof costs more than the rest of the reset)
  if (typeof v === 'object') {
    st.lo[n] = REGION_BASE | 0;
    st.hi[n] = v.id;
  } else {
    st.regs.set(n, v);
  }
}

/**
 * reuseRunState(st, vm, entry, { memory, r1: ctx, packet }) for `st` after a run of `entry` that ended clean
 * (at depth 0, no tail call, no frame entered: LeanInterp checks that as the run ends) with the VM's helpers
 * and budget: only what a run changes is set back. Frame 0's stack window is already [0, size) with its
 * low-water mark at the top (releaseStacks), so only r10 is set. False, and `st` untouched, when it ran
 * another program, on another memory, or when another VM of another stack size on the memory replaced the
 * stack (the full reset handles those).
 */
export function resetClean(st: RunState, entry: CompiledProgram, memory: Memory, ctx: Region, packet: Region | undefined): boolean {
  if (st.prog !== entry || st.memory !== memory) return false;
  const stack = st.stacks[0]!;
  if (stack.bytes.length !== st.stackSize) return false;
  const s = st as Resettable;
  s.packet = packet;
  s.left = s.budget;
  s.pc = 0;
  s.slot = 0;
  s.baseDepth = 0;
  s.mayGoto = MAY_GOTO_BUDGET;
  s.pendingTail = undefined;
  s.clearRegisters();
  const { lo, hi } = s;
  lo[1] = REGION_BASE | 0;
  hi[1] = ctx.id;
  lo[10] = ((REGION_BASE | 0) + s.stackSize) | 0;
  hi[10] = stack.id;
  return true;
}
