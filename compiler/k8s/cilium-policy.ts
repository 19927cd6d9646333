// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2) → PolicyInput, one per rule of
// `spec` / `specs`.
//
// Semantics kept (Cilium's pkg/policy/api): peers of one rule are a union; a rule without peers but with
// toPorts or icmps matches every peer; a rule with neither peers nor ports (`ingress: [{}]`) matches nothing
// but still makes the direction default-deny; `toPorts[].ports[].protocol` defaults to ANY; deny rules win;
// `enableDefaultDeny` defaults to true for a direction with (allow or deny) rules. `fromEndpoints` of a
// namespaced policy stay in its namespace unless the selector names `io.kubernetes.pod.namespace`.
import type { EndpointPeer, EntityName, IcmpRule, LabelSelector, Peer, PolicyInput, PortRule, RuleInput } from '../dsl/index.ts';
import { NAMESPACE_NAME_LABEL, readCiliumSelector } from './label-selector.ts';
import type { ManifestNode } from './manifest-node.ts';

const ENTITIES = new Set<string>(['world', 'host', 'cluster', 'all']);
const OTHER_ENTITIES = new Set(['remote-node', 'kube-apiserver', 'health', 'init', 'ingress', 'unmanaged', 'world-ipv4', 'world-ipv6', 'none']);
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP', 'ANY']);

type List = 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';

interface Scope {
  readonly clusterwide: boolean;
  /** the namespace the policy (or, for a clusterwide one, its subject) is confined to */
  readonly namespace: string | undefined;
}

const UNSUPPORTED_PEERS: Record<string, string> = {
  fromRequires: 'fromRequires',
  toRequires: 'toRequires',
  fromGroups: 'fromGroups',
  toGroups: 'toGroups',
  fromNodes: 'fromNodes',
  toNodes: 'toNodes',
  toServices: 'toServices',
  toFQDNs: 'toFQDNs (DNS-based egress)',
  authentication: 'authentication (mutual auth)',
};

function endpointPeer(node: ManifestNode, scope: Scope): EndpointPeer {
  const s = readCiliumSelector(node);
  let namespaces: LabelSelector | undefined = s.namespaces;
  if (!scope.clusterwide && namespaces !== undefined && !s.namesNamespace) {
    // namespace labels alone do not lift the implicit restriction to the policy's namespace
    namespaces = { ...namespaces, matchLabels: { ...namespaces.matchLabels, [NAMESPACE_NAME_LABEL]: scope.namespace! } };
  }
  // a clusterwide policy scoped to one namespace for its subject: its peers still range over all namespaces
  if (scope.clusterwide && namespaces === undefined && scope.namespace !== undefined) namespaces = {};
  return { kind: 'endpoints', selector: s.selector, ...(namespaces !== undefined ? { namespaces } : {}), at: node.at };
}

function entityPeer(node: ManifestNode): Peer {
  const name = node.string();
  if (OTHER_ENTITIES.has(name)) throw node.error(`entity ${name} is not supported yet (supported: world, host, cluster, all)`);
  if (!ENTITIES.has(name)) throw node.error(`unknown entity ${name}`);
  return { kind: 'entity', entity: name as EntityName, at: node.at };
}

function readPorts(node: ManifestNode, deny: boolean): PortRule[] {
  const f = node.fields(deny ? ['ports'] : ['ports', 'rules'], {
    terminatingTLS: 'terminatingTLS (TLS interception)',
    originatingTLS: 'originatingTLS (TLS interception)',
    serverNames: 'serverNames (TLS SNI matching)',
    listener: 'listener (Envoy listeners)',
  });
  const rules = f.get('rules');
  if (rules !== undefined) {
    const kinds = Object.keys((rules.value ?? {}) as object);
    throw rules.error(`L7 rules are not supported yet (${kinds.length > 0 ? kinds.map((k) => `rules.${k}`).join(', ') : 'rules'}); L3/L4 only until the L7 issue lands`);
  }
  const ports = f.get('ports')?.items() ?? [];
  if (ports.length === 0) throw node.error('a toPorts entry needs ports');
  return ports.map((p) => {
    const g = p.fields(['port', 'endPort', 'protocol']);
    const protocol = g.get('protocol')?.string() ?? 'ANY';
    if (!PROTOCOLS.has(protocol)) throw g.get('protocol')!.error(`protocol ${protocol} is not supported yet (TCP, UDP, SCTP or ANY)`);
    const portNode = g.get('port');
    let port: number | string | undefined;
    if (portNode !== undefined) {
      const v = portNode.value;
      if (typeof v === 'number') port = portNode.integer();
      else if (typeof v === 'string' && /^[0-9]+$/.test(v)) port = Number(v);
      else port = portNode.string();
    }
    const endPort = g.get('endPort')?.integer();
    // port 0 (or none) means every port of the protocol
    return { ...(port !== undefined && port !== 0 ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}), protocol: protocol as 'TCP' | 'UDP' | 'SCTP' | 'ANY' };
  });
}

function readIcmps(node: ManifestNode): IcmpRule[] {
  return node.items().flatMap((entry) => {
    const fields = entry.fields(['fields']).get('fields')?.items() ?? [];
    if (fields.length === 0) throw entry.error('an icmps entry needs fields');
    return fields.map((x): IcmpRule => {
      const g = x.fields(['type', 'family']);
      const typeNode = g.get('type');
      if (typeNode === undefined) throw x.error('an ICMP field needs a type');
      const family = g.get('family')?.string();
      if (family !== undefined && family !== 'IPv4' && family !== 'IPv6') throw g.get('family')!.error(`family ${family} is not IPv4 or IPv6`);
      const type = typeof typeNode.value === 'number' ? typeNode.integer() : typeNode.string();
      return { type, ...(family !== undefined ? { family } : {}) };
    });
  });
}

/** One rule; undefined for a rule that matches nothing (no peers, ports or ICMP types). */
function readRule(node: ManifestNode, list: List, name: string, scope: Scope): RuleInput | undefined {
  const ingress = list.startsWith('ingress');
  const deny = list.endsWith('Deny');
  const p = ingress ? 'from' : 'to';
  const allowed = [`${p}Endpoints`, `${p}CIDR`, `${p}CIDRSet`, `${p}Entities`, 'toPorts', 'icmps'];
  const unsupported = Object.fromEntries(Object.entries(UNSUPPORTED_PEERS).filter(([k]) => !allowed.includes(k)));
  const f = node.fields(allowed, unsupported);
  const peers: Peer[] = [];
  let hasPeerField = false;
  for (const e of f.get(`${p}Endpoints`)?.items() ?? []) peers.push(endpointPeer(e, scope));
  for (const c of f.get(`${p}CIDR`)?.items() ?? []) peers.push({ kind: 'cidr', cidr: c.string(), except: [], at: c.at });
  for (const c of f.get(`${p}CIDRSet`)?.items() ?? []) {
    const g = c.fields(['cidr', 'except'], { cidrGroupRef: 'cidrGroupRef (CiliumCIDRGroup)', cidrGroupSelector: 'cidrGroupSelector (CiliumCIDRGroup)' });
    const cidr = g.get('cidr');
    if (cidr === undefined) throw c.error('a CIDR set needs a cidr');
    peers.push({ kind: 'cidr', cidr: cidr.string(), except: (g.get('except')?.items() ?? []).map((x) => x.string()), at: c.at });
  }
  for (const e of f.get(`${p}Entities`)?.items() ?? []) peers.push(entityPeer(e));
  for (const k of [`${p}Endpoints`, `${p}CIDR`, `${p}CIDRSet`, `${p}Entities`]) if ((f.get(k)?.items().length ?? 0) > 0) hasPeerField = true;
  const ports = (f.get('toPorts')?.items() ?? []).flatMap((t) => readPorts(t, deny));
  const icmps = f.get('icmps') === undefined ? [] : readIcmps(f.get('icmps')!);
  if (!hasPeerField && ports.length === 0 && icmps.length === 0) return undefined;
  return {
    name,
    ...(hasPeerField ? { [p]: peers } : {}),
    ...(ports.length > 0 ? { ports } : {}),
    ...(icmps.length > 0 ? { icmps } : {}),
    at: node.at,
  };
}

/** The subject of a clusterwide policy: its selector, and the one namespace it may name. */
function clusterwideSubject(node: ManifestNode): { selector: LabelSelector; namespace?: string } {
  const s = readCiliumSelector(node);
  if (s.namespaces === undefined) return { selector: s.selector };
  const ns = s.namespaces;
  const names = Object.entries(ns.matchLabels ?? {});
  if ((ns.matchExpressions ?? []).length === 0 && names.length === 1 && names[0]![0] === NAMESPACE_NAME_LABEL) return { selector: s.selector, namespace: names[0]![1] };
  throw node.error('selecting endpoints by namespace labels or namespace expressions is not supported yet (only io.kubernetes.pod.namespace: NAME)');
}

/** One `spec` (or `specs[i]`) of a Cilium policy → the DSL's input. `namespace` undefined: clusterwide. */
export function readCiliumRule(spec: ManifestNode, name: string, namespace: string | undefined): PolicyInput {
  const clusterwide = namespace === undefined;
  const f = spec.fields(['endpointSelector', 'nodeSelector', 'ingress', 'egress', 'ingressDeny', 'egressDeny', 'enableDefaultDeny', 'description', 'labels'], {
    log: 'log (policy logging)',
  });
  const epSel = f.get('endpointSelector');
  const nodeSel = f.get('nodeSelector');
  if ((epSel === undefined) === (nodeSel === undefined)) throw spec.error('give exactly one of endpointSelector or nodeSelector');
  let subject: Pick<PolicyInput, 'selector' | 'host' | 'namespace'>;
  if (nodeSel !== undefined) {
    if (!clusterwide) throw nodeSel.error('nodeSelector is only valid in a CiliumClusterwideNetworkPolicy');
    const s = readCiliumSelector(nodeSel);
    if (Object.keys(s.selector).length > 0 || s.namespaces !== undefined) throw nodeSel.error('node labels are not in the inventory: only nodeSelector: {} (this host) is supported yet');
    subject = { host: true };
  } else if (clusterwide) {
    const s = clusterwideSubject(epSel!);
    subject = { selector: s.selector, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}) };
  } else {
    const s = readCiliumSelector(epSel!);
    if (s.namespaces !== undefined) throw epSel!.error('the endpointSelector of a namespaced policy cannot select namespaces (it is confined to its own)');
    subject = { selector: s.selector, namespace };
  }
  const scope: Scope = { clusterwide, namespace: subject.namespace };
  const input: Record<string, unknown> = { name, ...subject };
  const hasRules = { ingress: false, egress: false };
  for (const list of ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const) {
    const items = f.get(list)?.items() ?? [];
    if (items.length > 0) hasRules[list.startsWith('ingress') ? 'ingress' : 'egress'] = true;
    const rules = items.flatMap((r, i) => readRule(r, list, `${name}/${list}[${i}]`, scope) ?? []);
    if (rules.length > 0) input[list] = rules;
  }
  const dd = f.get('enableDefaultDeny')?.fields(['ingress', 'egress']);
  const defaultDeny: ('ingress' | 'egress')[] = [];
  for (const d of ['ingress', 'egress'] as const) {
    const node = dd?.get(d);
    const on = node === undefined ? hasRules[d] : node.boolean();
    if (on) defaultDeny.push(d);
    else if (hasRules[d]) {
      throw node!.error(`false with ${d} rules: rules that do not make the direction default-deny are not supported yet (a direction with rules is always default-deny in our model)`);
    }
  }
  if (defaultDeny.length > 0) input['defaultDeny'] = defaultDeny;
  return input as unknown as PolicyInput;
}
