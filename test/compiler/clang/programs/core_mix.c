// Parser coverage: CO-RE reads and field existence, per-CPU hash, __sync atomics (add, cmpxchg, xchg), a
// constant table copied with memcpy, a bounded loop, two programs.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct task_struct { int pid; int tgid; struct task_struct *parent; } __attribute__((preserve_access_index));
struct val { __u64 packets; __u64 bytes; char name[16]; };
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 128); __type(key, __u32); __type(value, struct val); } stats SEC(".maps");
static const char names[4][8] = { "a", "bb", "ccc", "dddd" };
SEC("tc") int tcprog(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	struct val *v = bpf_map_lookup_elem(&stats, &key);
	if (!v) {
		struct val init = {};
		__builtin_memcpy(init.name, names[key & 3], 8);
		bpf_map_update_elem(&stats, &key, &init, BPF_NOEXIST);
		return TC_ACT_OK;
	}
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, skb->len);
	__u64 old = __sync_val_compare_and_swap(&v->bytes, 0, 1);
	__u64 prev = __sync_lock_test_and_set(&v->packets, old);
	int r = 0;
	for (int i = 0; i < 10 && i < skb->len; i++) r += i * (int)prev;
	return r & 1 ? TC_ACT_SHOT : TC_ACT_OK;
}
SEC("kprobe/x") int kp(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	int pid = BPF_CORE_READ(t, parent, pid);
	if (bpf_core_field_exists(t->tgid)) pid += 1;
	return pid;
}
char _license[] SEC("license") = "GPL";
