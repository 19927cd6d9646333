/*
 * tsbpf: byte-order conversion for BPF programs. Each macro folds to a constant when its argument is one
 * (so `case bpf_htons(ETH_P_IP):` works) and otherwise compiles to a single BPF byte-swap instruction.
 */
#ifndef __TSBPF_BPF_ENDIAN_H
#define __TSBPF_BPF_ENDIAN_H

#include <linux/types.h>

/* Byte swaps written with shifts: integer constant expressions for constant arguments. */
#define __tsbpf_swab16(x) \
	((__u16)((((__u16)(x) & (__u16)0x00ffU) << 8) | (((__u16)(x) & (__u16)0xff00U) >> 8)))
#define __tsbpf_swab32(x)                                 \
	((__u32)((((__u32)(x) & (__u32)0x000000ffUL) << 24) | \
		 (((__u32)(x) & (__u32)0x0000ff00UL) << 8) |      \
		 (((__u32)(x) & (__u32)0x00ff0000UL) >> 8) |      \
		 (((__u32)(x) & (__u32)0xff000000UL) >> 24)))
#define __tsbpf_swab64(x)                                            \
	((__u64)((((__u64)(x) & (__u64)0x00000000000000ffULL) << 56) |   \
		 (((__u64)(x) & (__u64)0x000000000000ff00ULL) << 40) |       \
		 (((__u64)(x) & (__u64)0x0000000000ff0000ULL) << 24) |       \
		 (((__u64)(x) & (__u64)0x00000000ff000000ULL) << 8) |        \
		 (((__u64)(x) & (__u64)0x000000ff00000000ULL) >> 8) |        \
		 (((__u64)(x) & (__u64)0x0000ff0000000000ULL) >> 24) |       \
		 (((__u64)(x) & (__u64)0x00ff000000000000ULL) >> 40) |       \
		 (((__u64)(x) & (__u64)0xff00000000000000ULL) >> 56)))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
/* bpfeb: network order is host order. */
#define __bpf_htons(x) ((__u16)(x))
#define __bpf_ntohs(x) ((__u16)(x))
#define __bpf_htonl(x) ((__u32)(x))
#define __bpf_ntohl(x) ((__u32)(x))
#define __bpf_cpu_to_be64(x) ((__u64)(x))
#define __bpf_be64_to_cpu(x) ((__u64)(x))
#define __bpf_constant_htons(x) ((__u16)(x))
#define __bpf_constant_ntohs(x) ((__u16)(x))
#define __bpf_constant_htonl(x) ((__u32)(x))
#define __bpf_constant_ntohl(x) ((__u32)(x))
#define __bpf_constant_cpu_to_be64(x) ((__u64)(x))
#define __bpf_constant_be64_to_cpu(x) ((__u64)(x))
#else
/* bpfel: swap. */
#define __bpf_htons(x) __builtin_bswap16(x)
#define __bpf_ntohs(x) __builtin_bswap16(x)
#define __bpf_htonl(x) __builtin_bswap32(x)
#define __bpf_ntohl(x) __builtin_bswap32(x)
#define __bpf_cpu_to_be64(x) __builtin_bswap64(x)
#define __bpf_be64_to_cpu(x) __builtin_bswap64(x)
#define __bpf_constant_htons(x) __tsbpf_swab16(x)
#define __bpf_constant_ntohs(x) __tsbpf_swab16(x)
#define __bpf_constant_htonl(x) __tsbpf_swab32(x)
#define __bpf_constant_ntohl(x) __tsbpf_swab32(x)
#define __bpf_constant_cpu_to_be64(x) __tsbpf_swab64(x)
#define __bpf_constant_be64_to_cpu(x) __tsbpf_swab64(x)
#endif

#define bpf_htons(x) (__builtin_constant_p(x) ? __bpf_constant_htons(x) : __bpf_htons(x))
#define bpf_ntohs(x) (__builtin_constant_p(x) ? __bpf_constant_ntohs(x) : __bpf_ntohs(x))
#define bpf_htonl(x) (__builtin_constant_p(x) ? __bpf_constant_htonl(x) : __bpf_htonl(x))
#define bpf_ntohl(x) (__builtin_constant_p(x) ? __bpf_constant_ntohl(x) : __bpf_ntohl(x))
#define bpf_cpu_to_be64(x) (__builtin_constant_p(x) ? __bpf_constant_cpu_to_be64(x) : __bpf_cpu_to_be64(x))
#define bpf_be64_to_cpu(x) (__builtin_constant_p(x) ? __bpf_constant_be64_to_cpu(x) : __bpf_be64_to_cpu(x))

#endif /* __TSBPF_BPF_ENDIAN_H */
