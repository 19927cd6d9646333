// The reference interpreter: every instruction of RFC 9669 (v1–v4) plus the kernel's additions, with the
// kernel's run-time semantics (division by zero, shift masking, ALU32 zero extension, call frames, tail
// calls) over a checked, tagged Memory.
//
// Registers are pairs of int32 halves in two Int32Arrays (no BigInt on the hot path); the program is the
// pre-decoded Int32Array of CompiledProgram, dispatched by a dense switch on the handler number.
import type { Instruction } from '../../bpf/index.ts';
import { CompiledProgram, compileProgram, type CompileOptions } from './compiled-program.ts';
import { NO_HELPERS, type HelperDispatch } from './helpers.ts';
import { DEFAULT_BUDGET, MAX_CALL_FRAMES, MAX_TAIL_CALLS, STACK_SIZE, type RunOptions, type RunResult, type VmOptions } from './run-options.ts';
import { endOfThrow } from './end-of-run.ts';
import { RunState } from './run-state.ts';
import { execute } from './execute.ts';

/** A cache of compiled programs for callers that pass instruction arrays. */
const compiledCache = new WeakMap<readonly Instruction[] | Uint8Array, CompiledProgram>();

/**
 * The reference interpreter.
 *
 * @example
 * const vm = new Vm();
 * const memory = new Memory();
 * const ctx = memory.add({ name: 'ctx', kind: 'ctx', bytes: Uint8Array.of(1, 2, 3, 4) });
 * vm.run(assembleUbpf('ldxw %r0, [%r1]\nexit'), { memory, r1: ctx }).r0 // 0x04030201n
 */
export class Vm {
  readonly helpers: HelperDispatch;
  readonly budget: number;
  readonly stackSize: number;
  readonly maxCallFrames: number;
  readonly maxTailCalls: number;

  constructor(options: VmOptions = {}) {
    this.helpers = options.helpers ?? NO_HELPERS;
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.stackSize = options.stackSize ?? STACK_SIZE;
    this.maxCallFrames = options.maxCallFrames ?? MAX_CALL_FRAMES;
    this.maxTailCalls = options.maxTailCalls ?? MAX_TAIL_CALLS;
  }

  /**
   * Compile and check a program, once per instruction array or byte buffer (cached by identity: do not mutate
   * it afterwards). Throws what compileProgram() throws.
   */
  static compile(program: readonly Instruction[] | Uint8Array, options?: CompileOptions): CompiledProgram {
    if (options !== undefined) return compileProgram(program, options);
    let c = compiledCache.get(program);
    if (c === undefined) {
      c = compileProgram(program);
      compiledCache.set(program, c);
    }
    return c;
  }

  /**
   * Run a program to its exit. A program that fails its load checks throws a ProgramCheckError (or the
   * decoder's InstructionDecodeError) before running; every fault while running is a SimFault.
   */
  run(program: CompiledProgram | readonly Instruction[] | Uint8Array, options: RunOptions = {}): RunResult {
    const entry = program instanceof CompiledProgram ? program : Vm.compile(program);
    const st = new RunState(this, entry, options);
    try {
      const endedBy = execute(st);
      const r0 = endedBy === 'exit' ? st.regs.get(0) : 0n;
      return st.result(r0, endedBy);
    } catch (e) {
      return endOfThrow(st, e);
    } finally {
      st.releaseStacks();
    }
  }
}
