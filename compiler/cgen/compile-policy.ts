// Model → C → BPF object, with the compiler driver as a parameter: 'wasm' (@yowasp/clang → LLVM IR → our
// backend; the default, needs nothing installed) or 'native' (a clang-19 subprocess: faster, and the oracle).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileNative, findNativeClang } from '../clang/native.ts';
import type { PolicyModel } from '../dsl/policy-model.ts';
import { generatePolicyC } from './generate-c.ts';
import { policyMapContents, type PolicyMaps } from './map-contents.ts';
import { policyPrograms, type PolicyProgram } from './programs.ts';

export type PolicyDriver = 'wasm' | 'native';
/** The driver used when none is given. */
export const DEFAULT_POLICY_DRIVER: PolicyDriver = 'wasm';

export interface CompiledPolicy {
  readonly c: string;
  readonly object: Uint8Array;
  readonly maps: PolicyMaps;
  readonly programs: readonly PolicyProgram[];
  readonly driver: PolicyDriver;
}

export interface CompilePolicyOptions {
  readonly driver?: PolicyDriver;
  /** the C file's name (for #line and diagnostics); default policy.c */
  readonly cFile?: string;
}

let wasmClang: import('../clang/wasm.ts').WasmClang | undefined;

/**
 * Objects already built in this process, by driver, file name and C text: the generated C is a pure function of
 * the model, and a wasm build of a policy costs seconds, so checking, simulating and loading one policy (or a
 * test suite building the same example several times) compiles it once. A few entries are enough.
 */
const built = new Map<string, Uint8Array>();
const BUILT_LIMIT = 16;

/** Compiles C text to a BPF object with the chosen driver. */
export async function compilePolicyC(c: string, driver: PolicyDriver, cFile = 'policy.c'): Promise<Uint8Array> {
  const key = `${driver}\0${cFile}\0${c}`;
  const hit = built.get(key);
  if (hit !== undefined) return hit.slice();
  const object = await compileUncached(c, driver, cFile);
  if (built.size >= BUILT_LIMIT) built.delete(built.keys().next().value!);
  built.set(key, object.slice());
  return object;
}

async function compileUncached(c: string, driver: PolicyDriver, cFile: string): Promise<Uint8Array> {
  if (driver === 'wasm') {
    const { WasmClang } = await import('../clang/wasm.ts');
    const { loadBpfHeaders } = await import('../clang/node-headers.ts');
    const { compileIr } = await import('../backend/index.ts');
    wasmClang ??= new WasmClang({ headers: loadBpfHeaders() });
    const { ir } = await wasmClang.compileToIr({ file: cFile, source: c });
    return compileIr(ir, { sources: (f) => (f.endsWith(cFile) ? c : undefined) }).bytes;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-policy-'));
  try {
    const file = join(dir, cFile);
    writeFileSync(file, c);
    const r = await compileNative({ file, cwd: dir });
    return r.object!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The default driver, or wasm when the default is native and no native clang is installed (kept for when the default changes). */
export function defaultPolicyDriver(): PolicyDriver {
  return DEFAULT_POLICY_DRIVER === 'native' && findNativeClang() === undefined ? 'wasm' : DEFAULT_POLICY_DRIVER;
}

export async function compilePolicy(model: PolicyModel, options: CompilePolicyOptions = {}): Promise<CompiledPolicy> {
  const driver = options.driver ?? defaultPolicyDriver();
  const c = generatePolicyC(model, { cFile: options.cFile ?? 'policy.c' });
  const object = await compilePolicyC(c, driver, options.cFile ?? 'policy.c');
  return { c, object, maps: policyMapContents(model), programs: policyPrograms(model), driver };
}
