// The builders a policy file imports from `tsbpf`. Each records where it was called (see source-position.ts);
// `policy()` validates what needs no inventory and throws PolicyError naming the file and line.
//
//   export default policy({
//     name: 'web',
//     selector: { matchLabels: { app: 'web' } },
//     ingress: [{ from: [cidr('10.0.0.0/8', { except: ['10.9.0.0/16'] })], ports: [{ port: 443 }] }],
//   });
import { DEFAULT_L7_SETTINGS } from '../l7/l7-settings.ts';
import { parsePrefix, prefixContains, type Prefix } from './cidr.ts';
import { icmpTypeNumber } from './icmp-types.ts';
import { PolicyError } from './policy-error.ts';
import type { Direction } from './policy-model.ts';
import { callerPosition, type SourcePosition } from './source-position.ts';
import type { CidrPeer, EndpointPeer, EntityPeer, L7Settings, LabelSelector, Peer, Policy, PolicyInput, PortRule, Rule, RuleInput, RuleList } from './types.ts';

function withAt<T extends object>(value: T, at: SourcePosition | undefined): T {
  return at === undefined ? value : { ...value, at };
}

/** Addresses in `cidr` (IPv4 or IPv6) except those in the `except` prefixes, which must lie inside it. */
export function cidr(range: string, options: { readonly except?: readonly string[] } = {}): CidrPeer {
  const at = callerPosition();
  const except = options.except ?? [];
  checkCidr(range, except, at);
  return withAt({ kind: 'cidr', cidr: range, except }, at);
}

function checkCidr(range: string, except: readonly string[], at: SourcePosition | undefined): void {
  let outer: Prefix;
  try {
    outer = parsePrefix(range);
  } catch (e) {
    throw new PolicyError((e as Error).message, at, { cause: e });
  }
  for (const x of except) {
    let inner: Prefix;
    try {
      inner = parsePrefix(x);
    } catch (e) {
      throw new PolicyError(`except of ${range}: ${(e as Error).message}`, at, { cause: e });
    }
    if (!prefixContains(outer, inner)) throw new PolicyError(`except ${x} lies outside ${range}`, at);
  }
}

/** Endpoints of the inventory matching `selector` (in the policy's namespace unless `namespaces` is given). */
export function endpoints(selector: LabelSelector = {}, options: { readonly namespaces?: LabelSelector } = {}): EndpointPeer {
  return withAt({ kind: 'endpoints', selector, ...(options.namespaces !== undefined ? { namespaces: options.namespaces } : {}) }, callerPosition());
}

/** Every endpoint of the namespaces matching `selector`. */
export function namespaces(selector: LabelSelector = {}): EndpointPeer {
  return withAt({ kind: 'endpoints', selector: {}, namespaces: selector }, callerPosition());
}

/** `world`: addresses outside the cluster; `host`: the host's addresses; `cluster`: endpoints, the host and the
 * cluster CIDRs; `all`: everything. */
export function entity(name: EntityPeer['entity']): EntityPeer {
  return withAt({ kind: 'entity', entity: name }, callerPosition());
}
export const world: EntityPeer = { kind: 'entity', entity: 'world' };
export const host: EntityPeer = { kind: 'entity', entity: 'host' };
export const cluster: EntityPeer = { kind: 'entity', entity: 'cluster' };
export const all: EntityPeer = { kind: 'entity', entity: 'all' };

/** A rule with its position recorded (plain objects work too: they take the position of their first peer). */
export function rule(input: RuleInput): RuleInput {
  return withAt(input, callerPosition());
}

const PEER_KINDS = new Set(['cidr', 'endpoints', 'entity']);
const ENTITIES = new Set(['world', 'host', 'cluster', 'all']);
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP', 'ANY']);

function validateRule(policyName: string, list: RuleList, index: number, r: RuleInput, policyAt: SourcePosition | undefined): Rule {
  const peersIn = list.startsWith('ingress') ? r.from : r.to;
  const wrong = list.startsWith('ingress') ? r.to : r.from;
  const at = r.at ?? peersIn?.find((p) => p.at !== undefined)?.at ?? policyAt;
  const name = r.name ?? `${policyName}/${list}[${index}]`;
  if (wrong !== undefined) throw new PolicyError(`rule ${name}: ${list} rules name peers with ${list.startsWith('ingress') ? 'from' : 'to'}`, at);
  for (const p of peersIn ?? []) {
    if (p === null || typeof p !== 'object' || !PEER_KINDS.has((p as Peer).kind)) {
      throw new PolicyError(`rule ${name}: a peer must be cidr(...), endpoints(...), namespaces(...) or an entity`, at);
    }
    if (p.kind === 'entity' && !ENTITIES.has(p.entity)) throw new PolicyError(`rule ${name}: unknown entity ${String(p.entity)}`, p.at ?? at);
    if (p.kind === 'cidr') checkCidr(p.cidr, p.except, p.at ?? at);
  }
  const ports = r.ports ?? [];
  ports.forEach((p, i) => {
    checkL7(name, list, i, p, at);
    const proto = p.protocol ?? 'TCP';
    if (!PROTOCOLS.has(proto)) throw new PolicyError(`rule ${name}: protocol ${String(proto)} is not TCP, UDP, SCTP or ANY`, at);
    if (typeof p.port === 'number' && !(Number.isInteger(p.port) && p.port >= 0 && p.port <= 65535)) {
      throw new PolicyError(`rule ${name}: port ${p.port} is not 0 to 65535`, at);
    }
    if (typeof p.port === 'string' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.port)) {
      throw new PolicyError(`rule ${name}: named port ${JSON.stringify(p.port)} is not a valid port name`, at);
    }
    if (p.endPort !== undefined) {
      if (typeof p.port !== 'number') throw new PolicyError(`rule ${name}: endPort needs a numeric port`, at);
      if (!(Number.isInteger(p.endPort) && p.endPort <= 65535)) throw new PolicyError(`rule ${name}: endPort ${p.endPort} is not 0 to 65535`, at);
      if (p.endPort < p.port) throw new PolicyError(`rule ${name}: endPort ${p.endPort} < port ${p.port}`, at);
    }
  });
  const icmps = (r.icmps ?? []).map((i) => {
    const family = i.family === 'IPv6' ? 6 : 4;
    if (i.family !== undefined && i.family !== 'IPv4' && i.family !== 'IPv6') throw new PolicyError(`rule ${name}: ICMP family ${String(i.family)} is not IPv4 or IPv6`, at);
    const type = icmpTypeNumber(family, i.type);
    if (type === undefined) throw new PolicyError(`rule ${name}: unknown ICMP${family === 6 ? 'v6' : ''} type ${JSON.stringify(i.type)}`, at);
    return { family, type } as const;
  });
  return { name, list, peers: peersIn, ports, icmps, ...(at !== undefined ? { at } : {}) };
}

/** L7 rules sit on allow rules of TCP ports, one kind per port rule (Cilium's shape); their fields are checked
 * when the model is built (compiler/l7 normalises them). */
function checkL7(name: string, list: RuleList, index: number, p: PortRule, at: SourcePosition | undefined): void {
  const kinds = (['http', 'kafka'] as const).filter((k) => p[k] !== undefined);
  if (kinds.length === 0) return;
  const where = `rule ${name}: ports[${index}]`;
  if (kinds.length > 1) throw new PolicyError(`${where}: one L7 kind per port rule (http or kafka, not both)`, at);
  const kind = kinds[0]!;
  if (list.endsWith('Deny')) throw new PolicyError(`${where}: deny rules carry no L7 rules (${kind})`, at);
  if ((p.protocol ?? 'TCP') !== 'TCP') throw new PolicyError(`${where}: ${kind} rules need protocol TCP, not ${String(p.protocol)}`, at);
  if (p.port === undefined || p.port === 0) throw new PolicyError(`${where}: ${kind} rules need a port`, at);
  const items: unknown = p[kind];
  if (!Array.isArray(items)) throw new PolicyError(`${where}: ${kind} must be an array of rules`, at);
  if (items.length === 0) throw new PolicyError(`${where}: ${kind}: [] allows no request; give at least one rule ({} allows every request)`, at);
  items.forEach((item: unknown, j: number) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new PolicyError(`${where}: ${kind}[${j}] must be an object`, at);
  });
}

function resolveL7Settings(policyName: string, input: PolicyInput['l7'], at: SourcePosition | undefined): L7Settings {
  const s = { ...DEFAULT_L7_SETTINGS, ...(input ?? {}) };
  const w = s.window;
  if (!(Number.isInteger(w) && w >= 64 && w <= 1024 && (w & (w - 1)) === 0)) {
    throw new PolicyError(`policy ${policyName}: l7.window ${String(w)} is not a power of two from 64 to 1024`, at);
  }
  if (s.unparseable !== 'allow' && s.unparseable !== 'deny') throw new PolicyError(`policy ${policyName}: l7.unparseable is allow or deny, not ${String(s.unparseable)}`, at);
  if (s.violation !== 'drop' && s.violation !== 'reset') throw new PolicyError(`policy ${policyName}: l7.violation is drop or reset, not ${String(s.violation)}`, at);
  return { window: w, unparseable: s.unparseable, violation: s.violation };
}

/** The directions `enableDefaultDeny` turns off; a direction cannot be both listed in defaultDeny and turned off. */
function rulesOnlyDirections(input: PolicyInput, at: SourcePosition | undefined): Direction[] {
  const e = input.enableDefaultDeny;
  if (e === undefined) return [];
  if (typeof e !== 'object' || e === null) throw new PolicyError(`policy ${input.name}: enableDefaultDeny is { ingress?: boolean, egress?: boolean }`, at);
  const off: Direction[] = [];
  for (const [k, v] of Object.entries(e)) {
    if (k !== 'ingress' && k !== 'egress') throw new PolicyError(`policy ${input.name}: enableDefaultDeny has ingress and egress, not ${k}`, at);
    if (typeof v !== 'boolean') throw new PolicyError(`policy ${input.name}: enableDefaultDeny.${k} must be true or false`, at);
    if (v) continue;
    if (input.defaultDeny?.includes(k)) throw new PolicyError(`policy ${input.name}: ${k} is both in defaultDeny and turned off by enableDefaultDeny`, at);
    off.push(k);
  }
  return off;
}

/** A policy: what it protects (`selector` or `host: true`) and its rules. Throws PolicyError on invalid input. */
export function policy(input: PolicyInput): Policy {
  const at = callerPosition();
  if (typeof input?.name !== 'string' || input.name === '') throw new PolicyError('policy: a name is required', at);
  const hasSelector = input.selector !== undefined;
  if (hasSelector === (input.host === true)) throw new PolicyError(`policy ${input.name}: give exactly one of selector or host: true`, at);
  for (const d of input.defaultDeny ?? []) if (d !== 'ingress' && d !== 'egress') throw new PolicyError(`policy ${input.name}: defaultDeny lists ingress and egress, not ${String(d)}`, at);
  const rulesOnly = rulesOnlyDirections(input, at);
  const rules: Rule[] = [];
  const seen = new Set<string>();
  for (const list of ['ingressDeny', 'ingress', 'egressDeny', 'egress'] as const) {
    const items = input[list] ?? [];
    if (!Array.isArray(items)) throw new PolicyError(`policy ${input.name}: ${list} must be an array of rules`, at);
    items.forEach((r: RuleInput, i: number) => {
      const v = validateRule(input.name, list, i, r, at);
      if (seen.has(v.name)) throw new PolicyError(`policy ${input.name}: two rules are named ${v.name}`, v.at);
      seen.add(v.name);
      rules.push(v);
    });
  }
  return {
    kind: 'tsbpf.policy',
    name: input.name,
    ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
    subject: input.host === true ? { host: true } : { selector: input.selector ?? {} },
    rules,
    defaultDeny: [...new Set(input.defaultDeny ?? [])],
    rulesOnly,
    audit: input.audit === true,
    profiles: input.profiles ?? ['seed'],
    l7: resolveL7Settings(input.name, input.l7, at),
    ...(at !== undefined ? { at } : {}),
  };
}
