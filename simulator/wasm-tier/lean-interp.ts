// The reference interpreter for a batch's runs: Vm.run, with the previous run's RunState reset instead of a
// new one per run (reuse-run-state.ts), so a batch measures the interpreter and not RunState's constructor.
import { CompiledProgram, type Memory, type Region, type RunOptions, type RunResult, type VmOptions } from '../vm/index.ts';
import { DEFAULT_BUDGET, MAX_CALL_FRAMES, MAX_TAIL_CALLS, NO_HELPERS, STACK_SIZE, type HelperDispatch } from '../vm/index.ts';
import { execute } from '../vm/execute.ts';
import { endOfThrow } from '../vm/end-of-run.ts';
import type { RunState } from '../vm/run-state.ts';
import { resetClean, reuseRunState } from './reuse-run-state.ts';

export class LeanInterp {
  readonly helpers: HelperDispatch;
  readonly budget: number;
  readonly stackSize: number;
  readonly maxCallFrames: number;
  readonly maxTailCalls: number;
  #spare: RunState | undefined;
  /**
   * The spare's last run ended clean (at depth 0, no tail call, no frame entered) with this VM's helpers and
   * budget: frame() may reset it in place (resetClean)
   */
  #clean = false;

  constructor(options: VmOptions = {}) {
    this.helpers = options.helpers ?? NO_HELPERS;
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.stackSize = options.stackSize ?? STACK_SIZE;
    this.maxCallFrames = options.maxCallFrames ?? MAX_CALL_FRAMES;
    this.maxTailCalls = options.maxTailCalls ?? MAX_TAIL_CALLS;
  }

  /**
   * The low 32 bits of r0 (signed) of Vm.run(entry, options), the rest of the run being the same: what a
   * batch needs for the verdict, without the RunResult and BigInt r0 of run().
   */
  retval32(entry: CompiledProgram, options: RunOptions): number {
    const spare = this.#spare;
    this.#spare = undefined;
    return this.#run(reuseRunState(spare, this, entry, options), options.helpers === undefined && options.budget === undefined);
  }

  /**
   * retval32(entry, { memory, r1: ctx, packet }): a batch's run. The last run's RunState is reset in place
   * when that run ended clean (resetClean), a batch's usual case.
   */
  frame(entry: CompiledProgram, memory: Memory, ctx: Region, packet: Region | undefined): number {
    let st = this.#spare;
    this.#spare = undefined;
    if (st === undefined || !this.#clean || !resetClean(st, entry, memory, ctx, packet)) {
      st = reuseRunState(st, this, entry, { memory, r1: ctx, ...(packet !== undefined ? { packet } : {}) });
    }
    return this.#run(st, true);
  }

  /**
   * The run's r0 (low 32 bits; a fault's end as endOfThrow makes it); the RunState kept for the next run
   * unless traced, and whether it ended clean noted (`limits`: it ran with this VM's helpers and budget). No
   * finally (it cost a short batch run a few per cent); frame 0's stack zeroed only when it was used.
   */
  #run(st: RunState, limits: boolean): number {
    let r0: number;
    try {
      r0 = execute(st) === 'exit' ? st.lo[0]! : 0;
    } catch (e) {
      try {
        r0 = Number(BigInt.asIntN(32, endOfThrow(st, e).r0));
      } catch (notFault) {
        st.releaseStacks(); // an error that is no fault: the stacks are still zeroed, the state not kept
        throw notFault;
      }
    }
    let clean = false;
    if (st.depth === 0) {
      if (st.stacks[0]!.lowWater < st.stackSize) st.leaveStack(0);
      clean = limits && st.tailCalls === 0 && st.frameProg.length === 1;
    } else st.releaseStacks();
    this.#clean = clean;
    if (!st.tracing) this.#spare = st;
    return r0;
  }

  /** What Vm.run(entry, options) does, in every observable way. */
  run(entry: CompiledProgram, options: RunOptions = {}): RunResult {
    const spare = this.#spare;
    this.#spare = undefined;
    const st = reuseRunState(spare, this, entry, options);
    try {
      const endedBy = execute(st);
      const r0 = endedBy === 'exit' ? st.regs.get(0) : 0n;
      return st.result(r0, endedBy);
    } catch (e) {
      return endOfThrow(st, e);
    } finally {
      st.releaseStacks();
      this.#clean = false;
      if (!st.tracing) this.#spare = st;
    }
  }
}
