/* tsbpf: TCP header (RFC 9293, with the AccECN "ae" bit). */
#ifndef __TSBPF_LINUX_TCP_H
#define __TSBPF_LINUX_TCP_H

#include <linux/types.h>
#include <asm/byteorder.h>

/*
 * TCP header, 20 bytes without options (doff counts 32-bit words):
 *   0       2      4     8         12            13      14      16      18       20
 *   |source | dest | seq | ack_seq | doff|res|ae | flags | window| check | urg_ptr |
 * Byte 13 holds cwr ece urg ack psh rst syn fin, from the high bit to the low bit.
 */
struct tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u16 ae : 1, res1 : 3, doff : 4, fin : 1, syn : 1, rst : 1, psh : 1, ack : 1, urg : 1, ece : 1, cwr : 1;
#else
	__u16 doff : 4, res1 : 3, ae : 1, cwr : 1, ece : 1, urg : 1, ack : 1, psh : 1, rst : 1, syn : 1, fin : 1;
#endif
	__be16 window;
	__sum16 check;
	__be16 urg_ptr;
};

/* The 4th 32-bit word of the header, as a whole. */
union tcp_word_hdr {
	struct tcphdr hdr;
	__be32 words[5];
};

#define tcp_flag_word(tp) (((union tcp_word_hdr *)(tp))->words[3])

/* Flag masks within tcp_flag_word(), network byte order. */
#if defined(__LITTLE_ENDIAN_BITFIELD)
#define __TSBPF_TCP_FLAG(x) ((__be32)__builtin_bswap32(x))
#else
#define __TSBPF_TCP_FLAG(x) ((__be32)(x))
#endif
#define TCP_FLAG_AE __TSBPF_TCP_FLAG(0x01000000)
#define TCP_FLAG_CWR __TSBPF_TCP_FLAG(0x00800000)
#define TCP_FLAG_ECE __TSBPF_TCP_FLAG(0x00400000)
#define TCP_FLAG_URG __TSBPF_TCP_FLAG(0x00200000)
#define TCP_FLAG_ACK __TSBPF_TCP_FLAG(0x00100000)
#define TCP_FLAG_PSH __TSBPF_TCP_FLAG(0x00080000)
#define TCP_FLAG_RST __TSBPF_TCP_FLAG(0x00040000)
#define TCP_FLAG_SYN __TSBPF_TCP_FLAG(0x00020000)
#define TCP_FLAG_FIN __TSBPF_TCP_FLAG(0x00010000)
#define TCP_RESERVED_BITS __TSBPF_TCP_FLAG(0x0E000000)
#define TCP_DATA_OFFSET __TSBPF_TCP_FLAG(0xF0000000)

/* TCP states (bpf_sock.state uses BPF_TCP_* of <linux/bpf.h>, with the same values). */
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_NEW_SYN_RECV,
	TCP_BOUND_INACTIVE,
	TCP_MAX_STATES,
};

/* Socket options (level SOL_TCP = IPPROTO_TCP) usable with bpf_setsockopt()/bpf_getsockopt(). */
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_SYNCNT 7
#define TCP_WINDOW_CLAMP 10
#define TCP_CONGESTION 13
#define TCP_USER_TIMEOUT 18
#define TCP_NOTSENT_LOWAT 25
#define TCP_SAVE_SYN 27
#define TCP_SAVED_SYN 28
#define TCP_BPF_IW 1001
#define TCP_BPF_SNDCWND_CLAMP 1002
#define TCP_BPF_DELACK_MAX 1003
#define TCP_BPF_RTO_MIN 1004
#define TCP_BPF_SYN 1005
#define TCP_BPF_SYN_IP 1006
#define TCP_BPF_SYN_MAC 1007
#define TCP_BPF_SOCK_OPS_CB_FLAGS 1008

#endif /* __TSBPF_LINUX_TCP_H */
