/* tsbpf: minimal <stddef.h> for BPF programs compiled with -nostdinc (BPF is LP64). */
#ifndef __TSBPF_STDDEF_H
#define __TSBPF_STDDEF_H

typedef unsigned long size_t;
typedef long ptrdiff_t;
typedef int wchar_t;
typedef long double max_align_t;

#ifndef NULL
#define NULL ((void *)0)
#endif

#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif

#endif /* __TSBPF_STDDEF_H */
