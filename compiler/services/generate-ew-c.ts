// The east-west half of the load balancer's C (generate-lb-c.ts emits it after the shared maps and
// functions): two tc programs on the client's node, endpoint mode, on the client's interface.
//   lb_tc_egress  (the client's packets on their way out): a VIP packet gets a backend exactly as in the
//                 north-south program (connection map, affinity, table) and is DNATed to it, VIP:vp → B:bp;
//                 no SNAT: the backend answers the client's own address. ew_rev remembers the translation.
//                 A removed backend's connection is dropped (a RST would have to go back into the client).
//   lb_tc_ingress (the replies on their way in): B:bp → C:cp in ew_rev → source := VIP:vp.
// Checksums through bpf_l3_csum_replace / bpf_l4_csum_replace (BPF_F_PSEUDO_HDR for the addresses,
// BPF_F_MARK_MANGLED_0 for UDP), which keep CHECKSUM_PARTIAL skbs right, then bpf_skb_store_bytes at fixed
// offsets (IPv4 without options, no VLAN tag).

export const EW_EGRESS_PROGRAM = 'lb_tc_egress';
export const EW_INGRESS_PROGRAM = 'lb_tc_ingress';

/** the ew_rev map and the two programs (needs the declarations of generate-lb-c.ts before it) */
export function eastWestC(connections: number): string {
  return `
/* east-west: (backend, backend port, client, client port, protocol) → the VIP and port the client used */
struct ew_key {
	__be32 backend;
	__be32 client;
	__be16 backend_port;
	__be16 client_port;
	__u8 proto;
	__u8 pad[3];
};

struct ew_rev {
	__be32 vip;
	__be16 vip_port;
	__u16 pad;
	__u32 backend;
	__u32 svc;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ${connections});
	__type(key, struct ew_key);
	__type(value, struct ew_rev);
} ew_rev SEC(".maps");

#define EW_IP_CSUM 24		/* 14 + offsetof(struct iphdr, check) */
#define EW_SADDR 26
#define EW_DADDR 30
#define EW_SPORT 34
#define EW_DPORT 36
#define EW_TCP_CSUM 50		/* 34 + 16 */
#define EW_UDP_CSUM 40		/* 34 + 6 */

/* the IPv4 + TCP/UDP headers of an skb at fixed offsets: 0 when it is not one the load balancer handles */
static __always_inline int ew_parse(struct __sk_buff *skb, struct flow *fl)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__be16 *ports = data + sizeof(*eth) + sizeof(*ip);

	if ((void *)(ports + 2) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->version != 4 || ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
		return 0;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return 0;
	if (ip->protocol == IPPROTO_TCP && (void *)ports + sizeof(struct tcphdr_lb) > data_end)
		return 0;
	if (ip->protocol == IPPROTO_UDP && (void *)ports + sizeof(struct udphdr_lb) > data_end)
		return 0;
	fl->saddr = ip->saddr;
	fl->daddr = ip->daddr;
	fl->sport = ports[0];
	fl->dport = ports[1];
	fl->proto = ip->protocol;
	return sizeof(*eth) + bpf_ntohs(ip->tot_len);
}

/* rewrite one address (at addr_off) and one port (at port_off), checksums first */
static __always_inline void ew_rewrite(struct __sk_buff *skb, __u8 proto, int addr_off, __be32 from, __be32 to,
				       int port_off, __be16 pfrom, __be16 pto)
{
	int csum_off = proto == IPPROTO_TCP ? EW_TCP_CSUM : EW_UDP_CSUM;
	__u64 mangled = proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	bpf_l4_csum_replace(skb, csum_off, from, to, BPF_F_PSEUDO_HDR | mangled | sizeof(to));
	bpf_l4_csum_replace(skb, csum_off, pfrom, pto, mangled | sizeof(pto));
	bpf_l3_csum_replace(skb, EW_IP_CSUM, from, to, sizeof(to));
	bpf_skb_store_bytes(skb, addr_off, &to, sizeof(to), 0);
	bpf_skb_store_bytes(skb, port_off, &pto, sizeof(pto), 0);
}

SEC("tc")
int ${EW_EGRESS_PROGRAM}(struct __sk_buff *skb)
{
	struct flow fl = {};
	int bytes = ew_parse(skb, &fl);

	if (!bytes)
		return TC_ACT_OK;
	struct svc_key sk = { .vip = fl.daddr, .port = fl.dport, .proto = fl.proto };
	struct svc *svc = bpf_map_lookup_elem(&services, &sk);

	if (!svc)
		return TC_ACT_OK;
	__u32 svc_id = svc->id;
	__u32 backend_id;
	__u64 new_conn = 0;
	struct backend *be;
	struct conn *ct = bpf_map_lookup_elem(&conns, &fl);

	if (ct) {
		backend_id = ct->backend;
		be = bpf_map_lookup_elem(&backends, &backend_id);
		if (!be || be->state == STATE_REMOVED) {
			bpf_map_delete_elem(&conns, &fl);
			count_svc(svc_id, bytes, 0, 1);
			return TC_ACT_SHOT;
		}
	} else {
		struct affinity_key ak = { .client = { fl.saddr }, .svc = svc_id };

		be = choose_backend(svc, &ak, flow_hash(&fl, svc->seed), &backend_id);
		if (!be) {
			count_svc(svc_id, bytes, 0, 1);
			return TC_ACT_SHOT;
		}
		struct conn c = { .backend = backend_id };

		bpf_map_update_elem(&conns, &fl, &c, BPF_ANY);
		new_conn = 1;
	}
	struct ew_key ek = { .backend = be->addr, .client = fl.saddr, .backend_port = be->port, .client_port = fl.sport, .proto = fl.proto };
	struct ew_rev er = { .vip = fl.daddr, .vip_port = fl.dport, .backend = backend_id, .svc = svc_id };
	__be32 baddr = be->addr;
	__be16 bport = be->port;

	bpf_map_update_elem(&ew_rev, &ek, &er, BPF_ANY);
	count_svc(svc_id, bytes, new_conn, 0);
	count_backend(backend_id, bytes, 0, 0);
	ew_rewrite(skb, fl.proto, EW_DADDR, fl.daddr, baddr, EW_DPORT, fl.dport, bport);
	return TC_ACT_OK;
}

SEC("tc")
int ${EW_INGRESS_PROGRAM}(struct __sk_buff *skb)
{
	struct flow fl = {};
	int bytes = ew_parse(skb, &fl);

	if (!bytes)
		return TC_ACT_OK;
	struct ew_key ek = { .backend = fl.saddr, .client = fl.daddr, .backend_port = fl.sport, .client_port = fl.dport, .proto = fl.proto };
	struct ew_rev *er = bpf_map_lookup_elem(&ew_rev, &ek);

	if (!er)
		return TC_ACT_OK;
	__be32 vip = er->vip;
	__be16 vport = er->vip_port;

	count_backend(er->backend, bytes, 1, 0);
	ew_rewrite(skb, fl.proto, EW_SADDR, fl.saddr, vip, EW_SPORT, fl.sport, vport);
	return TC_ACT_OK;
}
`;
}
