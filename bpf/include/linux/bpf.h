/*
 * tsbpf: the BPF UAPI that BPF programs use (Linux 6.18): instruction encoding, map/program/attach types,
 * helper flags and return codes, and the structures programs see (contexts, sockets, FIB lookups, ...).
 * Layouts are checked against bpf/tables (test/bpf/include) and the kernel's BTF (test/bpf/tables).
 * Userspace-only parts of the UAPI (union bpf_attr, bpf_*_info) are not here.
 */
#ifndef __TSBPF_LINUX_BPF_H
#define __TSBPF_LINUX_BPF_H

#include <linux/types.h>
#include <linux/bpf_common.h>
#include <linux/bpf_enums.h>

/* ---- Instruction encoding (RFC 9669) ----------------------------------------------------------------- */

#define BPF_JMP32 0x06 /* class: 32-bit jumps */
#define BPF_ALU64 0x07 /* class: 64-bit arithmetic */

#define BPF_DW 0x18 /* size: double word */
#define BPF_MEMSX 0x80 /* mode: sign-extending load */
#define BPF_ATOMIC 0xc0 /* mode: atomic operation */
#define BPF_XADD 0xc0 /* old name of BPF_ATOMIC */

#define BPF_MOV 0xb0 /* alu op: dst = src */
#define BPF_ARSH 0xc0 /* alu op: arithmetic shift right */
#define BPF_END 0xd0 /* alu op: byte swap */
#define BPF_TO_LE 0x00
#define BPF_TO_BE 0x08
#define BPF_FROM_LE BPF_TO_LE
#define BPF_FROM_BE BPF_TO_BE

#define BPF_JNE 0x50 /* jmp op: != */
#define BPF_JLT 0xa0 /* unsigned < */
#define BPF_JLE 0xb0 /* unsigned <= */
#define BPF_JSGT 0x60 /* signed > */
#define BPF_JSGE 0x70 /* signed >= */
#define BPF_JSLT 0xc0 /* signed < */
#define BPF_JSLE 0xd0 /* signed <= */
#define BPF_JCOND 0xe0 /* may_goto */
#define BPF_CALL 0x80 /* function call */
#define BPF_EXIT 0x90 /* return */

#define BPF_FETCH 0x01 /* atomic modifier: return the old value */
#define BPF_XCHG (0xe0 | BPF_FETCH)
#define BPF_CMPXCHG (0xf0 | BPF_FETCH)
#define BPF_LOAD_ACQ 0x100
#define BPF_STORE_REL 0x110

enum bpf_cond_pseudo_jmp {
	BPF_MAY_GOTO = 0,
};

enum {
	BPF_REG_0 = 0,
	BPF_REG_1,
	BPF_REG_2,
	BPF_REG_3,
	BPF_REG_4,
	BPF_REG_5,
	BPF_REG_6,
	BPF_REG_7,
	BPF_REG_8,
	BPF_REG_9,
	BPF_REG_10,
	__MAX_BPF_REG,
};
#define MAX_BPF_REG __MAX_BPF_REG

struct bpf_insn {
	__u8 code;
	__u8 dst_reg : 4;
	__u8 src_reg : 4;
	__s16 off;
	__s32 imm;
};

/* src_reg of ld_imm64 */
#define BPF_PSEUDO_MAP_FD 1
#define BPF_PSEUDO_MAP_IDX 5
#define BPF_PSEUDO_MAP_VALUE 2
#define BPF_PSEUDO_MAP_IDX_VALUE 6
#define BPF_PSEUDO_BTF_ID 3
#define BPF_PSEUDO_FUNC 4
/* src_reg of call */
#define BPF_PSEUDO_CALL 1
#define BPF_PSEUDO_KFUNC_CALL 2

/* ---- Commands, link types ------------------------------------------------------------------------------ */

enum bpf_cmd {
	BPF_MAP_CREATE = 0,
	BPF_MAP_LOOKUP_ELEM = 1,
	BPF_MAP_UPDATE_ELEM = 2,
	BPF_MAP_DELETE_ELEM = 3,
	BPF_MAP_GET_NEXT_KEY = 4,
	BPF_PROG_LOAD = 5,
	BPF_OBJ_PIN = 6,
	BPF_OBJ_GET = 7,
	BPF_PROG_ATTACH = 8,
	BPF_PROG_DETACH = 9,
	BPF_PROG_TEST_RUN = 10,
	BPF_PROG_RUN = BPF_PROG_TEST_RUN,
	BPF_PROG_GET_NEXT_ID = 11,
	BPF_MAP_GET_NEXT_ID = 12,
	BPF_PROG_GET_FD_BY_ID = 13,
	BPF_MAP_GET_FD_BY_ID = 14,
	BPF_OBJ_GET_INFO_BY_FD = 15,
	BPF_PROG_QUERY = 16,
	BPF_RAW_TRACEPOINT_OPEN = 17,
	BPF_BTF_LOAD = 18,
	BPF_BTF_GET_FD_BY_ID = 19,
	BPF_TASK_FD_QUERY = 20,
	BPF_MAP_LOOKUP_AND_DELETE_ELEM = 21,
	BPF_MAP_FREEZE = 22,
	BPF_BTF_GET_NEXT_ID = 23,
	BPF_MAP_LOOKUP_BATCH = 24,
	BPF_MAP_LOOKUP_AND_DELETE_BATCH = 25,
	BPF_MAP_UPDATE_BATCH = 26,
	BPF_MAP_DELETE_BATCH = 27,
	BPF_LINK_CREATE = 28,
	BPF_LINK_UPDATE = 29,
	BPF_LINK_GET_FD_BY_ID = 30,
	BPF_LINK_GET_NEXT_ID = 31,
	BPF_ENABLE_STATS = 32,
	BPF_ITER_CREATE = 33,
	BPF_LINK_DETACH = 34,
	BPF_PROG_BIND_MAP = 35,
	BPF_TOKEN_CREATE = 36,
	BPF_PROG_STREAM_READ_BY_FD = 37,
	__MAX_BPF_CMD = 38,
};

enum bpf_link_type {
	BPF_LINK_TYPE_UNSPEC = 0,
	BPF_LINK_TYPE_RAW_TRACEPOINT = 1,
	BPF_LINK_TYPE_TRACING = 2,
	BPF_LINK_TYPE_CGROUP = 3,
	BPF_LINK_TYPE_ITER = 4,
	BPF_LINK_TYPE_NETNS = 5,
	BPF_LINK_TYPE_XDP = 6,
	BPF_LINK_TYPE_PERF_EVENT = 7,
	BPF_LINK_TYPE_KPROBE_MULTI = 8,
	BPF_LINK_TYPE_STRUCT_OPS = 9,
	BPF_LINK_TYPE_NETFILTER = 10,
	BPF_LINK_TYPE_TCX = 11,
	BPF_LINK_TYPE_UPROBE_MULTI = 12,
	BPF_LINK_TYPE_NETKIT = 13,
	BPF_LINK_TYPE_SOCKMAP = 14,
	__MAX_BPF_LINK_TYPE = 15,
};
#define MAX_BPF_LINK_TYPE __MAX_BPF_LINK_TYPE

/* ---- Map creation and update flags ------------------------------------------------------------------- */

/* flags of bpf_map_update_elem() */
enum {
	BPF_ANY = 0, /* create or update */
	BPF_NOEXIST = 1, /* create only */
	BPF_EXIST = 2, /* update only */
	BPF_F_LOCK = 4, /* take the value's bpf_spin_lock */
};

/* map_flags of BPF_MAP_CREATE */
enum {
	BPF_F_NO_PREALLOC = (1U << 0),
	BPF_F_NO_COMMON_LRU = (1U << 1),
	BPF_F_NUMA_NODE = (1U << 2),
	BPF_F_RDONLY = (1U << 3),
	BPF_F_WRONLY = (1U << 4),
	BPF_F_STACK_BUILD_ID = (1U << 5),
	BPF_F_ZERO_SEED = (1U << 6),
	BPF_F_RDONLY_PROG = (1U << 7),
	BPF_F_WRONLY_PROG = (1U << 8),
	BPF_F_CLONE = (1U << 9),
	BPF_F_MMAPABLE = (1U << 10),
	BPF_F_PRESERVE_ELEMS = (1U << 11),
	BPF_F_INNER_MAP = (1U << 12),
	BPF_F_LINK = (1U << 13),
	BPF_F_PATH_FD = (1U << 14),
	BPF_F_VTYPE_BTF_OBJ_FD = (1U << 15),
	BPF_F_TOKEN_FD = (1U << 16),
	BPF_F_SEGV_ON_FAULT = (1U << 17),
	BPF_F_NO_USER_CONV = (1U << 18),
};

/* prog_flags of BPF_PROG_LOAD */
#define BPF_F_STRICT_ALIGNMENT (1U << 0)
#define BPF_F_ANY_ALIGNMENT (1U << 1)
#define BPF_F_TEST_RND_HI32 (1U << 2)
#define BPF_F_TEST_STATE_FREQ (1U << 3)
#define BPF_F_SLEEPABLE (1U << 4)
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#define BPF_F_TEST_REG_INVARIANTS (1U << 7)

/* attach_flags of BPF_PROG_ATTACH */
#define BPF_F_ALLOW_OVERRIDE (1U << 0)
#define BPF_F_ALLOW_MULTI (1U << 1)
#define BPF_F_REPLACE (1U << 2)
#define BPF_F_BEFORE (1U << 3)
#define BPF_F_AFTER (1U << 4)
#define BPF_F_ID (1U << 5)
#define BPF_F_QUERY_EFFECTIVE (1U << 0)

/* flags of BPF_PROG_TEST_RUN */
#define BPF_F_TEST_RUN_ON_CPU (1U << 0)
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#define BPF_F_TEST_SKB_CHECKSUM_COMPLETE (1U << 2)

/* ---- Helper flags ---------------------------------------------------------------------------------------- */

/* bpf_skb_store_bytes() */
enum {
	BPF_F_RECOMPUTE_CSUM = (1ULL << 0),
	BPF_F_INVALIDATE_HASH = (1ULL << 1),
};

/* bpf_l3_csum_replace() and bpf_l4_csum_replace(): low 4 bits give the field size */
enum {
	BPF_F_HDR_FIELD_MASK = 0xfULL,
};

/* bpf_l4_csum_replace() */
enum {
	BPF_F_PSEUDO_HDR = (1ULL << 4),
	BPF_F_MARK_MANGLED_0 = (1ULL << 5),
	BPF_F_MARK_ENFORCE = (1ULL << 6),
	BPF_F_IPV6 = (1ULL << 7),
};

/* bpf_skb_set_tunnel_key() and bpf_skb_get_tunnel_key() */
enum {
	BPF_F_TUNINFO_IPV6 = (1ULL << 0),
};

/* bpf_get_stackid() and bpf_get_stack() */
enum {
	BPF_F_SKIP_FIELD_MASK = 0xffULL,
	BPF_F_USER_STACK = (1ULL << 8),
	BPF_F_FAST_STACK_CMP = (1ULL << 9),
	BPF_F_REUSE_STACKID = (1ULL << 10),
	BPF_F_USER_BUILD_ID = (1ULL << 11),
};

/* bpf_skb_set_tunnel_key() */
enum {
	BPF_F_ZERO_CSUM_TX = (1ULL << 1),
	BPF_F_DONT_FRAGMENT = (1ULL << 2),
	BPF_F_SEQ_NUMBER = (1ULL << 3),
	BPF_F_NO_TUNNEL_KEY = (1ULL << 4),
};

/* bpf_skb_get_tunnel_key() */
enum {
	BPF_F_TUNINFO_FLAGS = (1ULL << 4),
};

/* bpf_perf_event_output(), bpf_perf_event_read() and bpf_perf_event_read_value() */
enum {
	BPF_F_INDEX_MASK = 0xffffffffULL,
	BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK,
	BPF_F_CTXLEN_MASK = (0xfffffULL << 32),
};

/* bpf_sk_lookup_tcp(), bpf_sk_lookup_udp(), bpf_skc_lookup_tcp(): netns */
enum {
	BPF_F_CURRENT_NETNS = (-1L),
};

/* bpf_csum_level() */
enum {
	BPF_CSUM_LEVEL_QUERY,
	BPF_CSUM_LEVEL_INC,
	BPF_CSUM_LEVEL_DEC,
	BPF_CSUM_LEVEL_RESET,
};

/* bpf_skb_adjust_room() */
enum {
	BPF_F_ADJ_ROOM_FIXED_GSO = (1ULL << 0),
	BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 = (1ULL << 1),
	BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 = (1ULL << 2),
	BPF_F_ADJ_ROOM_ENCAP_L4_GRE = (1ULL << 3),
	BPF_F_ADJ_ROOM_ENCAP_L4_UDP = (1ULL << 4),
	BPF_F_ADJ_ROOM_NO_CSUM_RESET = (1ULL << 5),
	BPF_F_ADJ_ROOM_ENCAP_L2_ETH = (1ULL << 6),
	BPF_F_ADJ_ROOM_DECAP_L3_IPV4 = (1ULL << 7),
	BPF_F_ADJ_ROOM_DECAP_L3_IPV6 = (1ULL << 8),
};

enum {
	BPF_ADJ_ROOM_ENCAP_L2_MASK = 0xff,
	BPF_ADJ_ROOM_ENCAP_L2_SHIFT = 56,
};

#define BPF_F_ADJ_ROOM_ENCAP_L2(len) \
	(((__u64)len & BPF_ADJ_ROOM_ENCAP_L2_MASK) << BPF_ADJ_ROOM_ENCAP_L2_SHIFT)

/* bpf_sysctl_get_name() */
enum {
	BPF_F_SYSCTL_BASE_NAME = (1ULL << 0),
};

/* bpf_sk_storage_get() and the other local-storage getters */
enum {
	BPF_LOCAL_STORAGE_GET_F_CREATE = (1ULL << 0),
	BPF_SK_STORAGE_GET_F_CREATE = BPF_LOCAL_STORAGE_GET_F_CREATE,
};

/* bpf_read_branch_records() */
enum {
	BPF_F_GET_BRANCH_RECORDS_SIZE = (1ULL << 0),
};

/* bpf_ringbuf_output(), bpf_ringbuf_submit(), bpf_ringbuf_discard() */
enum {
	BPF_RB_NO_WAKEUP = (1ULL << 0),
	BPF_RB_FORCE_WAKEUP = (1ULL << 1),
};

/* bpf_ringbuf_query() */
enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
	BPF_RB_CONS_POS = 2,
	BPF_RB_PROD_POS = 3,
	BPF_RB_OVERWRITE_POS = 4,
};

/* ring buffer record header */
enum {
	BPF_RINGBUF_BUSY_BIT = (1U << 31),
	BPF_RINGBUF_DISCARD_BIT = (1U << 30),
	BPF_RINGBUF_HDR_SZ = 8,
};

/* bpf_sk_assign() */
enum {
	BPF_SK_LOOKUP_F_REPLACE = (1ULL << 0),
	BPF_SK_LOOKUP_F_NO_REUSEPORT = (1ULL << 1),
};

/* bpf_skb_adjust_room() mode */
enum bpf_adj_room_mode {
	BPF_ADJ_ROOM_NET,
	BPF_ADJ_ROOM_MAC,
};

/* bpf_skb_load_bytes_relative() start_header */
enum bpf_hdr_start_off {
	BPF_HDR_START_MAC,
	BPF_HDR_START_NET,
};

/* bpf_lwt_push_encap() type */
enum bpf_lwt_encap_mode {
	BPF_LWT_ENCAP_SEG6,
	BPF_LWT_ENCAP_SEG6_INLINE,
	BPF_LWT_ENCAP_IP,
};

/* bpf_bprm_opts_set() */
enum {
	BPF_F_BPRM_SECUREEXEC = (1ULL << 0),
};

/* bpf_redirect_map() */
enum {
	BPF_F_INGRESS = (1ULL << 0),
	BPF_F_BROADCAST = (1ULL << 3),
	BPF_F_EXCLUDE_INGRESS = (1ULL << 4),
};
#define __bpf_redirect_map_flags_all (BPF_F_INGRESS | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)

/* bpf_redirect() and bpf_redirect_peer()/bpf_redirect_neigh() internal flags */
enum {
	BPF_F_NEIGH = (1ULL << 16),
	BPF_F_PEER = (1ULL << 17),
	BPF_F_NEXTHOP = (1ULL << 18),
};

/* bpf_skb_set_tstamp() */
enum {
	BPF_SKB_TSTAMP_UNSPEC = 0,
	BPF_SKB_TSTAMP_DELIVERY_MONO = 1,
	BPF_SKB_CLOCK_REALTIME = 0,
	BPF_SKB_CLOCK_MONOTONIC = 1,
	BPF_SKB_CLOCK_TAI = 2,
};

/* bpf_timer_start() */
enum {
	BPF_F_TIMER_ABS = (1ULL << 0),
	BPF_F_TIMER_CPU_PIN = (1ULL << 1),
};

/* bpf_check_mtu() */
enum bpf_check_mtu_flags {
	BPF_MTU_CHK_SEGS = (1U << 0),
};

enum bpf_check_mtu_ret {
	BPF_MTU_CHK_RET_SUCCESS,
	BPF_MTU_CHK_RET_FRAG_NEEDED,
	BPF_MTU_CHK_RET_SEGS_TOOBIG,
};

/* bpf_fib_lookup() flags */
enum {
	BPF_FIB_LOOKUP_DIRECT = (1U << 0),
	BPF_FIB_LOOKUP_OUTPUT = (1U << 1),
	BPF_FIB_LOOKUP_SKIP_NEIGH = (1U << 2),
	BPF_FIB_LOOKUP_TBID = (1U << 3),
	BPF_FIB_LOOKUP_SRC = (1U << 4),
	BPF_FIB_LOOKUP_MARK = (1U << 5),
};

/* bpf_fib_lookup() return values */
enum {
	BPF_FIB_LKUP_RET_SUCCESS,
	BPF_FIB_LKUP_RET_BLACKHOLE,
	BPF_FIB_LKUP_RET_UNREACHABLE,
	BPF_FIB_LKUP_RET_PROHIBIT,
	BPF_FIB_LKUP_RET_NOT_FWDED,
	BPF_FIB_LKUP_RET_FWD_DISABLED,
	BPF_FIB_LKUP_RET_UNSUPP_LWT,
	BPF_FIB_LKUP_RET_NO_NEIGH,
	BPF_FIB_LKUP_RET_FRAG_NEEDED,
	BPF_FIB_LKUP_RET_NO_SRC_ADDR,
};

/* bpf_loop() */
enum {
	BPF_F_LOOP_FLAGS_NONE = 0,
};

/* ---- Program return codes -------------------------------------------------------------------------- */

/* XDP programs */
enum xdp_action {
	XDP_ABORTED = 0,
	XDP_DROP,
	XDP_PASS,
	XDP_TX,
	XDP_REDIRECT,
};

/* sk_skb and sk_msg programs */
enum sk_action {
	SK_DROP = 0,
	SK_PASS,
};

/* lwt programs */
enum bpf_ret_code {
	BPF_OK = 0,
	BPF_DROP = 2,
	BPF_REDIRECT = 7,
	BPF_LWT_REROUTE = 128,
	BPF_FLOW_DISSECTOR_CONTINUE = 129,
};

/* ---- Contexts and the structures programs read ------------------------------------------------------ */

/* A pointer member of a context: 8 bytes on every architecture. */
#define __bpf_md_ptr(type, name) \
	union {                      \
		type name;               \
		__u64 : 64;              \
	} __attribute__((aligned(8)))

/* Socket filters, tc, cgroup_skb, lwt, sk_skb and flow dissector programs. */
struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
	__u32 tc_classid;
	__u32 data;
	__u32 data_end;
	__u32 napi_id;

	/* Socket fields, readable by cgroup_skb and sk_skb programs. */
	__u32 family;
	__u32 remote_ip4; /* network byte order */
	__u32 local_ip4; /* network byte order */
	__u32 remote_ip6[4]; /* network byte order */
	__u32 local_ip6[4]; /* network byte order */
	__u32 remote_port; /* network byte order */
	__u32 local_port; /* host byte order */

	__u32 data_meta;
	__bpf_md_ptr(struct bpf_flow_keys *, flow_keys);
	__u64 tstamp;
	__u32 wire_len;
	__u32 gso_segs;
	__bpf_md_ptr(struct bpf_sock *, sk);
	__u32 gso_size;
	__u8 tstamp_type;
	__u32 : 24; /* padding */
	__u64 hwtstamp;
};

/* XDP programs. */
struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex; /* rxq->dev->ifindex */
	__u32 rx_queue_index; /* rxq->queue_index */
	__u32 egress_ifindex; /* txq->dev->ifindex, devmap programs only */
};

struct bpf_tunnel_key {
	__u32 tunnel_id;
	union {
		__u32 remote_ipv4;
		__u32 remote_ipv6[4];
	};
	__u8 tunnel_tos;
	__u8 tunnel_ttl;
	union {
		__u16 tunnel_ext; /* padding, future use */
		__be16 tunnel_flags;
	};
	__u32 tunnel_label;
	union {
		__u32 local_ipv4;
		__u32 local_ipv6[4];
	};
};

struct bpf_xfrm_state {
	__u32 reqid;
	__u32 spi; /* network byte order */
	__u16 family;
	__u16 ext; /* padding, future use */
	union {
		__u32 remote_ipv4; /* network byte order */
		__u32 remote_ipv6[4]; /* network byte order */
	};
};

/* A socket, as bpf_sk_lookup_tcp(), __sk_buff.sk and cgroup_sock programs give it. */
struct bpf_sock {
	__u32 bound_dev_if;
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 mark;
	__u32 priority;
	__u32 src_ip4; /* network byte order */
	__u32 src_ip6[4];
	__u32 src_port; /* host byte order */
	__be16 dst_port; /* network byte order */
	__u16 : 16; /* padding */
	__u32 dst_ip4;
	__u32 dst_ip6[4];
	__u32 state;
	__s32 rx_queue_mapping;
};

struct bpf_tcp_sock {
	__u32 snd_cwnd;
	__u32 srtt_us; /* smoothed round trip time << 3 in usecs */
	__u32 rtt_min;
	__u32 snd_ssthresh;
	__u32 rcv_nxt;
	__u32 snd_nxt;
	__u32 snd_una;
	__u32 mss_cache;
	__u32 ecn_flags;
	__u32 rate_delivered;
	__u32 rate_interval_us;
	__u32 packets_out;
	__u32 retrans_out;
	__u32 total_retrans;
	__u32 segs_in;
	__u32 data_segs_in;
	__u32 segs_out;
	__u32 data_segs_out;
	__u32 lost_out;
	__u32 sacked_out;
	__u64 bytes_received;
	__u64 bytes_acked;
	__u32 dsack_dups;
	__u32 delivered;
	__u32 delivered_ce;
	__u32 icsk_retransmits;
};

/* The 4-tuple bpf_sk_lookup_tcp() and friends search for (addresses and ports in network byte order). */
struct bpf_sock_tuple {
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
			__be16 sport;
			__be16 dport;
		} ipv4;
		struct {
			__be32 saddr[4];
			__be32 daddr[4];
			__be16 sport;
			__be16 dport;
		} ipv6;
	};
};

/* tcp_sock states as bpf_sock.state reports them */
enum {
	BPF_TCP_ESTABLISHED = 1,
	BPF_TCP_SYN_SENT,
	BPF_TCP_SYN_RECV,
	BPF_TCP_FIN_WAIT1,
	BPF_TCP_FIN_WAIT2,
	BPF_TCP_TIME_WAIT,
	BPF_TCP_CLOSE,
	BPF_TCP_CLOSE_WAIT,
	BPF_TCP_LAST_ACK,
	BPF_TCP_LISTEN,
	BPF_TCP_CLOSING,
	BPF_TCP_NEW_SYN_RECV,
	BPF_TCP_BOUND_INACTIVE,
	BPF_TCP_MAX_STATES,
};

struct bpf_xdp_sock {
	__u32 queue_id;
};

/* Value of a devmap / devmap_hash with a program, and of a cpumap. */
struct bpf_devmap_val {
	__u32 ifindex;
	union {
		int fd;
		__u32 id;
	} bpf_prog;
};

struct bpf_cpumap_val {
	__u32 qsize;
	union {
		int fd;
		__u32 id;
	} bpf_prog;
};

/* sk_msg programs. */
struct sk_msg_md {
	__bpf_md_ptr(void *, data);
	__bpf_md_ptr(void *, data_end);

	__u32 family;
	__u32 remote_ip4; /* network byte order */
	__u32 local_ip4; /* network byte order */
	__u32 remote_ip6[4]; /* network byte order */
	__u32 local_ip6[4]; /* network byte order */
	__u32 remote_port; /* network byte order */
	__u32 local_port; /* host byte order */
	__u32 size; /* total size of the message */

	__bpf_md_ptr(struct bpf_sock *, sk);
};

/* sk_reuseport programs. */
struct sk_reuseport_md {
	__bpf_md_ptr(void *, data);
	__bpf_md_ptr(void *, data_end);
	__u32 len;
	__u32 eth_protocol;
	__u32 ip_protocol;
	__u32 bind_inany;
	__u32 hash;
	__bpf_md_ptr(struct bpf_sock *, sk);
	__bpf_md_ptr(struct bpf_sock *, migrating_sk);
};

/* cgroup_sock_addr programs (bind, connect, sendmsg, recvmsg, getpeername, getsockname). */
struct bpf_sock_addr {
	__u32 user_family;
	__u32 user_ip4; /* network byte order */
	__u32 user_ip6[4]; /* network byte order */
	__u32 user_port; /* network byte order */
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 msg_src_ip4; /* network byte order */
	__u32 msg_src_ip6[4]; /* network byte order */
	__bpf_md_ptr(struct bpf_sock *, sk);
};

/* sock_ops programs. */
struct bpf_sock_ops {
	__u32 op;
	union {
		__u32 args[4];
		__u32 reply;
		__u32 replylong[4];
	};
	__u32 family;
	__u32 remote_ip4; /* network byte order */
	__u32 local_ip4; /* network byte order */
	__u32 remote_ip6[4]; /* network byte order */
	__u32 local_ip6[4]; /* network byte order */
	__u32 remote_port; /* network byte order */
	__u32 local_port; /* host byte order */
	__u32 is_fullsock;
	__u32 snd_cwnd;
	__u32 srtt_us;
	__u32 bpf_sock_ops_cb_flags;
	__u32 state;
	__u32 rtt_min;
	__u32 snd_ssthresh;
	__u32 rcv_nxt;
	__u32 snd_nxt;
	__u32 snd_una;
	__u32 mss_cache;
	__u32 ecn_flags;
	__u32 rate_delivered;
	__u32 rate_interval_us;
	__u32 packets_out;
	__u32 retrans_out;
	__u32 total_retrans;
	__u32 segs_in;
	__u32 data_segs_in;
	__u32 segs_out;
	__u32 data_segs_out;
	__u32 lost_out;
	__u32 sacked_out;
	__u32 sk_txhash;
	__u64 bytes_received;
	__u64 bytes_acked;
	__bpf_md_ptr(struct bpf_sock *, sk);
	__bpf_md_ptr(void *, skb_data);
	__bpf_md_ptr(void *, skb_data_end);
	__u32 skb_len;
	__u32 skb_tcp_flags;
	__u64 skb_hwtstamp;
};

/* bpf_sock_ops_cb_flags */
enum {
	BPF_SOCK_OPS_RTO_CB_FLAG = (1 << 0),
	BPF_SOCK_OPS_RETRANS_CB_FLAG = (1 << 1),
	BPF_SOCK_OPS_STATE_CB_FLAG = (1 << 2),
	BPF_SOCK_OPS_RTT_CB_FLAG = (1 << 3),
	BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG = (1 << 4),
	BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG = (1 << 5),
	BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG = (1 << 6),
	BPF_SOCK_OPS_ALL_CB_FLAGS = 0x7F,
};

/* bpf_sock_ops.op */
enum {
	BPF_SOCK_OPS_VOID,
	BPF_SOCK_OPS_TIMEOUT_INIT,
	BPF_SOCK_OPS_RWND_INIT,
	BPF_SOCK_OPS_TCP_CONNECT_CB,
	BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB,
	BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB,
	BPF_SOCK_OPS_NEEDS_ECN,
	BPF_SOCK_OPS_BASE_RTT,
	BPF_SOCK_OPS_RTO_CB,
	BPF_SOCK_OPS_RETRANS_CB,
	BPF_SOCK_OPS_STATE_CB,
	BPF_SOCK_OPS_TCP_LISTEN_CB,
	BPF_SOCK_OPS_RTT_CB,
	BPF_SOCK_OPS_PARSE_HDR_OPT_CB,
	BPF_SOCK_OPS_HDR_OPT_LEN_CB,
	BPF_SOCK_OPS_WRITE_HDR_OPT_CB,
	BPF_SOCK_OPS_TSTAMP_SCHED_CB,
	BPF_SOCK_OPS_TSTAMP_SND_SW_CB,
	BPF_SOCK_OPS_TSTAMP_SND_HW_CB,
	BPF_SOCK_OPS_TSTAMP_ACK_CB,
	BPF_SOCK_OPS_TSTAMP_SENDMSG_CB,
};

/* The parameters and results of bpf_fib_lookup(). */
#define BPF_FIB_LOOKUP_PARAMS_SIZE 64
struct bpf_fib_lookup {
	/* input */
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 l4_protocol;
	__be16 sport;
	__be16 dport;
	union {
		__u16 tot_len; /* input: packet length */
		__u16 mtu_result; /* output: MTU when BPF_FIB_LKUP_RET_FRAG_NEEDED */
	};
	__u32 ifindex; /* input: ingress ifindex; output: egress ifindex */
	union {
		__u8 tos; /* AF_INET */
		__be32 flowinfo; /* AF_INET6, flow label and priority */
		__u32 rt_metric; /* output: metric of the route */
	};
	union {
		__be32 ipv4_src;
		__u32 ipv6_src[4];
	};
	union {
		__be32 ipv4_dst;
		__u32 ipv6_dst[4];
	};
	union {
		struct {
			__be16 h_vlan_proto; /* output */
			__be16 h_vlan_TCI;
		};
		__u32 tbid; /* input with BPF_FIB_LOOKUP_TBID */
	};
	union {
		struct {
			__u32 mark; /* input with BPF_FIB_LOOKUP_MARK */
		};
		struct {
			__u8 smac[6]; /* output: ETH_ALEN */
			__u8 dmac[6];
		};
	};
};

struct bpf_redir_neigh {
	__u32 nh_family;
	union {
		__be32 ipv4_nh;
		__u32 ipv6_nh[4];
	};
};

/* flow dissector: bpf_flow_keys.flags */
enum {
	BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG = (1U << 0),
	BPF_FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL = (1U << 1),
	BPF_FLOW_DISSECTOR_F_STOP_AT_ENCAP = (1U << 2),
};

struct bpf_flow_keys {
	__u16 nhoff;
	__u16 thoff;
	__u16 addr_proto; /* ETH_P_* of the L3 protocol */
	__u8 is_frag;
	__u8 is_first_frag;
	__u8 is_encap;
	__u8 ip_proto;
	__be16 n_proto;
	__be16 sport;
	__be16 dport;
	union {
		struct {
			__be32 ipv4_src;
			__be32 ipv4_dst;
		};
		struct {
			__u32 ipv6_src[4];
			__u32 ipv6_dst[4];
		};
	};
	__u32 flags;
	__be32 flow_label;
};

/* sk_lookup programs. */
struct bpf_sk_lookup {
	union {
		__bpf_md_ptr(struct bpf_sock *, sk);
		__u64 cookie;
	};
	__u32 family;
	__u32 protocol;
	__u32 remote_ip4; /* network byte order */
	__u32 remote_ip6[4]; /* network byte order */
	__be16 remote_port; /* network byte order */
	__u16 : 16; /* padding */
	__u32 local_ip4; /* network byte order */
	__u32 local_ip6[4]; /* network byte order */
	__u32 local_port; /* host byte order */
	__u32 ingress_ifindex;
};

/* cgroup_device programs. */
struct bpf_cgroup_dev_ctx {
	__u32 access_type; /* (access << 16) | type */
	__u32 major;
	__u32 minor;
};

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

/* cgroup_sysctl programs. */
struct bpf_sysctl {
	__u32 write;
	__u32 file_pos;
};

/* cgroup_sockopt programs. */
struct bpf_sockopt {
	__bpf_md_ptr(struct bpf_sock *, sk);
	__bpf_md_ptr(void *, optval);
	__bpf_md_ptr(void *, optval_end);
	__s32 level;
	__s32 optname;
	__s32 optlen;
	__s32 retval;
};

struct bpf_pidns_info {
	__u32 pid;
	__u32 tgid;
};

struct bpf_perf_event_value {
	__u64 counter;
	__u64 enabled;
	__u64 running;
};

enum bpf_stack_build_id_status {
	BPF_STACK_BUILD_ID_EMPTY = 0,
	BPF_STACK_BUILD_ID_VALID = 1,
	BPF_STACK_BUILD_ID_IP = 2,
};

#define BPF_BUILD_ID_SIZE 20
struct bpf_stack_build_id {
	__s32 status;
	unsigned char build_id[BPF_BUILD_ID_SIZE];
	union {
		__u64 offset;
		__u64 ip;
	};
};

/* LPM trie keys: a prefix length in bits, then the data. */
struct bpf_lpm_trie_key_hdr {
	__u32 prefixlen;
};

struct bpf_lpm_trie_key_u8 {
	union {
		struct bpf_lpm_trie_key_hdr hdr;
		__u32 prefixlen;
	};
	__u8 data[];
};

struct bpf_cgroup_storage_key {
	__u64 cgroup_inode_id;
	__u32 attach_type;
};

/* Opaque objects that map values may embed; the kernel owns their contents. */
struct bpf_spin_lock {
	__u32 val;
};

struct bpf_timer {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_wq {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_dynptr {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_head {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_node {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

struct bpf_rb_root {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_rb_node {
	__u64 __opaque[4];
} __attribute__((aligned(8)));

struct bpf_refcount {
	__u32 __opaque[1];
} __attribute__((aligned(4)));

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

/* BPF_PROG_TYPE_CGROUP_DEVICE access */
enum {
	BPF_DEVCG_ACC_MKNOD = (1ULL << 0),
	BPF_DEVCG_ACC_READ = (1ULL << 1),
	BPF_DEVCG_ACC_WRITE = (1ULL << 2),
};

enum {
	BPF_DEVCG_DEV_BLOCK = (1ULL << 0),
	BPF_DEVCG_DEV_CHAR = (1ULL << 1),
};

#endif /* __TSBPF_LINUX_BPF_H */
