// Building a corpus program both ways, for the equivalence harness, its script and the compile bench:
// natively with clang-19 (the reference object) and through the wasm path (@yowasp/clang to IR, then our
// backend's compileIr to an object). The backend is imported lazily, so callers can tell "not available"
// (no compiler/backend/index.ts or no compileIr in it) from a compile error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileNative } from '../../compiler/clang/native.ts';
import { loadBpfHeaders } from '../../compiler/clang/node-headers.ts';
import { WasmClang } from '../../compiler/clang/wasm.ts';
import { repoRoot } from '../corpora.ts';
import { corpusSource } from '../fixtures/corpus/corpus.ts';

export interface Built {
  readonly bytes: Uint8Array;
  readonly milliseconds: number;
}

export interface WasmBuilt extends Built {
  /** of which: clang as WebAssembly to IR */
  readonly irMilliseconds: number;
  /** of which: our backend, IR to object */
  readonly backendMilliseconds: number;
}

type CompileIr = (ir: string, options?: { sources?: (file: string) => string | undefined }) => { bytes: Uint8Array };

let backend: Promise<CompileIr | undefined> | undefined;

/** compileIr from compiler/backend/index.ts, or undefined when the backend does not exist (yet). */
export function loadBackend(): Promise<CompileIr | undefined> {
  backend ??= (async () => {
    try {
      const path = '../../compiler/backend/index.ts';
      const mod = (await import(/* @vite-ignore */ path)) as { compileIr?: CompileIr };
      return typeof mod.compileIr === 'function' ? mod.compileIr : undefined;
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /cannot find module|failed to load url/i.test((e as Error).message)) return undefined;
      throw e;
    }
  })();
  return backend;
}

/** The wasm clang shared by every build in this process (the WebAssembly is compiled once). */
export const wasmClang = new WasmClang({ headers: () => loadBpfHeaders() });

/** clang-19 -target bpf -O2 -g -mcpu=v3: the reference object. */
export async function buildNative(name: string): Promise<Built> {
  const t0 = performance.now();
  const { object } = await compileNative({ file: corpusSource(name), cwd: repoRoot });
  return { bytes: object!, milliseconds: performance.now() - t0 };
}

/** The C source of a corpus program. */
export function corpusText(name: string): string {
  return readFileSync(join(repoRoot, corpusSource(name)), 'utf8');
}

/** The IR the wasm clang gives for a corpus program. */
export async function buildIr(name: string): Promise<{ ir: string; milliseconds: number }> {
  const source = corpusText(name);
  const { ir, milliseconds } = await wasmClang.compileToIr({ file: corpusSource(name), source });
  return { ir, milliseconds };
}

/** The wasm path end to end; throws when the backend is missing (check loadBackend() first) or refuses the IR. */
export async function buildWasm(name: string): Promise<WasmBuilt> {
  const compileIr = await loadBackend();
  if (compileIr === undefined) throw new Error('backend not available: compiler/backend/index.ts exports no compileIr');
  const source = corpusText(name);
  const t0 = performance.now();
  const { ir } = await wasmClang.compileToIr({ file: corpusSource(name), source });
  const t1 = performance.now();
  const { bytes } = compileIr(ir, { sources: (f) => (f.endsWith(`${name}.c`) ? source : undefined) });
  const t2 = performance.now();
  return { bytes, milliseconds: t2 - t0, irMilliseconds: t1 - t0, backendMilliseconds: t2 - t1 };
}
