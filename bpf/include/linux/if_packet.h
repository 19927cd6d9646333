/* tsbpf: packet types (__sk_buff.pkt_type). */
#ifndef __TSBPF_LINUX_IF_PACKET_H
#define __TSBPF_LINUX_IF_PACKET_H

#define PACKET_HOST 0 /* to us */
#define PACKET_BROADCAST 1 /* to all */
#define PACKET_MULTICAST 2 /* to group */
#define PACKET_OTHERHOST 3 /* to someone else */
#define PACKET_OUTGOING 4 /* outgoing, of any type */
#define PACKET_LOOPBACK 5
#define PACKET_USER 6
#define PACKET_KERNEL 7

#endif /* __TSBPF_LINUX_IF_PACKET_H */
