// The endpoint inventory kept beside a policy (`POLICY.endpoints.yaml`, YAML or JSON):
//
//   namespaces: [{ name: prod, labels: { team: web } }]
//   endpoints:  [{ ip: 10.1.0.5, namespace: prod, labels: { app: web }, ports: [{ name: http, port: 8080, protocol: TCP }] }]
//   host: [192.168.1.10]          # the `host` entity
//   clusterCIDRs: [10.0.0.0/8]    # inside the cluster but not an endpoint: `cluster`, not `world`
//
// One entry per address (IPv4 or IPv6). Parsing checks every field and names the entry that is wrong.
import { parseAddress, parsePrefix, type Family, type Prefix } from './cidr.ts';
import { readDataFile } from './read-data-file.ts';

export interface NamedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface InventoryEndpoint {
  readonly ip: string;
  readonly family: Family;
  readonly addr: bigint;
  readonly namespace: string;
  /** the endpoint's own labels, as the inventory gives them */
  readonly labels: Readonly<Record<string, string>>;
  /** what label selectors see: its own labels plus those Cilium derives from its namespace (withNamespaceLabels) */
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly ports: readonly NamedPort[];
}

export interface Inventory {
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly endpoints: readonly InventoryEndpoint[];
  readonly host: readonly { readonly ip: string; readonly family: Family; readonly addr: bigint }[];
  readonly clusterCIDRs: readonly Prefix[];
}

/** Cilium's labels of an endpoint that come from its namespace: its name, and each label of the namespace. */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/**
 * An endpoint's labels plus, as Cilium gives every endpoint, `io.kubernetes.pod.namespace: NS` and
 * `io.cilium.k8s.namespace.labels.KEY: VALUE` for its namespace's labels, so a selector can pick endpoints by
 * namespace (a clusterwide policy's `endpointSelector`). Only selectors see them (`selectorLabels`): listings and
 * identity names use the endpoint's own labels. A label the inventory gives explicitly wins.
 */
function withNamespaceLabels(own: Readonly<Record<string, string>>, namespace: string, nsLabels: Readonly<Record<string, string>>): Record<string, string> {
  const derived = Object.fromEntries(Object.entries(nsLabels).map(([k, v]) => [`${NAMESPACE_LABELS_PREFIX}${k}`, v]));
  return { [POD_NAMESPACE_LABEL]: namespace, ...derived, ...own };
}

export const EMPTY_INVENTORY: Inventory = { namespaces: new Map(), endpoints: [], host: [], clusterCIDRs: [] };

function labelsOf(v: unknown, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${where}: labels must be a mapping of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw new TypeError(`${where}: label ${k} must be a string`);
    out[k] = String(x);
  }
  return out;
}

function listOf(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TypeError(`${where} must be a list`);
  return v;
}

/** Validates parsed YAML/JSON as an inventory; `source` names the file in messages. */
export function parseInventory(data: unknown, source = 'inventory'): Inventory {
  if (data === null || data === undefined) return EMPTY_INVENTORY;
  if (typeof data !== 'object' || Array.isArray(data)) throw new TypeError(`${source}: expected a mapping with namespaces, endpoints, host, clusterCIDRs`);
  const d = data as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (!['namespaces', 'endpoints', 'host', 'clusterCIDRs'].includes(k)) throw new TypeError(`${source}: unknown key ${k}`);
  }
  const namespaces = new Map<string, Record<string, string>>();
  listOf(d['namespaces'], `${source}: namespaces`).forEach((n, i) => {
    const where = `${source}: namespaces[${i}]`;
    const o = n as Record<string, unknown>;
    if (typeof o?.['name'] !== 'string') throw new TypeError(`${where}: name must be a string`);
    namespaces.set(o['name'], { 'kubernetes.io/metadata.name': o['name'], ...labelsOf(o['labels'], where) });
  });
  const seen = new Set<string>();
  const endpoints = listOf(d['endpoints'], `${source}: endpoints`).map((e, i): InventoryEndpoint => {
    const o = e as Record<string, unknown>;
    const where = `${source}: endpoints[${i}]`;
    const ip = typeof o?.['ip'] === 'string' ? parseAddress(o['ip']) : undefined;
    if (ip === undefined) throw new TypeError(`${where}: ip ${JSON.stringify(o?.['ip'])} is not an IPv4 or IPv6 address`);
    const key = `${ip.family}/${ip.addr}`;
    if (seen.has(key)) throw new TypeError(`${where}: address ${String(o['ip'])} appears twice`);
    seen.add(key);
    const namespace = o['namespace'] === undefined ? 'default' : o['namespace'];
    if (typeof namespace !== 'string') throw new TypeError(`${where}: namespace must be a string`);
    if (!namespaces.has(namespace)) namespaces.set(namespace, { 'kubernetes.io/metadata.name': namespace });
    const ports = listOf(o['ports'], `${where}: ports`).map((p, j): NamedPort => {
      const q = p as Record<string, unknown>;
      const pw = `${where}: ports[${j}]`;
      if (typeof q?.['name'] !== 'string') throw new TypeError(`${pw}: name must be a string`);
      const port = q['port'];
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`${pw}: port must be 1 to 65535`);
      const protocol = q['protocol'] ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') throw new TypeError(`${pw}: protocol must be TCP, UDP or SCTP`);
      return { name: q['name'], port, protocol };
    });
    const labels = labelsOf(o['labels'], where);
    const selectorLabels = withNamespaceLabels(labels, namespace, namespaces.get(namespace)!);
    return { ip: o['ip'] as string, family: ip.family, addr: ip.addr, namespace, labels, selectorLabels, ports };
  });
  const host = listOf(d['host'], `${source}: host`).map((h, i) => {
    const ip = typeof h === 'string' ? parseAddress(h) : undefined;
    if (ip === undefined) throw new TypeError(`${source}: host[${i}]: ${JSON.stringify(h)} is not an IPv4 or IPv6 address`);
    if (seen.has(`${ip.family}/${ip.addr}`)) throw new TypeError(`${source}: host[${i}]: ${String(h)} is also an endpoint`);
    return { ip: h as string, family: ip.family, addr: ip.addr };
  });
  const clusterCIDRs = listOf(d['clusterCIDRs'], `${source}: clusterCIDRs`).map((c, i) => {
    try {
      return parsePrefix(String(c));
    } catch (e) {
      throw new TypeError(`${source}: clusterCIDRs[${i}]: ${(e as Error).message}`, { cause: e });
    }
  });
  return { namespaces, endpoints, host, clusterCIDRs };
}

/** Reads an inventory file (`.yaml`, `.yml` or `.json`). */
export function readInventory(file: string): Inventory {
  return parseInventory(readDataFile(file), file);
}
