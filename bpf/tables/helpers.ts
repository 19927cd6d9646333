// BPF helper functions of Linux 6.18: `enum bpf_func_id` (ids 1..211), one row per helper.
//
// Each row holds
//   - the C declaration used to call it from restricted C (`bpf/include/bpf/bpf_helper_defs.h` is generated
//     from it by `scripts/gen-headers.ts`), in libbpf's spelling: `void *map` for `struct bpf_map *`,
//     `struct __sk_buff *` / `struct xdp_md *` / `struct sk_msg_md *` for the kernel's skb, xdp and msg contexts;
//   - the prototype the verifier checks calls against, in its own vocabulary (`struct bpf_func_proto`:
//     `enum bpf_return_type` and `enum bpf_arg_type`, each a base kind OR-ed with `enum bpf_type_flag` bits);
//   - gpl_only, pkt_access (packet pointers may be passed as memory arguments) and might_sleep;
//   - the program types whose `get_func_proto` offers it.
//
// Where a helper has several kernel prototypes (one per program family, e.g. `bpf_get_socket_cookie` or
// `bpf_sk_storage_get`), the row gives the one the networking program types (tc, xdp, cgroup_skb) get.
// Memory arguments follow the kernel's access flags: `MEM_RDONLY` the helper only reads, `MEM_WRITE` it writes
// (and may read), `MEM_UNINIT` it writes without reading. Linux 6.12 replaced `ARG_PTR_TO_LONG`/`ARG_PTR_TO_INT`
// with `ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED` and a size, written here as `[8]`.
// A BTF type expected or returned is written `<name>` (`ARG_PTR_TO_BTF_ID<task_struct>`).
//
// Program-type availability was measured on a 6.18 kernel with every capability (a `call` of each id in each
// program type, verifier log read back), and gpl_only likewise (loaded under a non-GPL license). Program types
// that need an attach target to load at all (tracing, lsm, ext, struct_ops) and lirc_mode2 were not measured:
// `helperAllowed()` answers `undefined` for them. Without CAP_PERFMON the kernel offers fewer helpers
// (bpf_trace_printk, bpf_probe_read_*, bpf_snprintf, ...); the columns assume a privileged loader.
//
// test/bpf/tables/helpers.test.ts re-checks against the running kernel: ids and names (BTF), availability,
// gpl_only, and each argument's base kind (from the register types the verifier lists when handed a scalar).
// The read/write/uninit access flags of memory arguments were checked against the verifier once, loading
// without CAP_PERFMON (which otherwise lets helpers read uninitialised stack). Helpers offered to no measured
// program type (probe_write_user, override_return, rc_*, tcp_send_ack, seq_*, inode_storage_*, bprm_opts_set,
// ima_*, get_func_arg*, ...) have prototypes written from the kernel sources, not checked.
import type { ProgTypeName } from './progtypes.ts';

/** Base kinds of `enum bpf_arg_type` (kernel values). */
export const ARG_BASE = {
  ARG_DONTCARE: 0,
  ARG_CONST_MAP_PTR: 1,
  ARG_PTR_TO_MAP_KEY: 2,
  ARG_PTR_TO_MAP_VALUE: 3,
  ARG_PTR_TO_MEM: 4,
  ARG_PTR_TO_ARENA: 5,
  ARG_CONST_SIZE: 6,
  ARG_CONST_SIZE_OR_ZERO: 7,
  ARG_PTR_TO_CTX: 8,
  ARG_ANYTHING: 9,
  ARG_PTR_TO_SPIN_LOCK: 10,
  ARG_PTR_TO_SOCK_COMMON: 11,
  ARG_PTR_TO_SOCKET: 12,
  ARG_PTR_TO_BTF_ID: 13,
  ARG_PTR_TO_RINGBUF_MEM: 14,
  ARG_CONST_ALLOC_SIZE_OR_ZERO: 15,
  ARG_PTR_TO_BTF_ID_SOCK_COMMON: 16,
  ARG_PTR_TO_PERCPU_BTF_ID: 17,
  ARG_PTR_TO_FUNC: 18,
  ARG_PTR_TO_STACK: 19,
  ARG_PTR_TO_CONST_STR: 20,
  ARG_PTR_TO_TIMER: 21,
  ARG_KPTR_XCHG_DEST: 22,
  ARG_PTR_TO_DYNPTR: 23,
} as const;
export type ArgBase = keyof typeof ARG_BASE;

/** Base kinds of `enum bpf_return_type` (kernel values). */
export const RET_BASE = {
  RET_INTEGER: 0,
  RET_VOID: 1,
  RET_PTR_TO_MAP_VALUE: 2,
  RET_PTR_TO_SOCKET: 3,
  RET_PTR_TO_TCP_SOCK: 4,
  RET_PTR_TO_SOCK_COMMON: 5,
  RET_PTR_TO_MEM: 6,
  RET_PTR_TO_MEM_OR_BTF_ID: 7,
  RET_PTR_TO_BTF_ID: 8,
} as const;
export type RetBase = keyof typeof RET_BASE;

/** `enum bpf_type_flag` bits OR-ed into argument and return kinds (kernel values). */
export const TYPE_FLAG = {
  PTR_MAYBE_NULL: 1 << 8,
  MEM_RDONLY: 1 << 9,
  MEM_RINGBUF: 1 << 10,
  MEM_USER: 1 << 11,
  MEM_PERCPU: 1 << 12,
  OBJ_RELEASE: 1 << 13,
  PTR_UNTRUSTED: 1 << 14,
  MEM_UNINIT: 1 << 15,
  DYNPTR_TYPE_LOCAL: 1 << 16,
  DYNPTR_TYPE_RINGBUF: 1 << 17,
  MEM_FIXED_SIZE: 1 << 18,
  MEM_ALLOC: 1 << 19,
  PTR_TRUSTED: 1 << 20,
  MEM_RCU: 1 << 21,
  NON_OWN_REF: 1 << 22,
  DYNPTR_TYPE_SKB: 1 << 23,
  DYNPTR_TYPE_XDP: 1 << 24,
  MEM_ALIGNED: 1 << 25,
  MEM_WRITE: 1 << 26,
  DYNPTR_TYPE_SKB_META: 1 << 27,
} as const;
export type TypeFlag = keyof typeof TYPE_FLAG;

/** The kernel's named combinations (they are members of `enum bpf_arg_type` / `enum bpf_return_type`). */
const ARG_ALIASES: Readonly<Record<string, readonly [ArgBase, ...TypeFlag[]]>> = {
  ARG_PTR_TO_MAP_VALUE_OR_NULL: ['ARG_PTR_TO_MAP_VALUE', 'PTR_MAYBE_NULL'],
  ARG_PTR_TO_MEM_OR_NULL: ['ARG_PTR_TO_MEM', 'PTR_MAYBE_NULL'],
  ARG_PTR_TO_CTX_OR_NULL: ['ARG_PTR_TO_CTX', 'PTR_MAYBE_NULL'],
  ARG_PTR_TO_SOCKET_OR_NULL: ['ARG_PTR_TO_SOCKET', 'PTR_MAYBE_NULL'],
  ARG_PTR_TO_STACK_OR_NULL: ['ARG_PTR_TO_STACK', 'PTR_MAYBE_NULL'],
  ARG_PTR_TO_BTF_ID_OR_NULL: ['ARG_PTR_TO_BTF_ID', 'PTR_MAYBE_NULL'],
  ARG_PTR_TO_UNINIT_MEM: ['ARG_PTR_TO_MEM', 'MEM_UNINIT', 'MEM_WRITE'],
  ARG_PTR_TO_FIXED_SIZE_MEM: ['ARG_PTR_TO_MEM', 'MEM_FIXED_SIZE'],
};
const RET_ALIASES: Readonly<Record<string, readonly [RetBase, ...TypeFlag[]]>> = {
  RET_PTR_TO_MAP_VALUE_OR_NULL: ['RET_PTR_TO_MAP_VALUE', 'PTR_MAYBE_NULL'],
  RET_PTR_TO_SOCKET_OR_NULL: ['RET_PTR_TO_SOCKET', 'PTR_MAYBE_NULL'],
  RET_PTR_TO_TCP_SOCK_OR_NULL: ['RET_PTR_TO_TCP_SOCK', 'PTR_MAYBE_NULL'],
  RET_PTR_TO_SOCK_COMMON_OR_NULL: ['RET_PTR_TO_SOCK_COMMON', 'PTR_MAYBE_NULL'],
  RET_PTR_TO_RINGBUF_MEM_OR_NULL: ['RET_PTR_TO_MEM', 'PTR_MAYBE_NULL', 'MEM_RINGBUF'],
  RET_PTR_TO_DYNPTR_MEM_OR_NULL: ['RET_PTR_TO_MEM', 'PTR_MAYBE_NULL'],
  RET_PTR_TO_BTF_ID_OR_NULL: ['RET_PTR_TO_BTF_ID', 'PTR_MAYBE_NULL'],
  RET_PTR_TO_BTF_ID_TRUSTED: ['RET_PTR_TO_BTF_ID', 'PTR_TRUSTED'],
};

/** The kernel's value of each named `enum bpf_arg_type` combination, e.g. ARG_PTR_TO_UNINIT_MEM. */
export function argAliasValue(name: string): number | undefined {
  const parts = ARG_ALIASES[name];
  if (parts === undefined) return undefined;
  const [base, ...flags] = parts;
  return flags.reduce<number>((v, f) => v | TYPE_FLAG[f], ARG_BASE[base]);
}

/** The kernel's value of each named `enum bpf_return_type` combination, e.g. RET_PTR_TO_MAP_VALUE_OR_NULL. */
export function retAliasValue(name: string): number | undefined {
  const parts = RET_ALIASES[name];
  if (parts === undefined) return undefined;
  const [base, ...flags] = parts;
  return flags.reduce<number>((v, f) => v | TYPE_FLAG[f], RET_BASE[base]);
}

/** One argument or return kind: `text` as written in the table, decomposed. */
export interface HelperKind<B extends string> {
  /** As written, e.g. `ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED [8]`. */
  readonly text: string;
  readonly base: B;
  /** Every flag, aliases expanded (ARG_PTR_TO_UNINIT_MEM -> MEM_UNINIT, MEM_WRITE). */
  readonly flags: readonly TypeFlag[];
  /** The kernel's numeric value: base | flags. */
  readonly value: number;
  /** Fixed memory size in bytes (`argN_size`), for MEM_FIXED_SIZE arguments. */
  readonly size?: number;
  /** BTF struct expected or returned (`argN_btf_id`, `ret_btf_id`), when fixed by the prototype. */
  readonly btfType?: string;
}
export type HelperArgKind = HelperKind<ArgBase>;
export type HelperRetKind = HelperKind<RetBase>;

/** A C parameter of the declaration: `const void *key` -> { type: 'const void *', name: 'key' }. */
export interface CParam {
  readonly type: string;
  readonly name: string;
}

export interface HelperSignature {
  /** The whole declaration: `long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)`. */
  readonly text: string;
  /** C return type, e.g. `void *`, `long`, `__u64`. */
  readonly ret: string;
  readonly params: readonly CParam[];
  /** `...` ends the parameter list (bpf_trace_printk). */
  readonly variadic: boolean;
}

export interface HelperSpec {
  /** `enum bpf_func_id` value: the `imm` of `call`. */
  readonly id: number;
  /** Without prefix: `map_lookup_elem`. */
  readonly name: string;
  /** C name: `bpf_map_lookup_elem`. */
  readonly symbol: string;
  /** Kernel enum member: `BPF_FUNC_map_lookup_elem`. */
  readonly enumName: string;
  readonly signature: HelperSignature;
  readonly ret: HelperRetKind;
  /** Checked arguments r1.. in order (arguments the kernel leaves ARG_DONTCARE are not listed). */
  readonly args: readonly HelperArgKind[];
  readonly gplOnly: boolean;
  /** pkt_access: packet pointers are accepted for memory arguments. */
  readonly pktAccess: boolean;
  /** might_sleep: callable from sleepable programs only. */
  readonly mightSleep: boolean;
  /** Program types (measured) whose get_func_proto offers this helper. */
  readonly progTypes: readonly ProgTypeName[];
}

/** The program types the availability columns were measured for. */
export const MEASURED_PROG_TYPES: readonly ProgTypeName[] = [
  'socket_filter', 'kprobe', 'sched_cls', 'sched_act', 'tracepoint', 'xdp', 'perf_event', 'cgroup_skb',
  'cgroup_sock', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sock_ops', 'sk_skb', 'cgroup_device', 'sk_msg',
  'raw_tracepoint', 'cgroup_sock_addr', 'lwt_seg6local', 'sk_reuseport', 'flow_dissector', 'cgroup_sysctl',
  'raw_tracepoint_writable', 'cgroup_sockopt', 'sk_lookup', 'syscall', 'netfilter',
];

/** Highest id + 1 (`__BPF_FUNC_MAX_ID`). */
export const BPF_FUNC_MAX_ID = 212;

const ALL = MEASURED_PROG_TYPES;
function allExcept(...not: ProgTypeName[]): readonly ProgTypeName[] {
  return MEASURED_PROG_TYPES.filter((p) => !not.includes(p));
}

interface Row {
  readonly id: number;
  readonly c: string;
  readonly ret: string;
  readonly args: readonly string[];
  readonly gpl?: boolean;
  readonly pkt?: boolean;
  readonly sleep?: boolean;
  readonly progs: readonly ProgTypeName[];
}

// prettier-ignore
const ROWS: readonly Row[] = [
  { id: 1, c: 'void *bpf_map_lookup_elem(void *map, const void *key)',
    ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY'], pkt: true,
    progs: ALL },
  { id: 2, c: 'long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING'], pkt: true,
    progs: ALL },
  { id: 3, c: 'long bpf_map_delete_elem(void *map, const void *key)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY'], pkt: true,
    progs: ALL },
  { id: 4, c: 'long bpf_probe_read(void *dst, __u32 size, const void *unsafe_ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'syscall'] },
  { id: 5, c: '__u64 bpf_ktime_get_ns(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 6, c: 'long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'], gpl: true,
    progs: ALL },
  { id: 7, c: '__u32 bpf_get_prandom_u32(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 8, c: '__u32 bpf_get_smp_processor_id(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 9, c: 'long bpf_skb_store_bytes(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit', 'sk_skb'] },
  { id: 10, c: 'long bpf_l3_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 11, c: 'long bpf_l4_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 12, c: 'long bpf_tail_call(void *ctx, void *prog_array_map, __u32 index)',
    ret: 'RET_VOID', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 13, c: 'long bpf_clone_redirect(struct __sk_buff *skb, __u32 ifindex, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 14, c: '__u64 bpf_get_current_pid_tgid(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 15, c: '__u64 bpf_get_current_uid_gid(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 16, c: 'long bpf_get_current_comm(void *buf, __u32 size_of_buf)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ALL },
  { id: 17, c: '__u32 bpf_get_cgroup_classid(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ALL },
  { id: 18, c: 'long bpf_skb_vlan_push(struct __sk_buff *skb, __be16 vlan_proto, __u16 vlan_tci)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 19, c: 'long bpf_skb_vlan_pop(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 20, c: 'long bpf_skb_get_tunnel_key(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 21, c: 'long bpf_skb_set_tunnel_key(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 22, c: '__u64 bpf_perf_event_read(void *map, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 23, c: 'long bpf_redirect(__u32 ifindex, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'xdp', 'lwt_xmit'] },
  { id: 24, c: '__u32 bpf_get_route_realm(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['sched_cls', 'sched_act', 'lwt_in', 'lwt_out', 'lwt_xmit', 'lwt_seg6local'] },
  { id: 25, c: 'long bpf_perf_event_output(void *ctx, void *map, __u64 flags, void *data, __u64 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true,
    progs: allExcept('sk_reuseport', 'flow_dissector', 'netfilter') },
  { id: 26, c: 'long bpf_skb_load_bytes(const void *skb, __u32 offset, void *to, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ['socket_filter', 'sched_cls', 'sched_act', 'cgroup_skb', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sk_skb', 'lwt_seg6local', 'sk_reuseport', 'flow_dissector'] },
  { id: 27, c: 'long bpf_get_stackid(void *ctx, void *map, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'], gpl: true,
    progs: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'syscall'] },
  { id: 28, c: '__s64 bpf_csum_diff(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp', 'lwt_in', 'lwt_out', 'lwt_xmit', 'lwt_seg6local'] },
  { id: 29, c: 'long bpf_skb_get_tunnel_opt(struct __sk_buff *skb, void *opt, __u32 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 30, c: 'long bpf_skb_set_tunnel_opt(struct __sk_buff *skb, void *opt, __u32 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 31, c: 'long bpf_skb_change_proto(struct __sk_buff *skb, __be16 proto, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 32, c: 'long bpf_skb_change_type(struct __sk_buff *skb, __u32 type)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 33, c: 'long bpf_skb_under_cgroup(struct __sk_buff *skb, void *map, __u32 index)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_in', 'lwt_out', 'lwt_xmit', 'lwt_seg6local'] },
  { id: 34, c: '__u32 bpf_get_hash_recalc(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['sched_cls', 'sched_act', 'lwt_in', 'lwt_out', 'lwt_xmit', 'lwt_seg6local'] },
  { id: 35, c: '__u64 bpf_get_current_task(void)',
    ret: 'RET_INTEGER', args: [], gpl: true,
    progs: ALL },
  { id: 36, c: 'long bpf_probe_write_user(void *dst, const void *src, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'], gpl: true,
    progs: [] },
  { id: 37, c: 'long bpf_current_task_under_cgroup(void *map, __u32 index)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 38, c: 'long bpf_skb_change_tail(struct __sk_buff *skb, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit', 'sk_skb'] },
  { id: 39, c: 'long bpf_skb_pull_data(struct __sk_buff *skb, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sk_skb', 'lwt_seg6local'] },
  { id: 40, c: '__s64 bpf_csum_update(struct __sk_buff *skb, __wsum csum)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 41, c: 'void bpf_set_hash_invalid(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 42, c: 'long bpf_get_numa_node_id(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 43, c: 'long bpf_skb_change_head(struct __sk_buff *skb, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit', 'sk_skb'] },
  { id: 44, c: 'long bpf_xdp_adjust_head(struct xdp_md *xdp_md, int delta)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['xdp'] },
  { id: 45, c: 'long bpf_probe_read_str(void *dst, __u32 size, const void *unsafe_ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'syscall'] },
  { id: 46, c: '__u64 bpf_get_socket_cookie(void *ctx)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['socket_filter', 'sched_cls', 'sched_act', 'cgroup_skb', 'cgroup_sock', 'sock_ops', 'sk_skb', 'cgroup_sock_addr', 'sk_reuseport', 'syscall'] },
  { id: 47, c: '__u32 bpf_get_socket_uid(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['socket_filter', 'sched_cls', 'sched_act', 'cgroup_skb', 'sk_skb'] },
  { id: 48, c: 'long bpf_set_hash(struct __sk_buff *skb, __u32 hash)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 49, c: 'long bpf_setsockopt(void *bpf_socket, int level, int optname, void *optval, int optlen)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['sock_ops', 'cgroup_sock_addr'] },
  { id: 50, c: 'long bpf_skb_adjust_room(struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'sk_skb'] },
  { id: 51, c: 'long bpf_redirect_map(void *map, __u32 key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['xdp'] },
  { id: 52, c: 'long bpf_sk_redirect_map(struct __sk_buff *skb, void *map, __u32 key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sk_skb'] },
  { id: 53, c: 'long bpf_sock_map_update(struct bpf_sock_ops *skops, void *map, void *key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_ANYTHING'],
    progs: ['sock_ops'] },
  { id: 54, c: 'long bpf_xdp_adjust_meta(struct xdp_md *xdp_md, int delta)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['xdp'] },
  { id: 55, c: 'long bpf_perf_event_read_value(void *map, __u64 flags, struct bpf_perf_event_value *buf, __u32 buf_size)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'], gpl: true,
    progs: ALL },
  { id: 56, c: 'long bpf_perf_prog_read_value(struct bpf_perf_event_data *ctx, struct bpf_perf_event_value *buf, __u32 buf_size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'], gpl: true,
    progs: ['perf_event'] },
  { id: 57, c: 'long bpf_getsockopt(void *bpf_socket, int level, int optname, void *optval, int optlen)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ['sock_ops', 'cgroup_sock_addr'] },
  { id: 58, c: 'long bpf_override_return(struct pt_regs *regs, __u64 rc)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'], gpl: true,
    progs: [] },
  { id: 59, c: 'long bpf_sock_ops_cb_flags_set(struct bpf_sock_ops *bpf_sock, int argval)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sock_ops'] },
  { id: 60, c: 'long bpf_msg_redirect_map(struct sk_msg_md *msg, void *map, __u32 key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sk_msg'] },
  { id: 61, c: 'long bpf_msg_apply_bytes(struct sk_msg_md *msg, __u32 bytes)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sk_msg'] },
  { id: 62, c: 'long bpf_msg_cork_bytes(struct sk_msg_md *msg, __u32 bytes)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sk_msg'] },
  { id: 63, c: 'long bpf_msg_pull_data(struct sk_msg_md *msg, __u32 start, __u32 end, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sk_msg'] },
  { id: 64, c: 'long bpf_bind(struct bpf_sock_addr *ctx, struct sockaddr *addr, int addr_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['cgroup_sock_addr'] },
  { id: 65, c: 'long bpf_xdp_adjust_tail(struct xdp_md *xdp_md, int delta)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['xdp'] },
  { id: 66, c: 'long bpf_skb_get_xfrm_state(struct __sk_buff *skb, __u32 index, struct bpf_xfrm_state *xfrm_state, __u32 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 67, c: 'long bpf_get_stack(void *ctx, void *buf, __u32 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'syscall'] },
  { id: 68, c: 'long bpf_skb_load_bytes_relative(const void *skb, __u32 offset, void *to, __u32 len, __u32 start_header)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['socket_filter', 'sched_cls', 'sched_act', 'cgroup_skb', 'sk_reuseport'] },
  { id: 69, c: 'long bpf_fib_lookup(void *ctx, struct bpf_fib_lookup *params, int plen, __u32 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_WRITE', 'ARG_CONST_SIZE', 'ARG_ANYTHING'], gpl: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 70, c: 'long bpf_sock_hash_update(struct bpf_sock_ops *skops, void *map, void *key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_ANYTHING'],
    progs: ['sock_ops'] },
  { id: 71, c: 'long bpf_msg_redirect_hash(struct sk_msg_md *msg, void *map, void *key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_ANYTHING'],
    progs: ['sk_msg'] },
  { id: 72, c: 'long bpf_sk_redirect_hash(struct __sk_buff *skb, void *map, void *key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_ANYTHING'],
    progs: ['sk_skb'] },
  { id: 73, c: 'long bpf_lwt_push_encap(struct __sk_buff *skb, __u32 type, void *hdr, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['lwt_in', 'lwt_xmit'] },
  { id: 74, c: 'long bpf_lwt_seg6_store_bytes(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['lwt_seg6local'] },
  { id: 75, c: 'long bpf_lwt_seg6_adjust_srh(struct __sk_buff *skb, __u32 offset, __s32 delta)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['lwt_seg6local'] },
  { id: 76, c: 'long bpf_lwt_seg6_action(struct __sk_buff *skb, __u32 action, void *param, __u32 param_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['lwt_seg6local'] },
  { id: 77, c: 'long bpf_rc_repeat(void *ctx)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'], gpl: true,
    progs: [] },
  { id: 78, c: 'long bpf_rc_keydown(void *ctx, __u32 protocol, __u64 scancode, __u32 toggle)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'], gpl: true,
    progs: [] },
  { id: 79, c: '__u64 bpf_skb_cgroup_id(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb'] },
  { id: 80, c: '__u64 bpf_get_current_cgroup_id(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 81, c: 'void *bpf_get_local_storage(void *map, __u64 flags)',
    ret: 'RET_PTR_TO_MAP_VALUE', args: ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING'],
    progs: ['cgroup_skb', 'cgroup_sock', 'sock_ops', 'cgroup_device', 'cgroup_sock_addr', 'cgroup_sysctl', 'cgroup_sockopt'] },
  { id: 82, c: 'long bpf_sk_select_reuseport(struct sk_reuseport_md *reuse, void *map, void *key, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_ANYTHING'],
    progs: ['sk_reuseport'] },
  { id: 83, c: '__u64 bpf_skb_ancestor_cgroup_id(struct __sk_buff *skb, int ancestor_level)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb'] },
  { id: 84, c: 'struct bpf_sock *bpf_sk_lookup_tcp(void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags)',
    ret: 'RET_PTR_TO_SOCKET_OR_NULL', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING', 'ARG_ANYTHING'], pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp', 'cgroup_skb', 'sk_skb', 'cgroup_sock_addr'] },
  { id: 85, c: 'struct bpf_sock *bpf_sk_lookup_udp(void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags)',
    ret: 'RET_PTR_TO_SOCKET_OR_NULL', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING', 'ARG_ANYTHING'], pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp', 'cgroup_skb', 'sk_skb', 'cgroup_sock_addr'] },
  { id: 86, c: 'long bpf_sk_release(void *sock)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE'],
    progs: ['sched_cls', 'sched_act', 'xdp', 'cgroup_skb', 'sk_skb', 'cgroup_sock_addr', 'sk_lookup'] },
  { id: 87, c: 'long bpf_map_push_elem(void *map, const void *value, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING'], pkt: true,
    progs: ALL },
  { id: 88, c: 'long bpf_map_pop_elem(void *map, void *value)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE'],
    progs: ALL },
  { id: 89, c: 'long bpf_map_peek_elem(void *map, void *value)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE'],
    progs: ALL },
  { id: 90, c: 'long bpf_msg_push_data(struct sk_msg_md *msg, __u32 start, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sk_msg'] },
  { id: 91, c: 'long bpf_msg_pop_data(struct sk_msg_md *msg, __u32 start, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sk_msg'] },
  { id: 92, c: 'long bpf_rc_pointer_rel(void *ctx, __s32 rel_x, __s32 rel_y)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'], gpl: true,
    progs: [] },
  { id: 93, c: 'long bpf_spin_lock(struct bpf_spin_lock *lock)',
    ret: 'RET_VOID', args: ['ARG_PTR_TO_SPIN_LOCK'],
    progs: ALL },
  { id: 94, c: 'long bpf_spin_unlock(struct bpf_spin_lock *lock)',
    ret: 'RET_VOID', args: ['ARG_PTR_TO_SPIN_LOCK'],
    progs: ALL },
  { id: 95, c: 'struct bpf_sock *bpf_sk_fullsock(struct bpf_sock *sk)',
    ret: 'RET_PTR_TO_SOCKET_OR_NULL', args: ['ARG_PTR_TO_SOCK_COMMON'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb'] },
  { id: 96, c: 'struct bpf_tcp_sock *bpf_tcp_sock(struct bpf_sock *sk)',
    ret: 'RET_PTR_TO_TCP_SOCK_OR_NULL', args: ['ARG_PTR_TO_SOCK_COMMON'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb', 'sock_ops', 'cgroup_sockopt'] },
  { id: 97, c: 'long bpf_skb_ecn_set_ce(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb'] },
  { id: 98, c: 'struct bpf_sock *bpf_get_listener_sock(struct bpf_sock *sk)',
    ret: 'RET_PTR_TO_SOCKET_OR_NULL', args: ['ARG_PTR_TO_SOCK_COMMON'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb'] },
  { id: 99, c: 'struct bpf_sock *bpf_skc_lookup_tcp(void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags)',
    ret: 'RET_PTR_TO_SOCK_COMMON_OR_NULL', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING', 'ARG_ANYTHING'], pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp', 'cgroup_skb', 'sk_skb', 'cgroup_sock_addr'] },
  { id: 100, c: 'long bpf_tcp_check_syncookie(void *sk, void *iph, __u32 iph_len, struct tcphdr *th, __u32 th_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'], gpl: true, pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 101, c: 'long bpf_sysctl_get_name(struct bpf_sysctl *ctx, char *buf, __u64 buf_len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_WRITE', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['cgroup_sysctl'] },
  { id: 102, c: 'long bpf_sysctl_get_current_value(struct bpf_sysctl *ctx, char *buf, __u64 buf_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ['cgroup_sysctl'] },
  { id: 103, c: 'long bpf_sysctl_get_new_value(struct bpf_sysctl *ctx, char *buf, __u64 buf_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ['cgroup_sysctl'] },
  { id: 104, c: 'long bpf_sysctl_set_new_value(struct bpf_sysctl *ctx, const char *buf, __u64 buf_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['cgroup_sysctl'] },
  { id: 105, c: 'long bpf_strtol(const char *buf, __u64 buf_len, __u64 flags, long *res)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED [8]'],
    progs: ALL },
  { id: 106, c: 'long bpf_strtoul(const char *buf, __u64 buf_len, __u64 flags, unsigned long *res)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED [8]'],
    progs: ALL },
  { id: 107, c: 'void *bpf_sk_storage_get(void *map, void *sk, void *value, __u64 flags)',
    ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb', 'cgroup_sock', 'sock_ops', 'sk_msg', 'cgroup_sock_addr', 'cgroup_sockopt', 'syscall'] },
  { id: 108, c: 'long bpf_sk_storage_delete(void *map, void *sk)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: ['sched_cls', 'sched_act', 'cgroup_skb', 'sock_ops', 'sk_msg', 'cgroup_sock_addr', 'cgroup_sockopt', 'syscall'] },
  { id: 109, c: 'long bpf_send_signal(__u32 sig)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING'],
    progs: ALL },
  { id: 110, c: '__s64 bpf_tcp_gen_syncookie(void *sk, void *iph, __u32 iph_len, struct tcphdr *th, __u32 th_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'], gpl: true, pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 111, c: 'long bpf_skb_output(void *ctx, void *map, __u64 flags, void *data, __u64 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<sk_buff>', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true,
    progs: ['syscall'] },
  { id: 112, c: 'long bpf_probe_read_user(void *dst, __u32 size, const void *unsafe_ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 113, c: 'long bpf_probe_read_kernel(void *dst, __u32 size, const void *unsafe_ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 114, c: 'long bpf_probe_read_user_str(void *dst, __u32 size, const void *unsafe_ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 115, c: 'long bpf_probe_read_kernel_str(void *dst, __u32 size, const void *unsafe_ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 116, c: 'long bpf_tcp_send_ack(void *tp, __u32 rcv_nxt)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<tcp_sock>', 'ARG_ANYTHING'],
    progs: [] },
  { id: 117, c: 'long bpf_send_signal_thread(__u32 sig)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING'],
    progs: ALL },
  { id: 118, c: '__u64 bpf_jiffies64(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 119, c: 'long bpf_read_branch_records(struct bpf_perf_event_data *ctx, void *buf, __u32 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM_OR_NULL | MEM_WRITE', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ['perf_event'] },
  { id: 120, c: 'long bpf_get_ns_current_pid_tgid(__u64 dev, __u64 ino, struct bpf_pidns_info *nsdata, __u32 size)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ALL },
  { id: 121, c: 'long bpf_xdp_output(void *ctx, void *map, __u64 flags, void *data, __u64 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<xdp_buff>', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true,
    progs: ['syscall'] },
  { id: 122, c: '__u64 bpf_get_netns_cookie(void *ctx)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX_OR_NULL'],
    progs: ['socket_filter', 'sched_cls', 'sched_act', 'cgroup_skb', 'cgroup_sock', 'sock_ops', 'sk_msg', 'cgroup_sock_addr', 'cgroup_sockopt'] },
  { id: 123, c: '__u64 bpf_get_current_ancestor_cgroup_id(int ancestor_level)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING'],
    progs: ALL },
  { id: 124, c: 'long bpf_sk_assign(struct bpf_sk_lookup *ctx, struct bpf_sock *sk, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'sk_lookup'] },
  { id: 125, c: '__u64 bpf_ktime_get_boot_ns(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 126, c: 'long bpf_seq_printf(struct seq_file *m, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<seq_file>', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true,
    progs: [] },
  { id: 127, c: 'long bpf_seq_write(struct seq_file *m, const void *data, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<seq_file>', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true,
    progs: [] },
  { id: 128, c: '__u64 bpf_sk_cgroup_id(void *sk)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: ['cgroup_skb'] },
  { id: 129, c: '__u64 bpf_sk_ancestor_cgroup_id(void *sk, int ancestor_level)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_ANYTHING'],
    progs: ['cgroup_skb'] },
  { id: 130, c: 'long bpf_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 131, c: 'void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)',
    ret: 'RET_PTR_TO_RINGBUF_MEM_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 132, c: 'void bpf_ringbuf_submit(void *data, __u64 flags)',
    ret: 'RET_VOID', args: ['ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 133, c: 'void bpf_ringbuf_discard(void *data, __u64 flags)',
    ret: 'RET_VOID', args: ['ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 134, c: '__u64 bpf_ringbuf_query(void *ringbuf, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 135, c: 'long bpf_csum_level(struct __sk_buff *skb, __u64 level)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act', 'lwt_xmit'] },
  { id: 136, c: 'struct tcp6_sock *bpf_skc_to_tcp6_sock(void *sk)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<tcp6_sock>', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_sock', 'cgroup_device', 'raw_tracepoint', 'sk_reuseport', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'netfilter') },
  { id: 137, c: 'struct tcp_sock *bpf_skc_to_tcp_sock(void *sk)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<tcp_sock>', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_sock', 'cgroup_device', 'raw_tracepoint', 'sk_reuseport', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'netfilter') },
  { id: 138, c: 'struct tcp_timewait_sock *bpf_skc_to_tcp_timewait_sock(void *sk)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<tcp_timewait_sock>', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_sock', 'cgroup_device', 'raw_tracepoint', 'sk_reuseport', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'netfilter') },
  { id: 139, c: 'struct tcp_request_sock *bpf_skc_to_tcp_request_sock(void *sk)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<tcp_request_sock>', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_sock', 'cgroup_device', 'raw_tracepoint', 'sk_reuseport', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'netfilter') },
  { id: 140, c: 'struct udp6_sock *bpf_skc_to_udp6_sock(void *sk)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<udp6_sock>', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_sock', 'cgroup_device', 'raw_tracepoint', 'sk_reuseport', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'netfilter') },
  { id: 141, c: 'long bpf_get_task_stack(struct task_struct *task, void *buf, __u32 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<task_struct>', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 142, c: 'long bpf_load_hdr_opt(struct bpf_sock_ops *skops, void *searchby_res, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_WRITE', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['sock_ops'] },
  { id: 143, c: 'long bpf_store_hdr_opt(struct bpf_sock_ops *skops, const void *from, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ['sock_ops'] },
  { id: 144, c: 'long bpf_reserve_hdr_opt(struct bpf_sock_ops *skops, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sock_ops'] },
  { id: 145, c: 'void *bpf_inode_storage_get(void *map, void *inode, void *value, __u64 flags)',
    ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_OR_NULL<inode>', 'ARG_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_ANYTHING'],
    progs: [] },
  { id: 146, c: 'int bpf_inode_storage_delete(void *map, void *inode)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_OR_NULL<inode>'],
    progs: [] },
  { id: 147, c: 'long bpf_d_path(struct path *path, char *buf, __u32 sz)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<path>', 'ARG_PTR_TO_MEM | MEM_WRITE', 'ARG_CONST_SIZE_OR_ZERO'],
    progs: ['syscall'] },
  { id: 148, c: 'long bpf_copy_from_user(void *dst, __u32 size, const void *user_ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], sleep: true,
    progs: ALL },
  { id: 149, c: 'long bpf_snprintf_btf(char *str, __u32 str_size, struct btf_ptr *ptr, __u32 btf_ptr_size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_WRITE', 'ARG_CONST_SIZE', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 150, c: 'long bpf_seq_printf_btf(struct seq_file *m, struct btf_ptr *ptr, __u32 ptr_size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<seq_file>', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    progs: [] },
  { id: 151, c: '__u64 bpf_skb_cgroup_classid(struct __sk_buff *skb)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 152, c: 'long bpf_redirect_neigh(__u32 ifindex, struct bpf_redir_neigh *params, int plen, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING', 'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 153, c: 'void *bpf_per_cpu_ptr(const void *percpu_ptr, __u32 cpu)',
    ret: 'RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY', args: ['ARG_PTR_TO_PERCPU_BTF_ID', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 154, c: 'void *bpf_this_cpu_ptr(const void *percpu_ptr)',
    ret: 'RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY', args: ['ARG_PTR_TO_PERCPU_BTF_ID'],
    progs: ALL },
  { id: 155, c: 'long bpf_redirect_peer(__u32 ifindex, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 156, c: 'void *bpf_task_storage_get(void *map, struct task_struct *task, void *value, __u64 flags)',
    ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_OR_NULL<task_struct>', 'ARG_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 157, c: 'long bpf_task_storage_delete(void *map, struct task_struct *task)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_OR_NULL<task_struct>'],
    progs: ALL },
  { id: 158, c: 'struct task_struct *bpf_get_current_task_btf(void)',
    ret: 'RET_PTR_TO_BTF_ID_TRUSTED<task_struct>', args: [], gpl: true,
    progs: ALL },
  { id: 159, c: 'long bpf_bprm_opts_set(struct linux_binprm *bprm, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<linux_binprm>', 'ARG_ANYTHING'],
    progs: [] },
  { id: 160, c: '__u64 bpf_ktime_get_coarse_ns(void)',
    ret: 'RET_INTEGER', args: [],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_device', 'raw_tracepoint', 'raw_tracepoint_writable', 'cgroup_sockopt', 'syscall', 'netfilter') },
  { id: 161, c: 'long bpf_ima_inode_hash(struct inode *inode, void *dst, __u32 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<inode>', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'], sleep: true,
    progs: [] },
  { id: 162, c: 'struct socket *bpf_sock_from_file(struct file *file)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<socket>', args: ['ARG_PTR_TO_BTF_ID<file>'],
    progs: ['syscall'] },
  { id: 163, c: 'long bpf_check_mtu(void *ctx, __u32 ifindex, __u32 *mtu_len, __s32 len_diff, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED [4]', 'ARG_ANYTHING', 'ARG_ANYTHING'], gpl: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 164, c: 'long bpf_for_each_map_elem(void *map, void *callback_fn, void *callback_ctx, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 165, c: 'long bpf_snprintf(char *str, __u32 str_size, const char *fmt, __u64 *data, __u32 data_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM_OR_NULL | MEM_WRITE', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_PTR_TO_CONST_STR', 'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true,
    progs: ALL },
  { id: 166, c: 'long bpf_sys_bpf(__u32 cmd, void *attr, __u32 attr_size)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['syscall'] },
  { id: 167, c: 'long bpf_btf_find_by_name_kind(char *name, int name_sz, __u32 kind, int flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['syscall'] },
  { id: 168, c: 'long bpf_sys_close(__u32 fd)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING'],
    progs: ['syscall'] },
  { id: 169, c: 'long bpf_timer_init(struct bpf_timer *timer, void *map, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_TIMER', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 170, c: 'long bpf_timer_set_callback(struct bpf_timer *timer, void *callback_fn)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_TIMER', 'ARG_PTR_TO_FUNC'], gpl: true,
    progs: ALL },
  { id: 171, c: 'long bpf_timer_start(struct bpf_timer *timer, __u64 nsecs, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_TIMER', 'ARG_ANYTHING', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 172, c: 'long bpf_timer_cancel(struct bpf_timer *timer)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_TIMER'], gpl: true,
    progs: ALL },
  { id: 173, c: '__u64 bpf_get_func_ip(void *ctx)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'], gpl: true,
    progs: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'syscall'] },
  { id: 174, c: '__u64 bpf_get_attach_cookie(void *ctx)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable'] },
  { id: 175, c: 'long bpf_task_pt_regs(struct task_struct *task)',
    ret: 'RET_PTR_TO_BTF_ID<pt_regs>', args: ['ARG_PTR_TO_BTF_ID<task_struct>'], gpl: true,
    progs: ALL },
  { id: 176, c: 'long bpf_get_branch_snapshot(void *entries, __u32 size, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'], gpl: true,
    progs: ALL },
  { id: 177, c: 'long bpf_trace_vprintk(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true,
    progs: ALL },
  { id: 178, c: 'struct unix_sock *bpf_skc_to_unix_sock(void *sk)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<unix_sock>', args: ['ARG_PTR_TO_BTF_ID_SOCK_COMMON'],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_sock', 'cgroup_device', 'raw_tracepoint', 'sk_reuseport', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'netfilter') },
  { id: 179, c: 'long bpf_kallsyms_lookup_name(const char *name, int name_sz, int flags, __u64 *res)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED [8]'],
    progs: ['syscall'] },
  { id: 180, c: 'long bpf_find_vma(struct task_struct *task, __u64 addr, void *callback_fn, void *callback_ctx, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<task_struct>', 'ARG_ANYTHING', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 181, c: 'long bpf_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 182, c: 'long bpf_strncmp(const char *s1, __u32 s1_sz, const char *s2)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_PTR_TO_CONST_STR'],
    progs: ALL },
  { id: 183, c: 'long bpf_get_func_arg(void *ctx, __u32 n, __u64 *value)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED [8]'],
    progs: [] },
  { id: 184, c: 'long bpf_get_func_ret(void *ctx, __u64 *value)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED [8]'],
    progs: [] },
  { id: 185, c: 'long bpf_get_func_arg_cnt(void *ctx)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: [] },
  { id: 186, c: 'int bpf_get_retval(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ['cgroup_sock', 'cgroup_device', 'cgroup_sock_addr', 'cgroup_sysctl', 'cgroup_sockopt'] },
  { id: 187, c: 'int bpf_set_retval(int retval)',
    ret: 'RET_INTEGER', args: ['ARG_ANYTHING'],
    progs: ['cgroup_sock', 'cgroup_device', 'cgroup_sock_addr', 'cgroup_sysctl', 'cgroup_sockopt'] },
  { id: 188, c: '__u64 bpf_xdp_get_buff_len(struct xdp_md *xdp_md)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX'],
    progs: ['xdp', 'syscall'] },
  { id: 189, c: 'long bpf_xdp_load_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
    progs: ['xdp'] },
  { id: 190, c: 'long bpf_xdp_store_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE'],
    progs: ['xdp'] },
  { id: 191, c: 'long bpf_copy_from_user_task(void *dst, __u32 size, const void *user_ptr, struct task_struct *tsk, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING', 'ARG_PTR_TO_BTF_ID<task_struct>', 'ARG_ANYTHING'], gpl: true, sleep: true,
    progs: ALL },
  { id: 192, c: 'long bpf_skb_set_tstamp(struct __sk_buff *skb, __u64 tstamp, __u32 tstamp_type)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ['sched_cls', 'sched_act'] },
  { id: 193, c: 'long bpf_ima_file_hash(struct file *file, void *dst, __u32 size)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_BTF_ID<file>', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'], sleep: true,
    progs: [] },
  { id: 194, c: 'void *bpf_kptr_xchg(void *map_value, void *ptr)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL', args: ['ARG_KPTR_XCHG_DEST', 'ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE'],
    progs: ALL },
  { id: 195, c: 'void *bpf_map_lookup_percpu_elem(void *map, const void *key, __u32 cpu)',
    ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 196, c: 'struct mptcp_sock *bpf_skc_to_mptcp_sock(void *sk)',
    ret: 'RET_PTR_TO_BTF_ID_OR_NULL<mptcp_sock>', args: ['ARG_PTR_TO_SOCK_COMMON'],
    progs: allExcept('kprobe', 'tracepoint', 'perf_event', 'cgroup_sock', 'cgroup_device', 'raw_tracepoint', 'sk_reuseport', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'netfilter') },
  { id: 197, c: 'long bpf_dynptr_from_mem(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING', 'ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL | MEM_UNINIT'],
    progs: ALL },
  { id: 198, c: 'long bpf_ringbuf_reserve_dynptr(void *ringbuf, __u32 size, __u64 flags, struct bpf_dynptr *ptr)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | MEM_UNINIT'],
    progs: ALL },
  { id: 199, c: 'void bpf_ringbuf_submit_dynptr(struct bpf_dynptr *ptr, __u64 flags)',
    ret: 'RET_VOID', args: ['ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 200, c: 'void bpf_ringbuf_discard_dynptr(struct bpf_dynptr *ptr, __u64 flags)',
    ret: 'RET_VOID', args: ['ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 201, c: 'long bpf_dynptr_read(void *dst, __u32 len, struct bpf_dynptr *src, __u32 offset, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_PTR_TO_DYNPTR | MEM_RDONLY', 'ARG_ANYTHING', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 202, c: 'long bpf_dynptr_write(struct bpf_dynptr *dst, __u32 offset, void *src, __u32 len, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_DYNPTR | MEM_RDONLY', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 203, c: 'void *bpf_dynptr_data(struct bpf_dynptr *ptr, __u32 offset, __u32 len)',
    ret: 'RET_PTR_TO_DYNPTR_MEM_OR_NULL', args: ['ARG_PTR_TO_DYNPTR | MEM_RDONLY', 'ARG_ANYTHING', 'ARG_CONST_ALLOC_SIZE_OR_ZERO'],
    progs: ALL },
  { id: 204, c: '__s64 bpf_tcp_raw_gen_syncookie_ipv4(struct iphdr *iph, struct tcphdr *th, __u32 th_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_FIXED_SIZE_MEM | MEM_RDONLY [20]', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true, pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 205, c: '__s64 bpf_tcp_raw_gen_syncookie_ipv6(struct ipv6hdr *iph, struct tcphdr *th, __u32 th_len)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_FIXED_SIZE_MEM | MEM_RDONLY [40]', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'], gpl: true, pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 206, c: 'long bpf_tcp_raw_check_syncookie_ipv4(struct iphdr *iph, struct tcphdr *th)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_FIXED_SIZE_MEM | MEM_RDONLY [20]', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_RDONLY [20]'], gpl: true, pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 207, c: 'long bpf_tcp_raw_check_syncookie_ipv6(struct ipv6hdr *iph, struct tcphdr *th)',
    ret: 'RET_INTEGER', args: ['ARG_PTR_TO_FIXED_SIZE_MEM | MEM_RDONLY [40]', 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_RDONLY [20]'], gpl: true, pkt: true,
    progs: ['sched_cls', 'sched_act', 'xdp'] },
  { id: 208, c: '__u64 bpf_ktime_get_tai_ns(void)',
    ret: 'RET_INTEGER', args: [],
    progs: ALL },
  { id: 209, c: 'long bpf_user_ringbuf_drain(void *map, void *callback_fn, void *ctx, __u64 flags)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 210, c: 'void *bpf_cgrp_storage_get(void *map, struct cgroup *cgroup, void *value, __u64 flags)',
    ret: 'RET_PTR_TO_MAP_VALUE_OR_NULL', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_OR_NULL<cgroup>', 'ARG_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_ANYTHING'],
    progs: ALL },
  { id: 211, c: 'long bpf_cgrp_storage_delete(void *map, struct cgroup *cgroup)',
    ret: 'RET_INTEGER', args: ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_OR_NULL<cgroup>'],
    progs: ALL },
];

function parseKind<B extends string>(
  text: string,
  bases: Readonly<Record<B, number>>,
  aliases: Readonly<Record<string, readonly [B, ...TypeFlag[]]>>,
  where: string,
): HelperKind<B> {
  const m = /^([A-Z_0-9]+)(?:<(\w+)>)?((?:\s*\|\s*[A-Z_0-9]+)*)(?:\s*\[(\d+)\])?$/.exec(text.trim());
  if (m === null) throw new SyntaxError(`${where}: malformed kind '${text}'`);
  const head = m[1] ?? '';
  let base: B;
  const flags: TypeFlag[] = [];
  const alias = aliases[head];
  if (alias !== undefined) {
    const [b, ...f] = alias;
    base = b;
    flags.push(...f);
  } else if (Object.hasOwn(bases, head)) {
    base = head as B;
  } else {
    throw new SyntaxError(`${where}: unknown kind '${head}'`);
  }
  for (const f of (m[3] ?? '').split('|').map((s) => s.trim()).filter((s) => s !== '')) {
    if (!Object.hasOwn(TYPE_FLAG, f)) throw new SyntaxError(`${where}: unknown type flag '${f}'`);
    if (!flags.includes(f as TypeFlag)) flags.push(f as TypeFlag);
  }
  const value = flags.reduce<number>((v, f) => v | TYPE_FLAG[f], bases[base]);
  return {
    text,
    base,
    flags,
    value,
    ...(m[4] !== undefined ? { size: Number(m[4]) } : {}),
    ...(m[2] !== undefined ? { btfType: m[2] } : {}),
  };
}

function parseSignature(text: string, where: string): { sig: HelperSignature; name: string } {
  const m = /^(.*?)\b(bpf_\w+)\((.*)\)$/.exec(text);
  if (m === null) throw new SyntaxError(`${where}: malformed C declaration '${text}'`);
  const ret = (m[1] ?? '').trim();
  const list = (m[3] ?? '').trim();
  const params: CParam[] = [];
  let variadic = false;
  if (list !== 'void') {
    for (const p of list.split(',').map((s) => s.trim())) {
      if (p === '...') {
        variadic = true;
        continue;
      }
      const pm = /^(.*?)(\w+)$/.exec(p);
      if (pm === null) throw new SyntaxError(`${where}: malformed parameter '${p}'`);
      params.push({ type: (pm[1] ?? '').trim(), name: pm[2] ?? '' });
    }
  }
  return { sig: { text, ret, params, variadic }, name: m[2] ?? '' };
}

function build(row: Row): HelperSpec {
  const where = `helper ${row.id}`;
  const { sig, name: symbol } = parseSignature(row.c, where);
  const name = symbol.slice(4);
  return {
    id: row.id,
    name,
    symbol,
    enumName: `BPF_FUNC_${name}`,
    signature: sig,
    ret: parseKind(row.ret, RET_BASE, RET_ALIASES, where),
    args: row.args.map((a, i) => parseKind(a, ARG_BASE, ARG_ALIASES, `${where} arg ${i + 1}`)),
    gplOnly: row.gpl === true,
    pktAccess: row.pkt === true,
    mightSleep: row.sleep === true,
    progTypes: row.progs,
  };
}

/** Every helper, ordered by id (HELPERS[i].id === i + 1). */
export const HELPERS: readonly HelperSpec[] = ROWS.map(build);

const byId = new Map<number, HelperSpec>(HELPERS.map((h) => [h.id, h]));
const byName = new Map<string, HelperSpec>();
for (const h of HELPERS) {
  byName.set(h.name, h);
  byName.set(h.symbol, h);
  byName.set(h.enumName, h);
}

/** The helper with this `enum bpf_func_id` value, if any. */
export function helperById(id: number): HelperSpec | undefined {
  return byId.get(id);
}

/** By `map_lookup_elem`, `bpf_map_lookup_elem` or `BPF_FUNC_map_lookup_elem`. */
export function helperByName(name: string): HelperSpec | undefined {
  return byName.get(name);
}

/**
 * Whether a program of this type may call the helper (Linux 6.18, all capabilities); `undefined` for the program
 * types that were not measured (see MEASURED_PROG_TYPES).
 */
export function helperAllowed(helper: HelperSpec | number | string, progType: ProgTypeName): boolean | undefined {
  const h = typeof helper === 'object' ? helper : typeof helper === 'number' ? byId.get(helper) : byName.get(helper);
  if (h === undefined) return false;
  if (!MEASURED_PROG_TYPES.includes(progType)) return undefined;
  return h.progTypes.includes(progType);
}
