// compiler/backend: LLVM IR to a BPF object — the IR front (ir), code generation (codegen), BTF from debug
// info (btf), global layout and the ObjectSpec (object), tied together by compileIr.
export * from './ir/index.ts';
export * from './btf/index.ts';
export * from './object/index.ts';
export { CodegenError, generateCode, type GeneratedFunction, type GenerateOptions, type GlobalPlacement, type PendingCoreRelocation } from './codegen/index.ts';
export { compileIr, compileModule, type CompiledObject, type CompileIrOptions } from './compile-ir.ts';
