// The model of BPF itself: the public API other top-level folders import.
export * from './isa/index.ts';
export * from './elf/index.ts';
export * from './btf/index.ts';
export * from './tables/index.ts';
export * from './object/index.ts';
