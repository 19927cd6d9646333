// The one error a simulated program can end in: a bad memory access, a runaway loop, a call too deep, an
// unknown helper, … Never a host crash: every failure of the program under test is a SimFault.

/** What went wrong, for tests that match on it. */
export type SimFaultKind =
  | 'memory' // an access outside every region, outside its region's bounds, or against its permissions
  | 'stack' // the call chain's combined stack grew past its limit
  | 'budget' // the instruction budget ran out
  | 'call_depth' // too many nested BPF-to-BPF calls
  | 'helper' // an unknown helper id, or a helper that refused its arguments
  | 'invalid'; // an instruction the simulator cannot execute (an unresolved map reference, a kfunc, …)

export interface SimFaultDetails {
  readonly kind: SimFaultKind;
  /** slot index of the faulting instruction in its program */
  readonly slot: number;
  /** the program's name, when it has one (tail calls change program) */
  readonly program?: string;
  /** the source line (`file.c:12: text`), when the caller supplied a slot → line function */
  readonly sourceLine?: string;
  /** for memory faults: the region's name (`stack[0]`, `ctx`, `.rodata`, …), absent when no region matched */
  readonly region?: string;
  readonly offset?: number;
  readonly size?: number;
  /** the 64-bit address of a memory fault */
  readonly address?: bigint;
}

/**
 * A fault of the program under test. The message has the context first:
 * `instruction 7 (fw.c:31: *p = 1): invalid write of 4 bytes at .rodata+16: the region is read-only`.
 */
export class SimFault extends Error {
  readonly kind: SimFaultKind;
  readonly slot: number;
  readonly program: string | undefined;
  readonly sourceLine: string | undefined;
  readonly region: string | undefined;
  readonly offset: number | undefined;
  readonly size: number | undefined;
  readonly address: bigint | undefined;
  /** the reason alone, without the instruction and source line */
  readonly reason: string;

  constructor(reason: string, details: SimFaultDetails, options?: ErrorOptions) {
    const where = details.program === undefined ? '' : `program ${details.program}: `;
    const line = details.sourceLine === undefined ? '' : ` (${details.sourceLine})`;
    super(`${where}instruction ${details.slot}${line}: ${reason}`, options);
    this.name = 'SimFault';
    this.reason = reason;
    this.kind = details.kind;
    this.slot = details.slot;
    this.program = details.program;
    this.sourceLine = details.sourceLine;
    this.region = details.region;
    this.offset = details.offset;
    this.size = details.size;
    this.address = details.address;
  }
}
