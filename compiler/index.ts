// The compiler: clang drivers (compiler/clang) and the LLVM IR front of the backend (compiler/backend/ir).
// For the browser, import compiler/clang/wasm.ts and compiler/backend/ir/index.ts: this index also carries the
// Node-only native driver and header loader.
export * from './clang/index.ts';
export * from './backend/ir/index.ts';
