// LPM-trie and hash lookups with null checks, a ring buffer reserve/submit, a tail call, .data/.rodata/.bss.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

const volatile __u32 threshold = 3;
__u32 counter = 7;
__u64 zeroes[4];

struct event {
	__u32 addr;
	__u32 route;
};

SEC("xdp")
int cg_maps(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct lpm_key key = { .prefixlen = 32, .addr = ip->daddr };
	__u32 *route = bpf_map_lookup_elem(&routes, &key);
	__u32 r = route ? *route : 0;
	__u64 *h = bpf_map_lookup_elem(&hits, &r);
	if (h)
		*h += 1;
	else {
		__u64 one = 1;
		bpf_map_update_elem(&hits, &r, &one, BPF_NOEXIST);
	}
	counter += 1;
	zeroes[counter & 3] += r;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->addr = ip->saddr;
		e->route = r;
		bpf_ringbuf_submit(e, 0);
	}
	if (r > threshold)
		bpf_tail_call(ctx, &jumps, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
