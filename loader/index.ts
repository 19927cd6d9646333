// The loader: ObjectSpecs into the kernel. `loader/sys` is the bpf(2) layer beneath.
export * from './sys/index.ts';
export { Collection, loadCollection, type LoadCollectionOptions } from './collection.ts';
