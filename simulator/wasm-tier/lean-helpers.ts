// Helper tables whose calls nobody records: a batch without onResult builds one (run-batch.ts) and marks it
// here with its environment. For a run with such a table the fast tier answers bpf_map_lookup_elem and
// bpf_ktime_get_ns itself, from the registers in linear memory (wasm-runtime.ts), instead of going through
// RunState.callHelper: the same result, minus the HelperCall record no one reads.
import type { HelperEnv } from '../helpers/index.ts';
import type { HelperDispatch } from '../vm/index.ts';

const lean = new WeakMap<HelperDispatch, HelperEnv>();

/** Mark `helpers` (kernelHelpers over `env`) as a table whose calls are not recorded. */
export function markLean(helpers: HelperDispatch, env: HelperEnv): void {
  lean.set(helpers, env);
}

/** The environment of a lean table, undefined for any other. */
export function leanEnv(helpers: HelperDispatch): HelperEnv | undefined {
  return lean.get(helpers);
}
