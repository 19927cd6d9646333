// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2) → PolicyInput, one per rule of
// `spec` / `specs`.
//
// Semantics kept (Cilium's pkg/policy/api): peers of one rule are a union; a rule without peers but with
// toPorts or icmps matches every peer; a rule with neither peers nor ports (`ingress: [{}]`) matches nothing
// but still makes the direction default-deny; `toPorts[].ports[].protocol` defaults to ANY; deny rules win;
// `enableDefaultDeny` defaults to true for a direction with (allow or deny) rules. `fromEndpoints` of a
// namespaced policy stay in its namespace unless the selector names `io.kubernetes.pod.namespace`.
import { PolicyError, type EndpointPeer, type EntityName, type HttpRuleInput, type IcmpRule, type KafkaRuleInput, type LabelSelector, type Peer, type PolicyInput, type PortRule, type RuleInput } from '../dsl/index.ts';
import { httpRuleFromCilium } from '../l7/http-cilium.ts';
import { kafkaRuleFromCilium } from '../l7/kafka-rules.ts';
import { NAMESPACE_NAME_LABEL, readCiliumSelector, readCiliumSubjectSelector } from './label-selector.ts';
import type { ManifestNode } from './manifest-node.ts';

const ENTITIES = new Set<string>(['world', 'host', 'cluster', 'all']);
/** Cilium's other entities, and why the inventory (endpoints, this host, cluster CIDRs, the rest is world) cannot say
 * which addresses they are. */
const OTHER_ENTITIES: Readonly<Record<string, string>> = {
  'remote-node': 'the other nodes of the cluster are not in the inventory',
  'kube-apiserver': "the API server's addresses are not in the inventory",
  health: "Cilium's health-check endpoints are not in the inventory",
  init: 'endpoints whose identity is still being resolved do not exist in an inventory (every endpoint has its labels)',
  ingress: "Cilium's ingress proxy is not in the inventory",
  unmanaged: 'endpoints Cilium does not manage are not in the inventory',
  'world-ipv4': 'world split by address family: write world (both families), or a CIDR such as 0.0.0.0/0 (which also matches clusterCIDRs)',
  'world-ipv6': 'world split by address family: write world (both families), or a CIDR such as ::/0 (which also matches clusterCIDRs)',
  none: 'an entity selecting nothing',
};
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
  const why = Object.hasOwn(OTHER_ENTITIES, name) ? OTHER_ENTITIES[name] : undefined;
  if (why !== undefined) throw node.error(`entity ${name} is not supported yet: ${why} (supported: world, host, cluster, all)`);
  if (!ENTITIES.has(name)) throw node.error(`unknown entity ${name}`);
  return { kind: 'entity', entity: name as EntityName, at: node.at };
}

/** Runs a compiler/l7 reader on one YAML entry, its errors carrying the document and the entry's line. */
function l7Entry<T>(item: ManifestNode, read: (node: unknown, where: string) => T): T & { at: ManifestNode['at'] } {
  try {
    return { ...read(item.value, item.path), at: item.at };
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    throw new PolicyError(`${item.doc.label}: ${e.message}`, item.at, { cause: e });
  }
}

/** `rules` of a toPorts entry: HTTP or Kafka rules, onto the port rules of the entry. */
function readL7(rules: ManifestNode): { http: HttpRuleInput[] } | { kafka: KafkaRuleInput[] } | undefined {
  const f = rules.fields(['http', 'kafka'], {
    dns: 'rules.dns (DNS proxy rules)',
    l7proto: 'rules.l7proto (Envoy L7 parsers)',
    l7: 'rules.l7 (generic L7 rules)',
  });
  if (f.has('http') && f.has('kafka')) throw rules.error('one L7 kind per toPorts entry (http or kafka, not both)');
  const http = f.get('http');
  if (http !== undefined) return { http: http.items().map((item) => l7Entry(item, httpRuleFromCilium)) };
  const kafka = f.get('kafka');
  if (kafka !== undefined) return { kafka: kafka.items().map((item) => l7Entry(item, kafkaRuleFromCilium)) };
  return undefined;
}

function readPorts(node: ManifestNode, deny: boolean): PortRule[] {
  const f = node.fields(deny ? ['ports'] : ['ports', 'rules'], {
    terminatingTLS: 'terminatingTLS (TLS interception)',
    originatingTLS: 'originatingTLS (TLS interception)',
    serverNames: 'serverNames (TLS SNI matching)',
    listener: 'listener (Envoy listeners)',
  });
  const rulesNode = f.get('rules');
  const l7 = rulesNode === undefined ? undefined : readL7(rulesNode);
  const ports = f.get('ports')?.items() ?? [];
  if (ports.length === 0) throw node.error('a toPorts entry needs ports');
  return ports.map((p) => {
    const g = p.fields(['port', 'endPort', 'protocol']);
    // L7 rules judge TCP: a port without a protocol is TCP then (Cilium's HTTP and Kafka parsers run on TCP)
    const protocol = g.get('protocol')?.string() ?? (l7 !== undefined ? 'TCP' : 'ANY');
    if (!PROTOCOLS.has(protocol)) throw g.get('protocol')!.error(`protocol ${protocol} is not supported yet (TCP, UDP, SCTP or ANY)`);
    if (l7 !== undefined && protocol !== 'TCP') throw g.get('protocol')!.error(`protocol ${protocol} with ${'http' in l7 ? 'http' : 'kafka'} rules: L7 rules need TCP`);
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
    return { ...(port !== undefined && port !== 0 ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}), protocol: protocol as 'TCP' | 'UDP' | 'SCTP' | 'ANY', ...(l7 ?? {}) };
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

/**
 * The subject of a clusterwide policy: one namespace by name becomes the policy's namespace (its peers then
 * range over every namespace); namespace labels or expressions (`NotIn [kube-system]`) stay in the selector,
 * matched against the namespace labels every endpoint carries.
 */
function clusterwideSubject(node: ManifestNode): { selector: LabelSelector; namespace?: string } {
  const s = readCiliumSelector(node);
  if (s.namespaces === undefined) return { selector: s.selector };
  const ns = s.namespaces;
  const names = Object.entries(ns.matchLabels ?? {});
  if ((ns.matchExpressions ?? []).length === 0 && names.length === 1 && names[0]![0] === NAMESPACE_NAME_LABEL) return { selector: s.selector, namespace: names[0]![1] };
  return { selector: readCiliumSubjectSelector(node) };
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
    // namespace labels further narrow the policy's own namespace (another namespace's name selects nothing)
    subject = { selector: s.namespaces === undefined ? s.selector : readCiliumSubjectSelector(epSel!), namespace };
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
  const turnedOff: Partial<Record<'ingress' | 'egress', false>> = {};
  for (const d of ['ingress', 'egress'] as const) {
    const node = dd?.get(d);
    const on = node === undefined ? hasRules[d] : node.boolean();
    if (on) defaultDeny.push(d);
    // false with rules: the rules apply (allows join the union, denies win) without isolating the endpoint
    else if (hasRules[d]) turnedOff[d] = false;
  }
  if (defaultDeny.length > 0) input['defaultDeny'] = defaultDeny;
  if (Object.keys(turnedOff).length > 0) input['enableDefaultDeny'] = turnedOff;
  return input as unknown as PolicyInput;
}
