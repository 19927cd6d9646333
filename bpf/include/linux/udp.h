/* tsbpf: UDP header (RFC 768). */
#ifndef __TSBPF_LINUX_UDP_H
#define __TSBPF_LINUX_UDP_H

#include <linux/types.h>

/* UDP header, 8 bytes: source port, destination port, length (header and data), checksum. */
struct udphdr {
	__be16 source;
	__be16 dest;
	__be16 len;
	__sum16 check;
};

#endif /* __TSBPF_LINUX_UDP_H */
