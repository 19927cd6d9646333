// Which tier runs a program. 'auto' interprets a program's first runs and compiles it to WebAssembly once it
// has run more than AUTO_THRESHOLD times. `npm run -s bench -- sim` prints both sides of the trade per
// program: compiling (translation + V8) takes 1.3 to 44 ms (median 8 ms, on a loaded 2-core machine) on the
// fixtures and example policies. Through Simulator.run, which 'auto' mostly serves, the fast tier saves 50 to
// 60 µs per run on the XDP fixtures (a helper table and context per run dominate both tiers), so compiling
// pays after ~30 to 200 runs. A sim.runBatch on the fast tier runs inside wasm (wasm-batch.ts): 2 to 5×
// faster than the interpreter's batch on programs that stay in wasm, no faster (0.5 to 1×) on programs whose
// helpers and context-field loads cross into JavaScript per packet (median interp/wasm 1.3×), so there
// compiling pays after thousands to tens of thousands of packets. 256 keeps a test's handful of runs
// interpreted and compiles a replay or a model-based run early; a batch with 'auto' is interpreted per packet
// until then, and runs inside wasm from the next batch on.
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

/** The tier that runs `prog` now ('auto' resolved, counting this run). */
export function resolveTier(prog: CompiledProgram, tier: Tier = 'auto'): 'interp' | 'wasm' {
  if (tier !== 'auto') return tier;
  if (hasWasmProgram(prog)) return 'wasm';
  if (refused.has(prog)) return 'interp';
  const n = (runs.get(prog) ?? 0) + 1;
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
