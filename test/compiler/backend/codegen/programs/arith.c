// 8/16/32/64-bit arithmetic: signed shifts, division by constants, byte swaps, comparisons of narrow values.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u64 out[16] = {};

SEC("xdp")
int cg_arith(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 32 > data_end)
		return XDP_PASS;
	__u8 *p = data;
	__s8 s8 = (__s8)p[0];
	__s16 s16 = (__s16)(p[1] | p[2] << 8);
	__s32 s32 = (__s32)(p[3] | p[4] << 8 | p[5] << 16 | (__u32)p[6] << 24);
	__s64 s64 = ((__s64)s32 << 20) | p[7];
	__u16 u16 = *(__u16 *)(p + 8);
	__u32 u32 = *(__u32 *)(p + 12);
	out[0] = s8 >> 2;
	out[1] = s16 >> 5;
	out[2] = s32 >> 7;
	out[3] = s64 >> 9;
	out[4] = u32 / 7 + u32 % 10;
	out[5] = (__u64)u16 * 1000 / 3;
	out[6] = bpf_ntohs(u16) + bpf_ntohl(u32);
	out[7] = __builtin_bswap64(s64);
	out[8] = (s8 < -3) + (s16 > 1000) * 2 + (s32 <= -100000) * 4 + (s64 >= 0) * 8;
	out[9] = (__u8)(p[9] + p[10]) > 17;
	out[10] = (__u16)(u16 << 3) >> 2;
	out[11] = (s32 < 0 ? -s32 : s32);
	out[12] = u32 > 1000 ? 1000 : u32;
	out[13] = (u32 << 5 | u32 >> 27);
	out[14] = __builtin_popcount(u32);
	out[15] = (__s64)s16 * s8 - ((__u64)s64 / 16);
	return out[8] & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
