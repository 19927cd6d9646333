// The compiler: clang drivers (compiler/clang) and the backend from LLVM IR to a BPF object (compiler/backend).
// For the browser, import compiler/clang/wasm.ts and compiler/backend/index.ts: this index also carries the
// Node-only native driver and header loader.
export * from './clang/index.ts';
export * from './backend/index.ts';
