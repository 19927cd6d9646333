/* tsbpf: IPv6 addresses and extension-header protocol numbers. */
#ifndef __TSBPF_LINUX_IN6_H
#define __TSBPF_LINUX_IN6_H

#include <linux/types.h>

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be16 u6_addr16[8];
		__be32 u6_addr32[4];
	} in6_u;
#define s6_addr in6_u.u6_addr8
#define s6_addr16 in6_u.u6_addr16
#define s6_addr32 in6_u.u6_addr32
};

struct sockaddr_in6 {
	unsigned short int sin6_family; /* AF_INET6 */
	__be16 sin6_port;
	__be32 sin6_flowinfo;
	struct in6_addr sin6_addr;
	__u32 sin6_scope_id;
};

/* IPv6 next-header values that are not upper-layer protocols. */
#define IPPROTO_HOPOPTS 0 /* hop-by-hop options */
#define IPPROTO_ROUTING 43 /* routing header */
#define IPPROTO_FRAGMENT 44 /* fragment header */
#define IPPROTO_ICMPV6 58 /* ICMPv6 */
#define IPPROTO_NONE 59 /* no next header */
#define IPPROTO_DSTOPTS 60 /* destination options */
#define IPPROTO_MH 135 /* mobility header */

#define IPV6_FLOWINFO_FLOWLABEL 0x000fffff
#define IPV6_FLOWINFO_PRIORITY 0x0ff00000

#endif /* __TSBPF_LINUX_IN6_H */
