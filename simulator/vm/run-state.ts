// The state of one run and its slow paths: frames and their stacks, helper calls (and the callbacks
// helpers make), tail calls, faults with their instruction and source line, the trace.
import { CODE_TAG, type CompiledProgram } from './compiled-program.ts';
import { execute } from './execute.ts';
import type { HelperContext, HelperDispatch, RegisterFile } from './helpers.ts';
import { isProgArray, type MapHandle } from './map-handle.ts';
import { describeAddress, Memory, Region, REGION_BASE } from './memory.ts';
import { DEFAULT_TRACE_LIMIT, MAY_GOTO_BUDGET, type RegisterValue, type RunOptions, type RunResult, type TraceEntry } from './run-options.ts';
import { ExitSignal } from './run-signals.ts';
import { SimFault, type SimFaultDetails, type SimFaultKind } from './sim-fault.ts';

/** Per-Memory stack regions (one per call depth), reused across runs. */
const stacksByMemory = new WeakMap<Memory, Region[]>();

/** What a run takes from its Vm. */
export interface VmLimits {
  readonly helpers: HelperDispatch;
  readonly budget: number;
  readonly stackSize: number;
  readonly maxCallFrames: number;
  readonly maxTailCalls: number;
}

/** Everything one run needs besides the hot locals of execute(); slow paths live here. */
export class RunState {
  /** r0..r10's halves, lo and hi in one buffer so that clearRegisters() zeroes both with 12 stores */
  readonly #words = new Float64Array(12);
  readonly lo = new Int32Array(this.#words.buffer, 0, 11);
  readonly hi = new Int32Array(this.#words.buffer, 48, 11);
  readonly memory: Memory;
  readonly helpers: HelperDispatch;
  /**
   * helpers.fast, read once per run: execute() reads it from here, where every RunState has the same shape
   * (HelperDispatch objects come in several, and one execute() had not seen would have it recompiled)
   */
  readonly fastHelper: HelperDispatch['fast'];
  readonly packet: Region | undefined;
  readonly budget: number;
  readonly tracing: boolean;
  readonly traceLimit: number;
  readonly trace: TraceEntry[] = [];
  traceTruncated = false;
  readonly regs: RegisterFile;
  readonly context: HelperContext;
  readonly stackSize: number;
  readonly maxFrames: number;
  readonly maxTailCalls: number;
  readonly stacks: Region[];
  readonly frameRet: Int32Array;
  readonly frameSaved: Int32Array;
  readonly frameProg: CompiledProgram[];
  prog: CompiledProgram;
  code: Int32Array;
  pc = 0;
  /** the slot of the instruction executing (kept current before every slow path) */
  slot = 0;
  depth = 0;
  /** the frame whose exit ends execute(): 0, or a callback's frame while a helper runs it */
  baseDepth = 0;
  left: number;
  mayGoto = MAY_GOTO_BUDGET;
  tailCalls = 0;
  pendingTail: CompiledProgram | undefined;
  /** the last callback callFunction checked, for the program it was checked in */
  #callbackAddress = -1n;
  #callbackProg: CompiledProgram | undefined;
  #callbackTarget = 0;
  /** callFunction's last arguments that were not int32 numbers, and their halves */
  readonly #argValue: (bigint | number | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  readonly #argHalves = new Int32Array(10);
  /** callFunction's saved registers, 22 int32 per depth */
  readonly #callbackSaved: Int32Array;

  constructor(vm: VmLimits, entry: CompiledProgram, options: RunOptions) {
    this.memory = options.memory ?? new Memory();
    this.helpers = options.helpers ?? vm.helpers;
    this.fastHelper = this.helpers.fast;
    this.packet = options.packet;
    this.budget = options.budget ?? vm.budget;
    this.left = this.budget;
    this.tracing = options.trace === true;
    this.traceLimit = options.traceLimit ?? DEFAULT_TRACE_LIMIT;
    this.stackSize = vm.stackSize;
    this.maxFrames = vm.maxCallFrames;
    this.maxTailCalls = vm.maxTailCalls;
    this.frameRet = new Int32Array(this.maxFrames);
    this.frameSaved = new Int32Array(this.maxFrames * 10);
    this.#callbackSaved = new Int32Array(this.maxFrames * 22);
    this.frameProg = [entry];
    this.prog = entry;
    this.code = entry.code;
    let stacks = stacksByMemory.get(this.memory);
    if (stacks === undefined) {
      stacks = [];
      stacksByMemory.set(this.memory, stacks);
    }
    this.stacks = stacks;
    const { lo, hi } = this;
    const set = (n: number, v: RegisterValue | bigint | number): void => {
      const b = v instanceof Region ? v.address() : BigInt.asUintN(64, BigInt(v));
      lo[n] = Number(BigInt.asIntN(32, b));
      hi[n] = Number(BigInt.asIntN(32, b >> 32n));
    };
    this.regs = {
      get: (n) => (BigInt(hi[n]! >>> 0) << 32n) | BigInt(lo[n]! >>> 0),
      getSigned: (n) => (BigInt(hi[n]!) << 32n) | BigInt(lo[n]! >>> 0),
      u32: (n) => lo[n]! >>> 0,
      set,
    };
    const args = [options.r1, options.r2, options.r3, options.r4, options.r5];
    args.forEach((v, i) => v !== undefined && set(i + 1, v));
    this.context = this.#helperContext();
    this.enterStack(0);
  }

  #helperContext(): HelperContext {
    const st = this;
    const memory = this.memory;
    return {
      memory,
      get slot() {
        return st.slot;
      },
      get frame() {
        return st.depth;
      },
      bytes: (address, size, write = false) => {
        const why = memory.check(address, size, write);
        if (why !== undefined) {
          const { region, offset } = memory.locate(address);
          throw st.fault('memory', `helper ${helperLabel(st.helpers, st.code[st.slot * 4 + 3]!)}: ${why}`, {
            ...(region !== undefined ? { region: region.name, offset } : {}),
            size,
            address,
          });
        }
        return memory.bytes(address, size, write);
      },
      map: (address) => st.mapAt(address),
      fault: (reason) => {
        throw st.fault('helper', reason);
      },
      exit: (r0) => {
        throw new ExitSignal(BigInt.asUintN(64, BigInt(r0)));
      },
      callFunction: (address, args = []) => st.callFunction(address, args),
      tailCall: (mapAddress, index) => {
        const map = st.mapAt(mapAddress);
        if (!isProgArray(map)) throw st.fault('helper', `bpf_tail_call: map ${map.name} is not a prog array`);
        if (st.tailCalls >= st.maxTailCalls) return false;
        const target = map.program(index);
        if (target === undefined) return false;
        st.tailCalls++;
        st.pendingTail = target;
        return true;
      },
    };
  }

  fault(kind: SimFaultKind, reason: string, extra: Partial<SimFaultDetails> = {}, cause?: unknown): SimFault {
    const line = this.prog.sourceLine?.(this.slot);
    return new SimFault(
      reason,
      {
        kind,
        slot: this.slot,
        ...(this.prog.name !== undefined ? { program: this.prog.name } : {}),
        ...(line !== undefined ? { sourceLine: line } : {}),
        ...extra,
      },
      cause === undefined ? undefined : { cause },
    );
  }

  mapAt(address: bigint): MapHandle {
    const { region } = this.memory.locate(address);
    if (region?.map === undefined) throw this.fault('helper', `${describeAddress(address)} is not a map`);
    return region.map;
  }

  result(r0: bigint, endedBy: RunResult['endedBy']): RunResult {
    return {
      r0,
      instructionsExecuted: this.budget - Math.max(this.left, 0),
      tailCalls: this.tailCalls,
      endedBy,
      ...(this.tracing ? { trace: this.trace, traceTruncated: this.traceTruncated } : {}),
    };
  }

  /** r0..r10 = 0, as in a new RunState (a batch's next run). */
  clearRegisters(): void {
    const w = this.#words;
    w[0] = 0;
    w[1] = 0;
    w[2] = 0;
    w[3] = 0;
    w[4] = 0;
    w[5] = 0;
    w[6] = 0;
    w[7] = 0;
    w[8] = 0;
    w[9] = 0;
    w[10] = 0;
    w[11] = 0;
  }

  /** Set up the stack of frame `depth`: its usable window is what the frames below left of the limit. */
  enterStack(depth: number): void {
    const size = this.stackSize;
    let s = this.stacks[depth];
    if (s === undefined || s.bytes.length !== size) {
      s = this.memory.add({ name: `stack[${depth}]`, kind: 'stack', size });
      this.stacks[depth] = s;
    }
    let used = 0;
    for (let i = 0; i < depth; i++) used += roundUp16(size - this.stacks[i]!.lowWater);
    s.start = Math.min(size, used);
    s.lowWater = size;
    this.lo[10] = REGION_BASE + size;
    this.hi[10] = s.id;
  }

  /** Zero what frame `depth` used, so the next run starts from a clean stack. */
  leaveStack(depth: number): void {
    const s = this.stacks[depth];
    if (s === undefined || s.lowWater >= this.stackSize) return;
    const from = Math.max(0, s.lowWater);
    const end = this.stackSize;
    // eight bytes a store for a few slots: fill() is a call into the runtime, costing more than a
    // short run's zeroing, and a byte a store made a 32-byte buffer cost a tenth of a short run
    if (end - from <= 64) {
      const b = s.bytes;
      const v = s.view;
      let i = from;
      for (; (i & 7) !== 0 && i < end; i++) b[i] = 0;
      for (; i + 8 <= end; i += 8) v.setFloat64(i, 0);
      for (; i < end; i++) b[i] = 0;
    } else s.bytes.fill(0, from, end);
    s.lowWater = end;
  }

  releaseStacks(): void {
    for (let i = 0; i <= this.depth; i++) this.leaveStack(i);
  }

  /** Call helper `id` for the instruction before pc; `fastTried`: its register fast path declined already. */
  callHelper(id: number, fastTried = false): void {
    const { helpers, fastHelper } = this;
    this.slot = this.pc - 1;
    if (!fastTried && fastHelper !== undefined && fastHelper(id, this)) return;
    if (!helpers.has(id)) throw this.fault('helper', `unknown helper ${helperLabel(helpers, id)}`);
    let r0: bigint | number | undefined;
    try {
      r0 = helpers.call(id, this.regs, this.context);
    } catch (e) {
      if (e instanceof SimFault || e instanceof ExitSignal) throw e;
      if (e instanceof RangeError || e instanceof TypeError) throw this.fault('helper', `helper ${helperLabel(helpers, id)}: ${e.message}`, {}, e);
      throw e;
    }
    if (r0 !== undefined) this.regs.set(0, r0);
    if (this.pendingTail !== undefined) {
      this.prog = this.pendingTail;
      this.pendingTail = undefined;
      this.code = this.prog.code;
      this.frameProg[this.depth] = this.prog;
      this.pc = 0;
    }
  }

  /**
   * Run the function at `address` (a BPF_PSEUDO_FUNC address) as a callback of the helper being called:
   * a new frame, r1..r5 from `args`, until its exit; the caller's registers are restored afterwards.
   */
  callFunction(address: bigint, args: readonly (bigint | number)[]): bigint {
    // bpf_loop calls the same callback many times: the address is decoded and checked once per program
    let target: number;
    if (address === this.#callbackAddress && this.prog === this.#callbackProg) target = this.#callbackTarget;
    else {
      const a = BigInt.asUintN(64, address);
      target = Number(a & 0xffff_ffffn);
      if (a >> 32n !== BigInt(CODE_TAG) || !this.prog.functions.includes(target)) {
        throw this.fault('helper', `callback 0x${a.toString(16)} is not the address of a function of this program`);
      }
      this.#callbackAddress = address;
      this.#callbackProg = this.prog;
      this.#callbackTarget = target;
    }
    if (this.depth + 1 >= this.maxFrames) {
      throw this.fault('call_depth', `the call stack is too deep: more than ${this.maxFrames} frames`);
    }
    // the caller's registers go to a buffer per depth (no allocation per callback)
    const { lo, hi, pc, slot, depth, baseDepth, prog } = this;
    const save = this.#callbackSaved;
    const base = depth * 22;
    for (let r = 0; r < 11; r++) {
      save[base + r] = lo[r]!;
      save[base + 11 + r] = hi[r]!;
    }
    this.depth++;
    this.frameProg[this.depth] = prog;
    this.enterStack(this.depth);
    this.baseDepth = this.depth;
    for (let i = 0; i < 5; i++) {
      const v = args[i] ?? 0;
      if (typeof v === 'number' && (v | 0) === v) {
        lo[i + 1] = v;
        hi[i + 1] = v < 0 ? -1 : 0;
      } else if (v === this.#argValue[i]) {
        // bpf_loop passes the same context pointer every iteration: its halves are kept from the last call
        lo[i + 1] = this.#argHalves[i * 2]!;
        hi[i + 1] = this.#argHalves[i * 2 + 1]!;
      } else {
        this.regs.set(i + 1, v);
        this.#argValue[i] = v;
        this.#argHalves[i * 2] = lo[i + 1]!;
        this.#argHalves[i * 2 + 1] = hi[i + 1]!;
      }
    }
    this.pc = target;
    let r0: bigint;
    try {
      const how = execute(this);
      if (how === 'ld_abs') throw new ExitSignal(0n); // a failed legacy load ends the whole program
      r0 = lo[0] === 0 && hi[0] === 0 ? 0n : this.regs.get(0);
    } finally {
      this.leaveStack(this.depth);
    }
    for (let r = 0; r < 11; r++) {
      lo[r] = save[base + r]!;
      hi[r] = save[base + 11 + r]!;
    }
    this.pc = pc;
    this.slot = slot;
    this.depth = depth;
    this.baseDepth = baseDepth;
    this.prog = prog;
    this.code = prog.code;
    return r0;
  }

  localCall(target: number): void {
    this.slot = this.pc - 1;
    if (this.depth + 1 >= this.maxFrames) {
      throw this.fault('call_depth', `the call stack is too deep: more than ${this.maxFrames} frames`);
    }
    const { lo, hi, depth } = this;
    this.frameRet[depth] = this.pc;
    const base = depth * 10;
    for (let r = 6; r <= 10; r++) {
      this.frameSaved[base + (r - 6) * 2] = lo[r]!;
      this.frameSaved[base + (r - 6) * 2 + 1] = hi[r]!;
    }
    this.depth = depth + 1;
    this.frameProg[this.depth] = this.prog;
    this.enterStack(this.depth);
    this.pc = target;
  }

  returnFromCall(): void {
    this.leaveStack(this.depth);
    const depth = --this.depth;
    const { lo, hi } = this;
    const base = depth * 10;
    for (let r = 6; r <= 10; r++) {
      lo[r] = this.frameSaved[base + (r - 6) * 2]!;
      hi[r] = this.frameSaved[base + (r - 6) * 2 + 1]!;
    }
    this.prog = this.frameProg[depth]!;
    this.code = this.prog.code;
    this.pc = this.frameRet[depth]!;
  }

  record(slot: number): void {
    if (this.trace.length >= this.traceLimit) {
      this.traceTruncated = true;
      return;
    }
    const registers: bigint[] = [];
    for (let r = 0; r <= 10; r++) registers.push(this.regs.get(r));
    this.trace.push({ program: this.prog.name, slot, frame: this.depth, registers });
  }
}

/** The kernel counts each frame of a call chain rounded up to 16 bytes when the JIT is on (round_up_stack_depth). */
function roundUp16(n: number): number {
  return (n + 15) & ~15;
}

function helperLabel(helpers: HelperDispatch, id: number): string {
  const name = helpers.name?.(id);
  return name === undefined ? `#${id}` : `${name} (#${id})`;
}

