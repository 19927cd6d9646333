// Model → C → BPF object, with the compiler driver as a parameter: 'native' (clang-19 subprocess) today,
// 'wasm' (@yowasp/clang → LLVM IR → our backend) once the backend lands, when it becomes the default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileNative, findNativeClang } from '../clang/native.ts';
import type { PolicyModel } from '../dsl/policy-model.ts';
import { generatePolicyC } from './generate-c.ts';
import { policyMapContents, type PolicyMaps } from './map-contents.ts';
import { policyPrograms, type PolicyProgram } from './programs.ts';

export type PolicyDriver = 'wasm' | 'native';
/** The driver used when none is given; the lead switches it to 'wasm' when compiler/backend is complete. */
export const DEFAULT_POLICY_DRIVER: PolicyDriver = 'native';

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

/** Compiles C text to a BPF object with the chosen driver. */
export async function compilePolicyC(c: string, driver: PolicyDriver, cFile = 'policy.c'): Promise<Uint8Array> {
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

/** The default driver, or wasm when the default is native and no native clang is installed. */
export function defaultPolicyDriver(): PolicyDriver {
  return DEFAULT_POLICY_DRIVER === 'native' && findNativeClang() === undefined ? 'wasm' : DEFAULT_POLICY_DRIVER;
}

export async function compilePolicy(model: PolicyModel, options: CompilePolicyOptions = {}): Promise<CompiledPolicy> {
  const driver = options.driver ?? defaultPolicyDriver();
  const c = generatePolicyC(model, { cFile: options.cFile ?? 'policy.c' });
  const object = await compilePolicyC(c, driver, options.cFile ?? 'policy.c');
  return { c, object, maps: policyMapContents(model), programs: policyPrograms(model), driver };
}
