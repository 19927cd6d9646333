// Tables of BPF itself (Linux 6.18): helpers, program types and contexts, map types.
export * from './helpers.ts';
export * from './progtypes.ts';
export * from './maptypes.ts';
export * from './map-func-compat.ts';
