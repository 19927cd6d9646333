// Kubernetes NetworkPolicy (networking.k8s.io/v1) → PolicyInput.
//
// Semantics kept: `podSelector` selects pods of the policy's namespace; each direction listed in `policyTypes`
// (default: Ingress, plus Egress when there are egress rules) isolates the selected pods, with or without
// rules, which is the DSL's `defaultDeny`; rules are additive allows; a rule matches when the peer matches
// one `from`/`to` entry (none = every peer) and the packet one `ports` entry (none = every port).
import type { CidrPeer, EndpointPeer, Peer, PolicyInput, PortRule, RuleInput } from '../dsl/index.ts';
import { readLabelSelector } from './label-selector.ts';
import type { ManifestNode } from './manifest-node.ts';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function readPeer(node: ManifestNode): Peer {
  const f = node.fields(['podSelector', 'namespaceSelector', 'ipBlock']);
  const ipBlock = f.get('ipBlock');
  if (ipBlock !== undefined) {
    if (f.size > 1) throw node.error('ipBlock cannot be combined with podSelector or namespaceSelector in one entry');
    const g = ipBlock.fields(['cidr', 'except']);
    const cidr = g.get('cidr');
    if (cidr === undefined) throw ipBlock.error('ipBlock needs a cidr');
    const peer: CidrPeer = { kind: 'cidr', cidr: cidr.string(), except: (g.get('except')?.items() ?? []).map((x) => x.string()), at: node.at };
    return peer;
  }
  const pods = f.get('podSelector');
  const nss = f.get('namespaceSelector');
  if (pods === undefined && nss === undefined) throw node.error('a peer needs podSelector, namespaceSelector or ipBlock');
  // podSelector alone: pods of the policy's namespace; with namespaceSelector: pods of the matching namespaces
  const peer: EndpointPeer = {
    kind: 'endpoints',
    selector: pods === undefined ? {} : readLabelSelector(pods),
    ...(nss !== undefined ? { namespaces: readLabelSelector(nss) } : {}),
    at: node.at,
  };
  return peer;
}

function readPort(node: ManifestNode): PortRule {
  const f = node.fields(['port', 'endPort', 'protocol']);
  const protocol = f.get('protocol')?.string() ?? 'TCP';
  if (!PROTOCOLS.includes(protocol)) throw f.get('protocol')!.error(`protocol ${protocol} is not TCP, UDP or SCTP`);
  const portNode = f.get('port');
  let port: number | string | undefined;
  if (portNode !== undefined) {
    const v = portNode.value;
    if (typeof v === 'number') port = portNode.integer();
    else if (typeof v === 'string' && /^[0-9]+$/.test(v)) throw portNode.error(`port "${v}" is a quoted number; write ${v} (a string names a port)`);
    else port = portNode.string();
  }
  const endPort = f.get('endPort')?.integer();
  return { ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}), protocol: protocol as PortRule['protocol'] & string };
}

function readRule(node: ManifestNode, peersKey: 'from' | 'to', name: string): RuleInput {
  const f = node.fields([peersKey, 'ports']);
  const peers = f.get(peersKey)?.items().map(readPeer);
  const ports = f.get('ports')?.items().map(readPort);
  return {
    name,
    // an empty or missing list matches every peer (every port)
    ...(peers !== undefined && peers.length > 0 ? { [peersKey]: peers } : {}),
    ...(ports !== undefined && ports.length > 0 ? { ports } : {}),
    at: node.at,
  };
}

/** `spec` of a NetworkPolicy named `name` in `namespace` → the DSL's input. */
export function readNetworkPolicy(spec: ManifestNode, name: string, namespace: string): PolicyInput {
  const f = spec.fields(['podSelector', 'policyTypes', 'ingress', 'egress']);
  const podSelector = f.get('podSelector');
  if (podSelector === undefined) throw spec.error('podSelector is required (use {} for every pod of the namespace)');
  const ingress = f.get('ingress')?.items() ?? [];
  const egress = f.get('egress')?.items() ?? [];
  const typesNode = f.get('policyTypes');
  const types = typesNode === undefined ? ['Ingress', ...(egress.length > 0 ? ['Egress'] : [])] : typesNode.items().map((t) => t.string());
  for (const [i, t] of types.entries()) if (t !== 'Ingress' && t !== 'Egress') throw typesNode!.items()[i]!.error(`policy type ${t} is not Ingress or Egress`);
  // Kubernetes ignores the rules of a direction policyTypes leaves out: say so rather than drop them quietly
  if (!types.includes('Ingress') && ingress.length > 0) throw f.get('ingress')!.error('policyTypes does not list Ingress, so Kubernetes ignores these rules: remove them or add Ingress');
  if (!types.includes('Egress') && egress.length > 0) throw f.get('egress')!.error('policyTypes does not list Egress, so Kubernetes ignores these rules: remove them or add Egress');
  return {
    name,
    namespace,
    selector: readLabelSelector(podSelector),
    ...(ingress.length > 0 ? { ingress: ingress.map((r, i) => readRule(r, 'from', `${name}/ingress[${i}]`)) } : {}),
    ...(egress.length > 0 ? { egress: egress.map((r, i) => readRule(r, 'to', `${name}/egress[${i}]`)) } : {}),
    // a direction in policyTypes isolates the selected pods even without rules
    defaultDeny: [...new Set(types)].map((t) => (t === 'Ingress' ? 'ingress' : 'egress')),
  };
}
