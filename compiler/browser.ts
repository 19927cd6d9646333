// The compiler's browser entry: C to a BPF object with nothing native, in a page or a worker. The wasm
// clang driver (C -> LLVM IR with @yowasp/clang) and the backend (IR -> BPF ELF object); no Node-only
// module is reachable from here (test/compiler/browser-bundle.test.ts bundles it for the browser and
// checks). The BPF headers are the caller's to provide: fetch or bundle the contents of `bpf/include` as a
// FileTree.
//
//   const clang = new WasmClang({ headers: await fetchHeaderTree() });
//   const { ir } = await clang.compileToIr({ file: 'policy.c', source });
//   const { bytes } = compileIr(ir, { sources: () => source });
export { ClangError, formatDiagnostic, parseDiagnostics, type ClangDiagnostic, type DiagnosticSeverity } from './clang/diagnostics.ts';
export { mountFile, type FileTree, type HeaderSource } from './clang/file-tree.ts';
export { BPF_COMMON_FLAGS, BPF_IR_FLAGS, defineFlags } from './clang/flags.ts';
export { VIRTUAL_INCLUDE, WasmClang, type CompileInput, type IrOutput, type WasmClangOptions, type YowaspClang } from './clang/wasm.ts';
export * from './backend/index.ts';
