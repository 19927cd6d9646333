// Model → C → BPF object, with the compiler driver as a parameter: 'wasm' (@yowasp/clang → LLVM IR → our
// backend; the default, needs nothing installed) or 'native' (a clang-19 subprocess: faster, and the oracle).
import { buildC, type CDriver } from '../build-c.ts';
import { findNativeClang } from '../clang/native.ts';
import type { PolicyModel } from '../dsl/policy-model.ts';
import { generatePolicyC } from './generate-c.ts';
import { policyMapContents, type PolicyMaps } from './map-contents.ts';
import { l7ReceiveRefusal, policyPrograms, type AttachMode, type PolicyProgram } from './programs.ts';

export type PolicyDriver = CDriver;
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
  /** tc (default) or xdp: where the receive-side program runs (programs.ts) */
  readonly attachMode?: AttachMode;
}

/** Compiles C text to a BPF object with the chosen driver. */
export async function compilePolicyC(c: string, driver: PolicyDriver, cFile = 'policy.c'): Promise<Uint8Array> {
  return buildC(c, driver, { cFile });
}

/** The default driver, or wasm when the default is native and no native clang is installed (kept for when the default changes). */
export function defaultPolicyDriver(): PolicyDriver {
  return DEFAULT_POLICY_DRIVER === 'native' && findNativeClang() === undefined ? 'wasm' : DEFAULT_POLICY_DRIVER;
}

export async function compilePolicy(model: PolicyModel, options: CompilePolicyOptions = {}): Promise<CompiledPolicy> {
  const driver = options.driver ?? defaultPolicyDriver();
  const attachMode = options.attachMode ?? 'tc';
  const refusal = attachMode === 'xdp' ? l7ReceiveRefusal(model) : undefined;
  if (refusal !== undefined) throw new RangeError(refusal);
  const c = generatePolicyC(model, { cFile: options.cFile ?? 'policy.c', attachMode });
  const object = await compilePolicyC(c, driver, options.cFile ?? 'policy.c');
  return { c, object, maps: policyMapContents(model), programs: policyPrograms(model, attachMode), driver };
}
