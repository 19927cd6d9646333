// The part of the WebAssembly JS API the fast tier uses, typed here: the project's lib settings (ES2023 and
// Node's types, no DOM) declare no WebAssembly global.
export interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
type Imports = Record<string, Record<string, unknown>>;

interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  readonly Instance: new (module: WasmModule, imports: Imports) => WasmInstance;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
