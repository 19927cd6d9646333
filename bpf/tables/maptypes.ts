// BPF map types of Linux 6.18 (`enum bpf_map_type`, ids checked against the kernel's BTF in test/bpf/tables) and
// the rules a loader and a verifier apply to them: key and value sizes, max_entries, creation flags, whether
// BPF programs can read elements, per-CPU storage, and which helpers take a map of the type.
//
// The rules mirror the kernel's `map_alloc_check` callbacks and the verifier's
// `check_map_func_compatibility()`; where the kernel's rule is a computation (e.g. a struct_ops value is the
// size of a kernel structure) the rule carries a note instead of a number.

/** `BPF_F_*` flags of BPF_MAP_CREATE's `map_flags` (kernel values). */
export const MAP_FLAGS = {
  BPF_F_NO_PREALLOC: 1 << 0,
  BPF_F_NO_COMMON_LRU: 1 << 1,
  BPF_F_NUMA_NODE: 1 << 2,
  BPF_F_RDONLY: 1 << 3,
  BPF_F_WRONLY: 1 << 4,
  BPF_F_STACK_BUILD_ID: 1 << 5,
  BPF_F_ZERO_SEED: 1 << 6,
  BPF_F_RDONLY_PROG: 1 << 7,
  BPF_F_WRONLY_PROG: 1 << 8,
  BPF_F_CLONE: 1 << 9,
  BPF_F_MMAPABLE: 1 << 10,
  BPF_F_PRESERVE_ELEMS: 1 << 11,
  BPF_F_INNER_MAP: 1 << 12,
  BPF_F_LINK: 1 << 13,
  BPF_F_PATH_FD: 1 << 14,
  BPF_F_VTYPE_BTF_OBJ_FD: 1 << 15,
  BPF_F_TOKEN_FD: 1 << 16,
  BPF_F_SEGV_ON_FAULT: 1 << 17,
  BPF_F_NO_USER_CONV: 1 << 18,
} as const;
export type MapFlag = keyof typeof MAP_FLAGS;

/** `flags` of BPF_MAP_UPDATE_ELEM / bpf_map_update_elem(). */
export const MAP_UPDATE_FLAGS = {
  BPF_ANY: 0,
  BPF_NOEXIST: 1,
  BPF_EXIST: 2,
  BPF_F_LOCK: 4,
} as const;

/** Longest LPM trie key data in bytes (`LPM_DATA_SIZE_MAX`). */
export const LPM_DATA_SIZE_MAX = 256;
/** `struct bpf_lpm_trie_key_hdr`: the 4-byte prefix length in front of the key data. */
export const LPM_KEY_HEADER_SIZE = 4;

/** A size rule: exactly one of the values in `oneOf`, or within [min, max]; `note` says what it cannot. */
export interface SizeRule {
  readonly oneOf?: readonly number[];
  readonly min?: number;
  readonly max?: number;
  /** The size must be a multiple of this. */
  readonly multipleOf?: number;
  readonly note?: string;
}

/** What a BPF program gets from bpf_map_lookup_elem() on this map type. */
export type MapLookup =
  | 'value' // a pointer to the value (PTR_TO_MAP_VALUE_OR_NULL)
  | 'inner_map' // a pointer to the inner map (map-in-map)
  | 'socket' // a socket reference (sockmap, sockhash)
  | 'xdp_sock' // struct bpf_xdp_sock *
  | 'readonly_value' // value, not writable by the program (devmap)
  | 'none'; // not callable

export interface MapTypeSpec {
  /** `enum bpf_map_type` value. */
  readonly id: number;
  /** Lower-case short name: `percpu_array`. */
  readonly name: string;
  /** `BPF_MAP_TYPE_PERCPU_ARRAY`. */
  readonly enumName: string;
  /** Other enum members with the same value (`BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED`). */
  readonly aliases: readonly string[];
  readonly keySize: SizeRule;
  readonly valueSize: SizeRule;
  readonly maxEntries: SizeRule;
  /** Flags accepted at creation. */
  readonly flags: readonly MapFlag[];
  /** Flags that must be set. */
  readonly requiredFlags: readonly MapFlag[];
  /** One value per possible CPU; userspace reads `round_up(value_size, 8) * ncpus` bytes per element. */
  readonly percpu: boolean;
  /** Elements are addressed by a key BPF code passes (false for queue, stack, ringbuf, storage maps, ...). */
  readonly keyed: boolean;
  /** What bpf_map_lookup_elem() yields in a BPF program. */
  readonly lookup: MapLookup;
  /** bpf_map_update_elem() / bpf_map_delete_elem() callable from BPF programs (for some program types only). */
  readonly bpfUpdate: boolean;
  readonly bpfDelete: boolean;
  /** Helpers (short names) that accept a map of this type as their map argument. */
  readonly helpers: readonly string[];
  /** Preallocated by default (BPF_F_NO_PREALLOC turns it off where allowed). */
  readonly prealloc: boolean;
  /** Value may embed bpf_spin_lock / bpf_timer (via BTF). */
  readonly spinLock: boolean;
  readonly timer: boolean;
  /** Supports BPF_F_MMAPABLE (array, arena) and freezing for `.rodata`-style use. */
  readonly mmapable: boolean;
  readonly note?: string;
}

const ACCESS: readonly MapFlag[] = ['BPF_F_RDONLY', 'BPF_F_WRONLY', 'BPF_F_RDONLY_PROG', 'BPF_F_WRONLY_PROG'];
const RDWR: readonly MapFlag[] = ['BPF_F_RDONLY', 'BPF_F_WRONLY'];
const MAP_OPS = ['map_lookup_elem', 'map_update_elem', 'map_delete_elem'];
const ANY_SIZE: SizeRule = { min: 1 };
const ZERO: SizeRule = { oneOf: [0] };
const U32: SizeRule = { oneOf: [4] };
const POSITIVE: SizeRule = { min: 1 };
const STORAGE_VALUE: SizeRule = { min: 1, note: 'at most BPF_LOCAL_STORAGE_MAX_VALUE_SIZE (about 64 KiB less metadata)' };

interface Row extends Omit<MapTypeSpec, 'id' | 'name' | 'enumName' | 'aliases' | 'requiredFlags' | 'prealloc' | 'spinLock' | 'timer' | 'mmapable' | 'bpfUpdate' | 'bpfDelete'> {
  readonly aliases?: readonly string[];
  readonly requiredFlags?: readonly MapFlag[];
  readonly prealloc?: boolean;
  readonly spinLock?: boolean;
  readonly timer?: boolean;
  readonly mmapable?: boolean;
  readonly bpfUpdate?: boolean;
  readonly bpfDelete?: boolean;
}

// prettier-ignore
const ROWS: readonly (readonly [number, string, Row])[] = [
  [1, 'HASH', {
    keySize: ANY_SIZE, valueSize: ANY_SIZE, maxEntries: POSITIVE,
    flags: ['BPF_F_NO_PREALLOC', 'BPF_F_NUMA_NODE', 'BPF_F_ZERO_SEED', ...ACCESS], percpu: false, keyed: true,
    lookup: 'value', bpfUpdate: true, bpfDelete: true, prealloc: true, spinLock: true, timer: true,
    helpers: [...MAP_OPS, 'for_each_map_elem', 'timer_init', 'spin_lock'],
  }],
  [2, 'ARRAY', {
    keySize: U32, valueSize: ANY_SIZE, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_MMAPABLE', 'BPF_F_INNER_MAP', ...ACCESS], percpu: false, keyed: true,
    lookup: 'value', bpfUpdate: true, bpfDelete: true, prealloc: true, spinLock: true, timer: true, mmapable: true,
    helpers: [...MAP_OPS, 'for_each_map_elem', 'timer_init', 'spin_lock'],
    note: 'elements always exist (zeroed); delete fails with EINVAL; index >= max_entries yields NULL',
  }],
  [3, 'PROG_ARRAY', {
    keySize: U32, valueSize: { oneOf: [4], note: 'program fd on update, program id on lookup' }, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true,
    lookup: 'none', bpfDelete: false, helpers: ['tail_call'],
  }],
  [4, 'PERF_EVENT_ARRAY', {
    keySize: U32, valueSize: { oneOf: [4], note: 'perf event fd' },
    maxEntries: { min: 1, note: 'libbpf defaults it to the number of possible CPUs' },
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_PRESERVE_ELEMS', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true,
    lookup: 'none',
    helpers: ['perf_event_read', 'perf_event_output', 'perf_event_read_value', 'skb_output', 'xdp_output'],
  }],
  [5, 'PERCPU_HASH', {
    keySize: ANY_SIZE, valueSize: ANY_SIZE, maxEntries: POSITIVE,
    flags: ['BPF_F_NO_PREALLOC', 'BPF_F_ZERO_SEED', ...ACCESS], percpu: true, keyed: true,
    lookup: 'value', bpfUpdate: true, bpfDelete: true, prealloc: true,
    helpers: [...MAP_OPS, 'for_each_map_elem', 'map_lookup_percpu_elem'],
  }],
  [6, 'PERCPU_ARRAY', {
    keySize: U32, valueSize: ANY_SIZE, maxEntries: POSITIVE,
    flags: [...ACCESS], percpu: true, keyed: true,
    lookup: 'value', bpfUpdate: true, bpfDelete: true, prealloc: true,
    helpers: [...MAP_OPS, 'for_each_map_elem', 'map_lookup_percpu_elem'],
  }],
  [7, 'STACK_TRACE', {
    keySize: U32,
    valueSize: { min: 8, multipleOf: 8, note: 'a multiple of 8 (u64 ips), or of sizeof(struct bpf_stack_build_id) = 32 with BPF_F_STACK_BUILD_ID' },
    maxEntries: POSITIVE, flags: ['BPF_F_NUMA_NODE', 'BPF_F_STACK_BUILD_ID', 'BPF_F_RDONLY', 'BPF_F_WRONLY'],
    percpu: false, keyed: true, lookup: 'none', bpfDelete: false, helpers: ['get_stackid'],
  }],
  [8, 'CGROUP_ARRAY', {
    keySize: U32, valueSize: { oneOf: [4], note: 'cgroup fd' }, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true, lookup: 'none',
    helpers: ['skb_under_cgroup', 'current_task_under_cgroup'],
  }],
  [9, 'LRU_HASH', {
    keySize: ANY_SIZE, valueSize: ANY_SIZE, maxEntries: POSITIVE,
    flags: ['BPF_F_NO_COMMON_LRU', 'BPF_F_NUMA_NODE', 'BPF_F_ZERO_SEED', ...ACCESS], percpu: false, keyed: true,
    lookup: 'value', bpfUpdate: true, bpfDelete: true, prealloc: true, spinLock: true, timer: true,
    helpers: [...MAP_OPS, 'for_each_map_elem', 'timer_init', 'spin_lock'],
    note: 'always preallocated; updates evict the least recently used element when full',
  }],
  [10, 'LRU_PERCPU_HASH', {
    keySize: ANY_SIZE, valueSize: ANY_SIZE, maxEntries: POSITIVE,
    flags: ['BPF_F_NO_COMMON_LRU', 'BPF_F_ZERO_SEED', ...ACCESS], percpu: true, keyed: true,
    lookup: 'value', bpfUpdate: true, bpfDelete: true, prealloc: true,
    helpers: [...MAP_OPS, 'for_each_map_elem', 'map_lookup_percpu_elem'],
  }],
  [11, 'LPM_TRIE', {
    keySize: { min: LPM_KEY_HEADER_SIZE + 1, max: LPM_KEY_HEADER_SIZE + LPM_DATA_SIZE_MAX, note: 'struct bpf_lpm_trie_key_u8: __u32 prefixlen then the data' },
    valueSize: ANY_SIZE, maxEntries: POSITIVE,
    flags: ['BPF_F_NO_PREALLOC', 'BPF_F_NUMA_NODE', ...ACCESS], requiredFlags: ['BPF_F_NO_PREALLOC'],
    percpu: false, keyed: true, lookup: 'value', bpfUpdate: true, bpfDelete: true, helpers: MAP_OPS,
    note: 'longest-prefix match; prefixlen counts bits of the data, at most 8 * (key_size - 4)',
  }],
  [12, 'ARRAY_OF_MAPS', {
    keySize: U32, valueSize: { oneOf: [4], note: 'inner map fd; inner map given by inner_map_fd or BTF' }, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true, lookup: 'inner_map',
    helpers: ['map_lookup_elem'],
  }],
  [13, 'HASH_OF_MAPS', {
    keySize: ANY_SIZE, valueSize: { oneOf: [4], note: 'inner map fd' }, maxEntries: POSITIVE,
    flags: ['BPF_F_NO_PREALLOC', 'BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true,
    lookup: 'inner_map', helpers: ['map_lookup_elem'],
  }],
  [14, 'DEVMAP', {
    keySize: U32, valueSize: { oneOf: [4, 8], note: '__u32 ifindex, or struct bpf_devmap_val with a devmap program' },
    maxEntries: POSITIVE, flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'],
    percpu: false, keyed: true, lookup: 'readonly_value', helpers: ['redirect_map', 'map_lookup_elem'],
  }],
  [15, 'SOCKMAP', {
    keySize: U32, valueSize: { oneOf: [4, 8], note: 'socket fd (4) or fd and cookie (8) from userspace; cookie on lookup' },
    maxEntries: POSITIVE, flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true,
    lookup: 'socket', bpfUpdate: true, bpfDelete: true,
    helpers: ['sk_redirect_map', 'sock_map_update', 'msg_redirect_map', 'sk_select_reuseport', ...MAP_OPS],
  }],
  [16, 'CPUMAP', {
    keySize: U32, valueSize: { oneOf: [4, 8], note: '__u32 qsize, or struct bpf_cpumap_val with a program' },
    maxEntries: { min: 1, note: 'at most NR_CPUS (a kernel configuration value)' }, flags: ['BPF_F_NUMA_NODE'], percpu: false, keyed: true,
    lookup: 'none', helpers: ['redirect_map'],
  }],
  [17, 'XSKMAP', {
    keySize: U32, valueSize: { oneOf: [4], note: 'AF_XDP socket fd' }, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true, lookup: 'xdp_sock',
    helpers: ['redirect_map', 'map_lookup_elem'],
  }],
  [18, 'SOCKHASH', {
    keySize: ANY_SIZE, valueSize: { oneOf: [4, 8], note: 'socket fd (4) or fd and cookie (8)' }, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true, lookup: 'socket',
    bpfUpdate: true, bpfDelete: true,
    helpers: ['sk_redirect_hash', 'sock_hash_update', 'msg_redirect_hash', 'sk_select_reuseport', ...MAP_OPS],
  }],
  [19, 'CGROUP_STORAGE', {
    aliases: ['BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED'],
    keySize: { oneOf: [8, 16], note: '__u64 cgroup id, or struct bpf_cgroup_storage_key { __u64 cgroup_inode_id; __u32 attach_type; } (16 with padding)' },
    valueSize: { min: 1, note: 'at most a page' }, maxEntries: ZERO,
    flags: ['BPF_F_NUMA_NODE', ...ACCESS], percpu: false, keyed: false, lookup: 'none', spinLock: true,
    helpers: ['get_local_storage'],
    note: 'superseded by CGRP_STORAGE; one value per (cgroup, attach type) of the program',
  }],
  [20, 'REUSEPORT_SOCKARRAY', {
    keySize: U32, valueSize: { oneOf: [4, 8], note: 'socket fd or cookie' }, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', ...ACCESS], percpu: false, keyed: true, lookup: 'none',
    helpers: ['sk_select_reuseport'],
  }],
  [21, 'PERCPU_CGROUP_STORAGE', {
    aliases: ['BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED'],
    keySize: { oneOf: [8, 16] }, valueSize: { min: 1, note: 'at most a page' }, maxEntries: ZERO,
    flags: ['BPF_F_NUMA_NODE', ...ACCESS], percpu: true, keyed: false, lookup: 'none',
    helpers: ['get_local_storage'],
  }],
  [22, 'QUEUE', {
    keySize: ZERO, valueSize: POSITIVE, maxEntries: POSITIVE, flags: ['BPF_F_NUMA_NODE', ...ACCESS],
    percpu: false, keyed: false, lookup: 'none', prealloc: true,
    helpers: ['map_push_elem', 'map_pop_elem', 'map_peek_elem'],
  }],
  [23, 'STACK', {
    keySize: ZERO, valueSize: POSITIVE, maxEntries: POSITIVE, flags: ['BPF_F_NUMA_NODE', ...ACCESS],
    percpu: false, keyed: false, lookup: 'none', prealloc: true,
    helpers: ['map_push_elem', 'map_pop_elem', 'map_peek_elem'],
  }],
  [24, 'SK_STORAGE', {
    keySize: { oneOf: [4], note: 'socket fd (from userspace)' }, valueSize: STORAGE_VALUE, maxEntries: ZERO,
    flags: ['BPF_F_NO_PREALLOC', 'BPF_F_CLONE'], requiredFlags: ['BPF_F_NO_PREALLOC'], percpu: false, keyed: false,
    lookup: 'none', spinLock: true, helpers: ['sk_storage_get', 'sk_storage_delete'],
    note: 'value BTF required',
  }],
  [25, 'DEVMAP_HASH', {
    keySize: U32, valueSize: { oneOf: [4, 8] }, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_RDONLY', 'BPF_F_WRONLY'], percpu: false, keyed: true,
    lookup: 'readonly_value', helpers: ['redirect_map', 'map_lookup_elem'],
  }],
  [26, 'STRUCT_OPS', {
    keySize: U32, valueSize: { min: 1, note: 'the size of the kernel struct_ops value type named by BTF' },
    maxEntries: { oneOf: [1] }, flags: ['BPF_F_LINK'], percpu: false, keyed: false, lookup: 'none', helpers: [],
  }],
  [27, 'RINGBUF', {
    keySize: ZERO, valueSize: ZERO,
    maxEntries: { min: 4096, note: 'data size in bytes: a power of 2 and a multiple of the page size' },
    flags: ['BPF_F_NUMA_NODE'], percpu: false, keyed: false, lookup: 'none', mmapable: true,
    helpers: ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr'],
  }],
  [28, 'INODE_STORAGE', {
    keySize: { oneOf: [4], note: 'file fd (from userspace)' }, valueSize: STORAGE_VALUE, maxEntries: ZERO,
    flags: ['BPF_F_NO_PREALLOC'], requiredFlags: ['BPF_F_NO_PREALLOC'], percpu: false, keyed: false,
    lookup: 'none', spinLock: true, helpers: ['inode_storage_get', 'inode_storage_delete'],
  }],
  [29, 'TASK_STORAGE', {
    keySize: { oneOf: [4], note: 'pidfd (from userspace)' }, valueSize: STORAGE_VALUE, maxEntries: ZERO,
    flags: ['BPF_F_NO_PREALLOC'], requiredFlags: ['BPF_F_NO_PREALLOC'], percpu: false, keyed: false,
    lookup: 'none', spinLock: true, helpers: ['task_storage_get', 'task_storage_delete'],
  }],
  [30, 'BLOOM_FILTER', {
    keySize: ZERO, valueSize: POSITIVE, maxEntries: POSITIVE,
    flags: ['BPF_F_NUMA_NODE', 'BPF_F_ZERO_SEED', ...ACCESS], percpu: false, keyed: false, lookup: 'none',
    helpers: ['map_push_elem', 'map_peek_elem'],
    note: 'map_extra low 4 bits: number of hash functions (default 5); push adds, peek tests membership',
  }],
  [31, 'USER_RINGBUF', {
    keySize: ZERO, valueSize: ZERO,
    maxEntries: { min: 4096, note: 'a power of 2 and a multiple of the page size' },
    flags: ['BPF_F_NUMA_NODE'], percpu: false, keyed: false, lookup: 'none', mmapable: true,
    helpers: ['user_ringbuf_drain'],
  }],
  [32, 'CGRP_STORAGE', {
    keySize: { oneOf: [4], note: 'cgroup fd (from userspace)' }, valueSize: STORAGE_VALUE, maxEntries: ZERO,
    flags: ['BPF_F_NO_PREALLOC'], requiredFlags: ['BPF_F_NO_PREALLOC'], percpu: false, keyed: false,
    lookup: 'none', spinLock: true, helpers: ['cgrp_storage_get', 'cgrp_storage_delete'],
  }],
  [33, 'ARENA', {
    keySize: ZERO, valueSize: ZERO, maxEntries: { min: 1, note: 'number of pages' },
    flags: ['BPF_F_MMAPABLE', 'BPF_F_SEGV_ON_FAULT', 'BPF_F_NO_USER_CONV'], requiredFlags: ['BPF_F_MMAPABLE'],
    percpu: false, keyed: false, lookup: 'none', mmapable: true, helpers: [],
    note: 'pages allocated with kfuncs; map_extra: userspace address of the mapping',
  }],
];

export const MAP_TYPES: readonly MapTypeSpec[] = ROWS.map(([id, upper, r]) => ({
  id,
  name: upper.toLowerCase(),
  enumName: `BPF_MAP_TYPE_${upper}`,
  aliases: r.aliases ?? [],
  keySize: r.keySize,
  valueSize: r.valueSize,
  maxEntries: r.maxEntries,
  flags: r.flags,
  requiredFlags: r.requiredFlags ?? [],
  percpu: r.percpu,
  keyed: r.keyed,
  lookup: r.lookup,
  bpfUpdate: r.bpfUpdate ?? false,
  bpfDelete: r.bpfDelete ?? false,
  helpers: r.helpers,
  prealloc: r.prealloc ?? false,
  spinLock: r.spinLock ?? false,
  timer: r.timer ?? false,
  mmapable: r.mmapable ?? false,
  ...(r.note !== undefined ? { note: r.note } : {}),
}));

/** `__MAX_BPF_MAP_TYPE`. */
export const MAX_BPF_MAP_TYPE = 34;

const byId = new Map(MAP_TYPES.map((m) => [m.id, m]));
const byName = new Map<string, MapTypeSpec>();
for (const m of MAP_TYPES) {
  byName.set(m.name, m);
  byName.set(m.enumName, m);
  for (const a of m.aliases) byName.set(a, m);
}

export function mapTypeById(id: number): MapTypeSpec | undefined {
  return byId.get(id);
}

/** By `lru_hash`, `BPF_MAP_TYPE_LRU_HASH` or an alias. */
export function mapTypeByName(name: string): MapTypeSpec | undefined {
  return byName.get(name);
}

/** The map types a helper accepts as its map argument (empty: the helper takes no map or any keyed map). */
export function mapTypesForHelper(helper: string): readonly MapTypeSpec[] {
  const name = helper.startsWith('bpf_') ? helper.slice(4) : helper;
  return MAP_TYPES.filter((m) => m.helpers.includes(name));
}

function sizeOk(rule: SizeRule, n: number): boolean {
  if (rule.oneOf !== undefined && !rule.oneOf.includes(n)) return false;
  if (rule.min !== undefined && n < rule.min) return false;
  if (rule.max !== undefined && n > rule.max) return false;
  if (rule.multipleOf !== undefined && n % rule.multipleOf !== 0) return false;
  return true;
}

export interface MapDefinition {
  readonly type: number | string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
}

/**
 * The problems the kernel would report creating this map, as messages (empty when the definition passes the
 * rules modelled here). Sizes the kernel computes (struct_ops values, storage limits) are not checked.
 */
export function checkMapDefinition(def: MapDefinition): string[] {
  const spec = typeof def.type === 'number' ? mapTypeById(def.type) : mapTypeByName(def.type);
  if (spec === undefined) return [`unknown map type ${String(def.type)}`];
  const where = `map type ${spec.name}`;
  const errors: string[] = [];
  if (!sizeOk(spec.keySize, def.keySize)) errors.push(`${where}: invalid key_size ${def.keySize}`);
  if (!sizeOk(spec.valueSize, def.valueSize)) errors.push(`${where}: invalid value_size ${def.valueSize}`);
  if (!sizeOk(spec.maxEntries, def.maxEntries)) errors.push(`${where}: invalid max_entries ${def.maxEntries}`);
  if (spec.name === 'ringbuf' || spec.name === 'user_ringbuf') {
    const n = def.maxEntries;
    if (n <= 0 || (n & (n - 1)) !== 0 || n % 4096 !== 0) {
      errors.push(`${where}: max_entries ${n} is not a power of 2 multiple of the page size`);
    }
  }
  const flags = def.flags ?? 0;
  let allowed = 0;
  for (const f of spec.flags) allowed |= MAP_FLAGS[f];
  const extra = flags & ~allowed;
  if (extra !== 0) errors.push(`${where}: unsupported map_flags 0x${extra.toString(16)}`);
  for (const f of spec.requiredFlags) {
    if ((flags & MAP_FLAGS[f]) === 0) errors.push(`${where}: ${f} is required`);
  }
  return errors;
}
