// The steps `tsbpf build POLICY.ts` and `tsbpf check POLICY.ts` share: run the policy file, read the inventory
// beside it (or the one given), merge into a PolicyModel, generate C and compile it with the chosen driver.
import { existsSync } from 'node:fs';
import { buildModel, EMPTY_INVENTORY, loadPolicyFile, PolicyError, readInventory, type Inventory, type LoadedPolicies, type PolicyModel } from '../../compiler/dsl/index.ts';
import { compilePolicy, type CompiledPolicy, type PolicyDriver } from '../../compiler/cgen/index.ts';
import { buildLb, type BuiltLb } from '../../compiler/services/index.ts';
import { findNativeClang } from '../../compiler/clang/native.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';

export interface PreparedPolicy {
  readonly loaded: LoadedPolicies;
  readonly inventory: Inventory;
  readonly inventoryFile: string | undefined;
  readonly model: PolicyModel;
  readonly compiled: CompiledPolicy;
}

/** `dir/name.ts` → `dir/name.SUFFIX` (the files users keep beside a policy). */
export function besidePolicy(file: string, suffix: string): string {
  return `${file.replace(/\.(ts|mts|js|mjs|ya?ml)$/, '')}.${suffix}`;
}

function firstExisting(paths: readonly string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

export function defaultInventoryFile(file: string): string | undefined {
  return firstExisting(['endpoints.yaml', 'endpoints.yml', 'endpoints.json'].map((s) => besidePolicy(file, s)));
}

export function defaultVectorsFile(file: string): string | undefined {
  return firstExisting(['vectors.yaml', 'vectors.yml', 'vectors.json'].map((s) => besidePolicy(file, s)));
}

/** What a file holds: its policies (merged and compiled), its services (one load balancer), or both. */
export interface PreparedFile {
  readonly loaded: LoadedPolicies;
  readonly policy?: PreparedPolicy;
  readonly services?: BuiltLb;
}

/** Runs the pipeline; unusable input (an invalid policy, a missing or malformed file) becomes CliError code 2. */
export async function preparePolicy(file: string, options: { endpoints?: string; driver?: PolicyDriver } = {}): Promise<PreparedPolicy> {
  const loaded = await loadInput(file, options);
  return preparePolicies(file, loaded, options);
}

/** `tsbpf build` and `tsbpf check`: the policies and the services of `file`, whichever it exports. */
export async function prepareFile(file: string, options: { endpoints?: string; driver?: PolicyDriver } = {}): Promise<PreparedFile> {
  const loaded = await loadInput(file, options);
  const policy = loaded.policies.length > 0 ? await preparePolicies(file, loaded, options) : undefined;
  let services: BuiltLb | undefined;
  if (loaded.services !== undefined) {
    try {
      services = await buildLb(loaded.services, { ...(options.driver !== undefined ? { driver: options.driver } : {}) });
    } catch (e) {
      if (e instanceof PolicyError) throw new CliError(e.message, EXIT_USAGE, { cause: e });
      throw e;
    }
  }
  return { loaded, ...(policy !== undefined ? { policy } : {}), ...(services !== undefined ? { services } : {}) };
}

async function loadInput(file: string, options: { endpoints?: string }): Promise<LoadedPolicies> {
  if (!/\.(ts|mts|js|mjs|ya?ml)$/.test(file)) {
    throw new CliError(`${file}: a policy is a TypeScript file (.ts) or Kubernetes / Cilium policy YAML (.yaml)`, EXIT_USAGE);
  }
  if (!existsSync(file)) throw new CliError(`${file}: no such file`, EXIT_USAGE);
  if (options.endpoints !== undefined && !existsSync(options.endpoints)) throw new CliError(`${options.endpoints}: no such file`, EXIT_USAGE);
  try {
    return await loadPolicyFile(file);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
  }
}

/**
 * L7 policies build with clang-19 when it is installed, for speed only: clang-as-wasm takes minutes on an unrolled
 * L7 matcher, clang-19 a second; both fit the examples into their profiles (docs/l7.md). `--clang wasm` forces it.
 */
function l7Driver(model: PolicyModel): { driver?: PolicyDriver } {
  return model.l7.rulesets.length > 0 && findNativeClang() !== undefined ? { driver: 'native' } : {};
}

async function preparePolicies(file: string, loaded: LoadedPolicies, options: { endpoints?: string; driver?: PolicyDriver }): Promise<PreparedPolicy> {
  const inventoryFile = options.endpoints ?? defaultInventoryFile(file);
  let inventory: Inventory;
  let model: PolicyModel;
  try {
    inventory = inventoryFile === undefined ? EMPTY_INVENTORY : readInventory(inventoryFile);
    model = buildModel(loaded.policies, inventory);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
  }
  let compiled: CompiledPolicy;
  try {
    compiled = await compilePolicy(model, { ...(options.driver !== undefined ? { driver: options.driver } : l7Driver(model)) });
  } catch (e) {
    // an L7 rule set the chosen profile cannot hold: the matcher generator names the rule and the limit
    if (e instanceof PolicyError) throw new CliError(e.message, EXIT_USAGE, { cause: e });
    throw e;
  }
  return { loaded, inventory, inventoryFile, model, compiled };
}
