/*
 * tsbpf: the macros libbpf-style BPF C programs use (SEC, BTF map definitions, inlining and linkage
 * attributes, bpf_printk, barriers) and the helper declarations (bpf_helper_defs.h, generated from
 * bpf/tables/helpers.ts).
 */
#ifndef __TSBPF_BPF_HELPERS_H
#define __TSBPF_BPF_HELPERS_H

#include <bpf/bpf_helper_defs.h>

/* ---- Sections and BTF-defined maps ------------------------------------------------------------------ */

/* Put a program, map or license in an ELF section; the loader derives the program type from its name. */
#define SEC(name) __attribute__((section(name), used))

/*
 * Members of a BTF map definition in SEC(".maps"). The loader reads them from the BTF of the variable:
 *   __uint(max_entries, 1024)      an integer, encoded as the element count of an array type
 *   __type(key, __u32)             a type, encoded as a pointer to it
 *   __array(values, struct inner)  the inner map of a map-in-map, or the programs of a prog array
 *   __ulong(map_extra, 1ULL << 32) a 64-bit integer, encoded as an enumerator
 */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define __tsbpf_concat2(a, b) a##b
#define __tsbpf_concat(a, b) __tsbpf_concat2(a, b)
#define __ulong(name, val) enum { __tsbpf_concat(__tsbpf_ulong_, __COUNTER__) = val } name

/* Values of the `pinning` member. */
enum libbpf_pin_type {
	LIBBPF_PIN_NONE,
	LIBBPF_PIN_BY_NAME, /* pin under the bpffs pin root, by map name */
};

/* Values of the libbpf map-type field "map_flags" are the BPF_F_* of <linux/bpf.h>. */

/* ---- Attributes ----------------------------------------------------------------------------------------- */

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#ifndef __aligned
#define __aligned(x) __attribute__((aligned(x)))
#endif
#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif

/* Kernel symbols (resolved from kernel BTF at load) and Kconfig values (from the running kernel's config). */
#define __ksym __attribute__((section(".ksyms")))
#define __kconfig __attribute__((section(".kconfig")))

/* Struct members that record kernel-object ownership, and global-function argument annotations. */
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#define __uptr __attribute__((btf_type_tag("uptr")))
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#define __arg_trusted __attribute__((btf_decl_tag("arg:trusted")))
#define __arg_untrusted __attribute__((btf_decl_tag("arg:untrusted")))
#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))

/* Record field offsets as CO-RE relocations (what vmlinux.h puts on every struct). */
#define __preserve_access_index __attribute__((preserve_access_index))

/* ---- Compiler helpers -------------------------------------------------------------------------------- */

#ifndef NULL
#define NULL ((void *)0)
#endif

#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif

#ifndef container_of
#define container_of(ptr, type, member)                    \
	({                                                     \
		void *__tsbpf_mptr = (void *)(ptr);                \
		((type *)(__tsbpf_mptr - offsetof(type, member))); \
	})
#endif

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* A compiler barrier: memory is reloaded after it. */
#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif

/* Make the compiler forget what it knows about a variable's value (keeps bounds checks in place). */
#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

/* Code that must not be reached: the verifier rejects a program that can get here. */
#ifndef __bpf_unreachable
#define __bpf_unreachable() __builtin_trap()
#endif

/* Whether a __weak __ksym resolved (non-zero) on the running kernel. */
#define bpf_ksym_exists(sym)                                                          \
	({                                                                                \
		_Static_assert(!__builtin_constant_p(!!sym), #sym " should be marked __weak"); \
		!!sym;                                                                        \
	})

/*
 * A tail call whose slot is a compile-time constant, emitted so the verifier can see the constant index
 * (r3) at the call: the kernel then patches it into a direct jump.
 */
static __always_inline void bpf_tail_call_static(void *ctx, const void *map, const __u32 slot)
{
	if (!__builtin_constant_p(slot))
		__bpf_unreachable();
	asm volatile("r1 = %[ctx]\n\t"
		     "r2 = %[map]\n\t"
		     "r3 = %[slot]\n\t"
		     "call 12"
		     :
		     : [ctx] "r"(ctx), [map] "r"(map), [slot] "i"(slot)
		     : "r0", "r1", "r2", "r3", "r4", "r5");
}

/* ---- Variadic-argument machinery (up to 12 arguments) ---------------------------------------------- */

#define __tsbpf_arg13(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, N, ...) N
/* Number of arguments, 0 to 12. */
#define __tsbpf_narg(...) __tsbpf_arg13(_, ##__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)

/* arr[0] = a0; arr[1] = a1; ... */
#define __tsbpf_fill0(arr, p)
#define __tsbpf_fill1(arr, p, x) arr[p] = (unsigned long long)(x);
#define __tsbpf_fill2(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill1(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill3(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill2(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill4(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill3(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill5(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill4(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill6(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill5(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill7(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill6(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill8(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill7(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill9(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill8(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill10(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill9(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill11(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill10(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill12(arr, p, x, ...) arr[p] = (unsigned long long)(x); __tsbpf_fill11(arr, p + 1, __VA_ARGS__)
#define __tsbpf_fill(arr, ...) \
	__tsbpf_concat(__tsbpf_fill, __tsbpf_narg(__VA_ARGS__))(arr, 0, ##__VA_ARGS__)

/* ---- bpf_printk ------------------------------------------------------------------------------------------ */

/*
 * bpf_printk("fmt", args...) writes to the trace pipe (/sys/kernel/tracing/trace_pipe). Up to 3 arguments use
 * bpf_trace_printk(); more (up to 12) use bpf_trace_vprintk(). The format lives in .rodata.
 */
#define __tsbpf_printk(fmt, ...)                                                   \
	({                                                                             \
		static const char __tsbpf_fmt[] = fmt;                                     \
		bpf_trace_printk(__tsbpf_fmt, sizeof(__tsbpf_fmt), ##__VA_ARGS__);         \
	})

#define __tsbpf_vprintk(fmt, ...)                                                          \
	({                                                                                     \
		static const char __tsbpf_fmt[] = fmt;                                             \
		unsigned long long __tsbpf_args[__tsbpf_narg(__VA_ARGS__)];                        \
		__tsbpf_fill(__tsbpf_args, ##__VA_ARGS__)                                          \
		bpf_trace_vprintk(__tsbpf_fmt, sizeof(__tsbpf_fmt), __tsbpf_args, sizeof(__tsbpf_args)); \
	})

#define __tsbpf_pick_printk(...)                                                                    \
	__tsbpf_arg13(_, ##__VA_ARGS__, __tsbpf_vprintk, __tsbpf_vprintk, __tsbpf_vprintk,              \
		      __tsbpf_vprintk, __tsbpf_vprintk, __tsbpf_vprintk, __tsbpf_vprintk, __tsbpf_vprintk, \
		      __tsbpf_vprintk, __tsbpf_printk, __tsbpf_printk, __tsbpf_printk, __tsbpf_printk)

#define bpf_printk(fmt, ...) __tsbpf_pick_printk(__VA_ARGS__)(fmt, ##__VA_ARGS__)

#endif /* __TSBPF_BPF_HELPERS_H */
