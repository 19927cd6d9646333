// rtnetlink numbers used by tsbpf (include/uapi/linux/{netlink,rtnetlink,if_link,pkt_sched,pkt_cls}.h).

export const NETLINK_ROUTE = 0;

/** Message types. */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3 } as const;
export const RTM = {
  NEWLINK: 16,
  GETLINK: 18,
  SETLINK: 19,
  NEWQDISC: 36,
  DELQDISC: 37,
  GETQDISC: 38,
  NEWTFILTER: 44,
  DELTFILTER: 45,
  GETTFILTER: 46,
} as const;

/** nlmsg_flags. */
export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  /** in an ACK: the request body is not echoed */
  CAPPED: 0x100,
  /** in an ACK: extended-ack attributes follow */
  ACK_TLVS: 0x200,
} as const;

/** Socket options at SOL_NETLINK. */
export const SOL_NETLINK = 270;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;

/** NLMSGERR_ATTR_*: extended-ack attributes. */
export const NLMSGERR_ATTR = { MSG: 1, OFFS: 2 } as const;

/** IFLA_*: link attributes. */
export const IFLA = { IFNAME: 3, XDP: 43 } as const;
/** IFLA_XDP_*: nested in IFLA_XDP. */
export const IFLA_XDP = { FD: 1, ATTACHED: 2, FLAGS: 3, PROG_ID: 4, DRV_PROG_ID: 5, SKB_PROG_ID: 6, EXPECTED_FD: 8 } as const;

/** XDP_FLAGS_* (include/uapi/linux/if_link.h), also the XDP link flags of BPF_LINK_CREATE. */
export const XDP_FLAGS = { UPDATE_IF_NOEXIST: 1 << 0, SKB_MODE: 1 << 1, DRV_MODE: 1 << 2, HW_MODE: 1 << 3, REPLACE: 1 << 4 } as const;

/** XDP_ATTACHED_*: what IFLA_XDP_ATTACHED reports. */
export const XDP_ATTACHED = { NONE: 0, DRV: 1, SKB: 2, HW: 3, MULTI: 4 } as const;

/** TCA_*: traffic-control attributes. */
export const TCA = { KIND: 1, OPTIONS: 2 } as const;
/** TCA_BPF_*: options of the `bpf` classifier. */
export const TCA_BPF = { CLASSID: 3, FD: 6, NAME: 7, FLAGS: 8, ID: 11 } as const;
/** TCA_BPF_FLAG_ACT_DIRECT: the program's return value is the action (direct-action mode). */
export const TCA_BPF_FLAG_ACT_DIRECT = 1;

/** Traffic-control handles: major:minor in 16 + 16 bits. */
export const TC_H = {
  CLSACT: 0xfffffff1,
  MIN_INGRESS: 0xfff2,
  MIN_EGRESS: 0xfff3,
  make: (major: number, minor: number): number => ((major & 0xffff0000) | (minor & 0xffff)) >>> 0,
} as const;

export const ETH_P_ALL = 0x0003;
