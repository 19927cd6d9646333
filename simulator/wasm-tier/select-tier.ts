// Which tier runs a program. 'auto' interprets a program's first runs and compiles it to WebAssembly once it
// has run more than AUTO_THRESHOLD times. `npm run -s bench -- sim-wasm` prints both sides of the trade: on
// the XDP fixtures, translating and compiling a program costs what 50 to 100 Simulator.run calls save on the
// fast tier, so a program run a handful of times never pays for it and a replay pays it once.
import { Vm, type CompiledProgram, type VmOptions } from '../vm/index.ts';
import { hasWasmProgram, wasmProgram } from './wasm-program.ts';
import { WasmVm } from './wasm-vm.ts';

export type Tier = 'interp' | 'wasm' | 'auto';
export const TIERS: readonly Tier[] = ['interp', 'wasm', 'auto'];

/** Runs of a program before 'auto' switches it to the fast tier. */
export const AUTO_THRESHOLD = 64;

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
