// A phi with an undefined incoming value: buf[2..3] is written on the VLAN path only, then read after a
// 2-byte load, so clang merges it as `phi [ %tci, %vlan ], [ undef, %plain ]`. Our backend gave the phi no
// write on the plain path, and the register (or its spill slot) was read unwritten: `R6 !read_ok`, or without
// CAP_PERFMON `invalid read from stack` (the XDP policy datapath). Four values live across the lookups.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct head {
	__u32 len;
	__u32 zero;
	__u8 b[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct head);
} heads SEC(".maps");

/* n bytes at off of the per-CPU head copy into buf; -1 past its length */
static __always_inline int load(__u32 off, void *buf, const __u32 n)
{
	__u32 zero = 0;
	struct head *h = bpf_map_lookup_elem(&heads, &zero);
	if (!h)
		return -1;
	if (off + n > h->len)
		return -1;
	/* the same offset range on every path (zero is 0 at run time), as CAP_BPF alone requires */
	off = (off & 15) | (*(volatile __u32 *)&h->zero & 15);
	__builtin_memcpy(buf, h->b + off, n);
	return 0;
}

SEC("xdp")
int undef_phi(struct xdp_md *ctx)
{
	__u32 a = ctx->ingress_ifindex, b = ctx->rx_queue_index, c = bpf_get_prandom_u32(), d = bpf_get_prandom_u32();
	__u8 buf[4];
	__u32 off = 4;
	if (load(2, buf, 2) < 0)
		return XDP_DROP;
	__u16 type = *(__u16 *)buf;
	if (type == 0x81) {
		if (load(off, buf, 4) < 0)
			return XDP_DROP;
		type = *(__u16 *)(buf + 2);
		off += 4;
	}
	if (type == 0x6) {
		if (load(off, buf, 2) < 0)
			return XDP_DROP;
	} else {
		if (load(off, buf, 4) < 0)
			return XDP_DROP;
	}
	return (*(__u16 *)(buf + 2) ^ a ^ b ^ c ^ d) == 0x50 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
