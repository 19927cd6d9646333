// How a run that threw ends: a helper that exits the program (bpf_tail_call's end of chain, ld_abs past the
// packet) ends it with a result; a memory or loop signal becomes a SimFault at the instruction it stopped;
// anything else is a bug of the simulator, not of the program: still a SimFault, with the cause kept.
// Shared by the interpreter and both fast-tier runners so every tier reports the same fault the same way.
import type { RunResult } from './run-options.ts';
import { AccessFault, ExitSignal, LoopFault } from './run-signals.ts';
import type { RunState } from './run-state.ts';
import { SimFault } from './sim-fault.ts';

export function endOfThrow(st: RunState, e: unknown): RunResult {
  if (e instanceof ExitSignal) return st.result(e.r0, 'helper');
  if (e instanceof AccessFault) {
    throw st.fault(e.kind, e.reason, {
      ...(e.region !== undefined ? { region: e.region } : {}),
      ...(e.offset !== undefined ? { offset: e.offset } : {}),
      size: e.size,
      address: e.address,
    });
  }
  if (e instanceof LoopFault) throw st.fault(e.kind, e.reason);
  if (e instanceof SimFault) throw e;
  throw st.fault('invalid', `internal error: ${(e as Error)?.message ?? String(e)}`, {}, e);
}
