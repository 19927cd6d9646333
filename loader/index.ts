// The loader: ObjectSpecs into the kernel. `loader/sys` is the bpf(2) layer beneath.
export * from './sys/index.ts';
export { Collection, loadCollection, sourceAt, type LoadCollectionOptions, type LoadedProgramInfo } from './collection.ts';
export * from './object/index.ts';
export * from './core/index.ts';
export * from './probe/index.ts';
export * from './attach/index.ts';
export { NetlinkError, OsError, RtNetlink, inNetns, linkIndex, netLink, type NetLink } from './netlink/index.ts';
export * from './pin.ts';
export * from './maps/index.ts';
