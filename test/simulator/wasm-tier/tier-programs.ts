// The programs the two tiers are compared and timed on: every committed fixture (test/fixtures/*.o except
// bad_*) and every program of the example policies (examples/*.ts, built with clang-19), each with the map
// contents it runs against. Shared by the differential test, scripts/sim-tiers.ts and `bench sim`.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readObject, type ObjectSpec } from '../../../bpf/index.ts';
import { preparePolicy } from '../../../cli/commands/policy-pipeline.ts';
import { hexBytes } from '../../../compiler/cgen/index.ts';
import type { Simulator } from '../../../simulator/index.ts';
import { repoRoot } from '../../corpora.ts';

/** An entry written into a map before the runs, on the simulator's side and the kernel's. */
export interface MapEntry {
  readonly map: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface TierObject {
  /** `xdp_firewall.o`, `web-tier.ts` */
  readonly label: string;
  readonly spec: ObjectSpec;
  /** map contents to start from (policies: their policy.maps.json; the firewall: two blocked ports) */
  readonly entries: readonly MapEntry[];
}

export const EXAMPLES = ['host-firewall', 'web-tier', 'namespace-default-deny'] as const;

/** The firewall fixture drops what its `blocked_ports` holds: TCP 22 and UDP 53. */
const FIXTURE_ENTRIES: Readonly<Record<string, readonly MapEntry[]>> = {
  'xdp_firewall.o': [
    { map: 'blocked_ports', key: Uint8Array.of(6, 0, 0, 22), value: Uint8Array.of(1, 0, 0, 0) },
    { map: 'blocked_ports', key: Uint8Array.of(17, 0, 0, 53), value: Uint8Array.of(1, 0, 0, 0) },
  ],
};

/** Every committed fixture object but the ones made to fail verification. */
export function fixtureObjects(): TierObject[] {
  const dir = join(repoRoot, 'test/fixtures');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.o') && !f.startsWith('bad_'))
    .sort()
    .map((f) => ({ label: f, spec: readObject(new Uint8Array(readFileSync(join(dir, f)))), entries: FIXTURE_ENTRIES[f] ?? [] }));
}

/** The example policies, built with clang-19 (the native driver), with their map contents. */
export async function exampleObjects(names: readonly string[] = EXAMPLES): Promise<TierObject[]> {
  const out: TierObject[] = [];
  for (const name of names) {
    const file = join(repoRoot, 'examples', `${name}.ts`);
    const p = await preparePolicy(file, { driver: 'native' });
    const entries: MapEntry[] = [];
    for (const [map, content] of Object.entries(p.compiled.maps.maps)) {
      for (const e of content.entries) entries.push({ map, key: hexBytes(e.key), value: hexBytes(e.value) });
    }
    out.push({ label: basename(file), spec: readObject(p.compiled.object), entries });
  }
  return out;
}

/** Write `entries` into the simulator's maps. */
export function fillMaps(sim: Simulator, entries: readonly MapEntry[]): void {
  for (const e of entries) sim.map(e.map).set(e.key, e.value);
}
