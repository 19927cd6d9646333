// The simulator: public API (the reference interpreter and the conformance runner so far).
export * from './vm/index.ts';
export * from './conformance/index.ts';
export * from './maps/index.ts';
export * from './helpers/index.ts';
export * from './context/index.ts';
export * from './wasm-tier/index.ts';
export { Simulator, type SimRunOptions, type SimRunResult, type SimulatorOptions } from './simulator.ts';
export { ProgramRejectedError, rejectionMessage, SIMULATOR_PROFILE, verifyPrograms } from './verify-programs.ts';
