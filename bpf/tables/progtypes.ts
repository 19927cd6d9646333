// Program types, attach types, libbpf section-name conventions and the context structures programs read.
//
// Ids are `enum bpf_prog_type` and `enum bpf_attach_type` of Linux 6.18 (checked against the kernel's BTF in
// test/bpf/tables). Section names follow libbpf's conventions: `xdp`, `tc`, `tcx/ingress`, `kprobe/<fn>`, ...
// Context layouts are the UAPI structures (`struct __sk_buff`, `struct xdp_md`, ...); the access rules mirror
// the kernel's `*_is_valid_access()` callbacks: which fields a program type may read or write, with which
// load sizes, and what kind of pointer a load yields (`data` -> packet pointer, `data_end` -> packet end).

/** Short lower-case program-type name: `sched_cls` for BPF_PROG_TYPE_SCHED_CLS. */
export type ProgTypeName =
  | 'unspec' | 'socket_filter' | 'kprobe' | 'sched_cls' | 'sched_act' | 'tracepoint' | 'xdp' | 'perf_event'
  | 'cgroup_skb' | 'cgroup_sock' | 'lwt_in' | 'lwt_out' | 'lwt_xmit' | 'sock_ops' | 'sk_skb' | 'cgroup_device'
  | 'sk_msg' | 'raw_tracepoint' | 'cgroup_sock_addr' | 'lwt_seg6local' | 'lirc_mode2' | 'sk_reuseport'
  | 'flow_dissector' | 'cgroup_sysctl' | 'raw_tracepoint_writable' | 'cgroup_sockopt' | 'tracing' | 'struct_ops'
  | 'ext' | 'lsm' | 'sk_lookup' | 'syscall' | 'netfilter';

export interface ProgTypeSpec {
  /** `enum bpf_prog_type` value. */
  readonly id: number;
  readonly name: ProgTypeName;
  /** `BPF_PROG_TYPE_SCHED_CLS`. */
  readonly enumName: string;
  /** The context structure r1 points to at entry, when it is a UAPI structure. */
  readonly context?: string;
}

const CONTEXT_OF: Partial<Record<ProgTypeName, string>> = {
  socket_filter: '__sk_buff', sched_cls: '__sk_buff', sched_act: '__sk_buff', cgroup_skb: '__sk_buff',
  lwt_in: '__sk_buff', lwt_out: '__sk_buff', lwt_xmit: '__sk_buff', lwt_seg6local: '__sk_buff',
  sk_skb: '__sk_buff', flow_dissector: '__sk_buff', xdp: 'xdp_md', sock_ops: 'bpf_sock_ops', sk_msg: 'sk_msg_md',
  cgroup_sock: 'bpf_sock', cgroup_sock_addr: 'bpf_sock_addr', sk_lookup: 'bpf_sk_lookup',
  sk_reuseport: 'sk_reuseport_md', cgroup_sysctl: 'bpf_sysctl', cgroup_sockopt: 'bpf_sockopt',
  cgroup_device: 'bpf_cgroup_dev_ctx', perf_event: 'bpf_perf_event_data', raw_tracepoint: 'bpf_raw_tracepoint_args',
  raw_tracepoint_writable: 'bpf_raw_tracepoint_args', netfilter: 'bpf_nf_ctx',
};

// prettier-ignore
const PROG_TYPE_ROWS: readonly (readonly [number, string])[] = [
  [0, 'UNSPEC'],
  [1, 'SOCKET_FILTER'],
  [2, 'KPROBE'],
  [3, 'SCHED_CLS'],
  [4, 'SCHED_ACT'],
  [5, 'TRACEPOINT'],
  [6, 'XDP'],
  [7, 'PERF_EVENT'],
  [8, 'CGROUP_SKB'],
  [9, 'CGROUP_SOCK'],
  [10, 'LWT_IN'],
  [11, 'LWT_OUT'],
  [12, 'LWT_XMIT'],
  [13, 'SOCK_OPS'],
  [14, 'SK_SKB'],
  [15, 'CGROUP_DEVICE'],
  [16, 'SK_MSG'],
  [17, 'RAW_TRACEPOINT'],
  [18, 'CGROUP_SOCK_ADDR'],
  [19, 'LWT_SEG6LOCAL'],
  [20, 'LIRC_MODE2'],
  [21, 'SK_REUSEPORT'],
  [22, 'FLOW_DISSECTOR'],
  [23, 'CGROUP_SYSCTL'],
  [24, 'RAW_TRACEPOINT_WRITABLE'],
  [25, 'CGROUP_SOCKOPT'],
  [26, 'TRACING'],
  [27, 'STRUCT_OPS'],
  [28, 'EXT'],
  [29, 'LSM'],
  [30, 'SK_LOOKUP'],
  [31, 'SYSCALL'],
  [32, 'NETFILTER'],
];

export const PROG_TYPES: readonly ProgTypeSpec[] = PROG_TYPE_ROWS.map(([id, upper]) => {
  const name = upper.toLowerCase() as ProgTypeName;
  const context = CONTEXT_OF[name];
  return { id, name, enumName: `BPF_PROG_TYPE_${upper}`, ...(context !== undefined ? { context } : {}) };
});

/** `__MAX_BPF_PROG_TYPE`. */
export const MAX_BPF_PROG_TYPE = 33;

const progById = new Map(PROG_TYPES.map((p) => [p.id, p]));
const progByName = new Map<string, ProgTypeSpec>();
for (const p of PROG_TYPES) {
  progByName.set(p.name, p);
  progByName.set(p.enumName, p);
}

/** By id. */
export function progTypeById(id: number): ProgTypeSpec | undefined {
  return progById.get(id);
}

/** By `sched_cls` or `BPF_PROG_TYPE_SCHED_CLS`. */
export function progTypeByName(name: string): ProgTypeSpec | undefined {
  return progByName.get(name);
}

export interface AttachTypeSpec {
  /** `enum bpf_attach_type` value. */
  readonly id: number;
  /** `BPF_TCX_INGRESS`. */
  readonly name: string;
}

// prettier-ignore
const ATTACH_ROWS: readonly (readonly [number, string])[] = [
  [0, 'BPF_CGROUP_INET_INGRESS'],
  [1, 'BPF_CGROUP_INET_EGRESS'],
  [2, 'BPF_CGROUP_INET_SOCK_CREATE'],
  [3, 'BPF_CGROUP_SOCK_OPS'],
  [4, 'BPF_SK_SKB_STREAM_PARSER'],
  [5, 'BPF_SK_SKB_STREAM_VERDICT'],
  [6, 'BPF_CGROUP_DEVICE'],
  [7, 'BPF_SK_MSG_VERDICT'],
  [8, 'BPF_CGROUP_INET4_BIND'],
  [9, 'BPF_CGROUP_INET6_BIND'],
  [10, 'BPF_CGROUP_INET4_CONNECT'],
  [11, 'BPF_CGROUP_INET6_CONNECT'],
  [12, 'BPF_CGROUP_INET4_POST_BIND'],
  [13, 'BPF_CGROUP_INET6_POST_BIND'],
  [14, 'BPF_CGROUP_UDP4_SENDMSG'],
  [15, 'BPF_CGROUP_UDP6_SENDMSG'],
  [16, 'BPF_LIRC_MODE2'],
  [17, 'BPF_FLOW_DISSECTOR'],
  [18, 'BPF_CGROUP_SYSCTL'],
  [19, 'BPF_CGROUP_UDP4_RECVMSG'],
  [20, 'BPF_CGROUP_UDP6_RECVMSG'],
  [21, 'BPF_CGROUP_GETSOCKOPT'],
  [22, 'BPF_CGROUP_SETSOCKOPT'],
  [23, 'BPF_TRACE_RAW_TP'],
  [24, 'BPF_TRACE_FENTRY'],
  [25, 'BPF_TRACE_FEXIT'],
  [26, 'BPF_MODIFY_RETURN'],
  [27, 'BPF_LSM_MAC'],
  [28, 'BPF_TRACE_ITER'],
  [29, 'BPF_CGROUP_INET4_GETPEERNAME'],
  [30, 'BPF_CGROUP_INET6_GETPEERNAME'],
  [31, 'BPF_CGROUP_INET4_GETSOCKNAME'],
  [32, 'BPF_CGROUP_INET6_GETSOCKNAME'],
  [33, 'BPF_XDP_DEVMAP'],
  [34, 'BPF_CGROUP_INET_SOCK_RELEASE'],
  [35, 'BPF_XDP_CPUMAP'],
  [36, 'BPF_SK_LOOKUP'],
  [37, 'BPF_XDP'],
  [38, 'BPF_SK_SKB_VERDICT'],
  [39, 'BPF_SK_REUSEPORT_SELECT'],
  [40, 'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE'],
  [41, 'BPF_PERF_EVENT'],
  [42, 'BPF_TRACE_KPROBE_MULTI'],
  [43, 'BPF_LSM_CGROUP'],
  [44, 'BPF_STRUCT_OPS'],
  [45, 'BPF_NETFILTER'],
  [46, 'BPF_TCX_INGRESS'],
  [47, 'BPF_TCX_EGRESS'],
  [48, 'BPF_TRACE_UPROBE_MULTI'],
  [49, 'BPF_CGROUP_UNIX_CONNECT'],
  [50, 'BPF_CGROUP_UNIX_SENDMSG'],
  [51, 'BPF_CGROUP_UNIX_RECVMSG'],
  [52, 'BPF_CGROUP_UNIX_GETPEERNAME'],
  [53, 'BPF_CGROUP_UNIX_GETSOCKNAME'],
  [54, 'BPF_NETKIT_PRIMARY'],
  [55, 'BPF_NETKIT_PEER'],
  [56, 'BPF_TRACE_KPROBE_SESSION'],
  [57, 'BPF_TRACE_UPROBE_SESSION'],
];

export const ATTACH_TYPES: readonly AttachTypeSpec[] = ATTACH_ROWS.map(([id, name]) => ({ id, name }));

/** `__MAX_BPF_ATTACH_TYPE`. */
export const MAX_BPF_ATTACH_TYPE = 58;

const attachById = new Map(ATTACH_TYPES.map((a) => [a.id, a]));
const attachByName = new Map(ATTACH_TYPES.map((a) => [a.name, a]));

export function attachTypeById(id: number): AttachTypeSpec | undefined {
  return attachById.get(id);
}

/** By `BPF_TCX_INGRESS` (the `BPF_` prefix may be left out). */
export function attachTypeByName(name: string): AttachTypeSpec | undefined {
  return attachByName.get(name) ?? attachByName.get(`BPF_${name}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Section names (libbpf's conventions)
// ---------------------------------------------------------------------------------------------------------------

/**
 * How a program's section name selects its type. `prefix` definitions (written `kprobe+` by libbpf) match the
 * bare name and the name followed by `/` and anything (`kprobe/do_unlinkat`); the others match exactly.
 */
export interface SectionDef {
  /** The name or prefix, without libbpf's trailing `+`. */
  readonly sec: string;
  readonly prefix: boolean;
  readonly progType: ProgTypeName;
  /** Expected attach type given to BPF_PROG_LOAD (`null`: none, the field stays 0). */
  readonly attachType: string | null;
  /**
   * `required`: the kernel needs expected_attach_type at load; `optional`: libbpf sets it when the kernel
   * accepts it (SEC_ATTACHABLE_OPT); `none`.
   */
  readonly attach: 'required' | 'optional' | 'none';
  /** Loaded with BPF_F_SLEEPABLE. */
  readonly sleepable?: boolean;
  /** Loaded with BPF_F_XDP_HAS_FRAGS. */
  readonly xdpFrags?: boolean;
  /** The part after `/` names a BTF function or hook to attach to (fentry, lsm, tp_btf, iter, freplace). */
  readonly attachBtf?: boolean;
}

type SecRow = readonly [sec: string, prog: ProgTypeName, attachType: string | null, flags?: string];

// Order matters: the first match wins (`tc/ingress` before `tc`, `xdp.frags/devmap` before `xdp.frags`).
// flags: A = attach required, O = attach optional, S = sleepable, F = xdp frags, B = attach to BTF target.
// prettier-ignore
const SECTION_ROWS: readonly SecRow[] = [
  ['socket', 'socket_filter', null],
  ['sk_reuseport/migrate', 'sk_reuseport', 'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE', 'A'],
  ['sk_reuseport', 'sk_reuseport', 'BPF_SK_REUSEPORT_SELECT', 'A'],
  ['kprobe+', 'kprobe', null],
  ['uprobe+', 'kprobe', null],
  ['uprobe.s+', 'kprobe', null, 'S'],
  ['kretprobe+', 'kprobe', null],
  ['uretprobe+', 'kprobe', null],
  ['uretprobe.s+', 'kprobe', null, 'S'],
  ['kprobe.multi+', 'kprobe', 'BPF_TRACE_KPROBE_MULTI'],
  ['kretprobe.multi+', 'kprobe', 'BPF_TRACE_KPROBE_MULTI'],
  ['kprobe.session+', 'kprobe', 'BPF_TRACE_KPROBE_SESSION'],
  ['uprobe.multi+', 'kprobe', 'BPF_TRACE_UPROBE_MULTI'],
  ['uretprobe.multi+', 'kprobe', 'BPF_TRACE_UPROBE_MULTI'],
  ['uprobe.multi.s+', 'kprobe', 'BPF_TRACE_UPROBE_MULTI', 'S'],
  ['uretprobe.multi.s+', 'kprobe', 'BPF_TRACE_UPROBE_MULTI', 'S'],
  ['uprobe.session+', 'kprobe', 'BPF_TRACE_UPROBE_SESSION'],
  ['uprobe.session.s+', 'kprobe', 'BPF_TRACE_UPROBE_SESSION', 'S'],
  ['ksyscall+', 'kprobe', null],
  ['kretsyscall+', 'kprobe', null],
  ['usdt+', 'kprobe', null],
  ['usdt.s+', 'kprobe', null, 'S'],
  ['tc/ingress', 'sched_cls', 'BPF_TCX_INGRESS'],
  ['tc/egress', 'sched_cls', 'BPF_TCX_EGRESS'],
  ['tcx/ingress', 'sched_cls', 'BPF_TCX_INGRESS'],
  ['tcx/egress', 'sched_cls', 'BPF_TCX_EGRESS'],
  ['tc', 'sched_cls', null],
  ['classifier', 'sched_cls', null],
  ['action', 'sched_act', null],
  ['netkit/primary', 'sched_cls', 'BPF_NETKIT_PRIMARY'],
  ['netkit/peer', 'sched_cls', 'BPF_NETKIT_PEER'],
  ['tracepoint+', 'tracepoint', null],
  ['tp+', 'tracepoint', null],
  ['raw_tracepoint+', 'raw_tracepoint', null],
  ['raw_tp+', 'raw_tracepoint', null],
  ['raw_tracepoint.w+', 'raw_tracepoint_writable', null],
  ['raw_tp.w+', 'raw_tracepoint_writable', null],
  ['tp_btf+', 'tracing', 'BPF_TRACE_RAW_TP', 'AB'],
  ['fentry+', 'tracing', 'BPF_TRACE_FENTRY', 'AB'],
  ['fmod_ret+', 'tracing', 'BPF_MODIFY_RETURN', 'AB'],
  ['fexit+', 'tracing', 'BPF_TRACE_FEXIT', 'AB'],
  ['fentry.s+', 'tracing', 'BPF_TRACE_FENTRY', 'ABS'],
  ['fmod_ret.s+', 'tracing', 'BPF_MODIFY_RETURN', 'ABS'],
  ['fexit.s+', 'tracing', 'BPF_TRACE_FEXIT', 'ABS'],
  ['freplace+', 'ext', null, 'B'],
  ['lsm+', 'lsm', 'BPF_LSM_MAC', 'AB'],
  ['lsm.s+', 'lsm', 'BPF_LSM_MAC', 'ABS'],
  ['lsm_cgroup+', 'lsm', 'BPF_LSM_CGROUP', 'AB'],
  ['iter+', 'tracing', 'BPF_TRACE_ITER', 'AB'],
  ['iter.s+', 'tracing', 'BPF_TRACE_ITER', 'ABS'],
  ['syscall', 'syscall', null, 'S'],
  ['xdp.frags/devmap', 'xdp', 'BPF_XDP_DEVMAP', 'AF'],
  ['xdp/devmap', 'xdp', 'BPF_XDP_DEVMAP', 'A'],
  ['xdp.frags/cpumap', 'xdp', 'BPF_XDP_CPUMAP', 'AF'],
  ['xdp/cpumap', 'xdp', 'BPF_XDP_CPUMAP', 'A'],
  ['xdp.frags', 'xdp', 'BPF_XDP', 'AF'],
  ['xdp', 'xdp', 'BPF_XDP', 'O'],
  ['perf_event', 'perf_event', null],
  ['lwt_in', 'lwt_in', null],
  ['lwt_out', 'lwt_out', null],
  ['lwt_xmit', 'lwt_xmit', null],
  ['lwt_seg6local', 'lwt_seg6local', null],
  ['sockops', 'sock_ops', 'BPF_CGROUP_SOCK_OPS', 'O'],
  ['sk_skb/stream_parser', 'sk_skb', 'BPF_SK_SKB_STREAM_PARSER', 'O'],
  ['sk_skb/stream_verdict', 'sk_skb', 'BPF_SK_SKB_STREAM_VERDICT', 'O'],
  ['sk_skb/verdict', 'sk_skb', 'BPF_SK_SKB_VERDICT', 'O'],
  ['sk_skb', 'sk_skb', null],
  ['sk_msg', 'sk_msg', 'BPF_SK_MSG_VERDICT', 'O'],
  ['lirc_mode2', 'lirc_mode2', 'BPF_LIRC_MODE2', 'O'],
  ['flow_dissector', 'flow_dissector', 'BPF_FLOW_DISSECTOR', 'O'],
  ['cgroup_skb/ingress', 'cgroup_skb', 'BPF_CGROUP_INET_INGRESS', 'O'],
  ['cgroup_skb/egress', 'cgroup_skb', 'BPF_CGROUP_INET_EGRESS', 'O'],
  ['cgroup/skb', 'cgroup_skb', null],
  ['cgroup/sock_create', 'cgroup_sock', 'BPF_CGROUP_INET_SOCK_CREATE', 'A'],
  ['cgroup/sock_release', 'cgroup_sock', 'BPF_CGROUP_INET_SOCK_RELEASE', 'A'],
  ['cgroup/sock', 'cgroup_sock', 'BPF_CGROUP_INET_SOCK_CREATE', 'O'],
  ['cgroup/post_bind4', 'cgroup_sock', 'BPF_CGROUP_INET4_POST_BIND', 'A'],
  ['cgroup/post_bind6', 'cgroup_sock', 'BPF_CGROUP_INET6_POST_BIND', 'A'],
  ['cgroup/bind4', 'cgroup_sock_addr', 'BPF_CGROUP_INET4_BIND', 'A'],
  ['cgroup/bind6', 'cgroup_sock_addr', 'BPF_CGROUP_INET6_BIND', 'A'],
  ['cgroup/connect4', 'cgroup_sock_addr', 'BPF_CGROUP_INET4_CONNECT', 'A'],
  ['cgroup/connect6', 'cgroup_sock_addr', 'BPF_CGROUP_INET6_CONNECT', 'A'],
  ['cgroup/connect_unix', 'cgroup_sock_addr', 'BPF_CGROUP_UNIX_CONNECT', 'A'],
  ['cgroup/sendmsg4', 'cgroup_sock_addr', 'BPF_CGROUP_UDP4_SENDMSG', 'A'],
  ['cgroup/sendmsg6', 'cgroup_sock_addr', 'BPF_CGROUP_UDP6_SENDMSG', 'A'],
  ['cgroup/sendmsg_unix', 'cgroup_sock_addr', 'BPF_CGROUP_UNIX_SENDMSG', 'A'],
  ['cgroup/recvmsg4', 'cgroup_sock_addr', 'BPF_CGROUP_UDP4_RECVMSG', 'A'],
  ['cgroup/recvmsg6', 'cgroup_sock_addr', 'BPF_CGROUP_UDP6_RECVMSG', 'A'],
  ['cgroup/recvmsg_unix', 'cgroup_sock_addr', 'BPF_CGROUP_UNIX_RECVMSG', 'A'],
  ['cgroup/getpeername4', 'cgroup_sock_addr', 'BPF_CGROUP_INET4_GETPEERNAME', 'A'],
  ['cgroup/getpeername6', 'cgroup_sock_addr', 'BPF_CGROUP_INET6_GETPEERNAME', 'A'],
  ['cgroup/getpeername_unix', 'cgroup_sock_addr', 'BPF_CGROUP_UNIX_GETPEERNAME', 'A'],
  ['cgroup/getsockname4', 'cgroup_sock_addr', 'BPF_CGROUP_INET4_GETSOCKNAME', 'A'],
  ['cgroup/getsockname6', 'cgroup_sock_addr', 'BPF_CGROUP_INET6_GETSOCKNAME', 'A'],
  ['cgroup/getsockname_unix', 'cgroup_sock_addr', 'BPF_CGROUP_UNIX_GETSOCKNAME', 'A'],
  ['cgroup/sysctl', 'cgroup_sysctl', 'BPF_CGROUP_SYSCTL', 'A'],
  ['cgroup/getsockopt', 'cgroup_sockopt', 'BPF_CGROUP_GETSOCKOPT', 'A'],
  ['cgroup/setsockopt', 'cgroup_sockopt', 'BPF_CGROUP_SETSOCKOPT', 'A'],
  ['cgroup/dev', 'cgroup_device', 'BPF_CGROUP_DEVICE', 'O'],
  ['struct_ops+', 'struct_ops', null],
  ['struct_ops.s+', 'struct_ops', null, 'S'],
  ['sk_lookup', 'sk_lookup', 'BPF_SK_LOOKUP', 'A'],
  ['netfilter', 'netfilter', 'BPF_NETFILTER'],
];

export const SECTION_DEFS: readonly SectionDef[] = SECTION_ROWS.map(([sec, progType, attachType, flags = '']) => {
  const prefix = sec.endsWith('+');
  return {
    sec: prefix ? sec.slice(0, -1) : sec,
    prefix,
    progType,
    attachType,
    attach: flags.includes('A') ? 'required' : flags.includes('O') ? 'optional' : 'none',
    ...(flags.includes('S') ? { sleepable: true } : {}),
    ...(flags.includes('F') ? { xdpFrags: true } : {}),
    ...(flags.includes('B') ? { attachBtf: true } : {}),
  };
});

/** Whether `section` is selected by `def`: exact, or for a prefix definition also `<sec>/<anything>`. */
export function sectionMatches(def: SectionDef, section: string): boolean {
  if (section === def.sec) return true;
  return def.prefix && section.startsWith(`${def.sec}/`);
}

export interface SectionInfo {
  readonly def: SectionDef;
  readonly progType: ProgTypeSpec;
  /** Expected attach type, or undefined when the definition has none. */
  readonly attachType?: AttachTypeSpec;
  /** What follows `<sec>/` for prefix definitions (`do_unlinkat` in `kprobe/do_unlinkat`), else ''. */
  readonly target: string;
}

/** The program type and attach type libbpf derives from a section name; undefined when none matches. */
export function sectionInfo(section: string): SectionInfo | undefined {
  const def = SECTION_DEFS.find((d) => sectionMatches(d, section));
  if (def === undefined) return undefined;
  const progType = progByName.get(def.progType);
  if (progType === undefined) throw new RangeError(`section ${def.sec}: unknown program type ${def.progType}`);
  const attachType = def.attachType === null ? undefined : attachByName.get(def.attachType);
  if (def.attachType !== null && attachType === undefined) {
    throw new RangeError(`section ${def.sec}: unknown attach type ${def.attachType}`);
  }
  const target = def.prefix && section.length > def.sec.length ? section.slice(def.sec.length + 1) : '';
  return { def, progType, ...(attachType !== undefined ? { attachType } : {}), target };
}

// ---------------------------------------------------------------------------------------------------------------
// Context layouts
// ---------------------------------------------------------------------------------------------------------------

/** One member of a context structure (members of anonymous unions are listed at the union's offset). */
export interface CtxField {
  readonly name: string;
  /** Byte offset from the start of the structure. */
  readonly offset: number;
  /** Size of one element in bytes (pointers, wrapped by `__bpf_md_ptr`, are 8). */
  readonly size: number;
  /** Number of elements: 5 for `cb[5]`, 1 for scalars. */
  readonly count: number;
  /** C type of one element as the UAPI header spells it. */
  readonly ctype: string;
}

export interface ContextLayout {
  readonly struct: string;
  /** sizeof(struct). */
  readonly size: number;
  readonly fields: readonly CtxField[];
}

function f(name: string, offset: number, size: number, ctype: string, count = 1): CtxField {
  return { name, offset, size, count, ctype };
}

// struct __sk_buff (192 bytes), the context of socket filters, tc, cgroup_skb, lwt, sk_skb, flow dissector:
//
//    0 len         4 pkt_type     8 mark        12 queue_mapping  16 protocol   20 vlan_present
//   24 vlan_tci   28 vlan_proto  32 priority    36 ingress_ifindex 40 ifindex   44 tc_index
//   48 cb[0..4] (20 bytes)                      68 hash           72 tc_classid
//   76 data       80 data_end    84 napi_id     88 family         92 remote_ip4 96 local_ip4
//  100 remote_ip6[4]            116 local_ip6[4]                 132 remote_port 136 local_port
//  140 data_meta 144 flow_keys (8, pointer)    152 tstamp (8)    160 wire_len  164 gso_segs
//  168 sk (8, pointer)          176 gso_size   180 tstamp_type (1) 181..183 padding  184 hwtstamp (8)
//
// struct xdp_md (24 bytes): 0 data, 4 data_end, 8 data_meta, 12 ingress_ifindex, 16 rx_queue_index,
// 20 egress_ifindex; every member a __u32.
// prettier-ignore
export const CONTEXT_LAYOUTS: Readonly<Record<string, ContextLayout>> = {
  '__sk_buff': { struct: '__sk_buff', size: 192, fields: [
    f('len', 0, 4, '__u32'),
    f('pkt_type', 4, 4, '__u32'),
    f('mark', 8, 4, '__u32'),
    f('queue_mapping', 12, 4, '__u32'),
    f('protocol', 16, 4, '__u32'),
    f('vlan_present', 20, 4, '__u32'),
    f('vlan_tci', 24, 4, '__u32'),
    f('vlan_proto', 28, 4, '__u32'),
    f('priority', 32, 4, '__u32'),
    f('ingress_ifindex', 36, 4, '__u32'),
    f('ifindex', 40, 4, '__u32'),
    f('tc_index', 44, 4, '__u32'),
    f('cb', 48, 4, '__u32', 5),
    f('hash', 68, 4, '__u32'),
    f('tc_classid', 72, 4, '__u32'),
    f('data', 76, 4, '__u32'),
    f('data_end', 80, 4, '__u32'),
    f('napi_id', 84, 4, '__u32'),
    f('family', 88, 4, '__u32'),
    f('remote_ip4', 92, 4, '__u32'),
    f('local_ip4', 96, 4, '__u32'),
    f('remote_ip6', 100, 4, '__u32', 4),
    f('local_ip6', 116, 4, '__u32', 4),
    f('remote_port', 132, 4, '__u32'),
    f('local_port', 136, 4, '__u32'),
    f('data_meta', 140, 4, '__u32'),
    f('flow_keys', 144, 8, 'struct bpf_flow_keys *'),
    f('tstamp', 152, 8, '__u64'),
    f('wire_len', 160, 4, '__u32'),
    f('gso_segs', 164, 4, '__u32'),
    f('sk', 168, 8, 'struct bpf_sock *'),
    f('gso_size', 176, 4, '__u32'),
    f('tstamp_type', 180, 1, '__u8'),
    f('hwtstamp', 184, 8, '__u64'),
  ] },
  xdp_md: { struct: 'xdp_md', size: 24, fields: [
    f('data', 0, 4, '__u32'),
    f('data_end', 4, 4, '__u32'),
    f('data_meta', 8, 4, '__u32'),
    f('ingress_ifindex', 12, 4, '__u32'),
    f('rx_queue_index', 16, 4, '__u32'),
    f('egress_ifindex', 20, 4, '__u32'),
  ] },
  bpf_sock: { struct: 'bpf_sock', size: 80, fields: [
    f('bound_dev_if', 0, 4, '__u32'),
    f('family', 4, 4, '__u32'),
    f('type', 8, 4, '__u32'),
    f('protocol', 12, 4, '__u32'),
    f('mark', 16, 4, '__u32'),
    f('priority', 20, 4, '__u32'),
    f('src_ip4', 24, 4, '__u32'),
    f('src_ip6', 28, 4, '__u32', 4),
    f('src_port', 44, 4, '__u32'),
    f('dst_port', 48, 2, '__be16'),
    f('dst_ip4', 52, 4, '__u32'),
    f('dst_ip6', 56, 4, '__u32', 4),
    f('state', 72, 4, '__u32'),
    f('rx_queue_mapping', 76, 4, '__s32'),
  ] },
  bpf_tcp_sock: { struct: 'bpf_tcp_sock', size: 112, fields: [
    f('snd_cwnd', 0, 4, '__u32'),
    f('srtt_us', 4, 4, '__u32'),
    f('rtt_min', 8, 4, '__u32'),
    f('snd_ssthresh', 12, 4, '__u32'),
    f('rcv_nxt', 16, 4, '__u32'),
    f('snd_nxt', 20, 4, '__u32'),
    f('snd_una', 24, 4, '__u32'),
    f('mss_cache', 28, 4, '__u32'),
    f('ecn_flags', 32, 4, '__u32'),
    f('rate_delivered', 36, 4, '__u32'),
    f('rate_interval_us', 40, 4, '__u32'),
    f('packets_out', 44, 4, '__u32'),
    f('retrans_out', 48, 4, '__u32'),
    f('total_retrans', 52, 4, '__u32'),
    f('segs_in', 56, 4, '__u32'),
    f('data_segs_in', 60, 4, '__u32'),
    f('segs_out', 64, 4, '__u32'),
    f('data_segs_out', 68, 4, '__u32'),
    f('lost_out', 72, 4, '__u32'),
    f('sacked_out', 76, 4, '__u32'),
    f('bytes_received', 80, 8, '__u64'),
    f('bytes_acked', 88, 8, '__u64'),
    f('dsack_dups', 96, 4, '__u32'),
    f('delivered', 100, 4, '__u32'),
    f('delivered_ce', 104, 4, '__u32'),
    f('icsk_retransmits', 108, 4, '__u32'),
  ] },
  bpf_sock_ops: { struct: 'bpf_sock_ops', size: 224, fields: [
    f('op', 0, 4, '__u32'),
    f('args', 4, 4, '__u32', 4),
    f('reply', 4, 4, '__u32'),
    f('replylong', 4, 4, '__u32', 4),
    f('family', 20, 4, '__u32'),
    f('remote_ip4', 24, 4, '__u32'),
    f('local_ip4', 28, 4, '__u32'),
    f('remote_ip6', 32, 4, '__u32', 4),
    f('local_ip6', 48, 4, '__u32', 4),
    f('remote_port', 64, 4, '__u32'),
    f('local_port', 68, 4, '__u32'),
    f('is_fullsock', 72, 4, '__u32'),
    f('snd_cwnd', 76, 4, '__u32'),
    f('srtt_us', 80, 4, '__u32'),
    f('bpf_sock_ops_cb_flags', 84, 4, '__u32'),
    f('state', 88, 4, '__u32'),
    f('rtt_min', 92, 4, '__u32'),
    f('snd_ssthresh', 96, 4, '__u32'),
    f('rcv_nxt', 100, 4, '__u32'),
    f('snd_nxt', 104, 4, '__u32'),
    f('snd_una', 108, 4, '__u32'),
    f('mss_cache', 112, 4, '__u32'),
    f('ecn_flags', 116, 4, '__u32'),
    f('rate_delivered', 120, 4, '__u32'),
    f('rate_interval_us', 124, 4, '__u32'),
    f('packets_out', 128, 4, '__u32'),
    f('retrans_out', 132, 4, '__u32'),
    f('total_retrans', 136, 4, '__u32'),
    f('segs_in', 140, 4, '__u32'),
    f('data_segs_in', 144, 4, '__u32'),
    f('segs_out', 148, 4, '__u32'),
    f('data_segs_out', 152, 4, '__u32'),
    f('lost_out', 156, 4, '__u32'),
    f('sacked_out', 160, 4, '__u32'),
    f('sk_txhash', 164, 4, '__u32'),
    f('bytes_received', 168, 8, '__u64'),
    f('bytes_acked', 176, 8, '__u64'),
    f('sk', 184, 8, 'struct bpf_sock *'),
    f('skb_data', 192, 8, 'void *'),
    f('skb_data_end', 200, 8, 'void *'),
    f('skb_len', 208, 4, '__u32'),
    f('skb_tcp_flags', 212, 4, '__u32'),
    f('skb_hwtstamp', 216, 8, '__u64'),
  ] },
  sk_msg_md: { struct: 'sk_msg_md', size: 80, fields: [
    f('data', 0, 8, 'void *'),
    f('data_end', 8, 8, 'void *'),
    f('family', 16, 4, '__u32'),
    f('remote_ip4', 20, 4, '__u32'),
    f('local_ip4', 24, 4, '__u32'),
    f('remote_ip6', 28, 4, '__u32', 4),
    f('local_ip6', 44, 4, '__u32', 4),
    f('remote_port', 60, 4, '__u32'),
    f('local_port', 64, 4, '__u32'),
    f('size', 68, 4, '__u32'),
    f('sk', 72, 8, 'struct bpf_sock *'),
  ] },
  bpf_sock_addr: { struct: 'bpf_sock_addr', size: 72, fields: [
    f('user_family', 0, 4, '__u32'),
    f('user_ip4', 4, 4, '__u32'),
    f('user_ip6', 8, 4, '__u32', 4),
    f('user_port', 24, 4, '__u32'),
    f('family', 28, 4, '__u32'),
    f('type', 32, 4, '__u32'),
    f('protocol', 36, 4, '__u32'),
    f('msg_src_ip4', 40, 4, '__u32'),
    f('msg_src_ip6', 44, 4, '__u32', 4),
    f('sk', 64, 8, 'struct bpf_sock *'),
  ] },
  bpf_sk_lookup: { struct: 'bpf_sk_lookup', size: 72, fields: [
    f('sk', 0, 8, 'struct bpf_sock *'),
    f('cookie', 0, 8, '__u64'),
    f('family', 8, 4, '__u32'),
    f('protocol', 12, 4, '__u32'),
    f('remote_ip4', 16, 4, '__u32'),
    f('remote_ip6', 20, 4, '__u32', 4),
    f('remote_port', 36, 2, '__be16'),
    f('local_ip4', 40, 4, '__u32'),
    f('local_ip6', 44, 4, '__u32', 4),
    f('local_port', 60, 4, '__u32'),
    f('ingress_ifindex', 64, 4, '__u32'),
  ] },
  sk_reuseport_md: { struct: 'sk_reuseport_md', size: 56, fields: [
    f('data', 0, 8, 'void *'),
    f('data_end', 8, 8, 'void *'),
    f('len', 16, 4, '__u32'),
    f('eth_protocol', 20, 4, '__u32'),
    f('ip_protocol', 24, 4, '__u32'),
    f('bind_inany', 28, 4, '__u32'),
    f('hash', 32, 4, '__u32'),
    f('sk', 40, 8, 'struct bpf_sock *'),
    f('migrating_sk', 48, 8, 'struct bpf_sock *'),
  ] },
  bpf_sysctl: { struct: 'bpf_sysctl', size: 8, fields: [
    f('write', 0, 4, '__u32'),
    f('file_pos', 4, 4, '__u32'),
  ] },
  bpf_sockopt: { struct: 'bpf_sockopt', size: 40, fields: [
    f('sk', 0, 8, 'struct bpf_sock *'),
    f('optval', 8, 8, 'void *'),
    f('optval_end', 16, 8, 'void *'),
    f('level', 24, 4, '__s32'),
    f('optname', 28, 4, '__s32'),
    f('optlen', 32, 4, '__s32'),
    f('retval', 36, 4, '__s32'),
  ] },
  bpf_cgroup_dev_ctx: { struct: 'bpf_cgroup_dev_ctx', size: 12, fields: [
    f('access_type', 0, 4, '__u32'),
    f('major', 4, 4, '__u32'),
    f('minor', 8, 4, '__u32'),
  ] },
  bpf_flow_keys: { struct: 'bpf_flow_keys', size: 56, fields: [
    f('nhoff', 0, 2, '__u16'),
    f('thoff', 2, 2, '__u16'),
    f('addr_proto', 4, 2, '__u16'),
    f('is_frag', 6, 1, '__u8'),
    f('is_first_frag', 7, 1, '__u8'),
    f('is_encap', 8, 1, '__u8'),
    f('ip_proto', 9, 1, '__u8'),
    f('n_proto', 10, 2, '__be16'),
    f('sport', 12, 2, '__be16'),
    f('dport', 14, 2, '__be16'),
    f('ipv4_src', 16, 4, '__be32'),
    f('ipv4_dst', 20, 4, '__be32'),
    f('ipv6_src', 16, 4, '__u32', 4),
    f('ipv6_dst', 32, 4, '__u32', 4),
    f('flags', 48, 4, '__u32'),
    f('flow_label', 52, 4, '__be32'),
  ] },
};

/** The layout of a UAPI context structure by struct name (`__sk_buff`, `xdp_md`, `bpf_sock_ops`, ...). */
export function contextLayout(struct: string): ContextLayout | undefined {
  return CONTEXT_LAYOUTS[struct];
}

/** The layout of the context a program of this type receives in r1. */
export function contextOf(progType: ProgTypeName): ContextLayout | undefined {
  const s = CONTEXT_OF[progType];
  return s === undefined ? undefined : CONTEXT_LAYOUTS[s];
}

/** The field covering byte `offset` (the first one listed, for unions). */
export function fieldAt(layout: ContextLayout, offset: number): CtxField | undefined {
  return layout.fields.find((fl) => offset >= fl.offset && offset < fl.offset + fl.size * fl.count);
}

/** A field by name. */
export function fieldByName(layout: ContextLayout, name: string): CtxField | undefined {
  return layout.fields.find((fl) => fl.name === name);
}

// ---------------------------------------------------------------------------------------------------------------
// Context access rules (the kernel's *_is_valid_access)
// ---------------------------------------------------------------------------------------------------------------

/** What a load from the context puts in the destination register. */
export type CtxLoadKind =
  | 'scalar'
  | 'pkt' // PTR_TO_PACKET
  | 'pkt_meta' // PTR_TO_PACKET_META
  | 'pkt_end' // PTR_TO_PACKET_END
  | 'flow_keys' // PTR_TO_FLOW_KEYS
  | 'sock_common_or_null' // PTR_TO_SOCK_COMMON_OR_NULL
  | 'socket_or_null' // PTR_TO_SOCKET_OR_NULL
  | 'socket'; // PTR_TO_SOCKET

export type CtxAccessResult =
  | { readonly ok: true; readonly field: CtxField; readonly yields: CtxLoadKind; readonly narrow: boolean }
  | { readonly ok: false; readonly reason: string };

export interface CtxAccessOptions {
  /** Expected attach type of the program (e.g. BPF_XDP_DEVMAP makes xdp_md.egress_ifindex readable). */
  readonly attachType?: string;
}

type Access = 'read' | 'write';

const SKB_LAYOUT = CONTEXT_LAYOUTS['__sk_buff'] as ContextLayout;
const XDP_LAYOUT = CONTEXT_LAYOUTS['xdp_md'] as ContextLayout;
const SOCK_OPS_LAYOUT = CONTEXT_LAYOUTS['bpf_sock_ops'] as ContextLayout;
const SK_MSG_LAYOUT = CONTEXT_LAYOUTS['sk_msg_md'] as ContextLayout;

function deny(reason: string): CtxAccessResult {
  return { ok: false, reason };
}

function allow(field: CtxField, size: number, yields: CtxLoadKind = 'scalar'): CtxAccessResult {
  return { ok: true, field, yields, narrow: size < field.size };
}

function inField(layout: ContextLayout, name: string, off: number): boolean {
  const fl = fieldByName(layout, name);
  return fl !== undefined && off >= fl.offset && off < fl.offset + fl.size * fl.count;
}

/** Common part of every __sk_buff program type (bpf_skb_is_valid_access). */
function skbCommon(off: number, size: number, access: Access): CtxAccessResult {
  const field = fieldAt(SKB_LAYOUT, off);
  if (field === undefined) return deny(`offset ${off} is padding`);
  const name = field.name;
  if (name === 'cb') {
    if (off + size > 68) return deny('access past the end of cb');
    return allow(field, size);
  }
  if (name === 'data' || name === 'data_meta' || name === 'data_end') {
    if (size !== 4) return deny(`${name} must be loaded with a 4-byte load`);
    return allow(field, size);
  }
  if (name === 'flow_keys') return deny('flow_keys is only readable by flow dissector programs');
  if (name === 'hwtstamp') {
    if (access === 'write') return deny('hwtstamp is read-only');
    if (size !== 8) return deny('hwtstamp must be accessed with an 8-byte load');
    return allow(field, size);
  }
  if (name === 'tstamp') {
    if (size !== 8) return deny('tstamp must be accessed with 8 bytes');
    return allow(field, size);
  }
  if (name === 'sk') {
    if (access === 'write') return deny('sk is read-only');
    if (off !== field.offset || size !== 8) return deny('sk must be loaded with an 8-byte load');
    return allow(field, size, 'sock_common_or_null');
  }
  if (name === 'tstamp_type') return deny('tstamp_type is only readable by tc programs');
  if (name === 'remote_ip4' || name === 'local_ip4' || name === 'remote_ip6' || name === 'local_ip6') {
    if (size !== 4) return deny(`${name} must be accessed with 4-byte loads`);
    return allow(field, size);
  }
  if (access === 'write') {
    if (size !== 4) return deny(`${name} must be written with a 4-byte store`);
    return allow(field, size);
  }
  if (size > 4) return deny(`${name} is a 4-byte field`);
  return allow(field, size);
}

const FAMILY_TO_LOCAL_PORT = (off: number): boolean => off >= 88 && off < 140;

/** Fields a program type may not touch at all, and the fields it may write (4-byte stores, cb any size). */
interface SkbRules {
  readonly hidden: (name: string, off: number) => boolean;
  readonly writable: readonly string[];
  readonly pointers: Readonly<Record<string, CtxLoadKind>>;
}

const SKB_RULES: Partial<Record<ProgTypeName, SkbRules>> = {
  socket_filter: {
    hidden: (n, off) =>
      ['tc_classid', 'data', 'data_meta', 'data_end', 'tstamp', 'wire_len', 'hwtstamp'].includes(n) ||
      FAMILY_TO_LOCAL_PORT(off),
    writable: ['cb'],
    pointers: {},
  },
  cgroup_skb: {
    hidden: (n) => ['tc_classid', 'data_meta', 'wire_len'].includes(n),
    writable: ['mark', 'priority', 'cb', 'tstamp'],
    pointers: { data: 'pkt', data_end: 'pkt_end' },
  },
  sched_cls: {
    hidden: (_n, off) => FAMILY_TO_LOCAL_PORT(off),
    writable: ['mark', 'tc_index', 'priority', 'tc_classid', 'cb', 'tstamp', 'queue_mapping'],
    pointers: { data: 'pkt', data_meta: 'pkt_meta', data_end: 'pkt_end' },
  },
  lwt_in: {
    hidden: (n, off) =>
      ['tc_classid', 'data_meta', 'tstamp', 'wire_len', 'hwtstamp'].includes(n) || FAMILY_TO_LOCAL_PORT(off),
    writable: ['mark', 'priority', 'cb'],
    pointers: { data: 'pkt', data_end: 'pkt_end' },
  },
  sk_skb: {
    hidden: (n) => ['tc_classid', 'data_meta', 'tstamp', 'wire_len', 'hwtstamp', 'mark'].includes(n),
    writable: ['tc_index', 'priority'],
    pointers: { data: 'pkt', data_end: 'pkt_end' },
  },
};

function skbRulesFor(p: ProgTypeName): SkbRules | undefined {
  if (p === 'sched_act') return SKB_RULES.sched_cls;
  if (p === 'lwt_out' || p === 'lwt_xmit' || p === 'lwt_seg6local') return SKB_RULES.lwt_in;
  return SKB_RULES[p];
}

function skbAccess(progType: ProgTypeName, off: number, size: number, access: Access): CtxAccessResult | undefined {
  if (progType === 'flow_dissector') {
    if (access === 'write') return deny('the flow dissector context is read-only');
    const field = fieldAt(SKB_LAYOUT, off);
    if (field === undefined) return deny(`offset ${off} is padding`);
    if (field.name === 'data' || field.name === 'data_end') {
      if (size !== 4 || off !== field.offset) return deny(`${field.name} must be loaded with a 4-byte load`);
      return allow(field, size, field.name === 'data' ? 'pkt' : 'pkt_end');
    }
    if (field.name === 'flow_keys') {
      if (size !== 8 || off !== field.offset) return deny('flow_keys must be loaded with an 8-byte load');
      return allow(field, size, 'flow_keys');
    }
    return deny(`${field.name} is not readable by flow dissector programs`);
  }
  const rules = skbRulesFor(progType);
  if (rules === undefined) return undefined;
  const field = fieldAt(SKB_LAYOUT, off);
  if (field === undefined) return deny(`offset ${off} is padding`);
  if (rules.hidden(field.name, off)) return deny(`${field.name} is not accessible to ${progType} programs`);
  if (access === 'write' && !rules.writable.includes(field.name)) {
    return deny(`${field.name} is read-only for ${progType} programs`);
  }
  const isTc = progType === 'sched_cls' || progType === 'sched_act';
  if (isTc && field.name === 'tstamp_type') {
    if (size !== 1) return deny('tstamp_type must be loaded with a 1-byte load');
    return allow(field, size);
  }
  const r = skbCommon(off, size, access);
  if (!r.ok) return r;
  const ptr = rules.pointers[field.name];
  return ptr !== undefined && access === 'read' ? { ...r, yields: ptr } : r;
}

function xdpAccess(off: number, size: number, access: Access, opts: CtxAccessOptions): CtxAccessResult {
  const field = fieldAt(XDP_LAYOUT, off);
  if (field === undefined) return deny(`offset ${off} is outside struct xdp_md`);
  if (field.name === 'egress_ifindex' && opts.attachType !== 'BPF_XDP_DEVMAP') {
    return deny('egress_ifindex is only readable by devmap programs');
  }
  if (access === 'write') return deny('the xdp context is read-only');
  if (size !== 4) return deny(`${field.name} must be loaded with a 4-byte load`);
  const yields: CtxLoadKind =
    field.name === 'data' ? 'pkt' : field.name === 'data_meta' ? 'pkt_meta' : field.name === 'data_end' ? 'pkt_end' : 'scalar';
  return allow(field, size, yields);
}

function sockOpsAccess(off: number, size: number, access: Access): CtxAccessResult {
  const field = fieldAt(SOCK_OPS_LAYOUT, off);
  if (field === undefined) return deny(`offset ${off} is outside struct bpf_sock_ops`);
  if (access === 'write') {
    // `reply` (= args[0] = replylong[0]) and sk_txhash only.
    if (off !== 4 && !(field.name === 'sk_txhash' && off === field.offset)) return deny(`${field.name} is read-only`);
    if (size !== 4) return deny(`${field.name} must be written with a 4-byte store`);
    return allow(field, size);
  }
  switch (field.name) {
    case 'bytes_received':
    case 'bytes_acked':
    case 'skb_hwtstamp':
      return size === 8 ? allow(field, size) : deny(`${field.name} must be loaded with an 8-byte load`);
    case 'sk':
      return size === 8 ? allow(field, size, 'socket_or_null') : deny('sk must be loaded with an 8-byte load');
    case 'skb_data':
      return size === 8 ? allow(field, size, 'pkt') : deny('skb_data must be loaded with an 8-byte load');
    case 'skb_data_end':
      return size === 8 ? allow(field, size, 'pkt_end') : deny('skb_data_end must be loaded with an 8-byte load');
    case 'skb_tcp_flags':
      // Narrow loads only at the start of the field.
      if (off === field.offset && size <= 4) return allow(field, size);
      return size === 4 ? allow(field, size) : deny('skb_tcp_flags narrow loads must start at the field');
    default:
      return size === 4 ? allow(field, size) : deny(`${field.name} must be loaded with a 4-byte load`);
  }
}

function skMsgAccess(off: number, size: number, access: Access): CtxAccessResult {
  if (access === 'write') return deny('the sk_msg context is read-only');
  const field = fieldAt(SK_MSG_LAYOUT, off);
  if (field === undefined) return deny(`offset ${off} is outside struct sk_msg_md`);
  const ptr: Partial<Record<string, CtxLoadKind>> = { data: 'pkt', data_end: 'pkt_end', sk: 'socket' };
  const kind = ptr[field.name];
  if (kind !== undefined) {
    return size === 8 && off === field.offset ? allow(field, size, kind) : deny(`${field.name} must be loaded with an 8-byte load`);
  }
  return size === 4 ? allow(field, size) : deny(`${field.name} must be loaded with a 4-byte load`);
}

/**
 * Whether a program of `progType` may load (`read`) or store (`write`) `size` bytes at `offset` of its context,
 * and what a load yields. `undefined` when the rules of this program type are not modelled (only the layout is).
 */
export function ctxAccess(
  progType: ProgTypeName,
  offset: number,
  size: number,
  access: Access,
  opts: CtxAccessOptions = {},
): CtxAccessResult | undefined {
  const layout = contextOf(progType);
  if (layout === undefined) return undefined;
  if (![1, 2, 4, 8].includes(size)) return deny(`invalid access size ${size}`);
  if (offset < 0 || offset + size > layout.size) return deny(`offset ${offset} is outside struct ${layout.struct}`);
  if (offset % size !== 0) return deny(`misaligned access: offset ${offset} size ${size}`);
  if (layout === SKB_LAYOUT) return skbAccess(progType, offset, size, access);
  if (layout === XDP_LAYOUT) return xdpAccess(offset, size, access, opts);
  if (layout === SOCK_OPS_LAYOUT) return sockOpsAccess(offset, size, access);
  if (layout === SK_MSG_LAYOUT) return skMsgAccess(offset, size, access);
  return undefined;
}

const SOCK_LAYOUT = CONTEXT_LAYOUTS['bpf_sock'] as ContextLayout;

/**
 * Loads through a socket pointer (PTR_TO_SOCKET / PTR_TO_SOCK_COMMON, e.g. the result of bpf_sk_lookup_tcp()
 * or __sk_buff.sk), the kernel's bpf_sock_is_valid_access(): read-only; narrow loads of state, family, type,
 * protocol, src_port and rx_queue_mapping only at the field start, of the addresses anywhere; dst_port is a
 * 2-byte field that may also be loaded as the 4-byte word it starts.
 */
export function sockAccess(offset: number, size: number, access: Access): CtxAccessResult {
  if (access === 'write') return deny('struct bpf_sock is read-only');
  if (![1, 2, 4, 8].includes(size)) return deny(`invalid access size ${size}`);
  if (offset < 0 || offset + size > SOCK_LAYOUT.size) return deny(`offset ${offset} is outside struct bpf_sock`);
  if (offset % size !== 0) return deny(`misaligned access: offset ${offset} size ${size}`);
  const field = fieldAt(SOCK_LAYOUT, offset);
  if (field === undefined) return deny(`offset ${offset} is padding`);
  switch (field.name) {
    case 'state':
    case 'family':
    case 'type':
    case 'protocol':
    case 'src_port':
    case 'rx_queue_mapping':
      if (offset === field.offset && size <= 4) return allow(field, size);
      return deny(`${field.name}: narrow loads must start at the field`);
    case 'src_ip4':
    case 'src_ip6':
    case 'dst_ip4':
    case 'dst_ip6':
      return size <= 4 ? allow(field, size) : deny(`${field.name} is a 4-byte field`);
    case 'dst_port':
      return size <= 4 ? allow(field, size) : deny('dst_port is a 2-byte field');
    default:
      return size === 4 ? allow(field, size) : deny(`${field.name} must be loaded with a 4-byte load`);
  }
}

/** Per-field summary of ctxAccess: readable/writable, with which sizes, and what a full-width load yields. */
export interface CtxFieldAccess {
  readonly field: CtxField;
  readonly readSizes: readonly number[];
  readonly writeSizes: readonly number[];
  readonly yields: CtxLoadKind;
}

/** The access table of a program type's context, one row per field; undefined when rules are not modelled. */
export function ctxFieldAccess(progType: ProgTypeName, opts: CtxAccessOptions = {}): readonly CtxFieldAccess[] | undefined {
  const layout = contextOf(progType);
  if (layout === undefined || ctxAccess(progType, 0, 4, 'read', opts) === undefined) return undefined;
  return layout.fields.map((field) => {
    const sizes = (access: Access): number[] =>
      [1, 2, 4, 8].filter((s) => ctxAccess(progType, field.offset, s, access, opts)?.ok === true);
    const full = ctxAccess(progType, field.offset, Math.min(field.size, 8), 'read', opts);
    return { field, readSizes: sizes('read'), writeSizes: sizes('write'), yields: full?.ok === true ? full.yields : 'scalar' };
  });
}
