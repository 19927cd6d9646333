// loader/attach: programs onto hooks (XDP, tcx, legacy TC, socket filters, cgroup skb) as closeable Links.
export { KernelAttachment, type AttachmentOps } from './attachment.ts';
export { CGROUP_SKB_ATTACH_TYPE, attachCgroupSkb, cgroup2Mount, cgroupPath, type CgroupSkbDirection } from './cgroup.ts';
export { ifaceLabel, ifindexOf, type IfaceOptions } from './iface.ts';
export { BpfLink, BpfLinkType, openPinnedLink, type AttachKind, type AttachVia, type Link } from './link.ts';
export { attachSocketFilter } from './socket.ts';
export { attachTc, type TcOptions } from './tc.ts';
export { TCX_ATTACH_TYPE, attachTcx, type TcxDirection } from './tcx.ts';
export { attachXdp, type XdpMode, type XdpOptions } from './xdp.ts';
