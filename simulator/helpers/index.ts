// The kernel's helpers for the simulator: public API.
export { formatPrintk } from './format-printk.ts';
export type { HelperCall, HelperEnv, RedirectTarget } from './helper-env.ts';
export { BPF_FIB_LKUP_RET, fibLookup, type FibDevice, type FibRoute, type FibTable } from './fib-table.ts';
export { flowHash } from './flow-hash.ts';
export { kernelHelpers } from './kernel-helpers.ts';
