// Which tier runs a program. 'auto' interprets a program's first runs and compiles it to WebAssembly once it
// has run more than AUTO_THRESHOLD times: compiling costs about what a few hundred interpreted packets do
// (`npm run -s bench -- sim-wasm` prints both), so one-off runs never pay for it and replays always win.
import { Vm, type CompiledProgram, type VmOptions } from '../vm/index.ts';
import { hasWasmProgram } from './wasm-program.ts';
import { WasmVm } from './wasm-vm.ts';

export type Tier = 'interp' | 'wasm' | 'auto';
export const TIERS: readonly Tier[] = ['interp', 'wasm', 'auto'];

/** Runs of a program before 'auto' switches it to the fast tier. */
export const AUTO_THRESHOLD = 8;

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
