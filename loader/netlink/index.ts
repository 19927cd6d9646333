// loader/netlink: a small rtnetlink client (links, XDP via IFLA_XDP, clsact and TC bpf filters) and the
// libc socket calls the attach paths share.
export { attr, encodeAttrs, parseAttrs, read, attrsSize, NLA_F_NESTED, type NlAttr } from './attributes.ts';
export * from './constants.ts';
export { NL_LAYOUTS, nlDecode, nlEncode, nlEncodeInto, type NlLayout, type NlLayoutName, type NlRow } from './layout.ts';
export {
  AF_INET,
  MSG_DONTWAIT,
  OsError,
  SOCK_DGRAM,
  SOL_SOCKET,
  inNetns,
  sockaddrIn,
  sockaddrInPort,
  sysBind,
  sysClose,
  sysGetsockname,
  sysDup,
  sysRecv,
  sysSendto,
  sysSetsockopt,
  sysSetsockoptInt,
  sysSocket,
} from './libc.ts';
export { linkIndex, netLink, setXdp, type NetLink, type SetXdpOptions } from './link.ts';
export { NetlinkError, RtNetlink, type FamilyHeader, type NlMessage, type NlRequest } from './rtnetlink.ts';
export {
  addBpfFilter,
  addClsact,
  bpfFilterProgIds,
  delBpfFilter,
  delClsact,
  hasClsact,
  type TcDirection,
  type TcFilterId,
} from './tc.ts';
