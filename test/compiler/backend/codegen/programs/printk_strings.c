// bpf_printk and string constants in .rodata.str1.1, a const table in .rodata indexed at run time.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static const __u16 weights[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };

SEC("xdp")
int cg_printk(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;
	bpf_printk("len %u", len);
	if (len > 100)
		bpf_printk("big packet of %u bytes", len);
	return weights[len & 7] & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
