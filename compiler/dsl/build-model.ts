// Policies × inventory → PolicyModel. Identities first (reserved, one per distinct endpoint label set, one per
// CIDR prefix the policies or the inventory name), then the IP → identity table, then per protected identity
// and direction the rule table: disjoint port intervals per remote identity and protocol, each decided by the
// first matching deny rule, else the first matching allow rule.
//
// Why one identity per prefix: the datapath finds the longest prefix holding an address. Every rule CIDR and
// every except is in that table, so the longest match P of an address inside CIDR X and outside its excepts
// E is itself inside X and not inside any E; rules can then be decided on identities alone.
import { normaliseL7Rule } from '../l7/protocols.ts';
import { DEFAULT_L7_SETTINGS } from '../l7/l7-settings.ts';
import { familyBits, formatPrefix, parsePrefix, prefixContains, type Prefix } from './cidr.ts';
import type { Inventory, InventoryEndpoint } from './inventory.ts';
import { matchesSelector } from './match-labels.ts';
import { PolicyError, type PolicyWarning } from './policy-error.ts';
import type { SourcePosition } from './source-position.ts';
import {
  DIRECTIONS,
  Identity,
  type Direction,
  type IpcacheEntry,
  type ModelEntry,
  type ModelIdentity,
  type L7Protocol,
  type ModelL7Rule,
  type ModelL7Ruleset,
  type ModelRule,
  type ModelSubject,
  type PolicyModel,
} from './policy-model.ts';
import type { L7Settings, Peer, Policy, PortRule, Rule } from './types.ts';

export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;
/** protocols with their own table rows; every other protocol only matches rules without ports */
const PORT_PROTOCOLS: Record<string, number[]> = { TCP: [6], UDP: [17], SCTP: [132], ANY: [6, 17, 132] };

type Remotes = 'any' | ReadonlySet<number>;
/** The L7 rules of one port rule, normalised: every request to its ports is judged against them. */
interface L7Ref {
  readonly protocol: L7Protocol;
  readonly matches: readonly unknown[];
  readonly rules: readonly ModelL7Rule[];
}
interface Interval {
  readonly lo: number;
  readonly hi: number;
  readonly l7?: L7Ref;
}
/** protocol number → intervals; 'star' = every protocol and port */
type PortSet = Map<number | 'star', Interval[]>;

interface EndpointIdentity extends ModelIdentity {
  readonly endpoints: readonly InventoryEndpoint[];
  /** the labels selectors see (inventory.ts: own labels plus those derived from the namespace) */
  readonly selectorLabels: Readonly<Record<string, string>>;
}

function labelKey(e: InventoryEndpoint): string {
  return JSON.stringify([e.namespace, Object.entries(e.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

function comparePrefix(a: Prefix, b: Prefix): number {
  return a.family - b.family || (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0) || a.len - b.len;
}

export interface BuildModelOptions {
  readonly warnings?: PolicyWarning[];
}

/** Merges `policies` over `inventory` into one PolicyModel; throws PolicyError naming the file and line. */
export function buildModel(policies: readonly Policy[], inventory: Inventory): PolicyModel {
  if (policies.length === 0) throw new PolicyError('no policies: export policy(...) from the policy file', undefined);
  const hostMode = policies.map((p) => 'host' in p.subject);
  if (hostMode.some((h) => h !== hostMode[0])) {
    const p = policies[hostMode.indexOf(!hostMode[0])]!;
    throw new PolicyError(`policy ${p.name}: host policies and endpoint policies cannot share one interface`, p.at);
  }
  const names = new Set<string>();
  const ruleNames = new Set<string>();
  for (const p of policies) {
    if (names.has(p.name)) throw new PolicyError(`two policies are named ${p.name}`, p.at);
    names.add(p.name);
    for (const r of p.rules) {
      if (ruleNames.has(r.name)) throw new PolicyError(`two rules are named ${r.name}`, r.at);
      ruleNames.add(r.name);
    }
  }
  const warnings: PolicyWarning[] = [];
  const mode = hostMode[0] ? 'interface' : 'endpoint';

  // identities
  const identities: ModelIdentity[] = [
    { id: Identity.HOST, kind: 'reserved', name: 'host', inCluster: true },
    { id: Identity.WORLD_IPV4, kind: 'reserved', name: 'world-ipv4', prefix: '0.0.0.0/0', inCluster: false },
    { id: Identity.WORLD_IPV6, kind: 'reserved', name: 'world-ipv6', prefix: '::/0', inCluster: false },
  ];
  const groups = new Map<string, InventoryEndpoint[]>();
  for (const e of inventory.endpoints) groups.set(labelKey(e), [...(groups.get(labelKey(e)) ?? []), e]);
  const endpointIds: EndpointIdentity[] = [...groups.keys()].sort().map((k, i) => {
    const eps = groups.get(k)!;
    const first = eps[0]!;
    const labels = Object.entries(first.labels).map(([a, b]) => `${a}=${b}`).join(',');
    return { id: Identity.ENDPOINT_BASE + i, kind: 'endpoint', name: `${first.namespace}:${labels}`, namespace: first.namespace, labels: first.labels, selectorLabels: first.selectorLabels, inCluster: true, endpoints: eps };
  });
  const prefixes = new Map<string, Prefix>();
  const addPrefix = (p: Prefix) => {
    if (p.len > 0) prefixes.set(formatPrefix(p), p);
  };
  for (const c of inventory.clusterCIDRs) addPrefix(c);
  for (const p of policies) {
    for (const r of p.rules) {
      for (const peer of r.peers ?? []) {
        if (peer.kind !== 'cidr') continue;
        addPrefix(parsePrefix(peer.cidr));
        for (const x of peer.except) addPrefix(parsePrefix(x));
      }
    }
  }
  const cidrPrefixes = [...prefixes.values()].sort(comparePrefix);
  const cidrIds = cidrPrefixes.map((p, i): ModelIdentity & { p: Prefix } => ({
    id: Identity.CIDR_BASE + i,
    kind: 'cidr',
    name: `cidr:${formatPrefix(p)}`,
    prefix: formatPrefix(p),
    inCluster: inventory.clusterCIDRs.some((c) => prefixContains(c, p)),
    p,
  }));
  for (const e of endpointIds) identities.push(stripEndpoints(e));
  for (const c of cidrIds) identities.push({ id: c.id, kind: c.kind, name: c.name, prefix: c.prefix!, inCluster: c.inCluster });
  // world-ipv4/-ipv6 behave as the CIDR identities of 0.0.0.0/0 and ::/0
  const cidrLike = [
    { id: Identity.WORLD_IPV4, p: parsePrefix('0.0.0.0/0'), inCluster: false },
    { id: Identity.WORLD_IPV6, p: parsePrefix('::/0'), inCluster: false },
    ...cidrIds,
  ];

  // the IP → identity table; endpoints and host addresses win over a CIDR of the same length
  const ipcache = new Map<string, IpcacheEntry>();
  for (const c of cidrLike) ipcache.set(formatPrefix(c.p), { prefix: formatPrefix(c.p), identity: c.id });
  for (const h of inventory.host) {
    const k = formatPrefix({ family: h.family, addr: h.addr, len: familyBits(h.family) });
    ipcache.set(k, { prefix: k, identity: Identity.HOST });
  }
  for (const e of endpointIds) {
    for (const ep of e.endpoints) {
      const k = formatPrefix({ family: ep.family, addr: ep.addr, len: familyBits(ep.family) });
      ipcache.set(k, { prefix: k, identity: e.id });
    }
  }

  // the CIDR-like identities inside a prefix: those whose address lies in its range (sorted by address), as long
  const sorted = [...cidrLike].sort((a, b) => comparePrefix(a.p, b.p));
  const within = (outer: Prefix): typeof cidrLike => {
    const end = outer.addr + (1n << BigInt(familyBits(outer.family) - outer.len));
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = sorted[mid]!.p;
      if (m.family < outer.family || (m.family === outer.family && m.addr < outer.addr)) lo = mid + 1;
      else hi = mid;
    }
    const out: typeof cidrLike = [];
    for (let i = lo; i < sorted.length; i++) {
      const c = sorted[i]!;
      if (c.p.family !== outer.family || c.p.addr >= end) break;
      if (c.p.len >= outer.len) out.push(c);
    }
    return out;
  };
  const peerIds = (peer: Peer, policy: Policy): Remotes => {
    switch (peer.kind) {
      case 'entity':
        switch (peer.entity) {
          case 'all':
            return 'any';
          case 'host':
            return new Set([Identity.HOST]);
          case 'world':
            return new Set(cidrLike.filter((c) => !c.inCluster).map((c) => c.id));
          case 'cluster':
            return new Set([Identity.HOST, ...endpointIds.map((e) => e.id), ...cidrLike.filter((c) => c.inCluster).map((c) => c.id)]);
        }
        break;
      case 'cidr': {
        const outer = parsePrefix(peer.cidr);
        const excepts = peer.except.map((x) => parsePrefix(x));
        return new Set(within(outer).filter((c) => !excepts.some((x) => prefixContains(x, c.p))).map((c) => c.id));
      }
      case 'endpoints': {
        const ids = endpointIds.filter((e) => endpointPeerMatches(peer, policy, e, inventory)).map((e) => e.id);
        if (ids.length === 0) warnings.push({ message: `policy ${policy.name}: ${describePeer(peer)} matches no endpoint of the inventory`, ...(peer.at ? { at: peer.at } : {}) });
        return new Set(ids);
      }
    }
    throw new RangeError(`unknown peer ${JSON.stringify(peer)}`);
  };

  const settings = l7Settings(policies);
  const rulesets: Omit<ModelL7Ruleset, 'counterBase'>[] = [];
  const rulesetIds = new Map<string, number>();

  // subjects and rules
  const rules: ModelRule[] = [];
  const l7Refs = new Map<PortRule, L7Ref>();
  interface Resolved {
    readonly rule: Rule;
    readonly id: number;
    readonly deny: boolean;
    readonly remotes: Remotes;
    readonly policy: Policy;
  }
  const byLocal = new Map<number, { audit: boolean; defaultDeny: Set<Direction>; isolating: Set<Direction>; rules: Record<Direction, Resolved[]> }>();
  const subjectsOf = (p: Policy): number[] => {
    if ('host' in p.subject) return [Identity.HOST];
    const sel = p.subject.selector;
    const ids = endpointIds.filter((e) => (p.namespace === undefined || e.namespace === p.namespace) && matchesSelector(sel, e.selectorLabels)).map((e) => e.id);
    if (ids.length === 0) warnings.push({ message: `policy ${p.name}: its selector matches no endpoint of the inventory`, ...(p.at ? { at: p.at } : {}) });
    return ids;
  };
  const resolvedByPolicy = policies.map((p) => {
    const locals = subjectsOf(p);
    for (const l of locals) {
      const s = byLocal.get(l) ?? { audit: false, defaultDeny: new Set<Direction>(), isolating: new Set<Direction>(), rules: { ingress: [], egress: [] } };
      s.audit ||= p.audit;
      for (const d of p.defaultDeny) s.defaultDeny.add(d);
      // a policy with rules in a direction isolates it, unless its enableDefaultDeny turns that off
      for (const d of DIRECTIONS) if (p.rules.some((r) => r.list.startsWith(d)) && !p.rulesOnly.includes(d)) s.isolating.add(d);
      byLocal.set(l, s);
    }
    return { p, locals };
  });
  // deny rules of every policy first, then allows: the first deny that matches decides, else the first allow
  for (const deny of [true, false]) {
    for (const { p, locals } of resolvedByPolicy) {
      for (const r of p.rules) {
        if (r.list.endsWith('Deny') !== deny) continue;
        const direction: Direction = r.list.startsWith('ingress') ? 'ingress' : 'egress';
        const id = rules.length + 1;
        rules.push({ id, name: r.name, policy: p.name, direction, verdict: deny ? 'deny' : 'allow', ...(r.at ? { at: r.at } : {}) });
        let remotes: Remotes = 'any';
        if (r.peers !== undefined && r.peers.length > 0) {
          const set = new Set<number>();
          let any = false;
          for (const peer of r.peers) {
            const ids = peerIds(peer, p);
            if (ids === 'any') any = true;
            else for (const x of ids) set.add(x);
          }
          remotes = any ? 'any' : set;
        }
        // named ports of egress rules resolve on the peer: only endpoints can match them
        if (direction === 'egress' && remotes === 'any' && r.ports.some((x) => typeof x.port === 'string')) remotes = new Set(endpointIds.map((e) => e.id));
        checkNamedPorts(r, inventory);
        r.ports.forEach((pr, i) => {
          const ref = l7Ref(r, id, pr, i);
          if (ref !== undefined) l7Refs.set(pr, ref);
        });
        for (const l of locals) byLocal.get(l)!.rules[direction].push({ rule: r, id, deny, remotes, policy: p });
      }
    }
  }

  const subjects: ModelSubject[] = [];
  const entries: ModelEntry[] = [];
  for (const local of [...byLocal.keys()].sort((a, b) => a - b)) {
    const s = byLocal.get(local)!;
    const enforced = (d: Direction) => s.rules[d].length > 0 || s.defaultDeny.has(d);
    const defaultAllow = DIRECTIONS.filter((d) => enforced(d) && !s.defaultDeny.has(d) && !s.isolating.has(d));
    subjects.push({ identity: local, ingress: enforced('ingress'), egress: enforced('egress'), audit: s.audit, ...(defaultAllow.length > 0 ? { defaultAllow } : {}) });
    for (const direction of DIRECTIONS) {
      const list = s.rules[direction];
      if (list.length === 0) continue;
      const explicit = new Set<number>();
      for (const r of list) if (r.remotes !== 'any') for (const x of r.remotes) explicit.add(x);
      for (const remote of [Identity.ANY, ...[...explicit].sort((a, b) => a - b)]) {
        const applicable = list.filter((r) => r.remotes === 'any' || (remote !== Identity.ANY && r.remotes.has(remote)));
        if (applicable.length === 0) continue;
        const sets = applicable.map((r) => ({ r, ports: portSet(r.rule, direction, local, remote, endpointIds, l7Refs) }));
        const protocols = new Set<number>();
        let star = false;
        for (const { ports } of sets) for (const k of ports.keys()) k === 'star' ? (star = true) : protocols.add(k);
        for (const protocol of [...protocols].sort((a, b) => a - b)) {
          const covering = sets.map(({ r, ports }) => ({ r, intervals: ports.has('star') ? [{ lo: 0, hi: 65535 }] : (ports.get(protocol) ?? []) }));
          for (const seg of decide(covering)) {
            const l7 = seg.l7 === undefined ? 0 : rulesetId(seg.l7);
            entries.push({ local, remote, direction, protocol, anyProtocol: false, portLo: seg.lo, portHi: seg.hi, deny: seg.r.deny, rule: seg.r.id, ...(l7 !== 0 ? { l7 } : {}) });
          }
        }
        if (star) {
          const first = sets.find(({ r, ports }) => r.deny && ports.has('star')) ?? sets.find(({ ports }) => ports.has('star'))!;
          entries.push({ local, remote, direction, protocol: 0, anyProtocol: true, portLo: 0, portHi: 65535, deny: first.r.deny, rule: first.r.id });
        }
      }
    }
  }

  const profiles = [...new Set(policies.flatMap((p) => p.profiles))];
  let counterSlots = 0;
  const l7Rulesets: ModelL7Ruleset[] = rulesets.map((r) => {
    const base = counterSlots;
    counterSlots += r.rules.length + 2;
    return { ...r, counterBase: base };
  });
  return {
    version: 1,
    mode,
    policies: policies.map((p) => ({ name: p.name, ...(p.at ? { at: p.at } : {}) })),
    profiles: profiles.length > 0 ? profiles : ['seed'],
    identities,
    ipcache: [...ipcache.values()],
    subjects,
    rules,
    entries,
    l7: { settings, rulesets: l7Rulesets, counterSlots },
    warnings,
  };

  /** The normalised L7 rules of port rule `pr` (index `i`) of rule `r` (id `id`), if it has any. */
  function l7Ref(r: Rule, id: number, pr: PortRule, i: number): L7Ref | undefined {
    const protocol: L7Protocol | undefined = pr.http !== undefined ? 'http' : pr.kafka !== undefined ? 'kafka' : undefined;
    if (protocol === undefined) return undefined;
    const inputs: readonly object[] = (protocol === 'http' ? pr.http : pr.kafka) ?? [];
    const matches: unknown[] = [];
    const named: ModelL7Rule[] = [];
    inputs.forEach((input, j) => {
      const name = `${r.name}/ports[${i}]/${protocol}[${j}]`;
      const at = (input as { at?: SourcePosition }).at ?? r.at;
      try {
        matches.push(normaliseL7Rule(protocol, input, `rule ${name}`));
      } catch (e) {
        if (e instanceof PolicyError && e.at !== undefined) throw e;
        throw new PolicyError((e as Error).message, at, { cause: e });
      }
      named.push({ name, rule: id, ...(at !== undefined ? { at } : {}) });
    });
    return { protocol, matches, rules: named };
  }

  /** The id of the ruleset holding exactly these L7 rules (one per distinct union). */
  function rulesetId(ref: L7Ref): number {
    const key = `${ref.protocol}|${ref.rules.map((x) => x.name).join('|')}`;
    const known = rulesetIds.get(key);
    if (known !== undefined) return known;
    const id = rulesets.length + 1;
    rulesets.push({ id, protocol: ref.protocol, matches: ref.matches, rules: ref.rules });
    rulesetIds.set(key, id);
    return id;
  }
}

/** The L7 settings of the model: those of the policies with L7 rules, which must agree. */
function l7Settings(policies: readonly Policy[]): L7Settings {
  const withL7 = policies.filter((p) => p.rules.some((r) => r.ports.some((x) => x.http !== undefined || x.kafka !== undefined)));
  const first = withL7[0];
  if (first === undefined) return policies[0]?.l7 ?? DEFAULT_L7_SETTINGS;
  for (const p of withL7) {
    const a = first.l7;
    const b = p.l7;
    if (a.window !== b.window || a.unparseable !== b.unparseable || a.violation !== b.violation) {
      throw new PolicyError(`policy ${p.name}: its l7 settings ${JSON.stringify(b)} differ from policy ${first.name}'s ${JSON.stringify(a)}; policies with L7 rules on one interface share them`, p.at);
    }
  }
  return first.l7;
}

function stripEndpoints(e: EndpointIdentity): ModelIdentity {
  const { endpoints: _e, selectorLabels: _s, ...rest } = e;
  return rest;
}

function describePeer(peer: Peer): string {
  if (peer.kind === 'endpoints') return `endpoints(${JSON.stringify(peer.selector ?? {})}${peer.namespaces ? `, namespaces ${JSON.stringify(peer.namespaces)}` : ''})`;
  return peer.kind === 'cidr' ? `cidr(${peer.cidr})` : peer.entity;
}

/** Whether endpoint identity `e` is one the peer selects (the policy's namespace unless namespaces are named). */
export function endpointPeerMatches(peer: Peer & { kind: 'endpoints' }, policy: Policy, e: { namespace?: string; selectorLabels: Readonly<Record<string, string>> }, inventory: Inventory): boolean {
  const ns = e.namespace ?? '';
  if (peer.namespaces !== undefined) {
    if (!matchesSelector(peer.namespaces, inventory.namespaces.get(ns) ?? { 'kubernetes.io/metadata.name': ns })) return false;
  } else if (policy.namespace !== undefined && ns !== policy.namespace) return false;
  return matchesSelector(peer.selector ?? {}, e.selectorLabels);
}

function checkNamedPorts(r: Rule, inventory: Inventory): void {
  for (const p of r.ports) {
    if (typeof p.port !== 'string') continue;
    const name = p.port;
    if (!inventory.endpoints.some((e) => e.ports.some((x) => x.name === name))) {
      throw new PolicyError(`rule ${r.name}: unknown named port ${JSON.stringify(name)} (no endpoint of the inventory has it)`, r.at);
    }
  }
}

/** Port numbers a named port stands for on the endpoints of identity `id`, for protocol `protocol`. */
function namedPortNumbers(p: PortRule, id: number, endpointIds: readonly EndpointIdentity[]): { proto: number; port: number }[] {
  const eps = endpointIds.find((e) => e.id === id)?.endpoints ?? [];
  const want = p.protocol ?? 'TCP';
  return eps.flatMap((e) => e.ports.filter((x) => x.name === p.port && (want === 'ANY' || want === x.protocol)).map((x) => ({ proto: PORT_PROTOCOLS[x.protocol]![0]!, port: x.port })));
}

/** The protocols and ports rule `r` allows or denies, for local identity `local` and remote `remote`. */
function portSet(r: Rule, direction: Direction, local: number, remote: number, endpointIds: readonly EndpointIdentity[], l7Refs: ReadonlyMap<PortRule, L7Ref>): PortSet {
  const out: PortSet = new Map();
  const add = (k: number | 'star', lo: number, hi: number, l7?: L7Ref) => out.set(k, [...(out.get(k) ?? []), { lo, hi, ...(l7 !== undefined ? { l7 } : {}) }]);
  if (r.ports.length === 0 && r.icmps.length === 0) {
    add('star', 0, 65535);
    return out;
  }
  for (const p of r.ports) {
    if (typeof p.port === 'string') {
      // ingress: the protected endpoint's port; egress: the peer's
      for (const n of namedPortNumbers(p, direction === 'ingress' ? local : remote, endpointIds)) add(n.proto, n.port, n.port, l7Refs.get(p));
      continue;
    }
    const all = p.port === undefined || p.port === 0;
    for (const proto of PORT_PROTOCOLS[p.protocol ?? 'TCP']!) add(proto, all ? 0 : p.port!, all ? 65535 : (p.endPort ?? p.port!), l7Refs.get(p));
  }
  for (const i of r.icmps) add(i.family === 4 ? PROTO.ICMP : PROTO.ICMPV6, i.type, i.type);
  return out;
}

/**
 * Splits [0, 65535] at every interval edge and gives each piece to the first deny covering it, else the first
 * allow. L7: an allow piece is judged per request only when every allow covering it has L7 rules there; their L7
 * rules then add up (in rule order), and the first allow names the piece. One port holds one L7 protocol.
 */
function decide<R extends { deny: boolean }>(covering: readonly { r: R; intervals: readonly Interval[] }[]): { lo: number; hi: number; r: R; l7?: L7Ref }[] {
  const edges = new Set<number>([0]);
  for (const { intervals } of covering) for (const i of intervals) edges.add(i.lo).add(i.hi + 1);
  const sorted = [...edges].filter((e) => e <= 65535).sort((a, b) => a - b);
  const out: { lo: number; hi: number; r: R; l7?: L7Ref; l7Key: string }[] = [];
  for (let k = 0; k < sorted.length; k++) {
    const lo = sorted[k]!;
    const hi = (sorted[k + 1] ?? 65536) - 1;
    const hits = covering.filter(({ intervals }) => intervals.some((i) => i.lo <= lo && lo <= i.hi));
    const winner = hits.find(({ r }) => r.deny) ?? hits[0];
    if (winner === undefined) continue;
    let l7: L7Ref | undefined;
    if (!winner.r.deny) {
      const here = hits.flatMap(({ intervals }) => intervals.filter((i) => i.lo <= lo && lo <= i.hi));
      if (here.every((i) => i.l7 !== undefined)) {
        const refs = here.map((i) => i.l7!);
        const protocol = refs[0]!.protocol;
        const other = refs.find((x) => x.protocol !== protocol);
        if (other !== undefined) {
          throw new PolicyError(`rule ${other.rules[0]!.name}: port ${lo} has ${protocol} rules from ${refs[0]!.rules[0]!.name}; one L7 protocol per port`, other.rules[0]!.at);
        }
        l7 = { protocol, matches: refs.flatMap((x) => x.matches), rules: refs.flatMap((x) => x.rules) };
      }
    }
    const l7Key = l7 === undefined ? '' : l7.rules.map((x) => x.name).join('|');
    const last = out[out.length - 1];
    if (last !== undefined && last.r === winner.r && last.l7Key === l7Key && last.hi + 1 === lo) out[out.length - 1] = { ...last, hi };
    else out.push({ lo, hi, r: winner.r, l7Key, ...(l7 !== undefined ? { l7 } : {}) });
  }
  return out;
}
