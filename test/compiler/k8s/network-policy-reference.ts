// An independent reading of Kubernetes NetworkPolicy for the model-based tests: straight from the parsed YAML
// (plain objects, no DSL, no importer), following the Kubernetes documentation, the verdict of the first
// packet of a connection. It shares nothing with compiler/k8s or the DSL's evaluator but the inventory data
// and address parsing, so the datapath built from the YAML is checked against the specification's wording.
// Covers NetworkPolicy only; connection tracking and malformed frames are the DSL evaluator's business.
import { parseAllDocuments } from 'yaml';
import { addressInPrefix, parseAddress, parsePrefix } from '../../../compiler/dsl/cidr.ts';
import type { Inventory, InventoryEndpoint, VectorPacket } from '../../../compiler/dsl/index.ts';

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Port {
  port?: number | string;
  endPort?: number;
  protocol?: string;
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Port[];
}
interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
}

function selects(s: Selector, labels: Readonly<Record<string, string>>): boolean {
  const ok = Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    ok &&
    (s.matchExpressions ?? []).every((e) => {
      const v = labels[e.key];
      if (e.operator === 'In') return v !== undefined && e.values!.includes(v);
      if (e.operator === 'NotIn') return v === undefined || !e.values!.includes(v);
      if (e.operator === 'Exists') return v !== undefined;
      return v === undefined;
    })
  );
}

const PROTO: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };

/** Whether the generated packet is one this reference decides: a first packet of TCP, UDP, SCTP or ICMP echo. */
export function plainPacket(p: VectorPacket): boolean {
  const echo = (p.protocol === 1 && p.icmpType === 8) || (p.protocol === 58 && p.icmpType === 128);
  return ([6, 17, 132].includes(p.protocol) || echo) && p.fragment === undefined && p.ethertype === undefined && p.truncate === undefined && p.vlan.length <= 2;
}

export class NetworkPolicyReference {
  readonly #policies: NetworkPolicy[];
  readonly #inventory: Inventory;

  constructor(yamlText: string, inventory: Inventory) {
    this.#policies = parseAllDocuments(yamlText as string)
      .map((d) => d.toJSON() as NetworkPolicy & { kind: string })
      .filter((d) => d?.kind === 'NetworkPolicy');
    this.#inventory = inventory;
  }

  #endpoint(ip: string): InventoryEndpoint | undefined {
    const a = parseAddress(ip)!;
    return this.#inventory.endpoints.find((e) => e.family === a.family && e.addr === a.addr);
  }

  #isHost(ip: string): boolean {
    const a = parseAddress(ip)!;
    return this.#inventory.host.some((h) => h.family === a.family && h.addr === a.addr);
  }

  /** 'allow' or 'deny' for the first packet of a connection. */
  verdict(p: VectorPacket): 'allow' | 'deny' {
    const ingress = p.direction === 'ingress';
    const pod = this.#endpoint(ingress ? p.dst : p.src);
    const remoteIp = ingress ? p.src : p.dst;
    const remote = this.#endpoint(remoteIp);
    if (pod === undefined) return 'allow';
    const type = ingress ? 'Ingress' : 'Egress';
    // isolated for this direction by every policy of the pod's namespace that selects it and has this type
    const isolating = this.#policies.filter((np) => {
      const types = np.spec.policyTypes ?? ['Ingress', ...((np.spec.egress ?? []).length > 0 ? ['Egress'] : [])];
      return (np.metadata.namespace ?? 'default') === pod.namespace && selects(np.spec.podSelector, pod.labels) && types.includes(type);
    });
    if (isolating.length === 0) return 'allow';
    const peerMatches = (np: NetworkPolicy, peer: Peer): boolean => {
      if (peer.ipBlock !== undefined) {
        // our documented choice (Cilium's): ipBlock selects addresses that are neither pods nor the host
        if (remote !== undefined || this.#isHost(remoteIp)) return false;
        const a = parseAddress(remoteIp)!;
        return addressInPrefix(parsePrefix(peer.ipBlock.cidr), a.family, a.addr) && !(peer.ipBlock.except ?? []).some((x) => addressInPrefix(parsePrefix(x), a.family, a.addr));
      }
      if (remote === undefined) return false;
      const nsOk =
        peer.namespaceSelector === undefined
          ? remote.namespace === (np.metadata.namespace ?? 'default')
          : selects(peer.namespaceSelector, this.#inventory.namespaces.get(remote.namespace) ?? {});
      return nsOk && (peer.podSelector === undefined || selects(peer.podSelector, remote.labels));
    };
    const portMatches = (port: Port): boolean => {
      if (p.protocol !== PROTO[port.protocol ?? 'TCP']) return false;
      if (port.port === undefined) return true;
      if (typeof port.port === 'number') return p.dport >= port.port && p.dport <= (port.endPort ?? port.port);
      // a named port is the destination pod's container port of that name
      const target = ingress ? pod : remote;
      return target !== undefined && target.ports.some((x) => x.name === port.port && x.port === p.dport && PROTO[x.protocol] === p.protocol);
    };
    const allowed = isolating.some((np) =>
      ((ingress ? np.spec.ingress : np.spec.egress) ?? []).some((r) => {
        const peers = ingress ? r.from : r.to;
        const peerOk = peers === undefined || peers.length === 0 || peers.some((x) => peerMatches(np, x));
        const portOk = r.ports === undefined || r.ports.length === 0 || r.ports.some(portMatches);
        return peerOk && portOk;
      }),
    );
    return allowed ? 'allow' : 'deny';
  }
}
