// The fast tier's VM: the interpreter's Vm interface (same options, same RunResult, same SimFaults), running
// the program's WebAssembly translation instead of the dispatch loop.
import type { Instruction } from '../../bpf/index.ts';
import { CompiledProgram, DEFAULT_BUDGET, MAX_CALL_FRAMES, MAX_TAIL_CALLS, NO_HELPERS, STACK_SIZE, Vm } from '../vm/index.ts';
import type { HelperDispatch, RunOptions, RunResult, VmOptions } from '../vm/index.ts';
import { endOfThrow } from '../vm/end-of-run.ts';
import { RunState } from '../vm/run-state.ts';
import { LdAbsEnd, runtimeFor, type WasmRuntime } from './wasm-runtime.ts';
import * as layout from './layout.ts';
import { wasmProgram } from './wasm-program.ts';
import { settleThrow } from './wasm-frames.ts';


const { LEFT, REGS } = layout; // module locals: tsx makes imported bindings getter calls

/**
 * Runs programs as WebAssembly: compiled once per program (cached on it), then as fast as V8's code for it.
 * Behaves as Vm in every observable way; traced runs are handed to the interpreter.
 *
 * @example
 * const vm = new WasmVm();
 * vm.run(compileProgram(assembleUbpf('mov %r0, 1\nexit'))).r0 // 1n
 */
export class WasmVm {
  readonly helpers: HelperDispatch;
  readonly budget: number;
  readonly stackSize: number;
  readonly maxCallFrames: number;
  readonly maxTailCalls: number;
  readonly #options: VmOptions;

  constructor(options: VmOptions = {}) {
    this.#options = options;
    this.helpers = options.helpers ?? NO_HELPERS;
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.stackSize = options.stackSize ?? STACK_SIZE;
    this.maxCallFrames = options.maxCallFrames ?? MAX_CALL_FRAMES;
    this.maxTailCalls = options.maxTailCalls ?? MAX_TAIL_CALLS;
  }

  run(program: CompiledProgram | readonly Instruction[] | Uint8Array, options: RunOptions = {}): RunResult {
    const entry = program instanceof CompiledProgram ? program : Vm.compile(program);
    const rt = options.memory === undefined ? undefined : runtimeFor(options.memory);
    // traces are the interpreter's; so is a run started inside another run on the same memory (by a helper)
    if (options.trace === true || rt?.busy === true) return new Vm(this.#options).run(entry, options);
    wasmProgram(entry); // compiled before the run: a module V8 refuses is a RangeError, as a refused program
    const st = rt === undefined ? new RunState(this, entry, options) : rt.acquire(this, entry, options);
    return this.#run(rt ?? runtimeFor(st.memory), st, entry);
  }

  #run(rt: WasmRuntime, st: RunState, entry: CompiledProgram): RunResult {
    try {
      rt.begin(st);
      rt.contextBytes.ready();
      rt.instance(entry).start();
      st.left = rt.i32[LEFT >> 2]!;
      const r0 = (BigInt(rt.i32[(REGS >> 2) + 1]! >>> 0) << 32n) | BigInt(rt.i32[REGS >> 2]! >>> 0);
      return st.result(r0, 'exit');
    } catch (thrown) {
      // a throw out of a bpf_loop callback run from wasm ends the run as the interpreter's would
      const e = settleThrow(rt.i32, st, thrown, LdAbsEnd);
      if (e instanceof LdAbsEnd) return st.result(0n, 'ld_abs');
      return endOfThrow(st, e);
    } finally {
      rt.end();
    }
  }
}
