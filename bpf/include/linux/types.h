/* tsbpf: fixed-width integer types of the Linux UAPI, for BPF programs compiled with -nostdinc. */
#ifndef __TSBPF_LINUX_TYPES_H
#define __TSBPF_LINUX_TYPES_H

typedef signed char __s8;
typedef unsigned char __u8;
typedef signed short __s16;
typedef unsigned short __u16;
typedef signed int __s32;
typedef unsigned int __u32;
typedef signed long long __s64;
typedef unsigned long long __u64;

/* Byte-order annotated types: plain integers here (no sparse checking). */
#ifndef __bitwise
#define __bitwise
#endif
typedef __u16 __bitwise __le16;
typedef __u16 __bitwise __be16;
typedef __u32 __bitwise __le32;
typedef __u32 __bitwise __be32;
typedef __u64 __bitwise __le64;
typedef __u64 __bitwise __be64;

/* Internet checksums: a folded 16-bit sum and a 32-bit partial sum. */
typedef __u16 __bitwise __sum16;
typedef __u32 __bitwise __wsum;

#define __aligned_u64 __u64 __attribute__((aligned(8)))
#define __aligned_be64 __be64 __attribute__((aligned(8)))
#define __aligned_le64 __le64 __attribute__((aligned(8)))

typedef unsigned long __kernel_ulong_t;
typedef long __kernel_long_t;
typedef __kernel_ulong_t __kernel_size_t;
typedef __kernel_long_t __kernel_ssize_t;
typedef int __kernel_pid_t;
typedef unsigned short __kernel_sa_family_t;

#endif /* __TSBPF_LINUX_TYPES_H */
