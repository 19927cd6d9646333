// A bounded loop with phis (checksum over a packet prefix), an unrolled loop, and bpf_loop with a callback.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u32 sum;
	__u32 limit;
};

static long step(__u32 index, void *data)
{
	struct loop_ctx *c = data;
	c->sum += index * 7 + 1;
	if (c->sum > c->limit)
		return 1;
	return 0;
}

SEC("xdp")
int cg_loops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 sum = 0;
	for (int i = 0; i < 64; i++) {
		__u8 *b = data + i;
		if ((void *)(b + 1) > data_end)
			break;
		sum = (sum << 1 | sum >> 31) ^ *b;
	}
	__u32 fib_a = 0, fib_b = 1;
#pragma unroll
	for (int i = 0; i < 10; i++) {
		__u32 t = fib_a + fib_b;
		fib_a = fib_b;
		fib_b = t;
	}
	struct loop_ctx c = { .sum = sum & 0xff, .limit = 200 };
	bpf_loop(20, step, &c, 0);
	return (sum + fib_b + c.sum) % 4;
}

char _license[] SEC("license") = "GPL";
