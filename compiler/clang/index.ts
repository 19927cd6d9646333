// The clang drivers: wasm (@yowasp/clang, in process, browser-safe) and native (clang-19 subprocess, Node only).
// Browser code imports './wasm.ts', './file-tree.ts' and './diagnostics.ts' directly; this index also
// re-exports the Node-only modules (native.ts, node-headers.ts).
export { ClangError, formatDiagnostic, parseDiagnostics, type ClangDiagnostic, type DiagnosticSeverity } from './diagnostics.ts';
export { mountFile, type FileTree, type HeaderSource } from './file-tree.ts';
export { BPF_COMMON_FLAGS, BPF_IR_FLAGS, defineFlags } from './flags.ts';
export { VIRTUAL_INCLUDE, WasmClang, type CompileInput, type IrOutput, type WasmClangOptions, type YowaspClang } from './wasm.ts';
export {
  compileNative,
  findNativeClang,
  nativeArguments,
  NATIVE_CLANG_CANDIDATES,
  NativeClangMissingError,
  type NativeClang,
  type NativeCompileInput,
  type NativeOutput,
} from './native.ts';
export { findBpfInclude, loadBpfHeaders, readDirectoryTree } from './node-headers.ts';
