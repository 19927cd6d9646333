/* tsbpf: byte order of the BPF target (bpfel or bpfeb) for headers with endian-dependent bitfields. */
#ifndef __TSBPF_ASM_BYTEORDER_H
#define __TSBPF_ASM_BYTEORDER_H

#include <linux/types.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#ifndef __BIG_ENDIAN
#define __BIG_ENDIAN 4321
#endif
#ifndef __BIG_ENDIAN_BITFIELD
#define __BIG_ENDIAN_BITFIELD
#endif
#define __constant_htons(x) ((__be16)(__u16)(x))
#define __constant_ntohs(x) ((__u16)(__be16)(x))
#define __constant_htonl(x) ((__be32)(__u32)(x))
#define __constant_ntohl(x) ((__u32)(__be32)(x))
#else
#ifndef __LITTLE_ENDIAN
#define __LITTLE_ENDIAN 1234
#endif
#ifndef __LITTLE_ENDIAN_BITFIELD
#define __LITTLE_ENDIAN_BITFIELD
#endif
#define __constant_htons(x) ((__be16)__builtin_bswap16((__u16)(x)))
#define __constant_ntohs(x) ((__u16)__builtin_bswap16((__u16)(__be16)(x)))
#define __constant_htonl(x) ((__be32)__builtin_bswap32((__u32)(x)))
#define __constant_ntohl(x) ((__u32)__builtin_bswap32((__u32)(__be32)(x)))
#endif

#endif /* __TSBPF_ASM_BYTEORDER_H */
