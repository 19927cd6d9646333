// Internal control-flow signals of the interpreter (never seen outside simulator/vm).
import type { SimFaultKind } from './sim-fault.ts';

/** Thrown by a helper's vm.exit(); caught by run(). */
export class ExitSignal {
  constructor(readonly r0: bigint) {}
}

/** A memory fault found inside resolve(), completed with the slot by run(). */
export class AccessFault {
  constructor(
    readonly kind: SimFaultKind,
    readonly reason: string,
    readonly region: string | undefined,
    readonly offset: number | undefined,
    readonly size: number,
    readonly address: bigint,
  ) {}
}

/** A fault raised in the dispatch loop, completed with the slot and program by run(). */
export class LoopFault {
  constructor(
    readonly kind: SimFaultKind,
    readonly reason: string,
  ) {}
}
