// CO-RE reads of task_struct fields through __builtin_preserve_access_index (bpf_core_read).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
} __attribute__((preserve_access_index));

__u64 got[4] = {};

SEC("kprobe/do_nanosleep")
int cg_core_read(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	got[0] = BPF_CORE_READ(task, pid);
	got[1] = BPF_CORE_READ(task, real_parent, tgid);
	char comm[16];
	bpf_core_read(&comm, sizeof(comm), &task->comm);
	got[2] = comm[0];
	got[3] = bpf_core_field_exists(task->tgid);
	return 0;
}

char _license[] SEC("license") = "GPL";
