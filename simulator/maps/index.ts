// The simulator's maps: public API.
export { checkFlags, Errno, errnoName, hexKey, leValue, SimMap, toBytes, UpdateFlag, type MapBytes, type SimMapOptions } from './sim-map.ts';
export { ArrayMap } from './array-map.ts';
export { HashMap } from './hash-map.ts';
export { LpmTrieMap } from './lpm-trie-map.ts';
export { ProgArrayMap } from './prog-array-map.ts';
export { RINGBUF_HDR_SIZE, RingbufMap, ringbufOf } from './ringbuf-map.ts';
export { createMap, MapType, type CreateMapOptions, type MapDefinition } from './create-map.ts';
export { UnsupportedMap } from './unsupported-map.ts';
export { MapOfMaps } from './map-of-maps.ts';
export { QueueStackMap, RING_HEADER } from './queue-stack-map.ts';
export { CPUMAP, DEVMAP, DeviceMap, XSKMAP } from './device-map.ts';
export { BPF_F_CURRENT_CPU, PerfEventArrayMap, type PerfEvent } from './perf-event-array-map.ts';
export { keysChanged, onMapEvents, type MapListener } from './map-events.ts';
