// Changing the rules of a loaded policy without reloading its programs, atomically. Rule-derived keys carry a
// generation (0 or 1) and the programs read the live one from `config` once per packet. An update writes the
// new rule set under the other generation beside the live one, flips `config` (one 4-byte write: packets see
// the old set or the new one, never a mix), then deletes the old generation's entries. Connection tracking,
// fragments and the old generation's rule counters stay. When old and new entries together do not fit a map,
// the update refuses: the policy needs a rebuild and reload with bigger maps.
import type { PolicyModel } from '../dsl/policy-model.ts';
import { hexBytes, policyMapContents, type PolicyMaps } from './map-contents.ts';

/** Writes into a loaded policy's maps: the simulator's or the kernel's. */
export interface PolicyMapWriter {
  update(map: string, key: Uint8Array, value: Uint8Array): void;
  delete(map: string, key: Uint8Array): void;
}

/** A hot update that cannot be done in place. */
export class ReloadNeededError extends RangeError {
  constructor(message: string) {
    super(`${message}: rebuild the policy and reload its programs`);
    this.name = 'ReloadNeededError';
  }
}

export interface HotUpdateOptions {
  /** called after the new generation is written and before the flip (tests check packets still see the old set) */
  readonly beforeFlip?: () => void;
}

/**
 * Replaces the live rule set `live` (what the maps hold now) by `next`'s; returns the new live contents, with the
 * capacities of the loaded maps.
 */
export function applyPolicyUpdate(writer: PolicyMapWriter, live: PolicyMaps, next: PolicyModel, options: HotUpdateOptions = {}): PolicyMaps {
  const generation = 1 - live.generation;
  const contents = policyMapContents(next, { generation });
  if (contents.l7 !== live.l7) throw new ReloadNeededError('policy update: the L7 rules differ, and their matcher is compiled into the programs');
  if (next.rules.length + 1 > live.ruleSlots) throw new ReloadNeededError(`policy update: ${next.rules.length} rules exceed the ${live.ruleSlots - 1} rule counter slots`);
  for (const [name, m] of Object.entries(contents.maps)) {
    if (name === 'config') continue;
    const loaded = live.maps[name];
    if (loaded === undefined) throw new ReloadNeededError(`policy update: map ${name} is not in the loaded policy`);
    if (loaded.entries.length + m.entries.length > loaded.maxEntries) {
      throw new ReloadNeededError(`policy update: map ${name} cannot hold ${loaded.entries.length} live and ${m.entries.length} new entries (max ${loaded.maxEntries})`);
    }
  }
  for (const [name, m] of Object.entries(contents.maps)) {
    if (name === 'config') continue;
    for (const e of m.entries) writer.update(name, hexBytes(e.key), hexBytes(e.value));
  }
  options.beforeFlip?.();
  for (const e of contents.maps['config']!.entries) writer.update('config', hexBytes(e.key), hexBytes(e.value));
  for (const [name, m] of Object.entries(live.maps)) {
    if (name === 'config') continue;
    for (const e of m.entries) writer.delete(name, hexBytes(e.key));
  }
  return {
    generation,
    ruleSlots: live.ruleSlots,
    ...(live.l7 !== undefined ? { l7: live.l7 } : {}),
    maps: Object.fromEntries(Object.entries(contents.maps).map(([name, m]) => [name, { ...m, maxEntries: live.maps[name]?.maxEntries ?? m.maxEntries }])),
  };
}
