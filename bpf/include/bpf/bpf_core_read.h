/*
 * tsbpf: CO-RE (compile once, run everywhere) basics. Field accesses wrapped in
 * __builtin_preserve_access_index() are recorded as BTF relocations that the loader rewrites for the
 * running kernel's layout; __builtin_preserve_field_info / _type_info / _enum_value ask questions about
 * that layout (does the field exist, how big is the type, ...), answered at load time.
 */
#ifndef __TSBPF_BPF_CORE_READ_H
#define __TSBPF_BPF_CORE_READ_H

#include <bpf/bpf_helpers.h>

/* Second argument of __builtin_preserve_field_info(). */
enum bpf_field_info_kind {
	BPF_FIELD_BYTE_OFFSET = 0,
	BPF_FIELD_BYTE_SIZE = 1,
	BPF_FIELD_EXISTS = 2,
	BPF_FIELD_SIGNED = 3,
	BPF_FIELD_LSHIFT_U64 = 4,
	BPF_FIELD_RSHIFT_U64 = 5,
};

/* Second argument of __builtin_btf_type_id(). */
enum bpf_type_id_kind {
	BPF_TYPE_ID_LOCAL = 0,
	BPF_TYPE_ID_TARGET = 1,
};

/* Second argument of __builtin_preserve_type_info(). */
enum bpf_type_info_kind {
	BPF_TYPE_EXISTS = 0,
	BPF_TYPE_SIZE = 1,
	BPF_TYPE_MATCHES = 2,
};

/* Second argument of __builtin_preserve_enum_value(). */
enum bpf_enum_value_kind {
	BPF_ENUMVAL_EXISTS = 0,
	BPF_ENUMVAL_VALUE = 1,
};

/* A field given either as an access expression (`p->a.b`) or as (type, field path). */
#define __tsbpf_field_ref1(field) (field)
#define __tsbpf_field_ref2(type, field) (((typeof(type) *)0)->field)
#define __tsbpf_field_ref(...) __tsbpf_apply_core(__tsbpf_field_ref, __tsbpf_narg(__VA_ARGS__))(__VA_ARGS__)
#define __tsbpf_apply_core(fn, n) __tsbpf_concat(fn, n)

/* Whether the field exists in the running kernel. */
#define bpf_core_field_exists(...) __builtin_preserve_field_info(__tsbpf_field_ref(__VA_ARGS__), BPF_FIELD_EXISTS)
/* The field's size and byte offset in the running kernel. */
#define bpf_core_field_size(...) __builtin_preserve_field_info(__tsbpf_field_ref(__VA_ARGS__), BPF_FIELD_BYTE_SIZE)
#define bpf_core_field_offset(...) __builtin_preserve_field_info(__tsbpf_field_ref(__VA_ARGS__), BPF_FIELD_BYTE_OFFSET)

/* Type questions: `type` is a type name such as `struct task_struct`. */
#define bpf_core_type_exists(type) __builtin_preserve_type_info(*(typeof(type) *)0, BPF_TYPE_EXISTS)
#define bpf_core_type_matches(type) __builtin_preserve_type_info(*(typeof(type) *)0, BPF_TYPE_MATCHES)
#define bpf_core_type_size(type) __builtin_preserve_type_info(*(typeof(type) *)0, BPF_TYPE_SIZE)
#define bpf_core_type_id_local(type) __builtin_btf_type_id(*(typeof(type) *)0, BPF_TYPE_ID_LOCAL)
#define bpf_core_type_id_kernel(type) __builtin_btf_type_id(*(typeof(type) *)0, BPF_TYPE_ID_TARGET)

/* Enumerator questions: bpf_core_enum_value_exists(enum foo, FOO_BAR). */
#define bpf_core_enum_value_exists(enum_type, enum_value) \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)enum_value, BPF_ENUMVAL_EXISTS)
#define bpf_core_enum_value(enum_type, enum_value) \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)enum_value, BPF_ENUMVAL_VALUE)

/* Read `sz` bytes at `src` (an access expression) into `dst`, relocating the access. */
#define bpf_core_read(dst, sz, src) \
	bpf_probe_read_kernel(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_user(dst, sz, src) \
	bpf_probe_read_user(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_str(dst, sz, src) \
	bpf_probe_read_kernel_str(dst, sz, (const void *)__builtin_preserve_access_index(src))
#define bpf_core_read_user_str(dst, sz, src) \
	bpf_probe_read_user_str(dst, sz, (const void *)__builtin_preserve_access_index(src))

/*
 * BPF_CORE_READ(src, a, b, c) reads src->a->b->c, one probe read per pointer hop: 1 to 4 hops.
 * BPF_CORE_READ_INTO(&dst, src, a, b) stores the result instead of returning it.
 */
#define __tsbpf_core_hop(dst, src, field) bpf_core_read(&(dst), sizeof(dst), &(src)->field)

#define __tsbpf_core_read_into1(dst, src, a) __tsbpf_core_hop(*(dst), src, a)
#define __tsbpf_core_read_into2(dst, src, a, b)      \
	({                                               \
		typeof((src)->a) __tsbpf_p1 = 0;             \
		__tsbpf_core_hop(__tsbpf_p1, src, a);        \
		__tsbpf_core_hop(*(dst), __tsbpf_p1, b);     \
	})
#define __tsbpf_core_read_into3(dst, src, a, b, c)   \
	({                                               \
		typeof((src)->a) __tsbpf_p1 = 0;             \
		__tsbpf_core_hop(__tsbpf_p1, src, a);        \
		typeof(__tsbpf_p1->b) __tsbpf_p2 = 0;        \
		__tsbpf_core_hop(__tsbpf_p2, __tsbpf_p1, b); \
		__tsbpf_core_hop(*(dst), __tsbpf_p2, c);     \
	})
#define __tsbpf_core_read_into4(dst, src, a, b, c, d) \
	({                                                \
		typeof((src)->a) __tsbpf_p1 = 0;              \
		__tsbpf_core_hop(__tsbpf_p1, src, a);         \
		typeof(__tsbpf_p1->b) __tsbpf_p2 = 0;         \
		__tsbpf_core_hop(__tsbpf_p2, __tsbpf_p1, b);  \
		typeof(__tsbpf_p2->c) __tsbpf_p3 = 0;         \
		__tsbpf_core_hop(__tsbpf_p3, __tsbpf_p2, c);  \
		__tsbpf_core_hop(*(dst), __tsbpf_p3, d);      \
	})

#define BPF_CORE_READ_INTO(dst, src, ...) \
	__tsbpf_apply_core(__tsbpf_core_read_into, __tsbpf_narg(__VA_ARGS__))(dst, src, ##__VA_ARGS__)

/* The type of src->a->b->c, computed without evaluating anything. */
#define __tsbpf_core_type1(src, a) typeof((src)->a)
#define __tsbpf_core_type2(src, a, b) typeof((src)->a->b)
#define __tsbpf_core_type3(src, a, b, c) typeof((src)->a->b->c)
#define __tsbpf_core_type4(src, a, b, c, d) typeof((src)->a->b->c->d)

#define BPF_CORE_READ(src, ...)                                                                   \
	({                                                                                            \
		__tsbpf_apply_core(__tsbpf_core_type, __tsbpf_narg(__VA_ARGS__))(src, ##__VA_ARGS__) __tsbpf_r; \
		__builtin_memset(&__tsbpf_r, 0, sizeof(__tsbpf_r));                                       \
		BPF_CORE_READ_INTO(&__tsbpf_r, src, ##__VA_ARGS__);                                       \
		__tsbpf_r;                                                                                \
	})

#endif /* __TSBPF_BPF_CORE_READ_H */
