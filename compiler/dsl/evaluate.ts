// The reference evaluator: policies × inventory × packet × connection state → verdict, reason and deciding
// rule. Written straight from the semantics (docs/policy.md), apart from the model builder and the generator:
// it never computes identities, tables or prefixes; it asks of each rule whether it matches this packet.
// The model-based tests hold the compiled datapath to it.
import { addressInPrefix, formatAddress, parseAddress, parsePrefix, type Family } from './cidr.ts';
import { ND_TYPES } from './icmp-types.ts';
import type { Inventory, InventoryEndpoint } from './inventory.ts';
import { matchesSelector } from './match-labels.ts';
import { CT_TIMEOUTS, type Reason } from './policy-model.ts';
import { judgeL7Segment, type L7Count, type L7Stream } from '../l7/evaluate-l7.ts';
import { normaliseL7Rule } from '../l7/protocols.ts';
import type { Peer, Policy, PortRule, Rule } from './types.ts';
import type { VectorPacket } from './vectors.ts';

export interface Evaluation {
  /** reset: an L7 violation answered by a TCP RST (the policy's l7.violation) */
  readonly verdict: 'allow' | 'deny' | 'audit' | 'reset';
  readonly reason: Reason;
  /** the deciding rule (reasons allow, deny, audit by a rule; the L3/L4 rule of L7 verdicts) */
  readonly rule?: string;
  /** L7 ports: what the requests starting in the segment counted (L7 rule names, `(no rule)`, `(cannot see)`) */
  readonly l7?: readonly L7Count[];
}

/** Connection-tracking and fragment state of one interface, and its clock. */
export class EvaluatorState {
  /** connection key → expiry (ns) */
  readonly connections = new Map<string, bigint>();
  /** first-fragment key → whether it passed */
  readonly fragments = new Map<string, boolean>();
  /** connection key and policy direction → where its next request starts (L7 ports) */
  readonly streams = new Map<string, L7Stream>();
  now = 0n;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_ARP = 0x0806;
const L4_MIN: Record<number, number> = { 6: 20, 17: 8, 132: 12, 1: 8, 58: 8 };

interface Side {
  readonly family: Family;
  readonly addr: bigint;
}

function sameLabels(a: InventoryEndpoint, b: InventoryEndpoint): boolean {
  if (a.namespace !== b.namespace) return false;
  const ka = Object.keys(a.labels);
  return ka.length === Object.keys(b.labels).length && ka.every((k) => a.labels[k] === b.labels[k]);
}

export class Evaluator {
  readonly #policies: readonly Policy[];
  readonly #inventory: Inventory;

  constructor(policies: readonly Policy[], inventory: Inventory) {
    this.#policies = policies;
    this.#inventory = inventory;
  }

  #endpoint(s: Side): InventoryEndpoint | undefined {
    return this.#inventory.endpoints.find((e) => e.family === s.family && e.addr === s.addr);
  }

  #isHost(s: Side): boolean {
    return this.#inventory.host.some((h) => h.family === s.family && h.addr === s.addr);
  }

  /** The policies protecting the local address (interface mode: every policy protects the host). */
  #selecting(local: Side): Policy[] {
    return this.#policies.filter((p) => {
      if ('host' in p.subject) return true;
      const e = this.#endpoint(local);
      return e !== undefined && (p.namespace === undefined || p.namespace === e.namespace) && matchesSelector(p.subject.selector, e.selectorLabels);
    });
  }

  #peerMatches(peer: Peer, policy: Policy, remote: Side): boolean {
    const ep = this.#endpoint(remote);
    const isHost = this.#isHost(remote);
    const external = ep === undefined && !isHost;
    const inCluster = this.#inventory.clusterCIDRs.some((c) => addressInPrefix(c, remote.family, remote.addr));
    switch (peer.kind) {
      case 'entity':
        if (peer.entity === 'all') return true;
        if (peer.entity === 'host') return isHost;
        if (peer.entity === 'world') return external && !inCluster;
        return !external || inCluster;
      case 'cidr':
        // CIDR rules select addresses without a label-derived identity (Cilium's rule)
        return (
          external &&
          addressInPrefix(parsePrefix(peer.cidr), remote.family, remote.addr) &&
          !peer.except.some((x) => addressInPrefix(parsePrefix(x), remote.family, remote.addr))
        );
      case 'endpoints': {
        if (ep === undefined) return false;
        if (peer.namespaces !== undefined) {
          const nsLabels = this.#inventory.namespaces.get(ep.namespace) ?? { 'kubernetes.io/metadata.name': ep.namespace };
          if (!matchesSelector(peer.namespaces, nsLabels)) return false;
        } else if (policy.namespace !== undefined && policy.namespace !== ep.namespace) return false;
        return matchesSelector(peer.selector ?? {}, ep.selectorLabels);
      }
    }
  }

  #portMatches(rule: Rule, p: VectorPacket, local: Side, remote: Side): boolean {
    if (rule.ports.length === 0 && rule.icmps.length === 0) return true;
    if (this.#matchingPorts(rule, p, local, remote).length > 0) return true;
    for (const i of rule.icmps) if (p.protocol === (i.family === 4 ? 1 : 58) && p.icmpType === i.type) return true;
    return false;
  }

  /** The port rules of `rule` that match `p`, with their indexes. */
  #matchingPorts(rule: Rule, p: VectorPacket, local: Side, remote: Side): { pr: PortRule; index: number }[] {
    const out: { pr: PortRule; index: number }[] = [];
    rule.ports.forEach((pr, index) => {
      if (this.#portRuleMatches(pr, p, local, remote)) out.push({ pr, index });
    });
    return out;
  }

  #portRuleMatches(pr: PortRule, p: VectorPacket, local: Side, remote: Side): boolean {
    const protos = pr.protocol === 'ANY' ? [6, 17, 132] : [{ TCP: 6, UDP: 17, SCTP: 132 }[pr.protocol ?? 'TCP']];
    if (!protos.includes(p.protocol)) return false;
    if (typeof pr.port === 'string') {
      // a named port: the protected endpoint's (ingress) or the peer's (egress), over all endpoints sharing its labels
      const owner = this.#endpoint(p.direction === 'ingress' ? local : remote);
      if (owner === undefined) return false;
      const mates = this.#inventory.endpoints.filter((e) => sameLabels(e, owner));
      const protoName = p.protocol === 6 ? 'TCP' : p.protocol === 17 ? 'UDP' : 'SCTP';
      return mates.some((e) => e.ports.some((x) => x.name === pr.port && x.port === p.dport && x.protocol === protoName));
    }
    if (pr.port === undefined || pr.port === 0) return true;
    return p.dport >= pr.port && p.dport <= (pr.endPort ?? pr.port);
  }

  /**
   * The L7 rules judging `p` when every allow rule matching it (from `first` on) has L7 rules on each of its
   * port rules that match: their union in rule order, else undefined (the packet is allowed at L4).
   */
  #l7Rules(selecting: readonly Policy[], list: string, p: VectorPacket, local: Side, remote: Side): { protocol: 'http' | 'kafka'; matches: unknown[]; names: string[] } | undefined {
    if (p.protocol !== 6) return undefined;
    const matches: unknown[] = [];
    const names: string[] = [];
    let protocol: 'http' | 'kafka' | undefined;
    for (const policy of selecting) {
      for (const rule of policy.rules) {
        if (rule.list !== list || !this.#ruleMatches(rule, policy, p, local, remote)) continue;
        if (rule.ports.length === 0) return undefined;
        for (const { pr, index } of this.#matchingPorts(rule, p, local, remote)) {
          const kind = pr.http !== undefined ? 'http' : pr.kafka !== undefined ? 'kafka' : undefined;
          if (kind === undefined) return undefined;
          protocol = kind;
          const inputs: readonly object[] = (kind === 'http' ? pr.http : pr.kafka) ?? [];
          inputs.forEach((input, j) => {
            matches.push(normalised(kind, input, `rule ${rule.name}`));
            names.push(`${rule.name}/ports[${index}]/${kind}[${j}]`);
          });
        }
      }
    }
    return protocol === undefined ? undefined : { protocol, matches, names };
  }

  #ruleMatches(rule: Rule, policy: Policy, p: VectorPacket, local: Side, remote: Side): boolean {
    const peers = rule.peers ?? [];
    if (peers.length > 0 && !peers.some((x) => this.#peerMatches(x, policy, remote))) return false;
    return this.#portMatches(rule, p, local, remote);
  }

  /** Evaluates `p` at time `state.now`, updating `state` as the datapath would. */
  evaluate(p: VectorPacket, state: EvaluatorState, frameLength: number): Evaluation {
    const vlanBytes = 4 * Math.min(p.vlan.length, 2);
    const l3 = 14 + vlanBytes;
    const length = p.truncate === undefined ? frameLength : Math.min(frameLength, p.truncate);
    if (length < 14) return { verdict: 'deny', reason: 'malformed' };
    if (p.vlan.length > 0 && length < l3) return { verdict: 'deny', reason: 'malformed' };
    if (p.vlan.length > 2) return { verdict: 'allow', reason: 'not-ip' };
    if (p.ethertype !== undefined && p.ethertype !== ETH_IPV4 && p.ethertype !== ETH_IPV6) {
      return { verdict: 'allow', reason: p.ethertype === ETH_ARP ? 'neighbour' : 'not-ip' };
    }
    const src = parseAddress(p.src)!;
    const dst = parseAddress(p.dst)!;
    const family = src.family;
    const ipLen = family === 4 ? 20 : 40;
    if (length < l3 + ipLen) return { verdict: 'deny', reason: 'malformed' };
    const local = p.direction === 'ingress' ? dst : src;
    const remote = p.direction === 'ingress' ? src : dst;
    const selecting = this.#selecting(local);
    if (selecting.length === 0) return { verdict: 'allow', reason: 'unselected' };

    if (family === 6 && p.fragment !== undefined && length < l3 + ipLen + 8) return { verdict: 'deny', reason: 'malformed' };
    // an IPv4 packet is a fragment when its offset or more-fragments flag is set; IPv6 when it has a fragment header
    const f = p.fragment !== undefined && (family === 6 || p.fragment.offset > 0 || p.fragment.more) ? p.fragment : undefined;
    const fragKey = f === undefined ? '' : `${family}|${src.addr}|${dst.addr}|${f.id}|${p.protocol}`;
    if (f !== undefined && f.offset > 0) {
      const first = state.fragments.get(fragKey);
      if (first === undefined) return { verdict: 'deny', reason: 'fragment-unknown' };
      return { verdict: first ? 'allow' : 'deny', reason: 'fragment' };
    }
    const l4 = l3 + ipLen + (family === 6 && f !== undefined ? 8 : 0);
    const min = L4_MIN[p.protocol];
    if (min !== undefined && length < l4 + min) return { verdict: 'deny', reason: 'malformed' };
    const remember = (allowed: boolean) => {
      if (f !== undefined) state.fragments.set(fragKey, allowed);
    };
    if (p.protocol === 58 && ND_TYPES.includes(p.icmpType)) return { verdict: 'allow', reason: 'neighbour' };

    // a reply: the reverse of a tracked connection
    const ports = this.#ctPorts(p);
    if (ports !== undefined) {
      const reverse = `${family}|${dst.addr}|${src.addr}|${p.protocol}|${ports[1]}|${ports[0]}`;
      const expiry = state.connections.get(reverse);
      if (expiry !== undefined && state.now < expiry) {
        state.connections.set(reverse, state.now + this.#lifetime(p));
        remember(true);
        return { verdict: 'allow', reason: 'reply' };
      }
    }
    const track = () => {
      const opens = p.protocol !== 1 && p.protocol !== 58 ? ports !== undefined : p.icmpType === (p.protocol === 1 ? 8 : 128);
      if (opens && ports !== undefined) state.connections.set(`${family}|${src.addr}|${dst.addr}|${p.protocol}|${ports[0]}|${ports[1]}`, state.now + this.#lifetime(p));
    };
    const listDeny = p.direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
    const listAllow = p.direction === 'ingress' ? 'ingress' : 'egress';
    const enforced = selecting.some((x) => x.defaultDeny.includes(p.direction) || x.rules.some((r) => r.list === listDeny || r.list === listAllow));
    if (!enforced) {
      track();
      remember(true);
      return { verdict: 'allow', reason: 'no-policy' };
    }
    const audit = selecting.some((x) => x.audit);
    // default deny needs one selecting policy that isolates the direction (Cilium's enableDefaultDeny)
    const isolated = selecting.some(
      (x) => x.defaultDeny.includes(p.direction) || (!x.rulesOnly.includes(p.direction) && x.rules.some((r) => r.list === listDeny || r.list === listAllow)),
    );
    for (const list of [listDeny, listAllow]) {
      for (const policy of selecting) {
        for (const rule of policy.rules) {
          if (rule.list !== list || !this.#ruleMatches(rule, policy, p, local, remote)) continue;
          if (list === listAllow) {
            const l7 = this.#l7Rules(selecting, listAllow, p, local, remote);
            if (l7 !== undefined && ports !== undefined) {
              const forward = `${family}|${src.addr}|${dst.addr}|${p.protocol}|${ports[0]}|${ports[1]}`;
              const streamKey = `${forward}|${p.direction}`;
              const settings = policy.l7;
              const payloadAt = l4 + 20;
              const r = judgeL7Segment({
                ...l7,
                settings,
                audit,
                flags: p.tcpFlags,
                seq: p.seq ?? 1,
                payload: p.payload,
                present: Math.max(0, length - payloadAt),
                stream: state.streams.get(streamKey),
              });
              state.streams.set(streamKey, r.stream);
              const refused = r.outcome === 'refused' || r.outcome === 'refused-unparseable';
              const reset = refused && settings.violation === 'reset';
              state.connections.set(forward, state.now + (reset ? BigInt(CT_TIMEOUTS.tcpClosing) * 1_000_000_000n : this.#lifetime(p)));
              remember(!refused);
              const reason = r.outcome === 'refused' ? 'l7-deny' : r.outcome === 'refused-unparseable' || r.outcome === 'unparseable-pass' ? 'l7-unparseable' : r.outcome === 'audit' ? 'audit' : 'allow';
              const verdict = refused ? (reset ? 'reset' : 'deny') : r.outcome === 'audit' ? 'audit' : 'allow';
              return { verdict, reason, rule: rule.name, l7: r.counts };
            }
            track();
            remember(true);
            return { verdict: 'allow', reason: 'allow', rule: rule.name };
          }
          if (audit) {
            track();
            remember(true);
            return { verdict: 'audit', reason: 'audit', rule: rule.name };
          }
          remember(false);
          return { verdict: 'deny', reason: 'deny', rule: rule.name };
        }
      }
    }
    if (!isolated) {
      track();
      remember(true);
      return { verdict: 'allow', reason: 'no-policy' };
    }
    if (audit) {
      track();
      remember(true);
      return { verdict: 'audit', reason: 'audit' };
    }
    remember(false);
    return { verdict: 'deny', reason: 'default-deny' };
  }

  /** The (source, destination) "ports" of a connection: ICMP echo uses its identifier on the requester's side. */
  #ctPorts(p: VectorPacket): [number, number] | undefined {
    if (p.protocol === 6 || p.protocol === 17 || p.protocol === 132) return [p.sport, p.dport];
    const request = p.protocol === 1 ? 8 : 128;
    const reply = p.protocol === 1 ? 0 : 129;
    if (p.protocol === 1 || p.protocol === 58) {
      if (p.icmpType === request) return [p.icmpId, 0];
      if (p.icmpType === reply) return [0, p.icmpId];
    }
    return undefined;
  }

  #lifetime(p: VectorPacket): bigint {
    const s = 1_000_000_000n;
    if (p.protocol !== 6) return BigInt(CT_TIMEOUTS.other) * s;
    if (p.tcpFlags.includes('R') || p.tcpFlags.includes('F')) return BigInt(CT_TIMEOUTS.tcpClosing) * s;
    if (p.tcpFlags.includes('S') && !p.tcpFlags.includes('A')) return BigInt(CT_TIMEOUTS.tcpSyn) * s;
    return BigInt(CT_TIMEOUTS.tcpEstablished) * s;
  }
}

const normalisedCache = new WeakMap<object, unknown>();
/** normaliseL7Rule, once per rule object */
function normalised(kind: 'http' | 'kafka', input: object, where: string): unknown {
  let m = normalisedCache.get(input);
  if (m === undefined) {
    m = normaliseL7Rule(kind, input, where);
    normalisedCache.set(input, m);
  }
  return m;
}

/** For messages: an address as text. */
export function describeAddress(s: Side): string {
  return formatAddress(s.family, s.addr);
}
