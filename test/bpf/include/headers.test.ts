import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ATTACH_TYPES,
  CONTEXT_LAYOUTS,
  HELPERS,
  MAP_FLAGS,
  MAP_TYPES,
  MAP_UPDATE_FLAGS,
  PROG_TYPES,
} from '../../../bpf/tables/index.ts';
import { INCLUDE_DIR, generatedHeaders } from '../../../scripts/gen-headers.ts';
import { available, bpftool, clang19, kernelBpf, llvmObjdump19 } from '../../support/require.ts';
import { kernelBtf, loadKernelBtf } from '../tables/kernel-btf.ts';

const CFLAGS = ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', INCLUDE_DIR, '-Wall', '-Werror'];

const dir = mkdtempSync(join(tmpdir(), 'tsbpf-headers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compile `source` as `name`.c; returns the object path, or throws with clang's diagnostics. */
function compile(name: string, source: string): string {
  const src = join(dir, `${name}.c`);
  const obj = join(dir, `${name}.o`);
  writeFileSync(src, source);
  const r = spawnSync('clang-19', [...CFLAGS, '-c', src, '-o', obj], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`clang-19 ${name}.c failed:\n${r.stderr}`);
  return obj;
}

// ---- Programs in the libbpf style, one per common use ------------------------------------------------

const XDP_FIREWALL = String.raw`
#include <stddef.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key {
	__u32 saddr;
	__be16 dport;
	__u8 proto;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, __u32);
} blocklist SEC(".maps");

enum { CNT_PASS, CNT_DROP, CNT_SYN, CNT_ICMP, CNT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += 1;
}

static __always_inline bool parse_l4(void *l4, void *data_end, struct flow_key *k)
{
	if (k->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > data_end)
			return false;
		if (th->syn && !th->ack)
			count(CNT_SYN);
		k->dport = th->dest;
	} else if (k->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > data_end)
			return false;
		k->dport = uh->dest;
	} else if (k->proto == IPPROTO_ICMP) {
		struct icmphdr *ic = l4;
		if ((void *)(ic + 1) > data_end)
			return false;
		if (ic->type == ICMP_ECHO)
			count(CNT_ICMP);
	} else if (k->proto == IPPROTO_ICMPV6) {
		struct icmp6hdr *ic6 = l4;
		if ((void *)(ic6 + 1) > data_end)
			return false;
		if (ic6->icmp6_type == ICMPV6_ECHO_REQUEST)
			count(CNT_ICMP);
	}
	return true;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow_key k = {};
	void *l3, *l4;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vh = l3;
		if ((void *)(vh + 1) > data_end)
			return XDP_PASS;
		proto = vh->h_vlan_encapsulated_proto;
		l3 = vh + 1;
	}
	switch (proto) {
	case bpf_htons(ETH_P_IP): {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		if (ip->version != 4 || ip->ihl < 5)
			return XDP_DROP;
		if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
			return XDP_PASS;
		k.saddr = ip->saddr;
		k.proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
		break;
	}
	case bpf_htons(ETH_P_IPV6): {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		k.saddr = ip6->saddr.s6_addr32[3];
		k.proto = ip6->nexthdr;
		l4 = ip6 + 1;
		break;
	}
	default:
		return XDP_PASS;
	}
	if (!parse_l4(l4, data_end, &k))
		return XDP_PASS;
	if (bpf_map_lookup_elem(&blocklist, &k)) {
		count(CNT_DROP);
		return XDP_DROP;
	}
	count(CNT_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;

const TC_REWRITE = String.raw`
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN
#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + offsetof(struct iphdr, daddr))
#define TCP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, check))
#define TCP_DPORT_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, dest))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __be32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} new_daddr SEC(".maps");

SEC("tcx/ingress")
int tc_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	__u32 zero = 0;

	if ((void *)(th + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;

	skb->mark = 0x1234;
	skb->priority = TC_H_MAKE(1 << 16, 10);
	skb->tc_classid = TC_H_MAKE(1 << 16, 1);
	skb->cb[0] = skb->len;
	skb->tc_index = (__u16)skb->ifindex;

	__be32 *daddr = bpf_map_lookup_elem(&new_daddr, &zero);
	if (!daddr || !*daddr)
		return TC_ACT_OK;
	__be32 old_daddr = ip->daddr;
	__be32 to = *daddr;
	__be16 old_port = th->dest;
	__be16 new_port = bpf_htons(8080);

	bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_daddr, to, BPF_F_PSEUDO_HDR | sizeof(to));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_daddr, to, sizeof(to));
	bpf_skb_store_bytes(skb, IP_DST_OFF, &to, sizeof(to), 0);
	bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_port, new_port, sizeof(new_port));
	bpf_skb_store_bytes(skb, TCP_DPORT_OFF, &new_port, sizeof(new_port), BPF_F_RECOMPUTE_CSUM);
	return bpf_redirect(skb->ifindex, 0) == TC_ACT_REDIRECT ? TC_ACT_REDIRECT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
`;

const SOCKET_FILTER = String.raw`
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Keep UDP datagrams to port 53 (whole packet), drop everything else. */
SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr uh;

	if (skb->pkt_type == PACKET_OUTGOING || skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4, &uh, sizeof(uh)) < 0)
		return 0;
	return uh.dest == bpf_htons(53) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
`;

const RINGBUF_PRINTK = String.raw`
#include <stdint.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct event {
	uint64_t ts;
	uint32_t ifindex;
	uint32_t len;
	uint16_t proto;
	uint8_t mac[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

const volatile uint32_t sample_every = 1;
uint64_t seen = 0;

SEC("xdp")
int xdp_events(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	seen++;
	if (sample_every == 0 || seen % sample_every)
		return XDP_PASS;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		bpf_printk("ring buffer full");
		return XDP_PASS;
	}
	e->ts = bpf_ktime_get_ns();
	e->ifindex = ctx->ingress_ifindex;
	e->len = (uint32_t)(data_end - data);
	e->proto = bpf_ntohs(eth->h_proto);
	__builtin_memcpy(e->mac, eth->h_source, ETH_ALEN);
	bpf_printk("if %u len %u proto %x", e->ifindex, e->len, e->proto);
	bpf_printk("cpu %u rx %u ts %llu len %u proto %x", bpf_get_smp_processor_id(), ctx->rx_queue_index, e->ts, e->len, e->proto);
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;

const CORE_READ = String.raw`
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* Local definitions of the kernel structures used, relocated against the kernel's BTF at load. */
struct mm_struct {
	unsigned long start_code;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, int);
	__type(value, unsigned long);
} code_by_pid SEC(".maps");

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(on_nanosleep, void *t, int mode)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int pid = BPF_CORE_READ(task, pid);
	int ppid = BPF_CORE_READ(task, real_parent, tgid);
	unsigned long code = BPF_CORE_READ(task, mm, start_code);
	char comm[16];

	BPF_CORE_READ_INTO(&comm, task, comm);
	if (bpf_core_field_exists(task->mm) && bpf_core_type_exists(struct mm_struct))
		bpf_map_update_elem(&code_by_pid, &pid, &code, BPF_ANY);
	bpf_printk("%s %d parent %d mode %d", comm, pid, ppid, mode);
	return (int)bpf_core_field_size(struct task_struct, comm) + (t != 0);
}

SEC("kretprobe/do_nanosleep")
int BPF_KRETPROBE(on_nanosleep_ret, long ret)
{
	return ret != 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const TRACING = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fentry/do_nanosleep")
int BPF_PROG(on_nanosleep_entry, void *t, int mode)
{
	return mode;
}

SEC("fexit/do_nanosleep")
int BPF_PROG(on_nanosleep_exit, void *t, int mode, int ret)
{
	return ret;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch)
{
	bpf_printk("switch %llu", ctx[0]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const SOCKETS_AND_FIB = String.raw`
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jump SEC(".maps");

struct lpm_v4 {
	struct bpf_lpm_trie_key_hdr hdr;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4);
	__type(value, __u32);
} routes SEC(".maps");

struct timer_elem {
	struct bpf_timer t;
	struct bpf_spin_lock lock;
	__u64 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct timer_elem);
} timers SEC(".maps");

static int on_timer(void *map, __u32 *key, struct timer_elem *v)
{
	return 0;
}

static long step(__u64 i, void *ctx)
{
	*(__u64 *)ctx += i;
	return 0;
}

SEC("xdp")
int xdp_forward(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct bpf_fib_lookup fib = {};
	struct lpm_v4 key = { .hdr.prefixlen = 32 };
	__u32 zero = 0;
	__u64 sum = 0;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key.addr = ip->daddr;
	if (!bpf_map_lookup_elem(&routes, &key))
		return XDP_PASS;

	struct timer_elem *te = bpf_map_lookup_elem(&timers, &zero);
	if (te) {
		bpf_spin_lock(&te->lock);
		te->hits++;
		bpf_spin_unlock(&te->lock);
		bpf_timer_init(&te->t, &timers, 1 /* CLOCK_MONOTONIC */);
		bpf_timer_set_callback(&te->t, on_timer);
		bpf_timer_start(&te->t, 1000000, 0);
	}
	bpf_loop(4, step, &sum, 0);

	fib.family = AF_INET;
	fib.tos = ip->tos;
	fib.l4_protocol = ip->protocol;
	fib.tot_len = bpf_ntohs(ip->tot_len);
	fib.ipv4_src = ip->saddr;
	fib.ipv4_dst = ip->daddr;
	fib.ifindex = ctx->ingress_ifindex;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	if (sum > 100)
		bpf_tail_call_static(ctx, &jump, 0);
	return bpf_redirect_map(&ports, fib.ifindex, XDP_PASS);
}

SEC("tc")
int tc_sockets(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *th = (void *)(ip + 1);
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	if ((void *)(th + 1) > data_end)
		return TC_ACT_OK;
	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	tuple.ipv4.sport = th->source;
	tuple.ipv4.dport = th->dest;
	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_SHOT;
	if (sk->state == BPF_TCP_LISTEN)
		skb->mark = sk->src_port;
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

SEC("cgroup_skb/egress")
int egress_guard(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	return sk->dst_port != bpf_htons(25);
}

char LICENSE[] SEC("license") = "GPL";
`;

const EVERYTHING = String.raw`
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <asm/types.h>
#include <asm/byteorder.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/bpf_common.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
/* Twice: every header is idempotent. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

_Static_assert(sizeof(__u64) == 8 && sizeof(__s32) == 4 && sizeof(__be16) == 2, "integer types");
_Static_assert(sizeof(size_t) == 8 && sizeof(uintptr_t) == 8 && sizeof(int64_t) == 8, "LP64");
_Static_assert(true == 1 && false == 0, "stdbool");
_Static_assert(bpf_htons(0x0800) == 0x0008, "bpf_htons folds");
_Static_assert(bpf_htonl(0x0a000001) == 0x0100000a, "bpf_htonl folds");
_Static_assert(bpf_cpu_to_be64(0x0102030405060708ULL) == 0x0807060504030201ULL, "bpf_cpu_to_be64 folds");
_Static_assert(bpf_ntohs(bpf_htons(ETH_P_IPV6)) == ETH_P_IPV6, "round trip");
_Static_assert(sizeof(struct ethhdr) == ETH_HLEN, "ethhdr");
_Static_assert(sizeof(struct vlan_hdr) == VLAN_HLEN && sizeof(struct vlan_ethhdr) == VLAN_ETH_HLEN, "vlan");
_Static_assert(sizeof(struct iphdr) == 20 && sizeof(struct ipv6hdr) == 40, "ip");
_Static_assert(sizeof(struct tcphdr) == 20 && sizeof(struct udphdr) == 8, "l4");
_Static_assert(sizeof(struct icmphdr) == 8 && sizeof(struct icmp6hdr) == 8, "icmp");
_Static_assert(sizeof(struct in6_addr) == 16 && sizeof(struct bpf_insn) == 8, "misc");
_Static_assert(sizeof(struct bpf_fib_lookup) == BPF_FIB_LOOKUP_PARAMS_SIZE, "fib");
_Static_assert(BPF_JMP32 == 0x06 && BPF_ALU64 == 0x07 && BPF_DW == 0x18 && BPF_CALL == 0x80, "opcodes");
_Static_assert(BPF_CLASS(0x85) == BPF_JMP && BPF_OP(0x85) == BPF_CALL, "opcode fields");
_Static_assert(XDP_PASS == 2 && XDP_REDIRECT == 4 && TC_ACT_SHOT == 2 && TC_ACT_REDIRECT == 7, "actions");
_Static_assert(IPPROTO_TCP == 6 && IPPROTO_UDP == 17 && IPPROTO_ICMPV6 == 58, "protocols");
_Static_assert(ETH_P_IP == 0x0800 && ETH_P_IPV6 == 0x86DD && ETH_P_8021Q == 0x8100, "ethertypes");
_Static_assert(BPF_F_CURRENT_CPU == 0xffffffffULL && BPF_F_INGRESS == 1, "helper flags");
_Static_assert(LIBBPF_PIN_BY_NAME == 1, "pinning");

/* The flag word of a TCP header with only SYN set. */
static const unsigned char syn_hdr[20] = { [13] = 0x02, [12] = 0x50 };

SEC("tc")
int all_headers(struct __sk_buff *skb)
{
	const struct tcphdr *th = (const void *)syn_hdr;
	struct iphdr ip = { .version = 4, .ihl = 5 };
	if (!th->syn || th->ack || th->doff != 5 || (tcp_flag_word(th) & TCP_FLAG_SYN) == 0)
		return TC_ACT_SHOT;
	if (((unsigned char *)&ip)[0] != 0x45)
		return TC_ACT_SHOT;
	return likely(skb->len > 0) ? TC_ACT_OK : TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
`;

const PROGRAMS: Readonly<Record<string, string>> = {
  xdp_firewall: XDP_FIREWALL,
  tc_rewrite: TC_REWRITE,
  socket_filter: SOCKET_FILTER,
  ringbuf_printk: RINGBUF_PRINTK,
  core_read: CORE_READ,
  tracing: TRACING,
  sockets_and_fib: SOCKETS_AND_FIB,
  every_header: EVERYTHING,
};

// ---- Tests -----------------------------------------------------------------------------------------------------

describe('generated headers', () => {
  it('bpf_helper_defs.h and bpf_enums.h are what scripts/gen-headers.ts generates now', () => {
    for (const { path, text } of generatedHeaders()) {
      const file = join(INCLUDE_DIR, path);
      expect(existsSync(file), `${path} exists`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${path} is current (run npx tsx scripts/gen-headers.ts)`).toBe(text);
    }
  });

  it('bpf_helper_defs.h declares every helper with its id', () => {
    const text = readFileSync(join(INCLUDE_DIR, 'bpf/bpf_helper_defs.h'), 'utf8');
    for (const h of HELPERS) expect(text).toContain(`(* const ${h.symbol})(`);
    expect(text).toContain('static void *(* const bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;');
    expect(text).toContain(
      'static long (* const bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *) 2;',
    );
    expect(text).toContain('static long (* const bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *) 6;');
  });
});

describe('headers compile with clang-19', () => {
  const run = available('headers compile with clang-19', clang19);

  for (const [name, source] of Object.entries(PROGRAMS)) {
    it.runIf(run)(`${name}.c compiles with -target bpf -nostdinc -I bpf/include -Wall -Werror`, () => {
      const obj = compile(name, source);
      expect(readFileSync(obj).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    });
  }

  it.runIf(run && llvmObjdump19.ok)('helper calls compile to call instructions with the table ids', () => {
    const obj = compile('ids', String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("tc") int f(struct __sk_buff *skb) {
	__u64 t = bpf_ktime_get_ns();
	bpf_skb_store_bytes(skb, 0, &t, 8, 0);
	return bpf_redirect(1, 0) + bpf_get_prandom_u32();
}
char LICENSE[] SEC("license") = "GPL";`);
    const dis = execFileSync('llvm-objdump-19', ['-d', obj], { encoding: 'utf8' });
    const calls = [...dis.matchAll(/\bcall (0x[0-9a-f]+|\d+)/g)].map((m) => Number(m[1]));
    expect(calls).toEqual([5, 9, 23, 7]);
  });

  it.runIf(run)('struct layouts in the headers match the context tables', () => {
    const lines = ['#include <linux/bpf.h>', '#include <stddef.h>'];
    for (const layout of Object.values(CONTEXT_LAYOUTS)) {
      const s = `struct ${layout.struct}`;
      lines.push(`_Static_assert(sizeof(${s}) == ${layout.size}, "sizeof(${s})");`);
      for (const f of layout.fields) {
        lines.push(`_Static_assert(__builtin_offsetof(${s}, ${f.name}) == ${f.offset}, "${s}.${f.name} offset");`);
        lines.push(`_Static_assert(sizeof(((${s} *)0)->${f.name}) == ${f.size * f.count}, "${s}.${f.name} size");`);
      }
    }
    compile('layouts', `${lines.join('\n')}\n`);
  });

  it.runIf(run)('enum values in the headers match the tables', () => {
    const lines = ['#include <linux/bpf.h>'];
    const eq = (name: string, value: number | bigint): void => {
      lines.push(`_Static_assert(${name} == ${value}, "${name}");`);
    };
    for (const m of MAP_TYPES) {
      eq(m.enumName, m.id);
      for (const a of m.aliases) eq(a, m.id);
    }
    for (const p of PROG_TYPES) eq(p.enumName, p.id);
    for (const a of ATTACH_TYPES) eq(a.name, a.id);
    for (const h of HELPERS) eq(h.enumName, h.id);
    for (const [n, v] of Object.entries(MAP_FLAGS)) eq(n, v);
    for (const [n, v] of Object.entries(MAP_UPDATE_FLAGS)) eq(n, v);
    compile('enums', `${lines.join('\n')}\n`);
  });
});

describe('headers against the kernel BTF', () => {
  const run = available('headers against the kernel BTF', clang19, kernelBtf);

  // Structures the headers define that the kernel's BTF also has.
  const STRUCTS = [
    'ethhdr', 'vlan_hdr', 'vlan_ethhdr', 'iphdr', 'ipv6hdr', 'in6_addr', 'tcphdr', 'udphdr', 'icmphdr', 'icmp6hdr',
    'bpf_insn', 'bpf_sock', 'bpf_tcp_sock', 'bpf_sock_tuple', 'bpf_xdp_sock', 'bpf_tunnel_key', 'bpf_xfrm_state',
    'bpf_fib_lookup', 'bpf_redir_neigh', 'bpf_flow_keys', 'bpf_spin_lock', 'bpf_timer', 'bpf_wq', 'bpf_dynptr',
    'bpf_list_head', 'bpf_list_node', 'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount', 'bpf_iter_num',
    'bpf_perf_event_value', 'bpf_pidns_info', 'bpf_devmap_val', 'bpf_cpumap_val', 'bpf_stack_build_id',
    'bpf_lpm_trie_key_hdr', 'bpf_lpm_trie_key_u8', 'bpf_cgroup_storage_key', 'bpf_sysctl', 'bpf_sockopt',
    'bpf_cgroup_dev_ctx', 'bpf_sock_addr', 'bpf_sk_lookup', 'sk_msg_md', 'sk_reuseport_md', 'bpf_sock_ops',
    'xdp_md', '__sk_buff',
  ];

  it.runIf(run)('every structure the headers share with the kernel has the kernel size and member offsets', () => {
    const btf = loadKernelBtf();
    const lines = [
      '#include <linux/bpf.h>', '#include <linux/if_ether.h>', '#include <linux/if_vlan.h>', '#include <linux/ip.h>',
      '#include <linux/ipv6.h>', '#include <linux/tcp.h>', '#include <linux/udp.h>', '#include <linux/icmp.h>',
      '#include <linux/icmpv6.h>',
    ];
    for (const name of STRUCTS) {
      const k = btf.struct(name);
      expect(k, `kernel BTF has struct ${name}`).toBeDefined();
      if (k === undefined) continue;
      const s = `struct ${name}`;
      lines.push(`_Static_assert(sizeof(${s}) == ${k.size}, "sizeof(${s}) == ${k.size}");`);
      for (const m of k.members) {
        if (m.name === '' || m.name === '(anon)' || m.bitfieldSize !== 0) continue;
        lines.push(`_Static_assert(__builtin_offsetof(${s}, ${m.name}) == ${m.offset}, "${s}.${m.name} at ${m.offset}");`);
      }
    }
    compile('kernel_layouts', `${lines.join('\n')}\n`);
  });

  it.runIf(run && llvmObjdump19.ok)('bitfields of the IP and TCP headers sit where the kernel puts them', () => {
    const btf = loadKernelBtf();
    // One initialised object per bitfield with only that field set to 1; its bytes show where the field is.
    const lines = ['#include <linux/ip.h>', '#include <linux/ipv6.h>', '#include <linux/tcp.h>'];
    const cases: { struct: string; field: string; index: number; bitsOffset: number }[] = [];
    for (const struct of ['iphdr', 'ipv6hdr', 'tcphdr']) {
      const fields = (btf.struct(struct)?.members ?? []).filter((m) => m.bitfieldSize !== 0);
      const inits = fields.map((m, index) => {
        cases.push({ struct, field: m.name, index, bitsOffset: m.bitsOffset });
        return `{ .${m.name} = 1 }`;
      });
      lines.push(`__attribute__((section("bfs_${struct}"), used)) struct ${struct} bf_${struct}[] = { ${inits.join(', ')} };`);
    }
    expect(cases.length).toBeGreaterThan(10);
    const obj = compile('bitfields', `${lines.join('\n')}\n`);
    for (const struct of ['iphdr', 'ipv6hdr', 'tcphdr']) {
      const size = btf.struct(struct)?.size ?? 0;
      const bytes = sectionBytes(obj, `bfs_${struct}`);
      for (const c of cases.filter((x) => x.struct === struct)) {
        const byte = bytes[c.index * size + Math.floor(c.bitsOffset / 8)];
        // The BPF target is little-endian: the field's lowest bit is bit bitsOffset % 8 of its first byte.
        expect(byte, `${struct}.${c.field} at bit ${c.bitsOffset}`).toBe(1 << c.bitsOffset % 8);
      }
    }
  });
});

/** The contents of an ELF section, read from llvm-objdump's hex dump. */
function sectionBytes(obj: string, section: string): number[] {
  const dump = execFileSync('llvm-objdump-19', ['-s', '-j', section, obj], { encoding: 'utf8' });
  const bytes: number[] = [];
  for (const line of dump.split('\n')) {
    const m = /^ [0-9a-f]{4,} ((?:[0-9a-f]{2,8} ?){1,4})/.exec(line);
    if (m === null) continue;
    for (const word of (m[1] ?? '').trim().split(/\s+/)) {
      for (let i = 0; i < word.length; i += 2) bytes.push(parseInt(word.slice(i, i + 2), 16));
    }
  }
  return bytes;
}

describe('compiled programs load into the kernel', () => {
  const run = available('compiled programs load into the kernel', clang19, bpftool, kernelBpf);

  it.runIf(run)('bpftool loads the XDP firewall', () => {
    const obj = compile('xdp_load', XDP_FIREWALL);
    const pin = '/sys/fs/bpf/tsbpf-hdr-test';
    rmSync(pin, { force: true });
    try {
      const r = spawnSync('bpftool', ['prog', 'load', obj, pin, 'type', 'xdp'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(pin)).toBe(true);
    } finally {
      rmSync(pin, { force: true });
    }
  });

  // tc_rewrite pins a map by name and uses a section older bpftool builds do not know; tracing programs need
  // BTF attach targets. The rest must pass the kernel verifier as compiled.
  for (const name of ['socket_filter', 'ringbuf_printk', 'core_read', 'sockets_and_fib', 'every_header']) {
    it.runIf(run)(`bpftool loads every program of ${name}.c`, () => {
      const obj = compile(`${name}_load`, PROGRAMS[name] ?? '');
      const pin = `/sys/fs/bpf/tsbpf-hdr-test-${name}`;
      rmSync(pin, { recursive: true, force: true });
      try {
        const r = spawnSync('bpftool', ['prog', 'loadall', obj, pin], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      } finally {
        rmSync(pin, { recursive: true, force: true });
      }
    });
  }
});
