/* tsbpf: IPv6 header (RFC 8200) and extension-header framing. */
#ifndef __TSBPF_LINUX_IPV6_H
#define __TSBPF_LINUX_IPV6_H

#include <linux/types.h>
#include <linux/in6.h>
#include <asm/byteorder.h>

#define IPV6_MIN_MTU 1280
#define IPV6_MAXPLEN 65535

/*
 * IPv6 header, 40 bytes:
 *   0            1          4            6         7          8       24      40
 *   |prio|version| flow_lbl | payload_len| nexthdr |hop_limit | saddr | daddr |
 * version is the high nibble of byte 0; priority (traffic class high bits) the low nibble.
 */
struct ipv6hdr {
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u8 priority : 4, version : 4;
#else
	__u8 version : 4, priority : 4;
#endif
	__u8 flow_lbl[3];
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	union {
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		};
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		} addrs;
	};
};

/* Generic extension header (hop-by-hop, destination options, routing): length in 8-byte units, less 8. */
struct ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
} __attribute__((packed));

struct ipv6_rt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
	__u8 type;
	__u8 segments_left;
};

#define ipv6_optlen(p) (((p)->hdrlen + 1) << 3)

#endif /* __TSBPF_LINUX_IPV6_H */
