// Helper dispatch: how a `call` of a helper id reaches TypeScript. The simulator's kernel helpers, the
// conformance suites' helpers and tests' stubs all implement HelperDispatch.
import type { Memory } from './memory.ts';
import type { MapHandle } from './map-handle.ts';

/** The registers of the calling frame, as a helper sees them (r1..r5 are its arguments). */
export interface RegisterFile {
  /** r`n` as an unsigned 64-bit value */
  get(n: number): bigint;
  /** r`n` as a signed 64-bit value */
  getSigned(n: number): bigint;
  /** the low 32 bits of r`n`, unsigned */
  u32(n: number): number;
  set(n: number, value: bigint | number): void;
}

/** What a helper may do besides reading its arguments. */
export interface HelperContext {
  readonly memory: Memory;
  /** the slot index of the calling instruction */
  readonly slot: number;
  /** the calling frame's depth (0 for the program's entry function) */
  readonly frame: number;
  /** The bytes at `address` (bounds- and permission-checked: a bad access faults at the call). */
  bytes(address: bigint, size: number, write?: boolean): Uint8Array;
  /** The map `address` stands for (a map pointer loaded by ld_imm64); faults when it is not one. */
  map(address: bigint): MapHandle;
  /** End the helper with a SimFault (kind 'helper') at the calling instruction. */
  fault(reason: string): never;
  /**
   * Call a function of the program (a callback: bpf_loop, bpf_for_each_map_elem, timers) given its address
   * (an ld_imm64 BPF_PSEUDO_FUNC value) with up to five arguments; returns its r0. It runs in a new frame
   * and counts against the instruction budget and the call depth.
   */
  callFunction(address: bigint, args?: readonly (bigint | number)[]): bigint;
  /** End the whole program now with `r0` (as uBPF's unwind extension does). */
  exit(r0: bigint | number): never;
  /**
   * `bpf_tail_call(ctx, map, index)`: when the prog array has a program at `index` and the tail call limit is
   * not reached, the VM jumps to it after the helper returns; otherwise execution continues after the call.
   * Returns whether the jump will happen.
   */
  tailCall(map: bigint, index: number): boolean;
}

/**
 * One helper: returns the new r0. Returning undefined leaves r0 unchanged (bpf_tail_call's failure path).
 * Throwing a RangeError or TypeError becomes a SimFault at the calling instruction.
 */
export type HelperFunction = (regs: RegisterFile, vm: HelperContext) => bigint | number | undefined;

/** The calling frame's registers as the VM holds them (int32 halves, no BigInt), and the memory they point into. */
export interface RegisterHalves {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly memory: Memory;
}

/** Helpers by id. `call(id, regs, vm)` is only made for ids where `has(id)`; unknown ids fault. */
export interface HelperDispatch {
  has(id: number): boolean;
  /**
   * Answer the call from the registers directly, for a table whose calls nobody records: true when it did
   * (r0 set in lo[0], hi[0], as call() would have), false to go through call() (which also makes every
   * fault). Optional; tried before has() and call().
   */
  fast?(id: number, regs: RegisterHalves): boolean;
  /** the helper's name for messages, when known */
  name?(id: number): string | undefined;
  call(id: number, regs: RegisterFile, vm: HelperContext): bigint | number | undefined;
}

/** A dispatch from a table of functions (an object keyed by id, or entries). */
export function helperTable(
  table: Readonly<Record<number, HelperFunction>> | Iterable<readonly [number, HelperFunction]>,
  names: Readonly<Record<number, string>> = {},
): HelperDispatch {
  const byId = new Map<number, HelperFunction>(
    Symbol.iterator in table
      ? (table as Iterable<readonly [number, HelperFunction]>)
      : Object.entries(table).map(([k, f]) => [Number(k), f] as const),
  );
  return {
    has: (id) => byId.has(id),
    name: (id) => names[id],
    call: (id, regs, vm) => byId.get(id)!(regs, vm),
  };
}

/** No helpers at all: every call faults. */
export const NO_HELPERS: HelperDispatch = { has: () => false, call: () => undefined };

/** `bpf_tail_call(ctx, prog_array_map, index)` (helper 12) for a dispatch table. */
export const tailCallHelper: HelperFunction = (regs, vm) => {
  vm.tailCall(regs.get(2), regs.u32(3));
  return undefined;
};
