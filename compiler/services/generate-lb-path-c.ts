// The north-south packet path of one address family, lb_v4 or lb_v6 (subprograms of lb_xdp with their own stack
// frames), from one template: the steps are the same for both (generate-lb-c.ts lists them), only the header,
// the address type (one word or four), the maps (services/services6, conns/conns6, snat_rev/snat_rev6), the
// flow hash and the rewrite differ. DSR (IPIP) is IPv4 only. A removed backend's connection that must be reset
// returns LB_RESET: lb_xdp then sends the RST from its own frame (send_reset / send_reset6), so that the path's
// and the RST's stack frames never add up.

interface LbFamily {
  readonly n: '4' | '6';
  /** header checks from `data`; leave `ip` pointing at the IP header or return XDP_PASS */
  readonly header: string;
  readonly ipType: string;
  readonly protocol: string;
  readonly totalLength: string;
  /** the condition "this packet is addressed to the SNAT address" */
  readonly toSnat: string;
  readonly revKey: string;
  readonly rev: string;
  readonly snatRev: string;
  readonly svcKey: string;
  readonly services: string;
  readonly flow: string;
  readonly conns: string;
  readonly hash: string;
  readonly rewrite: string;
  readonly snatAddr: string;
  readonly backendAddr: string;
  /** `d` := `s` for an address */
  readonly copy: (d: string, s: string) => string;
}

const V4: LbFamily = {
  n: '4',
  header: `if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->version != 4)
		return XDP_PASS;
	/* IP options and fragments pass: no fixed L4 offset (the seed profile has no variable packet offsets),
	 * no ports after the first fragment */
	if (ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
		return XDP_PASS;`,
  ipType: 'struct iphdr',
  protocol: 'ip->protocol',
  totalLength: 'bpf_ntohs(ip->tot_len)',
  toSnat: 'ip->daddr == cfg->snat_addr',
  revKey: 'rev_key',
  rev: 'rev',
  snatRev: 'snat_rev',
  svcKey: 'svc_key',
  services: 'services',
  flow: 'flow',
  conns: 'conns',
  hash: 'flow_hash',
  rewrite: 'rewrite',
  snatAddr: 'cfg->snat_addr',
  backendAddr: 'be->addr',
  copy: (d, s) => `${d} = ${s};`,
};

const V6: LbFamily = {
  n: '6',
  header: `ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;`,
  ipType: 'struct ip6hdr_lb',
  protocol: 'ip->nexthdr',
  totalLength: 'sizeof(*ip) + bpf_ntohs(ip->payload_len)',
  toSnat: `ip->daddr[0] == cfg->snat_addr6[0] && ip->daddr[1] == cfg->snat_addr6[1] &&
	    ip->daddr[2] == cfg->snat_addr6[2] && ip->daddr[3] == cfg->snat_addr6[3]`,
  revKey: 'rev_key6',
  rev: 'rev6',
  snatRev: 'snat_rev6',
  svcKey: 'svc_key6',
  services: 'services6',
  flow: 'flow6',
  conns: 'conns6',
  hash: 'flow_hash6',
  rewrite: 'rewrite6',
  snatAddr: 'cfg->snat_addr6',
  backendAddr: 'be->addr6',
  copy: (d, s) => `COPY4(${d}, ${s});`,
};

function lbPathC(f: LbFamily): string {
  const dsr = f.n === '4';
  const newConnection = `struct ${f.revKey} rk = { .backend_port = be->port, .proto = ${f.protocol} };
			struct ${f.rev} rv = { .client_port = ports[0], .vip_port = ports[1], .backend = backend_id, .svc = svc_id };
			__u32 h = ${f.hash}(&fl, 0x736e6174);

			${f.copy('rk.backend', f.backendAddr)}
			${f.copy('rv.client', 'ip->saddr')}
			${f.copy('rv.vip', 'ip->daddr')}
			__builtin_memcpy(rv.client_mac, eth->h_source, 6);
			if (!claim_port${f.n}(&rk, &rv, cfg, h) && !claim_port${f.n}(&rk, &rv, cfg, fmix32(h + 1)) &&
			    !claim_port${f.n}(&rk, &rv, cfg, fmix32(h + 2)) && !claim_port${f.n}(&rk, &rv, cfg, fmix32(h + 3))) {
				count_svc(svc_id, bytes, 0, 1);
				return XDP_DROP;	/* the allocator is full around this flow */
			}
			snat_port = rk.snat_port;`;
  return `
/* one SNAT port probe: claims (backend, port) for this connection unless another holds it */
static __always_inline int claim_port${f.n}(struct ${f.revKey} *rk, const struct ${f.rev} *rv, const struct lb_config *cfg, __u32 h)
{
	__u32 span = cfg->port_span ? cfg->port_span : 1;

	rk->snat_port = bpf_htons((__u16)(cfg->port_min + h % span));
	return bpf_map_update_elem(&${f.snatRev}, rk, rv, BPF_NOEXIST) == 0;
}

static __noinline int lb_v${f.n}(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	${f.ipType} *ip;
	__be16 *ports;
	__sum16 *l4sum;
	__u32 zero = 0, bytes;
	int udp;

	${f.header}
	if (${f.protocol} == IPPROTO_TCP) {
		struct tcphdr_lb *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		ports = &tcp->source;
		l4sum = &tcp->check;
		udp = 0;
	} else if (${f.protocol} == IPPROTO_UDP) {
		struct udphdr_lb *uh = (void *)(ip + 1);

		if ((void *)(uh + 1) > data_end)
			return XDP_PASS;
		ports = &uh->source;
		l4sum = &uh->check;
		udp = 1;
	} else {
		return XDP_PASS;
	}
	/* counted bytes: Ethernet header + IP packet (packet pointers may not be subtracted unprivileged) */
	bytes = sizeof(*eth) + ${f.totalLength};

	struct lb_config *cfg = bpf_map_lookup_elem(&lb_config, &zero);

	if (!cfg)
		return XDP_PASS;

	/* 1. a backend's reply to a SNAT port */
	if (${f.toSnat}) {
		struct ${f.revKey} rk = { .backend_port = ports[0], .snat_port = ports[1], .proto = ${f.protocol} };

		${f.copy('rk.backend', 'ip->saddr')}
		struct ${f.rev} *rv = bpf_map_lookup_elem(&${f.snatRev}, &rk);

		if (!rv)
			return XDP_PASS;
		count_backend(rv->backend, bytes, 1, 0);
		${f.rewrite}(ip, &ports[0], &ports[1], l4sum, udp, rv->vip, rv->client, rv->vip_port, rv->client_port);
		__builtin_memcpy(eth->h_source, eth->h_dest, 6);
		__builtin_memcpy(eth->h_dest, rv->client_mac, 6);
		return XDP_TX;
	}

	/* 2. a packet for a service VIP */
	struct ${f.svcKey} sk = { .port = ports[1], .proto = ${f.protocol} };

	${f.copy('sk.vip', 'ip->daddr')}
	struct svc *svc = bpf_map_lookup_elem(&${f.services}, &sk);

	if (!svc)
		return XDP_PASS;
	__u32 svc_id = svc->id;
${dsr ? '\tint dsr = svc->flags & SVC_DSR;\n' : ''}	struct ${f.flow} fl = { .sport = ports[0], .dport = ports[1], .proto = ${f.protocol} };

	${f.copy('fl.saddr', 'ip->saddr')}
	${f.copy('fl.daddr', 'ip->daddr')}
	struct conn *ct = bpf_map_lookup_elem(&${f.conns}, &fl);
	struct backend *be;
	__u32 backend_id;
	__be16 snat_port;
	__u64 new_conn = 0;

	if (ct) {
		/* a. an existing connection keeps its backend while it is active or drained */
		backend_id = ct->backend;
		snat_port = ct->snat_port;
		be = bpf_map_lookup_elem(&backends, &backend_id);
		if (!be || be->state == STATE_REMOVED) {
			/* a removed backend: the connection is forgotten, the packet dropped or answered with a RST */
			if (be) {
				struct ${f.revKey} rk = { .backend_port = be->port, .snat_port = snat_port, .proto = ${f.protocol} };

				${f.copy('rk.backend', f.backendAddr)}
				bpf_map_delete_elem(&${f.snatRev}, &rk);
			}
			__u32 reset = be && (svc->flags & SVC_RESET) && !udp;

			bpf_map_delete_elem(&${f.conns}, &fl);
			count_svc(svc_id, bytes, 0, 1);
			if (be)
				count_backend(backend_id, 0, 0, reset);
			return reset ? LB_RESET : XDP_DROP;
		}
	} else {
		/* b, c. affinity, then the table */
		struct affinity_key ak = { .svc = svc_id };

		${f.n === '4' ? 'ak.client[0] = ip->saddr;' : 'COPY4(ak.client, ip->saddr);'}
		be = choose_backend(svc, &ak, ${f.hash}(&fl, svc->seed), &backend_id);
		if (!be) {
			count_svc(svc_id, bytes, 0, 1);
			return XDP_DROP;	/* no backend takes new connections */
		}
		/* a SNAT port: up to four probes derived from the flow hash */
		snat_port = 0;
${
  dsr
    ? `		if (!dsr) {
			${newConnection}
		}`
    : `		{
			${newConnection}
		}`
}
		struct conn c = { .backend = backend_id, .snat_port = snat_port };

		bpf_map_update_elem(&${f.conns}, &fl, &c, BPF_ANY);
		new_conn = 1;
	}
	count_svc(svc_id, bytes, new_conn, 0);
	count_backend(backend_id, bytes, 0, 0);
${dsr ? '\tif (dsr)\n\t\treturn encap_ipip(ctx, cfg->snat_addr, be->addr, be->mac);\n' : ''}	${f.rewrite}(ip, &ports[0], &ports[1], l4sum, udp, ${f.snatAddr}, ${f.backendAddr}, snat_port, be->port);
	__builtin_memcpy(eth->h_source, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, be->mac, 6);
	return XDP_TX;
}
`;
}

export const lbV4C = (): string => lbPathC(V4);
export const lbV6C = (): string => lbPathC(V6);
