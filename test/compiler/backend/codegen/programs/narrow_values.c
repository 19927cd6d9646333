// i8/i16 values with wraparound, signed comparisons, booleans as values, 64-bit constants, pointer selects.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 res[12] = {};
__u32 left = 1, right = 2;

SEC("xdp")
int cg_narrow(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 24 > data_end)
		return XDP_PASS;
	__u8 *p = data;
	__u8 a = p[0] + p[1];               // wraps at 8 bits
	__s8 b = (__s8)(p[2] - p[3]);
	__u16 c = (__u16)(p[4] << 8) + (__u16)(p[5] * 300);
	__s16 d = (__s16)c;
	res[0] = a;
	res[1] = b < 0;
	res[2] = (b > -5) + (d < -1000) * 2 + (d >= 0) * 4 + ((__s8)a <= 3) * 8;
	res[3] = (__u8)(a * 7) >> 3;
	res[4] = (__u16)(c * 3) / 5;
	res[5] = (__s16)(d * 2) >> 3;
	__u64 big = ((__u64)p[6] << 56) | 0x123456789abcdefULL;
	res[6] = big > 0x8000000000000000ULL;
	res[7] = big ^ 0xfedcba9876543210ULL;
	__u32 *which = p[7] & 1 ? &left : &right;
	*which += a;
	res[8] = (a != 0) ^ (b != 0);
	res[9] = (__u32)(p[8] | p[9] << 8 | p[10] << 16 | (__u32)p[11] << 24) % 1000003;
	__s32 s = (__s32)(p[12] << 24) >> 24;
	res[10] = (__s64)s;
	res[11] = (__u64)(__s64)(__s8)p[13] + (__u64)(__u8)(p[14] - 200);
	return a > 100 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
