// Compiles every policy deployed on one interface together (union of allows, deny wins), with one endpoint
// inventory, and fingerprints the result: the code hash (programs' instructions, maps' shapes) tells a
// rules-only change, which updates maps in place, from a code change, which loads new programs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode, linkProgram, readObject, type ObjectSpec } from '../../bpf/index.ts';
import { compilePolicy, l7ReceiveRefusal, type AttachMode, type PolicyDriver } from '../../compiler/cgen/index.ts';
import { buildModel, EMPTY_INVENTORY, loadPolicyFile, readInventory, type Inventory, type LoadedPolicies } from '../../compiler/dsl/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { defaultInventoryFile, type PreparedPolicy } from '../commands/policy-pipeline.ts';

export interface BuiltSet {
  readonly prepared: PreparedPolicy;
  readonly spec: ObjectSpec;
  readonly codeHash: string;
  /** sha256 of the policy maps' contents: with an equal code hash, a different one means a rules-only change */
  readonly rulesHash: string;
  /** per file: its policies and the hash of its sources */
  readonly files: readonly { readonly file: string; readonly names: readonly string[]; readonly hash: string }[];
}

/** sha256 of the files a policy was built from (the policy file and what it imports). */
export function sourcesHash(sources: readonly string[]): string {
  const h = createHash('sha256');
  for (const s of [...sources].sort()) h.update(s).update('\0').update(readFileSync(s)).update('\0');
  return h.digest('hex');
}

/** sha256 of what decides whether loaded programs can stay: their instructions and the maps' shapes. */
export function codeHash(spec: ObjectSpec): string {
  const h = createHash('sha256');
  for (const p of [...spec.programs].sort((a, b) => a.name.localeCompare(b.name))) {
    h.update(`${p.name} ${p.section}\0`).update(encode(linkProgram(spec, p.name).instructions));
  }
  for (const m of [...spec.maps].sort((a, b) => a.name.localeCompare(b.name))) {
    h.update(`${m.name} ${m.type} ${m.keySize} ${m.valueSize} ${m.maxEntries} ${m.flags}\0`);
  }
  return h.digest('hex');
}

/** The union of the inventories: hosts, endpoints and cluster CIDRs concatenated, namespaces merged. */
export function mergeInventories(list: readonly Inventory[]): Inventory {
  if (list.length === 1) return list[0]!;
  const namespaces = new Map<string, Readonly<Record<string, string>>>();
  for (const inv of list) for (const [k, v] of inv.namespaces) namespaces.set(k, v);
  const uniq = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  return {
    namespaces,
    endpoints: uniq(list.flatMap((i) => i.endpoints), (e) => JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))),
    host: uniq(list.flatMap((i) => i.host), (h) => h.ip),
    clusterCIDRs: uniq(list.flatMap((i) => i.clusterCIDRs), (c) => JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))),
  };
}

/**
 * Builds the set. `endpoints` is the inventory for all of them; without it, each file's own
 * (`POLICY.endpoints.yaml`) is read and the union used. Unusable input is a CliError (exit 2).
 */
export async function buildPolicySet(files: readonly string[], options: { endpoints?: string; driver?: PolicyDriver; attachMode?: AttachMode } = {}): Promise<BuiltSet> {
  if (files.length === 0) throw new CliError('deploy: no policy given', EXIT_USAGE);
  const loadedAll: LoadedPolicies[] = [];
  const inventories: Inventory[] = [];
  const inventoryFiles: string[] = [];
  try {
    for (const f of files) {
      if (!existsSync(f)) throw new CliError(`${f}: no such file`, EXIT_USAGE);
      loadedAll.push(await loadPolicyFile(f));
      const inv = options.endpoints ?? defaultInventoryFile(f);
      if (inv !== undefined && !inventoryFiles.includes(resolve(inv))) {
        if (!existsSync(inv)) throw new CliError(`${inv}: no such file`, EXIT_USAGE);
        inventoryFiles.push(resolve(inv));
        inventories.push(readInventory(inv));
      }
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
  }
  const policies = loadedAll.flatMap((l) => l.policies);
  const names = policies.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new CliError(`deploy: two policies are named ${dup}: names must be unique on an interface`, EXIT_USAGE);
  const inventory = inventories.length === 0 ? EMPTY_INVENTORY : mergeInventories(inventories);
  let model;
  try {
    model = buildModel(policies, inventory);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
  }
  const refusal = options.attachMode === 'xdp' ? l7ReceiveRefusal(model) : undefined;
  if (refusal !== undefined) throw new CliError(`deploy ${refusal}`, EXIT_USAGE);
  const compiled = await compilePolicy(model, { ...(options.driver !== undefined ? { driver: options.driver } : {}), ...(options.attachMode !== undefined ? { attachMode: options.attachMode } : {}) });
  const loaded: LoadedPolicies = { file: loadedAll[0]!.file, policies, sources: [...new Set(loadedAll.flatMap((l) => l.sources))] };
  const prepared: PreparedPolicy = { loaded, inventory, inventoryFile: inventoryFiles[0], model, compiled };
  const spec = readObject(compiled.object);
  return {
    prepared,
    spec,
    codeHash: codeHash(spec),
    rulesHash: createHash('sha256').update(JSON.stringify(compiled.maps)).digest('hex'),
    files: loadedAll.map((l) => ({ file: resolve(l.file), names: l.policies.map((p) => p.name), hash: sourcesHash(l.sources) })),
  };
}
