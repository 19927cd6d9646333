/*
 * tsbpf: kprobe/fentry basics for x86-64: the registers that carry function arguments and the return value
 * (System V AMD64 calling convention; Linux syscalls pass the 4th argument in r10), and the BPF_PROG,
 * BPF_KPROBE, BPF_KRETPROBE wrappers that give programs typed arguments.
 *
 * The register file is read through `struct tsbpf_pt_regs_x86_64`, which mirrors the kernel's x86-64
 * `struct pt_regs` (168 bytes), so this works with or without vmlinux.h. The *_CORE variants read through
 * a CO-RE relocatable flavour of it (`pt_regs___tsbpf`, matched to the kernel's `pt_regs` at load).
 */
#ifndef __TSBPF_BPF_TRACING_H
#define __TSBPF_BPF_TRACING_H

#include <bpf/bpf_helpers.h>

#if defined(__TARGET_ARCH_arm64) || defined(__TARGET_ARCH_s390) || defined(__TARGET_ARCH_riscv) || \
	defined(__TARGET_ARCH_arm) || defined(__TARGET_ARCH_powerpc) || defined(__TARGET_ARCH_mips) ||  \
	defined(__TARGET_ARCH_loongarch) || defined(__TARGET_ARCH_sparc)
#error "tsbpf bpf_tracing.h supports x86-64 only (define __TARGET_ARCH_x86 or nothing)"
#endif

/* The kernel's x86-64 struct pt_regs: every member 8 bytes. */
struct tsbpf_pt_regs_x86_64 {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

struct pt_regs___tsbpf {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
} __attribute__((preserve_access_index));

#define __TSBPF_REGS(x) ((const struct tsbpf_pt_regs_x86_64 *)(x))

#define PT_REGS_PARM1(x) (__TSBPF_REGS(x)->di)
#define PT_REGS_PARM2(x) (__TSBPF_REGS(x)->si)
#define PT_REGS_PARM3(x) (__TSBPF_REGS(x)->dx)
#define PT_REGS_PARM4(x) (__TSBPF_REGS(x)->cx)
#define PT_REGS_PARM5(x) (__TSBPF_REGS(x)->r8)
#define PT_REGS_PARM6(x) (__TSBPF_REGS(x)->r9)
#define PT_REGS_RET(x) (__TSBPF_REGS(x)->sp) /* the return address is at *sp on entry */
#define PT_REGS_FP(x) (__TSBPF_REGS(x)->bp)
#define PT_REGS_RC(x) (__TSBPF_REGS(x)->ax)
#define PT_REGS_SP(x) (__TSBPF_REGS(x)->sp)
#define PT_REGS_IP(x) (__TSBPF_REGS(x)->ip)

/* Syscall arguments as the syscall sees them (the 4th is in r10, not rcx). */
#define PT_REGS_PARM1_SYSCALL(x) PT_REGS_PARM1(x)
#define PT_REGS_PARM2_SYSCALL(x) PT_REGS_PARM2(x)
#define PT_REGS_PARM3_SYSCALL(x) PT_REGS_PARM3(x)
#define PT_REGS_PARM4_SYSCALL(x) (__TSBPF_REGS(x)->r10)
#define PT_REGS_PARM5_SYSCALL(x) PT_REGS_PARM5(x)
#define PT_REGS_PARM6_SYSCALL(x) PT_REGS_PARM6(x)

/* The same, read with bpf_probe_read_kernel() through CO-RE relocations (for pt_regs not in the context). */
#define __TSBPF_REGS_CORE_READ(x, field)                                                   \
	({                                                                                     \
		unsigned long __tsbpf_v = 0;                                                       \
		bpf_probe_read_kernel(&__tsbpf_v, sizeof(__tsbpf_v),                               \
				      __builtin_preserve_access_index(&((const struct pt_regs___tsbpf *)(x))->field)); \
		__tsbpf_v;                                                                         \
	})
#define PT_REGS_PARM1_CORE(x) __TSBPF_REGS_CORE_READ(x, di)
#define PT_REGS_PARM2_CORE(x) __TSBPF_REGS_CORE_READ(x, si)
#define PT_REGS_PARM3_CORE(x) __TSBPF_REGS_CORE_READ(x, dx)
#define PT_REGS_PARM4_CORE(x) __TSBPF_REGS_CORE_READ(x, cx)
#define PT_REGS_PARM5_CORE(x) __TSBPF_REGS_CORE_READ(x, r8)
#define PT_REGS_PARM6_CORE(x) __TSBPF_REGS_CORE_READ(x, r9)
#define PT_REGS_RC_CORE(x) __TSBPF_REGS_CORE_READ(x, ax)
#define PT_REGS_SP_CORE(x) __TSBPF_REGS_CORE_READ(x, sp)
#define PT_REGS_FP_CORE(x) __TSBPF_REGS_CORE_READ(x, bp)
#define PT_REGS_IP_CORE(x) __TSBPF_REGS_CORE_READ(x, ip)

/* The return address of a function probed at its entry. */
#define BPF_KPROBE_READ_RET_IP(ip, ctx) \
	({ bpf_probe_read_kernel(&(ip), sizeof(ip), (void *)PT_REGS_RET(ctx)); })
#define BPF_KRETPROBE_READ_RET_IP(ip, ctx) \
	({ bpf_probe_read_kernel(&(ip), sizeof(ip), (void *)(PT_REGS_FP(ctx) + sizeof(ip))); })

/* ---- Typed-argument wrappers ------------------------------------------------------------------------- */

#define __tsbpf_apply(fn, n) __tsbpf_concat(fn, n)

/* BPF_PROG: fentry, fexit, tp_btf, lsm, struct_ops; the context is an array of 64-bit arguments. */
#define __tsbpf_ctx_cast0()
#define __tsbpf_ctx_cast1(x) , (void *)ctx[0]
#define __tsbpf_ctx_cast2(x, ...) __tsbpf_ctx_cast1(x), (void *)ctx[1]
#define __tsbpf_ctx_cast3(x, ...) __tsbpf_ctx_cast2(__VA_ARGS__), (void *)ctx[2]
#define __tsbpf_ctx_cast4(x, ...) __tsbpf_ctx_cast3(__VA_ARGS__), (void *)ctx[3]
#define __tsbpf_ctx_cast5(x, ...) __tsbpf_ctx_cast4(__VA_ARGS__), (void *)ctx[4]
#define __tsbpf_ctx_cast6(x, ...) __tsbpf_ctx_cast5(__VA_ARGS__), (void *)ctx[5]
#define __tsbpf_ctx_cast7(x, ...) __tsbpf_ctx_cast6(__VA_ARGS__), (void *)ctx[6]
#define __tsbpf_ctx_cast8(x, ...) __tsbpf_ctx_cast7(__VA_ARGS__), (void *)ctx[7]
#define __tsbpf_ctx_cast9(x, ...) __tsbpf_ctx_cast8(__VA_ARGS__), (void *)ctx[8]
#define __tsbpf_ctx_cast10(x, ...) __tsbpf_ctx_cast9(__VA_ARGS__), (void *)ctx[9]
#define __tsbpf_ctx_cast11(x, ...) __tsbpf_ctx_cast10(__VA_ARGS__), (void *)ctx[10]
#define __tsbpf_ctx_cast12(x, ...) __tsbpf_ctx_cast11(__VA_ARGS__), (void *)ctx[11]
#define __tsbpf_ctx_cast(...) __tsbpf_apply(__tsbpf_ctx_cast, __tsbpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_PROG(name, ...)                                                                \
	name(unsigned long long *ctx);                                                         \
	static __always_inline typeof(name(0)) ____##name(unsigned long long *ctx, ##__VA_ARGS__); \
	typeof(name(0)) name(unsigned long long *ctx)                                          \
	{                                                                                      \
		_Pragma("GCC diagnostic push")                                                     \
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")                             \
		return ____##name(ctx __tsbpf_ctx_cast(__VA_ARGS__));                              \
		_Pragma("GCC diagnostic pop")                                                      \
	}                                                                                      \
	static __always_inline typeof(name(0)) ____##name(unsigned long long *ctx, ##__VA_ARGS__)

/* BPF_KPROBE: kprobe/uprobe at function entry; arguments come from the argument registers. */
#define __tsbpf_kprobe_args0()
#define __tsbpf_kprobe_args1(x) , (void *)PT_REGS_PARM1(ctx)
#define __tsbpf_kprobe_args2(x, ...) __tsbpf_kprobe_args1(x), (void *)PT_REGS_PARM2(ctx)
#define __tsbpf_kprobe_args3(x, ...) __tsbpf_kprobe_args2(__VA_ARGS__), (void *)PT_REGS_PARM3(ctx)
#define __tsbpf_kprobe_args4(x, ...) __tsbpf_kprobe_args3(__VA_ARGS__), (void *)PT_REGS_PARM4(ctx)
#define __tsbpf_kprobe_args5(x, ...) __tsbpf_kprobe_args4(__VA_ARGS__), (void *)PT_REGS_PARM5(ctx)
#define __tsbpf_kprobe_args6(x, ...) __tsbpf_kprobe_args5(__VA_ARGS__), (void *)PT_REGS_PARM6(ctx)
#define __tsbpf_kprobe_args(...) __tsbpf_apply(__tsbpf_kprobe_args, __tsbpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_KPROBE(name, ...)                                                             \
	name(struct pt_regs *ctx);                                                            \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##__VA_ARGS__); \
	typeof(name(0)) name(struct pt_regs *ctx)                                             \
	{                                                                                     \
		_Pragma("GCC diagnostic push")                                                    \
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")                            \
		return ____##name(ctx __tsbpf_kprobe_args(__VA_ARGS__));                          \
		_Pragma("GCC diagnostic pop")                                                     \
	}                                                                                     \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##__VA_ARGS__)

/* BPF_KRETPROBE: kretprobe/uretprobe; the optional single argument is the return value. */
#define __tsbpf_kretprobe_args0()
#define __tsbpf_kretprobe_args1(x) , (void *)PT_REGS_RC(ctx)
#define __tsbpf_kretprobe_args(...) __tsbpf_apply(__tsbpf_kretprobe_args, __tsbpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_KRETPROBE(name, ...)                                                          \
	name(struct pt_regs *ctx);                                                            \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##__VA_ARGS__); \
	typeof(name(0)) name(struct pt_regs *ctx)                                             \
	{                                                                                     \
		_Pragma("GCC diagnostic push")                                                    \
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")                            \
		return ____##name(ctx __tsbpf_kretprobe_args(__VA_ARGS__));                       \
		_Pragma("GCC diagnostic pop")                                                     \
	}                                                                                     \
	static __always_inline typeof(name(0)) ____##name(struct pt_regs *ctx, ##__VA_ARGS__)

#define BPF_UPROBE(name, ...) BPF_KPROBE(name, ##__VA_ARGS__)
#define BPF_URETPROBE(name, ...) BPF_KRETPROBE(name, ##__VA_ARGS__)

#endif /* __TSBPF_BPF_TRACING_H */
