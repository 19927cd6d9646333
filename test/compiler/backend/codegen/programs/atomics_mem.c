// Atomics on map values and globals, memcpy/memset of structs on the stack, a hash map keyed by a struct.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 a;
	__u16 b;
	__u8 c;
	__u8 d;
	__u64 e;
};

struct val {
	__u64 count;
	__u32 last;
	__u32 flags;
	__u64 total;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct key);
	__type(value, struct val);
} table SEC(".maps");

__u64 seen = 0;
__u32 bits = 0;
__u64 swapped = 0;

SEC("xdp")
int cg_atomics_mem(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 24 > data_end)
		return XDP_PASS;
	struct key k;
	__builtin_memset(&k, 0, sizeof(k));
	__builtin_memcpy(&k, data, 8);
	k.e = 0;
	struct val *v = bpf_map_lookup_elem(&table, &k);
	if (!v) {
		struct val init;
		__builtin_memset(&init, 0, sizeof(init));
		init.last = k.a;
		bpf_map_update_elem(&table, &k, &init, BPF_ANY);
		v = bpf_map_lookup_elem(&table, &k);
		if (!v)
			return XDP_ABORTED;
	}
	__sync_fetch_and_add(&v->count, 1);
	__u64 old = __sync_fetch_and_add(&v->total, (data_end - data));
	__sync_fetch_and_or(&v->flags, 1u << (k.b & 7));
	__sync_fetch_and_and(&v->flags, ~0x100u);
	__sync_fetch_and_xor(&bits, 0x55);
	__sync_fetch_and_sub(&seen, 1);
	__u64 prev = __sync_lock_test_and_set(&swapped, old);
	__sync_val_compare_and_swap(&v->last, k.a, (__u32)prev);
	return (old & 1) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
