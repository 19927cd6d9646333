// The inner map of a map of maps, as the loader creates it and the verifier types a lookup's result.
import type { MapSpec, ObjectSpec } from './spec.ts';

const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
const BPF_MAP_TYPE_HASH_OF_MAPS = 13;

/**
 * The inner map template of a map of maps: BTF `__array(values, …)`, or for legacy definitions the map named
 * by `inner_map_idx` (samples/bpf's struct bpf_load_map_def: index among the legacy maps) or by `inner_id`
 * (iproute2's struct bpf_elf_map: the map whose `id` it is). Undefined for other maps.
 */
export function innerMapTemplate(spec: ObjectSpec, map: MapSpec): MapSpec | undefined {
  if (map.inner !== undefined) return map.inner;
  if (map.type !== BPF_MAP_TYPE_ARRAY_OF_MAPS && map.type !== BPF_MAP_TYPE_HASH_OF_MAPS) return undefined;
  const extra = map.legacyExtra;
  if (map.source !== 'legacy' || extra === undefined) return undefined;
  const legacy = spec.maps.filter((m) => m.source === 'legacy');
  if (extra.length === 2) return legacy[extra[0]!];
  if (extra.length >= 4 && extra[2] !== 0) return legacy.find((m) => m !== map && m.legacyExtra?.[0] === extra[2]);
  return undefined;
}
