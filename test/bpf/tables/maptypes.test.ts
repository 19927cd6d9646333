import { describe, expect, it } from 'vitest';
import {
  HELPERS,
  MAP_FLAGS,
  MAP_TYPES,
  MAP_UPDATE_FLAGS,
  MAX_BPF_MAP_TYPE,
  checkMapDefinition,
  helperByName,
  mapTypeById,
  mapTypeByName,
  mapTypesForHelper,
} from '../../../bpf/tables/index.ts';
import { available, kernelBpf } from '../../support/require.ts';
import { kernelBtf, loadKernelBtf } from './kernel-btf.ts';
import { closeFd, createMap } from './kernel-probe.ts';

describe('map types', () => {
  it('MAP_TYPES numbers 1..33 without gaps, with the kernel names', () => {
    expect(MAP_TYPES.map((m) => m.id)).toEqual([...Array(MAX_BPF_MAP_TYPE).keys()].slice(1));
    const facts: [string, number][] = [
      ['hash', 1], ['array', 2], ['prog_array', 3], ['perf_event_array', 4], ['percpu_hash', 5], ['percpu_array', 6],
      ['stack_trace', 7], ['cgroup_array', 8], ['lru_hash', 9], ['lru_percpu_hash', 10], ['lpm_trie', 11],
      ['array_of_maps', 12], ['hash_of_maps', 13], ['devmap', 14], ['sockmap', 15], ['cpumap', 16], ['xskmap', 17],
      ['sockhash', 18], ['cgroup_storage', 19], ['reuseport_sockarray', 20], ['percpu_cgroup_storage', 21],
      ['queue', 22], ['stack', 23], ['sk_storage', 24], ['devmap_hash', 25], ['struct_ops', 26], ['ringbuf', 27],
      ['inode_storage', 28], ['task_storage', 29], ['bloom_filter', 30], ['user_ringbuf', 31], ['cgrp_storage', 32],
      ['arena', 33],
    ];
    for (const [name, id] of facts) {
      expect(mapTypeByName(name)?.id, name).toBe(id);
      expect(mapTypeByName(`BPF_MAP_TYPE_${name.toUpperCase()}`)?.id, name).toBe(id);
      expect(mapTypeById(id)?.name).toBe(name);
    }
    expect(mapTypeByName('BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED')?.id).toBe(19);
  });

  it('flag constants have their UAPI values', () => {
    expect(MAP_FLAGS.BPF_F_NO_PREALLOC).toBe(1);
    expect(MAP_FLAGS.BPF_F_NUMA_NODE).toBe(4);
    expect(MAP_FLAGS.BPF_F_RDONLY_PROG).toBe(0x80);
    expect(MAP_FLAGS.BPF_F_WRONLY_PROG).toBe(0x100);
    expect(MAP_FLAGS.BPF_F_MMAPABLE).toBe(0x400);
    expect(MAP_FLAGS.BPF_F_INNER_MAP).toBe(0x1000);
    expect(MAP_UPDATE_FLAGS).toEqual({ BPF_ANY: 0, BPF_NOEXIST: 1, BPF_EXIST: 2, BPF_F_LOCK: 4 });
  });

  it('per-type rules state the well-known constraints', () => {
    expect(mapTypeByName('array')?.keySize.oneOf).toEqual([4]);
    expect(mapTypeByName('lpm_trie')?.keySize.min).toBe(5);
    expect(mapTypeByName('lpm_trie')?.requiredFlags).toEqual(['BPF_F_NO_PREALLOC']);
    for (const n of ['queue', 'stack', 'bloom_filter', 'ringbuf']) expect(mapTypeByName(n)?.keySize.oneOf, n).toEqual([0]);
    expect(mapTypeByName('ringbuf')?.valueSize.oneOf).toEqual([0]);
    for (const n of ['percpu_hash', 'percpu_array', 'lru_percpu_hash', 'percpu_cgroup_storage']) {
      expect(mapTypeByName(n)?.percpu, n).toBe(true);
    }
    expect(mapTypeByName('hash')?.percpu).toBe(false);
    expect(mapTypeByName('hash')?.lookup).toBe('value');
    expect(mapTypeByName('prog_array')?.lookup).toBe('none');
    expect(mapTypeByName('array_of_maps')?.lookup).toBe('inner_map');
    expect(mapTypeByName('array')?.flags).toContain('BPF_F_MMAPABLE');
    expect(mapTypeByName('hash')?.flags).not.toContain('BPF_F_MMAPABLE');
  });

  it('checkMapDefinition() reports what the kernel would refuse', () => {
    expect(checkMapDefinition({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 })).toEqual([]);
    expect(checkMapDefinition({ type: 'array', keySize: 8, valueSize: 8, maxEntries: 1 })).toEqual([
      'map type array: invalid key_size 8',
    ]);
    expect(checkMapDefinition({ type: 'lpm_trie', keySize: 8, valueSize: 8, maxEntries: 16 })).toEqual([
      'map type lpm_trie: BPF_F_NO_PREALLOC is required',
    ]);
    expect(checkMapDefinition({ type: 'lpm_trie', keySize: 4, valueSize: 8, maxEntries: 16, flags: 1 })).toHaveLength(1);
    expect(checkMapDefinition({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 1 << 16 })).toEqual([]);
    expect(checkMapDefinition({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 5000 }).length).toBeGreaterThan(0);
    expect(checkMapDefinition({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1, flags: MAP_FLAGS.BPF_F_MMAPABLE })).toEqual([
      'map type hash: unsupported map_flags 0x400',
    ]);
    expect(checkMapDefinition({ type: 99, keySize: 4, valueSize: 4, maxEntries: 1 })).toEqual(['unknown map type 99']);
  });

  it('helpers named by the map rules exist and take a map', () => {
    for (const m of MAP_TYPES) {
      for (const h of m.helpers) {
        const spec = helperByName(h);
        expect(spec, `${m.name}: ${h}`).toBeDefined();
        const takesMap = spec?.args.some((a) => a.base === 'ARG_CONST_MAP_PTR' || a.base === 'ARG_PTR_TO_SPIN_LOCK' || a.base === 'ARG_PTR_TO_TIMER');
        expect(takesMap, `${m.name}: ${h}`).toBe(true);
      }
    }
    expect(mapTypesForHelper('tail_call').map((m) => m.name)).toEqual(['prog_array']);
    expect(mapTypesForHelper('bpf_redirect_map').map((m) => m.name)).toEqual(['devmap', 'cpumap', 'xskmap', 'devmap_hash']);
    expect(mapTypesForHelper('ringbuf_reserve').map((m) => m.name)).toEqual(['ringbuf']);
    expect(mapTypesForHelper('perf_event_output').map((m) => m.name)).toEqual(['perf_event_array']);
    // Helpers whose map argument only some map types satisfy are all covered by some map type.
    const mapHelpers = HELPERS.filter((h) => h.args.some((a) => a.base === 'ARG_CONST_MAP_PTR'));
    for (const h of mapHelpers) expect(mapTypesForHelper(h.name).length, h.name).toBeGreaterThan(0);
  });
});

describe('map types against the kernel BTF', () => {
  const run = available('map types against the kernel BTF', kernelBtf);

  it.runIf(run)('enum bpf_map_type and the BPF_F_* map flags match the running kernel', () => {
    const btf = loadKernelBtf();
    const e = btf.enumValues('bpf_map_type');
    for (const m of MAP_TYPES) {
      expect(e?.get(m.enumName), m.enumName).toBe(BigInt(m.id));
      for (const a of m.aliases) expect(e?.get(a), a).toBe(BigInt(m.id));
    }
    expect(Number(e?.get('__MAX_BPF_MAP_TYPE'))).toBeGreaterThanOrEqual(MAX_BPF_MAP_TYPE);
    for (const [name, value] of Object.entries(MAP_FLAGS)) expect(btf.enumerator(name), name).toBe(BigInt(value));
    for (const [name, value] of Object.entries(MAP_UPDATE_FLAGS)) expect(btf.enumerator(name), name).toBe(BigInt(value));
  });
});

describe('map rules against the kernel', () => {
  const run = available('map rules against the kernel', kernelBpf);
  // Types that need BTF, an inner map or a kernel struct to be created at all.
  const SKIP = ['sk_storage', 'inode_storage', 'task_storage', 'cgrp_storage', 'struct_ops', 'arena', 'array_of_maps', 'hash_of_maps'];
  const BASE: Readonly<Record<string, readonly [number, number, number, number]>> = {
    hash: [4, 8, 16, 0], array: [4, 8, 4, 0], prog_array: [4, 4, 4, 0], perf_event_array: [4, 4, 4, 0],
    percpu_hash: [4, 8, 16, 0], percpu_array: [4, 8, 4, 0], stack_trace: [4, 64, 4, 0], cgroup_array: [4, 4, 4, 0],
    lru_hash: [4, 8, 16, 0], lru_percpu_hash: [4, 8, 16, 0], lpm_trie: [8, 8, 16, 1], devmap: [4, 4, 4, 0],
    sockmap: [4, 4, 4, 0], cpumap: [4, 4, 4, 0], xskmap: [4, 4, 4, 0], sockhash: [4, 4, 4, 0],
    cgroup_storage: [16, 8, 0, 0], reuseport_sockarray: [4, 4, 4, 0], percpu_cgroup_storage: [16, 8, 0, 0],
    queue: [0, 8, 4, 0], stack: [0, 8, 4, 0], devmap_hash: [4, 4, 4, 0], ringbuf: [0, 0, 4096, 0],
    bloom_filter: [0, 8, 16, 0], user_ringbuf: [0, 0, 4096, 0],
  };

  it.runIf(run)('checkMapDefinition() accepts exactly the definitions BPF_MAP_CREATE accepts', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const m of MAP_TYPES) {
      if (SKIP.includes(m.name)) continue;
      const b = BASE[m.name];
      if (b === undefined) throw new Error(m.name);
      const [k0, v0, e0, f0] = b;
      const variants: [number, number, number, number, string][] = [[k0, v0, e0, f0, 'as is']];
      for (const k of [0, 1, 2, 4, 5, 8, 12, 16, 261]) variants.push([k, v0, e0, f0, `key_size ${k}`]);
      for (const v of [0, 1, 4, 8, 12, 64]) variants.push([k0, v, e0, f0, `value_size ${v}`]);
      // cpumap's limit is NR_CPUS, a kernel configuration value.
      for (const e of m.name === 'cpumap' ? [0, 1] : [0, 1, 5000, 8192]) variants.push([k0, v0, e, f0, `max_entries ${e}`]);
      for (const [name, bit] of Object.entries(MAP_FLAGS)) variants.push([k0, v0, e0, f0 | bit, name]);
      if (f0 !== 0) variants.push([k0, v0, e0, 0, 'no flags']);
      for (const [k, v, e, f, what] of variants) {
        const fd = createMap(m.id, k, v, e, f);
        closeFd(fd);
        checked++;
        const mine = checkMapDefinition({ type: m.id, keySize: k, valueSize: v, maxEntries: e, flags: f });
        if (fd >= 0 !== (mine.length === 0)) wrong.push(`${m.name} ${what}: kernel ${fd >= 0 ? 'accepts' : 'refuses'}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(900);
  });
});
