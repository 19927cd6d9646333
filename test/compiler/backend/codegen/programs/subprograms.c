// noinline BPF-to-BPF calls with five arguments, a static and a global subprogram, values kept across calls.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) __u64 mix(__u64 a, __u32 b, __u16 c, __u8 d, __u64 e)
{
	return (a * 31 + b) ^ ((__u64)c << 16) ^ ((__u64)d << 40) ^ (e >> 3);
}

__attribute__((noinline)) int pick(int x, int y)
{
	return x > y ? x - y : y - x;
}

SEC("xdp")
int cg_subprograms(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 16 > data_end)
		return XDP_PASS;
	__u8 *p = data;
	__u64 a = mix(p[0], p[1] | p[2] << 8, p[3], p[4], p[5]);
	__u64 b = mix(a, p[6], p[7], p[8], a);
	int c = pick(p[9], p[10]);
	return (a + b + c) % 3;
}

char _license[] SEC("license") = "GPL";
