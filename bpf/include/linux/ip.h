/* tsbpf: IPv4 header (RFC 791). */
#ifndef __TSBPF_LINUX_IP_H
#define __TSBPF_LINUX_IP_H

#include <linux/types.h>
#include <asm/byteorder.h>

#define IPTOS_TOS_MASK 0x1E
#define IPTOS_TOS(tos) ((tos) & IPTOS_TOS_MASK)
#define IPTOS_LOWDELAY 0x10
#define IPTOS_THROUGHPUT 0x08
#define IPTOS_RELIABILITY 0x04
#define IPTOS_MINCOST 0x02
#define IPTOS_PREC_MASK 0xE0
#define IPTOS_PREC(tos) ((tos) & IPTOS_PREC_MASK)
#define IPTOS_ECN_MASK 0x03
#define IPTOS_ECN(tos) ((tos) & IPTOS_ECN_MASK)
#define IPTOS_ECN_NOT_ECT 0x00
#define IPTOS_ECN_ECT1 0x01
#define IPTOS_ECN_ECT0 0x02
#define IPTOS_ECN_CE 0x03

#define IPVERSION 4
#define MAXTTL 255
#define IPDEFTTL 64

/* frag_off bits (host byte order: compare with bpf_htons()). */
#define IP_CE 0x8000 /* congestion */
#define IP_DF 0x4000 /* don't fragment */
#define IP_MF 0x2000 /* more fragments */
#define IP_OFFSET 0x1FFF /* fragment offset, in 8-byte units */

/* Options. */
#define IPOPT_END 0
#define IPOPT_NOOP 1
#define IPOPT_SEC 130
#define IPOPT_LSRR 131
#define IPOPT_TIMESTAMP 68
#define IPOPT_RR 7
#define IPOPT_SSRR 137
#define IPOPT_RA 148

/*
 * IPv4 header, 20 bytes without options (ihl counts 32-bit words):
 *   0         1    2        4    6          8   9        10    12      16      20
 *   |ihl|ver  |tos | tot_len| id | frag_off |ttl|protocol|check| saddr | daddr |
 * ihl is the low nibble of byte 0, version the high nibble.
 */
struct iphdr {
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 ihl : 4, version : 4;
#else
	__u8 version : 4, ihl : 4;
#endif
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__sum16 check;
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
		};
		struct {
			__be32 saddr;
			__be32 daddr;
		} addrs;
	};
};

#endif /* __TSBPF_LINUX_IP_H */
