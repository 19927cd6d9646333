// Which tier runs a program. 'auto' interprets a program's first runs and compiles it to WebAssembly once it
// has run more than AUTO_THRESHOLD times. `npm run -s bench -- sim-wasm` prints both sides of the trade: on
// the XDP fixtures, translating and compiling a program costs what 50 to 100 Simulator.run calls save on the
// fast tier, so a program run a handful of times never pays for it and a replay pays it once.
import { Vm, type CompiledProgram, type VmOptions } from '../vm/index.ts';
import { hasWasmProgram } from './wasm-program.ts';
import { WasmVm } from './wasm-vm.ts';

export type Tier = 'interp' | 'wasm' | 'auto';
export const TIERS: readonly Tier[] = ['interp', 'wasm', 'auto'];

/** Runs of a program before 'auto' switches it to the fast tier. */
export const AUTO_THRESHOLD = 64;

const runs = new WeakMap<CompiledProgram, number>();

/** The tier that runs `prog` now ('auto' resolved, counting this run). */
export function resolveTier(prog: CompiledProgram, tier: Tier = 'auto'): 'interp' | 'wasm' {
  if (tier !== 'auto') return tier;
  if (hasWasmProgram(prog)) return 'wasm';
  const n = (runs.get(prog) ?? 0) + 1;
  runs.set(prog, n);
  return n > AUTO_THRESHOLD ? 'wasm' : 'interp';
}

/** A VM of the tier that runs `prog` now. Both have Vm's run(program, options) and results. */
export function vmFor(prog: CompiledProgram, tier: Tier | undefined, options: VmOptions): Vm | WasmVm {
  return resolveTier(prog, tier) === 'wasm' ? new WasmVm(options) : new Vm(options);
}
