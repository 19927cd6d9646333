// The kernel's helpers for the simulator: public API.
export { formatPrintk } from './format-printk.ts';
export type { HelperCall, HelperEnv } from './helper-env.ts';
export { kernelHelpers } from './kernel-helpers.ts';
