// The simulator's fast tier: BPF programs compiled to WebAssembly, behaving as the reference interpreter.
export { WasmVm } from './wasm-vm.ts';
export { hasWasmProgram, wasmProgram, type WasmProgram } from './wasm-program.ts';
export { AUTO_THRESHOLD, resolveTier, TIERS, vmFor, type Tier } from './select-tier.ts';
export { runBatch, type BatchOptions, type BatchResult } from './run-batch.ts';
export { compareTiers, type CompareOptions, type TierComparison, type TierDifference } from './compare-tiers.ts';
export { contextFields, registerContext, type ContextField, type ContextFields } from './context-fields.ts';
export { liveView } from './wasm-runtime.ts';
