// switch lowered to a compare chain (also inside an unrolled loop), select and `a || b` conditions.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int cg_switch_select(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	if (data + 32 > data_end)
		return XDP_ABORTED;
	int score = 0;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		switch (p[i] & 7) {
		case 0: score += 3; break;
		case 1: score ^= 5; break;
		case 3: score -= 1; break;
		case 6: score = score * 3; break;
		default: score += p[i + 4]; break;
		}
	}
	__u16 proto = ((struct ethhdr *)data)->h_proto;
	int big = (p[20] > 100) ? p[21] : p[22];
	if (proto == bpf_htons(ETH_P_IP) || proto == bpf_htons(ETH_P_IPV6) || p[23] == 7)
		score += big;
	return (score & 3) == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
