// The east-west half of the load balancer's C (generate-lb-c.ts emits it after the shared maps and
// functions): two tc programs on the client's node, endpoint mode, on the client's interface.
//   lb_tc_egress  (the client's packets on their way out): a VIP packet gets a backend exactly as in the
//                 north-south program (connection map, affinity, table) and is DNATed to it, VIP:vp → B:bp;
//                 no SNAT: the backend answers the client's own address. ew_rev / ew_rev6 remember the
//                 translation. A removed backend's connection is dropped (a RST would have to go back into the
//                 client).
//   lb_tc_ingress (the replies on their way in): B:bp → C:cp in ew_rev / ew_rev6 → source := VIP:vp.
// Each program dispatches on the ethertype to one subprogram per address family (separate stack frames, as
// lb_v4 / lb_v6). The two families' code comes from one template (ewFamilyC) that differs only in the address
// type, the header offsets and the checksum updates: IPv4 through bpf_l3_csum_replace + bpf_l4_csum_replace,
// IPv6 (no header checksum) four 4-byte pseudo-header updates per address. BPF_F_PSEUDO_HDR for addresses and
// BPF_F_MARK_MANGLED_0 for UDP keep CHECKSUM_PARTIAL skbs right. Fixed offsets: IPv4 without options, IPv6
// with TCP/UDP right after the fixed header, no VLAN tag.

export const EW_EGRESS_PROGRAM = 'lb_tc_egress';
export const EW_INGRESS_PROGRAM = 'lb_tc_ingress';

/** What differs between the IPv4 and IPv6 east-west code. */
interface EwFamily {
  /** '4' or '6': names ew_egress4, ew_rev6, … */
  readonly n: '4' | '6';
  /** the ew_rev map's and the structs' names */
  readonly rev: string;
  readonly key: string;
  /** a struct member holding an address */
  readonly addr: (name: string) => string;
  /** copy an address (lvalue `d` from `s`) */
  readonly copy: (d: string, s: string) => string;
  /** a local variable holding an address, initialised from `s` */
  readonly local: (name: string, s: string) => string;
  /** the backend's address in struct backend */
  readonly backendAddr: string;
  readonly ethertype: string;
  readonly ipHeader: string;
  /** offsets of the addresses, ports and checksums in the frame */
  readonly off: { readonly saddr: number; readonly daddr: number; readonly sport: number; readonly dport: number; readonly tcpCsum: number; readonly udpCsum: number };
  /** the header checks after the ports are known to be in the packet (return 0 when not balanced) */
  readonly checks: string;
  readonly protocol: string;
  readonly totalLength: string;
  readonly flow: string;
  readonly svcKey: string;
  readonly services: string;
  readonly conns: string;
  readonly hash: string;
  /** an address argument: a value (IPv4) or a pointer to four words (IPv6) */
  readonly param: (name: string) => string;
  /** pass a local address as that argument */
  readonly arg: (name: string) => string;
  /** the checksum updates for one address changing from `from` to `to` */
  readonly addrCsum: string;
}

const IPV4: EwFamily = {
  n: '4',
  rev: 'ew_rev',
  key: 'ew_key',
  addr: (name) => `__be32 ${name};`,
  copy: (d, s) => `${d} = ${s};`,
  local: (name, s) => `__be32 ${name} = ${s};`,
  backendAddr: 'be->addr',
  ethertype: 'ETH_P_IP',
  ipHeader: 'struct iphdr',
  off: { saddr: 26, daddr: 30, sport: 34, dport: 36, tcpCsum: 50, udpCsum: 40 },
  checks: `if (ip->version != 4 || ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
		return 0;`,
  protocol: 'ip->protocol',
  totalLength: 'bpf_ntohs(ip->tot_len)',
  flow: 'flow',
  svcKey: 'svc_key',
  services: 'services',
  conns: 'conns',
  hash: 'flow_hash',
  param: (name) => `__be32 ${name}`,
  arg: (name) => name,
  addrCsum: `bpf_l4_csum_replace(skb, csum_off, from, to, BPF_F_PSEUDO_HDR | mangled | sizeof(to));
	bpf_l3_csum_replace(skb, 24, from, to, sizeof(to));	/* 14 + offsetof(struct iphdr, check) */`,
};

const IPV6: EwFamily = {
  n: '6',
  rev: 'ew_rev6',
  key: 'ew_key6',
  addr: (name) => `__be32 ${name}[4];`,
  copy: (d, s) => `COPY4(${d}, ${s});`,
  local: (name, s) => `__be32 ${name}[4];\n\n\tCOPY4(${name}, ${s});`,
  backendAddr: 'be->addr6',
  ethertype: 'ETH_P_IPV6',
  ipHeader: 'struct ip6hdr_lb',
  off: { saddr: 22, daddr: 38, sport: 54, dport: 56, tcpCsum: 70, udpCsum: 60 },
  checks: '',
  protocol: 'ip->nexthdr',
  totalLength: 'sizeof(*ip) + bpf_ntohs(ip->payload_len)',
  flow: 'flow6',
  svcKey: 'svc_key6',
  services: 'services6',
  conns: 'conns6',
  hash: 'flow_hash6',
  param: (name) => `const __be32 *${name}`,
  arg: (name) => name,
  addrCsum: `bpf_l4_csum_replace(skb, csum_off, from[0], to[0], BPF_F_PSEUDO_HDR | mangled | 4);
	bpf_l4_csum_replace(skb, csum_off, from[1], to[1], BPF_F_PSEUDO_HDR | mangled | 4);
	bpf_l4_csum_replace(skb, csum_off, from[2], to[2], BPF_F_PSEUDO_HDR | mangled | 4);
	bpf_l4_csum_replace(skb, csum_off, from[3], to[3], BPF_F_PSEUDO_HDR | mangled | 4);`,
};

/** the parse, rewrite, egress and ingress functions of one address family */
function ewFamilyC(f: EwFamily, connections: number, pass: string): string {
  const n = f.n;
  const addrSize = n === '4' ? 'sizeof(to)' : '16';
  const toPtr = n === '4' ? '&to' : 'to';
  return `
/* east-west IPv${n}: (backend, backend port, client, client port, protocol) → the VIP and port the client used */
struct ${f.key} {
	${f.addr('backend')}
	${f.addr('client')}
	__be16 backend_port;
	__be16 client_port;
	__u8 proto;
	__u8 pad[3];
};

struct ${f.rev} {
	${f.addr('vip')}
	__be16 vip_port;
	__u16 pad;
	__u32 backend;
	__u32 svc;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ${connections});
	__type(key, struct ${f.key});
	__type(value, struct ${f.rev});
} ${f.rev} SEC(".maps");

/* the IPv${n} + TCP/UDP headers of an skb at fixed offsets: 0 when it is not one the load balancer handles */
static __always_inline int ew_parse${n}(struct __sk_buff *skb, struct ${f.flow} *fl)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	${f.ipHeader} *ip = data + sizeof(*eth);
	__be16 *ports = data + sizeof(*eth) + sizeof(*ip);

	if ((void *)(ports + 2) > data_end || eth->h_proto != bpf_htons(${f.ethertype}))
		return 0;
	${f.checks}
	if (${f.protocol} != IPPROTO_TCP && ${f.protocol} != IPPROTO_UDP)
		return 0;
	if (${f.protocol} == IPPROTO_TCP && (void *)ports + sizeof(struct tcphdr_lb) > data_end)
		return 0;
	if (${f.protocol} == IPPROTO_UDP && (void *)ports + sizeof(struct udphdr_lb) > data_end)
		return 0;
	${f.copy('fl->saddr', 'ip->saddr')}
	${f.copy('fl->daddr', 'ip->daddr')}
	fl->sport = ports[0];
	fl->dport = ports[1];
	fl->proto = ${f.protocol};
	return sizeof(*eth) + ${f.totalLength};
}

/* rewrite one address (at addr_off) and one port (at port_off), checksums first */
static __always_inline void ew_rewrite${n}(struct __sk_buff *skb, __u8 proto, int addr_off, ${f.param('from')}, ${f.param('to')},
					int port_off, __be16 pfrom, __be16 pto)
{
	int csum_off = proto == IPPROTO_TCP ? ${f.off.tcpCsum} : ${f.off.udpCsum};
	__u64 mangled = proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;

	${f.addrCsum}
	bpf_l4_csum_replace(skb, csum_off, pfrom, pto, mangled | sizeof(pto));
	bpf_skb_store_bytes(skb, addr_off, ${toPtr}, ${addrSize}, 0);
	bpf_skb_store_bytes(skb, port_off, &pto, sizeof(pto), 0);
}

static __noinline int ew_egress${n}(struct __sk_buff *skb)
{
	struct ${f.flow} fl = {};
	int bytes = ew_parse${n}(skb, &fl);

	if (!bytes)
		return ${pass};
	struct ${f.svcKey} sk = { .port = fl.dport, .proto = fl.proto };

	${f.copy('sk.vip', 'fl.daddr')}
	struct svc *svc = bpf_map_lookup_elem(&${f.services}, &sk);

	if (!svc)
		return ${pass};
	__u32 svc_id = svc->id;
	__u32 backend_id;
	__u64 new_conn = 0;
	struct backend *be;
	struct conn *ct = bpf_map_lookup_elem(&${f.conns}, &fl);

	if (ct) {
		backend_id = ct->backend;
		be = bpf_map_lookup_elem(&backends, &backend_id);
		if (!be || be->state == STATE_REMOVED) {
			bpf_map_delete_elem(&${f.conns}, &fl);
			count_svc(svc_id, bytes, 0, 1);
			return TC_ACT_SHOT;
		}
	} else {
		struct affinity_key ak = { .svc = svc_id };

		${n === '4' ? 'ak.client[0] = fl.saddr;' : 'COPY4(ak.client, fl.saddr);'}
		be = choose_backend(svc, &ak, ${f.hash}(&fl, svc->seed), &backend_id);
		if (!be) {
			count_svc(svc_id, bytes, 0, 1);
			return TC_ACT_SHOT;
		}
		struct conn c = { .backend = backend_id };

		bpf_map_update_elem(&${f.conns}, &fl, &c, BPF_ANY);
		new_conn = 1;
	}
	struct ${f.key} ek = { .backend_port = be->port, .client_port = fl.sport, .proto = fl.proto };
	struct ${f.rev} er = { .vip_port = fl.dport, .backend = backend_id, .svc = svc_id };
	${f.local('baddr', f.backendAddr)}
	__be16 bport = be->port;

	${f.copy('ek.backend', f.backendAddr)}
	${f.copy('ek.client', 'fl.saddr')}
	${f.copy('er.vip', 'fl.daddr')}
	bpf_map_update_elem(&${f.rev}, &ek, &er, BPF_ANY);
	count_svc(svc_id, bytes, new_conn, 0);
	count_backend(backend_id, bytes, 0, 0);
	ew_rewrite${n}(skb, fl.proto, ${f.off.daddr}, ${f.arg('fl.daddr')}, ${f.arg('baddr')}, ${f.off.dport}, fl.dport, bport);
	return ${pass};
}

static __noinline int ew_ingress${n}(struct __sk_buff *skb)
{
	struct ${f.flow} fl = {};
	int bytes = ew_parse${n}(skb, &fl);

	if (!bytes)
		return ${pass};
	struct ${f.key} ek = { .backend_port = fl.sport, .client_port = fl.dport, .proto = fl.proto };

	${f.copy('ek.backend', 'fl.saddr')}
	${f.copy('ek.client', 'fl.daddr')}
	struct ${f.rev} *er = bpf_map_lookup_elem(&${f.rev}, &ek);

	if (!er)
		return ${pass};
	${f.local('vip', 'er->vip')}
	__be16 vport = er->vip_port;

	count_backend(er->backend, bytes, 1, 0);
	ew_rewrite${n}(skb, fl.proto, ${f.off.saddr}, ${f.arg('fl.saddr')}, ${f.arg('vip')}, ${f.off.sport}, fl.sport, vport);
	return ${pass};
}
`;
}

/** the ethertype of an skb's frame (0 when it has no Ethernet header) */
const ETHERTYPE_C = `
static __always_inline __be16 ew_ethertype(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	return (void *)(eth + 1) > data_end ? 0 : eth->h_proto;
}
`;

/**
 * What the tc programs return for a packet they let through. `TC_ACT_OK` (0, TCX_PASS) ends a tcx chain;
 * `deploy` chains the load balancer in front of the policy programs on one hook, so it asks for TCX_NEXT (-1):
 * the next program (the policy) still judges the packet, and past the last one it passes.
 */
export type EwPass = 'TC_ACT_OK' | 'TCX_NEXT';

/** the ew_rev maps and the two programs (needs the declarations of generate-lb-c.ts and generate-lb6-c.ts before it) */
export function eastWestC(connections: number, pass: EwPass = 'TC_ACT_OK'): string {
  // TCX_NEXT as a number: the wasm driver's headers may predate enum tcx_action_base (Linux 6.6)
  const ret = pass === 'TCX_NEXT' ? '-1 /* TCX_NEXT */' : 'TC_ACT_OK';
  return `${ewFamilyC(IPV4, connections, ret)}${ewFamilyC(IPV6, connections, ret)}${ETHERTYPE_C}
SEC("tc")
int ${EW_EGRESS_PROGRAM}(struct __sk_buff *skb)
{
	return ew_ethertype(skb) == bpf_htons(ETH_P_IPV6) ? ew_egress6(skb) : ew_egress4(skb);
}

SEC("tc")
int ${EW_INGRESS_PROGRAM}(struct __sk_buff *skb)
{
	return ew_ethertype(skb) == bpf_htons(ETH_P_IPV6) ? ew_ingress6(skb) : ew_ingress4(skb);
}
`;
}
