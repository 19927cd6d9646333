// Structs copied between the stack, map values and the packet; non-zero memset; a stack array indexed by a
// bounded variable; a packed header read straight from the packet.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rec {
	__u64 a;
	__u32 b;
	__u16 c;
	__u8 d[10];
	__u64 e;
};

struct __attribute__((packed)) hdr {
	__u8 kind;
	__u32 len;
	__u16 port;
	__u8 tail[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct rec);
} recs SEC(".maps");

SEC("xdp")
int cg_stack_structs(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(struct hdr) + 16 > data_end)
		return XDP_PASS;
	struct hdr *h = data;
	struct rec r;
	__builtin_memset(&r, 0x5a, sizeof(r));
	r.a = h->len;
	r.b = h->port;
	r.c = h->kind;
	__builtin_memcpy(r.d, h->tail, 3);
	__u32 key = h->kind & 3;
	struct rec *slot = bpf_map_lookup_elem(&recs, &key);
	if (!slot)
		return XDP_ABORTED;
	struct rec old = *slot;
	*slot = r;
	__u8 table[16];
	for (int i = 0; i < 16; i++)
		table[i] = (__u8)(i * 13 + old.d[i % 10]);
	__u32 idx = h->tail[2] & 15;
	slot->e = table[idx] + old.a;
	__builtin_memmove(&slot->d[1], &slot->d[0], 8);
	return (slot->e & 1) ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
