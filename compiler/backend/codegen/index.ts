// Code generation: LLVM IR (clang -O2 for restricted BPF C) to BPF instructions, per function.
export type { GeneratedFunction, GlobalPlacement, PendingCoreRelocation } from './contract.ts';
export { generateCode, type GenerateOptions } from './generate-code.ts';
export { CodegenError } from './codegen-error.ts';
