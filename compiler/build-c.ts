// C text → BPF object with the chosen driver: 'wasm' (@yowasp/clang → LLVM IR → our backend; the default, needs
// nothing installed) or 'native' (a clang-19 subprocess: faster, and the oracle in tests). Generated C (policies,
// load balancers) comes through here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileNative } from './clang/native.ts';

export type CDriver = 'wasm' | 'native';

export interface BuildCOptions {
  /** the C file's name, for #line, diagnostics and line info; default `prog.c` */
  readonly cFile?: string;
  /** extra arguments for native clang only (e.g. `-mllvm` options) */
  readonly nativeArgs?: readonly string[];
}

/**
 * Objects already built in this process, by driver, options and C text: generated C is a pure function of its
 * input and a wasm build costs seconds, so checking, simulating and loading one policy (or a test suite building
 * the same example several times) compiles it once. A few entries are enough.
 */
const built = new Map<string, Uint8Array>();
const BUILT_LIMIT = 16;

let wasmClang: import('./clang/wasm.ts').WasmClang | undefined;

export async function buildC(c: string, driver: CDriver, options: BuildCOptions = {}): Promise<Uint8Array> {
  const cFile = options.cFile ?? 'prog.c';
  const key = JSON.stringify([driver, cFile, options.nativeArgs ?? [], c]);
  const hit = built.get(key);
  if (hit !== undefined) return hit.slice();
  const object = driver === 'wasm' ? await buildWasm(c, cFile) : await buildNative(c, cFile, options.nativeArgs ?? []);
  if (built.size >= BUILT_LIMIT) built.delete(built.keys().next().value!);
  built.set(key, object.slice());
  return object;
}

async function buildWasm(c: string, cFile: string): Promise<Uint8Array> {
  const { WasmClang } = await import('./clang/wasm.ts');
  const { loadBpfHeaders } = await import('./clang/node-headers.ts');
  const { compileIr } = await import('./backend/index.ts');
  wasmClang ??= new WasmClang({ headers: loadBpfHeaders() });
  const { ir } = await wasmClang.compileToIr({ file: cFile, source: c });
  return compileIr(ir, { sources: (f) => (f.endsWith(cFile) ? c : undefined) }).bytes;
}

async function buildNative(c: string, cFile: string, extraArgs: readonly string[]): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-build-c-'));
  try {
    const file = join(dir, cFile);
    writeFileSync(file, c);
    const r = await compileNative({ file, cwd: dir, ...(extraArgs.length > 0 ? { extraArgs: [...extraArgs] } : {}) });
    if (r.object === undefined) throw new SyntaxError(`${cFile}: clang produced no object`);
    return r.object;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
