import { describe, expect, it } from 'vitest';
import { HELPER_MAP_TYPES, helperByName, MAP_TYPE_HELPERS, mapFuncIncompatibility, mapTypeByName } from '../../../bpf/index.ts';

const refusal = (map: string, helper: string, prog: Parameters<typeof mapFuncIncompatibility>[4] = 'xdp'): string[] | undefined =>
  mapFuncIncompatibility(map, mapTypeByName(map)!.id, helper, helperByName(helper)!.id, prog);

describe('mapFuncIncompatibility()', () => {
  it('refuses a ringbuf map to bpf_map_lookup_elem in the kernel\'s words', () => {
    expect(refusal('ringbuf', 'map_lookup_elem')).toEqual(['cannot pass map_type 27 into func bpf_map_lookup_elem#1']);
  });

  it('refuses an array map to bpf_tail_call and a prog array to bpf_perf_event_output', () => {
    expect(refusal('array', 'tail_call')).toEqual(['cannot pass map_type 2 into func bpf_tail_call#12']);
    expect(refusal('prog_array', 'perf_event_output')).toEqual(['cannot pass map_type 3 into func bpf_perf_event_output#25']);
  });

  it('allows the generic map helpers on hash and array maps, and lookups in a devmap but not updates', () => {
    for (const h of ['map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'for_each_map_elem']) {
      expect(refusal('hash', h)).toBeUndefined();
      expect(refusal('array', h)).toBeUndefined();
    }
    expect(refusal('devmap', 'map_lookup_elem')).toBeUndefined();
    expect(refusal('devmap', 'redirect_map')).toBeUndefined();
    expect(refusal('devmap', 'map_update_elem')).toBeDefined();
  });

  it('lets only some program types update a sockmap with bpf_map_update_elem', () => {
    expect(refusal('sockmap', 'map_update_elem', 'sched_cls')).toBeUndefined();
    expect(refusal('sockmap', 'map_update_elem', 'cgroup_skb')).toEqual([
      'cannot update sockmap in this context',
      'cannot pass map_type 15 into func bpf_map_update_elem#2',
    ]);
  });

  it('names only map types and helpers the tables of map types and helpers know', () => {
    const maps = [...Object.keys(MAP_TYPE_HELPERS), ...Object.values(HELPER_MAP_TYPES).flat()];
    const helpers = [...Object.keys(HELPER_MAP_TYPES), ...Object.values(MAP_TYPE_HELPERS).flat()];
    expect(maps.filter((m) => mapTypeByName(m) === undefined)).toEqual([]);
    expect(helpers.filter((h) => helperByName(h) === undefined)).toEqual([]);
  });
});
