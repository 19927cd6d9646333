// The VM's options, results and the kernel limits it enforces.
import type { HelperDispatch } from './helpers.ts';
import type { Memory, Region } from './memory.ts';

/**
 * The default instruction budget: 10,000,000 executed instructions per run (tail calls and subprograms
 * included). The kernel bounds verification (1M processed instructions), not execution; a verified program
 * with bounded loops can execute more, so the default is ten times that, about a second of interpretation.
 */
export const DEFAULT_BUDGET = 10_000_000;
/** MAX_BPF_STACK: each frame's stack, and the combined limit of a call chain. */
export const STACK_SIZE = 512;
/** MAX_CALL_FRAMES: the entry function and up to 7 nested BPF-to-BPF calls. */
export const MAX_CALL_FRAMES = 8;
/** MAX_TAIL_CALL_CNT: tail calls per run; the 34th falls through. */
export const MAX_TAIL_CALLS = 33;
/** Trace entries kept per run by default (each holds 11 registers: about 100 MB at this limit). */
export const DEFAULT_TRACE_LIMIT = 100_000;
/** BPF_MAX_LOOPS: how many times may_goto falls through before it jumps. */
export const MAY_GOTO_BUDGET = 8 * 1024 * 1024;

export interface VmOptions {
  /** helpers by id; none by default (every call faults) */
  readonly helpers?: HelperDispatch;
  /** instructions per run before a 'budget' fault; DEFAULT_BUDGET by default */
  readonly budget?: number;
  /** combined stack limit of a call chain (and each frame's size); 512 by default */
  readonly stackSize?: number;
  readonly maxCallFrames?: number;
  readonly maxTailCalls?: number;
}

/** A register argument: a number, a 64-bit value, or a region (its start address). */
export type RegisterValue = bigint | number | Region;

export interface RunOptions {
  /** the address space; a fresh one by default (then only the stack exists) */
  readonly memory?: Memory;
  readonly r1?: RegisterValue;
  readonly r2?: RegisterValue;
  readonly r3?: RegisterValue;
  readonly r4?: RegisterValue;
  readonly r5?: RegisterValue;
  /** overrides the VM's helpers for this run */
  readonly helpers?: HelperDispatch;
  /** overrides the VM's budget for this run */
  readonly budget?: number;
  /** record every executed instruction (slow; for debugging and the CLI's --trace) */
  readonly trace?: boolean;
  /** at most this many trace entries are kept (the first ones); DEFAULT_TRACE_LIMIT by default */
  readonly traceLimit?: number;
  /** the packet ld_abs/ld_ind read (socket filter and skb programs); its window is the packet data */
  readonly packet?: Region;
}

export interface TraceEntry {
  readonly program: string | undefined;
  readonly slot: number;
  readonly frame: number;
  /** r0..r10 before the instruction ran */
  readonly registers: readonly bigint[];
}

export interface RunResult {
  /** r0 at exit, unsigned */
  readonly r0: bigint;
  readonly instructionsExecuted: number;
  readonly tailCalls: number;
  /** how the program ended: its exit, an out-of-bounds ld_abs/ld_ind (r0 = 0), or a helper's exit() */
  readonly endedBy: 'exit' | 'ld_abs' | 'helper';
  readonly trace?: readonly TraceEntry[];
  /** true when the run executed more instructions than the trace kept */
  readonly traceTruncated?: boolean;
}
