// Which tier runs a program. 'auto' interprets a program's first runs and compiles it to WebAssembly once it
// has run more than AUTO_THRESHOLD times; a sim.runBatch of known size counts all its runs at once, so one
// that takes the program past the threshold has it compiled first and runs inside wasm (run-batch.ts).
// The trade (`npm run -s bench -- sim` prints it per program; figures from a quiet 2-core machine): compiling
// (translation + V8) takes 2 to 25 ms (median 3.3 to 4.0 ms). Through Simulator.run, which 'auto' mostly serves,
// a run costs 60 to 150 µs on either tier (a helper table and a context per run dominate) and the fast tier
// saves 8 to 65 µs of it on most fixtures, so compiling pays after ~15 to 650 runs (median ~100-250). Inside a
// batch the fast tier costs 7 to 1,550 ns per packet (median 2.6 times the kernel's BPF_PROG_TEST_RUN, against
// 52 to 4,200 ns interpreted: median 10 times faster), so a batch pays for the compile after ~750 to 70,000
// packets (median 10,600 to 11,700; two programs whose helpers still cross into JavaScript per packet never do). 256
// follows Simulator.run's break-even and keeps a test's handful of runs interpreted; a batch of more runs
// than that loses at most one compile when it is shorter than its break-even, and saves interpNs - wasmNs per
// packet past it.
import { Vm, type CompiledProgram, type VmOptions } from '../vm/index.ts';
import { hasWasmProgram, wasmProgram } from './wasm-program.ts';
import { WasmVm } from './wasm-vm.ts';

export type Tier = 'interp' | 'wasm' | 'auto';
export const TIERS: readonly Tier[] = ['interp', 'wasm', 'auto'];

/** Runs of a program before 'auto' switches it to the fast tier. */
export const AUTO_THRESHOLD = 256;

const runs = new WeakMap<CompiledProgram, number>();
/** programs V8 refused to compile (beyond its limits on function size): 'auto' keeps interpreting them */
const refused = new WeakSet<CompiledProgram>();

/** The tier that runs `prog` now ('auto' resolved, counting this run, or the `count` runs of a batch). */
export function resolveTier(prog: CompiledProgram, tier: Tier = 'auto', count = 1): 'interp' | 'wasm' {
  if (tier !== 'auto') return tier;
  if (hasWasmProgram(prog)) return 'wasm';
  if (refused.has(prog)) return 'interp';
  const n = (runs.get(prog) ?? 0) + count;
  runs.set(prog, n);
  if (n <= AUTO_THRESHOLD) return 'interp';
  try {
    wasmProgram(prog);
    return 'wasm';
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    refused.add(prog);
    return 'interp';
  }
}

/** A VM of the tier that runs `prog` now. Both have Vm's run(program, options) and results. */
export function vmFor(prog: CompiledProgram, tier: Tier | undefined, options: VmOptions): Vm | WasmVm {
  return resolveTier(prog, tier) === 'wasm' ? new WasmVm(options) : new Vm(options);
}
