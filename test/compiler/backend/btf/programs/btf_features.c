// BTF features in one program: pruned pointer members (FWD), bitfields, a flexible array, nested arrays, a
// union, ENUM64 and signed enums, a typedef, decl and type tags, static/global variables in .data, .rodata,
// .bss and a custom section, a map with pinning, a static subprogram with a tagged parameter,
// a string literal (.rodata.str1.1) and a constant copied to the stack (.rodata.cst16).
// Its clang-19 IR (btf_features.ll, from scripts/build-fixtures flags with -S -emit-llvm) is committed.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct never_defined;
struct pointee { int a; int b; };
struct holder {
	struct pointee *p;          /* a pointer member: pruned to FWD unless defined elsewhere */
	struct never_defined *n;
	unsigned int flag : 1, kind : 3;
	int arr[2][3];
	char tail[];
};
union u { __u32 w; __u8 b[4]; };
enum big { BIG_A = 1, BIG_B = 0x100000000ULL };
enum neg { NEG_A = -1, NEG_B = 2 };
typedef struct holder holder_t;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct pointee);
	__type(value, holder_t);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hmap SEC(".maps");

int __attribute__((btf_decl_tag("tagged_var"))) tagged = 3;
static volatile const enum big bigv = BIG_B;
enum neg negv = NEG_A;
union u uv = { .w = 0x01020304 };
__u64 arr64[4] = { 1, 2, 3, 4 };
struct pointee pts[2] = { { 1, 2 }, { 3, 4 } };
int custom SEC(".data.custom") = 7;
char bss_buf[10];
int __attribute__((btf_type_tag("user"))) *tp;

static __attribute__((noinline)) int helper(struct holder *h, int x __attribute__((btf_decl_tag("arg_tag"))))
{
	return h ? h->flag + x : x;
}

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	struct holder *h = bpf_map_lookup_elem(&hmap, &pts[0]);
	volatile int table[4] = { 5, 6, 7, 8 };
	bpf_printk("v %d", tagged);
	bpf_trace_printk("literal %d\n", sizeof("literal %d\n"), table[ctx->ingress_ifindex & 3]);
	return helper(h, negv + (int)bigv + uv.b[1] + arr64[2] + custom + bss_buf[3] + (tp ? 1 : 0)) & 3;
}

char _license[] SEC("license") = "GPL";
