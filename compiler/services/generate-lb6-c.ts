// The IPv6 declarations of the north-south XDP load balancer (generate-lb-c.ts emits them before lb_xdp, which
// calls lb_v6 for an IPv6 ethertype; lb_v6 comes from the template both families share, generate-lb-path-c.ts):
// the same steps as IPv4 (reply through snat_rev6, else services6, conns6,
// affinity, the table, a SNAT port to the load balancer's IPv6 address), with the TCP/UDP checksum updated
// word by word for the pseudo-header addresses (IPv6 has no header checksum; a UDP checksum is mandatory, a
// computed 0 is sent as 0xffff). Only a TCP or UDP header right after the fixed header (no extension
// headers) is balanced; a removed backend's connection gets the service's removedAction (RST or drop) as in
// IPv4; DSR is IPv4 only.
import type { LbSizes } from './generate-lb-c.ts';
import { lbV6C } from './generate-lb-path-c.ts';

export function northSouth6C(sizes: LbSizes): string {
  return `
struct ip6hdr_lb {
	__be32 vtc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__be32 saddr[4];
	__be32 daddr[4];
};

struct svc_key6 {
	__be32 vip[4];
	__be16 port;
	__u8 proto;
	__u8 pad;
};

struct flow6 {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct rev_key6 {
	__be32 backend[4];
	__be16 backend_port;
	__be16 snat_port;
	__u8 proto;
	__u8 pad[3];
};

struct rev6 {
	__be32 client[4];
	__be32 vip[4];
	__be16 client_port;
	__be16 vip_port;
	__u8 client_mac[6];
	__u16 pad;
	__u32 backend;
	__u32 svc;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ${sizes.services6});
	__type(key, struct svc_key6);
	__type(value, struct svc);
} services6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ${sizes.connections});
	__type(key, struct flow6);
	__type(value, struct conn);
} conns6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ${sizes.connections});
	__type(key, struct rev_key6);
	__type(value, struct rev6);
} snat_rev6 SEC(".maps");

#define COPY4(d, s) do { (d)[0] = (s)[0]; (d)[1] = (s)[1]; (d)[2] = (s)[2]; (d)[3] = (s)[3]; } while (0)

/* flowHash6 in flow-hash.ts is the TypeScript twin */
static __always_inline __u32 flow_hash6(const struct flow6 *f, __u32 seed)
{
	__u32 h = seed;

	h = fmix32(h ^ f->saddr[0]);
	h = fmix32(h ^ f->saddr[1]);
	h = fmix32(h ^ f->saddr[2]);
	h = fmix32(h ^ f->saddr[3]);
	h = fmix32(h ^ f->daddr[0]);
	h = fmix32(h ^ f->daddr[1]);
	h = fmix32(h ^ f->daddr[2]);
	h = fmix32(h ^ f->daddr[3]);
	h = fmix32(h ^ (((__u32)f->sport << 16) | f->dport));
	h = fmix32(h ^ f->proto);
	return h;
}

static __always_inline void csum_replace16(__sum16 *sum, const __be32 *from, const __be32 *to)
{
	csum_replace4(sum, from[0], to[0]);
	csum_replace4(sum, from[1], to[1]);
	csum_replace4(sum, from[2], to[2]);
	csum_replace4(sum, from[3], to[3]);
}

static __always_inline void rewrite6(struct ip6hdr_lb *ip6, __be16 *sport, __be16 *dport, __sum16 *l4sum, int udp,
				     const __be32 *saddr, const __be32 *daddr, __be16 nsport, __be16 ndport)
{
	csum_replace16(l4sum, ip6->saddr, saddr);
	csum_replace16(l4sum, ip6->daddr, daddr);
	csum_replace2(l4sum, *sport, nsport);
	csum_replace2(l4sum, *dport, ndport);
	if (udp && *l4sum == 0)
		*l4sum = 0xffff;
	COPY4(ip6->saddr, saddr);
	COPY4(ip6->daddr, daddr);
	*sport = nsport;
	*dport = ndport;
}

/* the IPv6 twin of send_reset: a RST from the VIP answering the client's segment (RFC 793), 74 bytes */
static __noinline int send_reset6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ip6hdr_lb *ip6 = data + sizeof(*eth);
	struct tcphdr_lb *tcp = data + sizeof(*eth) + sizeof(*ip6);
	__u8 mac[6];
	__be32 saddr[4], daddr[4], seq, ack;
	__be16 sport, dport;
	__u8 flags;
	__u32 len, paylen;

	if ((void *)(tcp + 1) > data_end || (tcp->flags & TCP_RST))
		return XDP_DROP;
	paylen = bpf_ntohs(ip6->payload_len);
	len = paylen - (tcp->doff_res >> 4) * 4;
	rst_numbers(tcp, len, &seq, &ack, &flags);
	__builtin_memcpy(mac, eth->h_source, 6);
	COPY4(saddr, ip6->daddr);
	COPY4(daddr, ip6->saddr);
	sport = tcp->dest;
	dport = tcp->source;
	if (bpf_xdp_adjust_tail(ctx, (int)sizeof(*tcp) - (int)paylen))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip6 = data + sizeof(*eth);
	tcp = data + sizeof(*eth) + sizeof(*ip6);
	if ((void *)(tcp + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_source, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, mac, 6);
	ip6->payload_len = bpf_htons(sizeof(*tcp));
	ip6->hop_limit = 64;
	COPY4(ip6->saddr, saddr);
	COPY4(ip6->daddr, daddr);
	rst_header(tcp, sport, dport, seq, ack, flags);

	/* pseudo-header: addresses, upper-layer length 20, next header 6 */
	__u32 s = bpf_htons(sizeof(*tcp)) + bpf_htons(IPPROTO_TCP);
	__u16 *w = (__u16 *)tcp;

	s += (saddr[0] & 0xffff) + (saddr[0] >> 16) + (saddr[1] & 0xffff) + (saddr[1] >> 16);
	s += (saddr[2] & 0xffff) + (saddr[2] >> 16) + (saddr[3] & 0xffff) + (saddr[3] >> 16);
	s += (daddr[0] & 0xffff) + (daddr[0] >> 16) + (daddr[1] & 0xffff) + (daddr[1] >> 16);
	s += (daddr[2] & 0xffff) + (daddr[2] >> 16) + (daddr[3] & 0xffff) + (daddr[3] >> 16);
	s += w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7] + w[8] + w[9];
	tcp->check = (__u16)~fold(s);
	return XDP_TX;
}

${lbV6C()}`;
}
