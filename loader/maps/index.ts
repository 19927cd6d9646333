// loader/maps: kernel maps from TypeScript with typed keys and values.
export { btfCodec, bytes, perCpu, s16, s32, s64, s8, u16, u32, u64, u8, type BtfValue, type Codec } from './codec.ts';
export { isMapFd, KernelMap, PER_CPU_MAP_TYPES, type KernelMapOptions } from './kernel-map.ts';
export { mapBatchAttr } from '../sys/attrs.ts';
