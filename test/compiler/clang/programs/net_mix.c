// Parser coverage: ringbuf, LPM trie, prog array and tail call, bpf_loop, unions, bitfields, .rodata/.data/.bss,
// #pragma unroll, switch, a noinline subprogram, bpf_printk, atomics.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct event { __u32 saddr; __u32 daddr; __u16 port; __u8 proto; __u8 flags; __u64 ts; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } jmp SEC(".maps");
struct lpm_key { __u32 prefixlen; __u32 addr; };
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 64); __type(key, struct lpm_key); __type(value, __u32); __uint(map_flags, BPF_F_NO_PREALLOC); } allow SEC(".maps");
const volatile __u32 debug_level = 1;
__u64 counter = 5;
__u32 histogram[8];
union addr { __u32 v4; __u8 bytes[16]; };
struct bits { __u32 a : 3, b : 5, c : 24; };

static __noinline __u16 csum_fold(__u32 s) { s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16); return (__u16)~s; }

struct loop_ctx { __u32 sum; void *data; void *end; };
static long step(__u32 i, void *c) { struct loop_ctx *lc = c; lc->sum += i * 3; return lc->sum > 100; }

SEC("xdp") int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end) return XDP_ABORTED;
	__u16 proto = eth->h_proto;
	void *l3 = eth + 1;
	#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto == bpf_htons(ETH_P_8021Q)) {
			__u16 *vlan = l3;
			if ((void *)(vlan + 2) > end) return XDP_DROP;
			proto = vlan[1];
			l3 = vlan + 2;
		}
	}
	union addr a = {};
	struct bits b = { .a = 1, .b = 2, .c = 3 };
	switch (proto) {
	case bpf_htons(ETH_P_IP): {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end) return XDP_DROP;
		a.v4 = ip->saddr;
		struct lpm_key k = { 32, ip->daddr };
		if (!bpf_map_lookup_elem(&allow, &k)) return XDP_DROP;
		struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) { e->saddr = ip->saddr; e->daddr = ip->daddr; e->proto = ip->protocol; e->ts = bpf_ktime_get_ns(); e->flags = b.b; bpf_ringbuf_submit(e, 0); }
		if (ip->protocol == IPPROTO_TCP) {
			struct tcphdr *t = (void *)ip + ip->ihl * 4;
			if ((void *)(t + 1) > end) return XDP_DROP;
			if (t->syn && !t->ack) __sync_fetch_and_add(&counter, 1);
		}
		ip->check = csum_fold(ip->check + 1);
		break;
	}
	case bpf_htons(ETH_P_IPV6): {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end) return XDP_DROP;
		__builtin_memcpy(a.bytes, &ip6->saddr, 16);
		break;
	}
	default:
		bpf_tail_call(ctx, &jmp, 0);
		return XDP_PASS;
	}
	struct loop_ctx lc = { 0, data, end };
	bpf_loop(16, step, &lc, 0);
	if (debug_level > 2) bpf_printk("sum %u", lc.sum);
	histogram[lc.sum & 7]++;
	__u32 x = a.bytes[3];
	x = x > 10 ? 10 : x;
	__u64 big = (__u64)x << 40 | counter;
	__u64 sd = big / 7;
	return (sd % 3) ? XDP_PASS : XDP_TX;
}
char _license[] SEC("license") = "GPL";
