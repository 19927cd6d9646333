// A simulated map from a map definition (an ObjectSpec's MapSpec or the same fields).
import type { Memory } from '../vm/index.ts';
import { ArrayMap } from './array-map.ts';
import { HashMap } from './hash-map.ts';
import { MapOfMaps } from './map-of-maps.ts';
import { LpmTrieMap } from './lpm-trie-map.ts';
import { ProgArrayMap } from './prog-array-map.ts';
import { RingbufMap } from './ringbuf-map.ts';
import type { SimMap } from './sim-map.ts';
import { DeviceMap } from './device-map.ts';
import { PerfEventArrayMap } from './perf-event-array-map.ts';
import { QueueStackMap } from './queue-stack-map.ts';

/** `enum bpf_map_type` values the simulator implements. */
export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13,
  PERF_EVENT_ARRAY: 4,
  DEVMAP: 14,
  CPUMAP: 16,
  XSKMAP: 17,
  QUEUE: 22,
  STACK: 23,
  DEVMAP_HASH: 25,
  RINGBUF: 27,
} as const;

export interface MapDefinition {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
}

export interface CreateMapOptions {
  /** CPUs of per-CPU maps; 1 by default */
  readonly cpus?: number;
  readonly writable?: boolean;
  /** initial bytes of element 0 (global data) */
  readonly initial?: Uint8Array;
}

/** Create a map in `memory`; throws a RangeError naming the map type when it is not implemented. */
export function createMap(def: MapDefinition, memory: Memory, options: CreateMapOptions = {}): SimMap {
  const o = {
    name: def.name,
    type: def.type,
    keySize: def.keySize,
    valueSize: def.valueSize,
    maxEntries: def.maxEntries,
    flags: def.flags ?? 0,
    memory,
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.writable !== undefined ? { writable: options.writable } : {}),
  };
  switch (def.type) {
    case MapType.ARRAY:
      return new ArrayMap({ ...o, ...(options.initial !== undefined ? { initial: options.initial } : {}) });
    case MapType.PERCPU_ARRAY:
      return new ArrayMap({ ...o, perCpu: true });
    case MapType.HASH:
      return new HashMap(o);
    case MapType.PERCPU_HASH:
      return new HashMap({ ...o, perCpu: true });
    case MapType.LRU_HASH:
      return new HashMap({ ...o, lru: true });
    case MapType.LRU_PERCPU_HASH:
      return new HashMap({ ...o, lru: true, perCpu: true });
    case MapType.LPM_TRIE:
      return new LpmTrieMap(o);
    case MapType.ARRAY_OF_MAPS:
    case MapType.HASH_OF_MAPS:
      return new MapOfMaps(o);
    case MapType.PROG_ARRAY:
      return new ProgArrayMap(o);
    case MapType.RINGBUF:
      return new RingbufMap(o);
    case MapType.QUEUE:
    case MapType.STACK:
      return new QueueStackMap({ ...o, lifo: def.type === MapType.STACK });
    case MapType.PERF_EVENT_ARRAY:
      return new PerfEventArrayMap(o);
    case MapType.DEVMAP:
    case MapType.CPUMAP:
    case MapType.XSKMAP:
      return new DeviceMap(o);
    case MapType.DEVMAP_HASH:
      return new HashMap({ ...o, writable: false, existInserts: true });
    default:
      throw new RangeError(`map ${def.name}: map type ${def.type} is not implemented by the simulator`);
  }
}
