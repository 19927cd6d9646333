// Many values live across helper and subprogram calls (spills), nested noinline calls, pointer arguments.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct acc {
	__u64 sum;
	__u32 n;
};

static __attribute__((noinline)) void feed(struct acc *a, __u64 v)
{
	a->sum += v;
	a->n++;
}

static __attribute__((noinline)) __u64 twice(__u64 x)
{
	struct acc a = {};
	feed(&a, x);
	feed(&a, x * 3);
	return a.sum + a.n;
}

SEC("xdp")
int cg_call_pressure(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 16 > data_end)
		return XDP_PASS;
	__u8 *p = data;
	__u64 v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7];
	__u64 r = bpf_get_prandom_u32() & 0;
	__u64 t = twice(v0 + v1);
	r += v0 * 1 + v1 * 2 + v2 * 3 + v3 * 4 + v4 * 5 + v5 * 6 + v6 * 7 + v7 * 8;
	__u64 u = twice(v2 ^ v3);
	r += t + u + v0 + v7 + v5;
	return r % 4;
}

char _license[] SEC("license") = "GPL";
