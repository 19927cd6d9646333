// The compiled module of a program, made once and cached on the program (V8 compiles it to machine code;
// every simulated Memory instantiates it with its own linear memory).
import type { CompiledProgram } from '../vm/index.ts';
import { translate } from './translate.ts';
import { Wasm, type WasmModule } from './webassembly.ts';

export interface WasmProgram {
  readonly module: WasmModule;
  /** module size in bytes */
  readonly bytes: number;
  /** time to translate to wasm, and for V8 to compile the module (its baseline tier), in ms */
  readonly translateMs: number;
  readonly compileMs: number;
}

const cache = new WeakMap<CompiledProgram, WasmProgram>();

/** The module of `prog` (translated and compiled on the first call). */
export function wasmProgram(prog: CompiledProgram): WasmProgram {
  let w = cache.get(prog);
  if (w === undefined) {
    const t0 = performance.now();
    const bytes = translate(prog);
    const t1 = performance.now();
    let module: WasmModule;
    try {
      module = new Wasm.Module(bytes);
    } catch (e) {
      throw new RangeError(`program ${prog.name ?? '(unnamed)'}: the wasm tier made an invalid module: ${(e as Error).message}`, { cause: e });
    }
    w = { module, bytes: bytes.length, translateMs: t1 - t0, compileMs: performance.now() - t1 };
    cache.set(prog, w);
  }
  return w;
}

/** Whether `prog` has been compiled to wasm already. */
export function hasWasmProgram(prog: CompiledProgram): boolean {
  return cache.has(prog);
}
