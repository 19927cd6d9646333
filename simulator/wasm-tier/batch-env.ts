// The helpers' environment of a batch: what Simulator.run gives the helpers (the simulator's clock, PRNG, CPU),
// made once per batch table with the fields that change per packet writable. Nobody reads the helper calls of
// a batch, so they are not recorded: the table answers the hot helpers from registers (HelperDispatch.fast).
import type { HelperEnv } from '../helpers/index.ts';
import type { Simulator } from '../simulator.ts';
import type { LentClock } from './wasm-clock.ts';

/** HelperEnv with the fields a batch changes per packet writable, and the clock the fast tier may borrow. */
export type BatchEnv = { -readonly [K in keyof HelperEnv]: HelperEnv[K] } & { readonly clock: LentClock };

export function batchEnv(sim: Simulator, contextKind?: HelperEnv['contextKind']): BatchEnv {
  return {
    jiffies: () => (sim.clock * sim.hz) / 1_000_000_000n,
    redirect: () => undefined,
    cpu: sim.cpu,
    now: () => {
      const now = sim.clock;
      sim.clock += sim.clockStep;
      return now;
    },
    // what now() reads and adds, for the fast tier's reads in wasm (wasm-clock.ts)
    clock: {
      next: () => sim.clock,
      step: () => sim.clockStep,
      advance: (reads) => {
        sim.clock += sim.clockStep * BigInt(reads);
      },
    },
    random: () => sim.nextRandom(),
    printk: [],
    calls: [],
    unrecorded: true,
    ...(contextKind !== undefined ? { contextKind } : {}),
  };
}
