// Externs as BTF sees them: __kconfig variables (one weak), a __ksym variable and kfunc declarations; their
// VARs and FUNCs (extern linkage) go to the .kconfig and .ksyms DATASECs. For BTF only: not a loadable program.
// Its clang-19 IR (btf_externs.ll) is committed.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));
extern _Bool CONFIG_BPF_JIT __attribute__((section(".kconfig"), weak));
extern int bpf_prog_active __attribute__((section(".ksyms")));
struct task_struct;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __attribute__((section(".ksyms")));
extern void bpf_task_release(struct task_struct *p) __attribute__((section(".ksyms")));

SEC("tp_btf/task_newtask")
int handle(__u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((struct task_struct *)ctx[0]);
	if (t)
		bpf_task_release(t);
	return LINUX_KERNEL_VERSION + CONFIG_BPF_JIT + (int)(long)&bpf_prog_active;
}
char _license[] SEC("license") = "GPL";
