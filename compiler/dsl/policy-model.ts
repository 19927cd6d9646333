// PolicyModel: everything the generator needs, as plain serialisable data (JSON-safe: no bigint, no Map).
// All policies that apply to one interface are merged into one model: allows are a union, deny wins.
import type { PolicyWarning } from './policy-error.ts';
import type { SourcePosition } from './source-position.ts';
import type { L7Settings } from './types.ts';

/** Reserved identities, Cilium's numbers. CIDR-derived identities start at CIDR_IDENTITY_BASE, endpoints at 256. */
export const Identity = {
  /** the wildcard in the policy map: any remote identity */
  ANY: 0,
  HOST: 1,
  WORLD: 2,
  WORLD_IPV4: 9,
  WORLD_IPV6: 10,
  ENDPOINT_BASE: 256,
  CIDR_BASE: 0x0100_0000,
} as const;

export type Direction = 'ingress' | 'egress';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

export interface ModelIdentity {
  readonly id: number;
  readonly kind: 'reserved' | 'endpoint' | 'cidr';
  /** for people: `host`, `world-ipv4`, `prod:app=web`, `cidr:10.0.0.0/8` */
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** CIDR-derived identities (and world-ipv4/-ipv6): the prefix */
  readonly prefix?: string;
  /** inside a cluster CIDR (the `cluster` entity, not `world`) */
  readonly inCluster: boolean;
}

/** One row of the IP → identity table (an LPM trie in the datapath). */
export interface IpcacheEntry {
  readonly prefix: string;
  readonly identity: number;
}

export interface ModelRule {
  /** index into the per-rule counters (0 is never a rule: it counts default-deny) */
  readonly id: number;
  readonly name: string;
  readonly policy: string;
  readonly direction: Direction;
  readonly verdict: 'allow' | 'deny';
  readonly at?: SourcePosition;
}

/** A protected identity and which directions are enforced (default-deny) for it. */
export interface ModelSubject {
  readonly identity: number;
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly audit: boolean;
  /** enforced directions where only rules apply: no matching entry passes (every selecting policy with rules
   * there has enableDefaultDeny: false, and none lists the direction in defaultDeny) */
  readonly defaultAllow?: readonly Direction[];
}

/**
 * One entry of the policy table: for packets to/from `local` with a peer of identity `remote` (0 = any) in
 * `direction`, protocol `protocol` (0 with `anyProtocol` = every protocol) and destination port (ICMP: type)
 * in [portLo, portHi], the decision of rule `rule`. Entries of one (local, remote, direction) are disjoint.
 */
export interface ModelEntry {
  readonly local: number;
  readonly remote: number;
  readonly direction: Direction;
  readonly protocol: number;
  readonly anyProtocol: boolean;
  readonly portLo: number;
  readonly portHi: number;
  readonly deny: boolean;
  readonly rule: number;
  /** the L7 ruleset judging each request of allowed TCP connections (absent or 0: none) */
  readonly l7?: number;
}

export type L7Protocol = 'http' | 'kafka';

/** One L7 rule of a ruleset, for counters and messages. */
export interface ModelL7Rule {
  /** `RULE/ports[0]/http[1]` */
  readonly name: string;
  /** the L3/L4 rule it belongs to */
  readonly rule: number;
  readonly at?: SourcePosition;
}

/**
 * The L7 rules judging the requests of one (local, remote, direction, port) entry: the union of the L7 rules of
 * every allow rule covering it, in rule order (a request passes when any matches). `matches` are the protocol
 * module's normalised rules (compiler/l7), JSON-safe. Counters (`l7_counters`, {allowed, denied} per slot):
 * `counterBase` = no rule matched, `counterBase + 1 + i` = rule i, `counterBase + 1 + rules.length` = cannot see.
 */
export interface ModelL7Ruleset {
  /** 1-based: the policy map value's l7 field */
  readonly id: number;
  readonly protocol: L7Protocol;
  readonly matches: readonly unknown[];
  readonly rules: readonly ModelL7Rule[];
  readonly counterBase: number;
}

/** L7 settings of the whole model (the policies with L7 rules must agree) and the rulesets. */
export interface ModelL7 {
  readonly settings: L7Settings;
  readonly rulesets: readonly ModelL7Ruleset[];
  /** counter slots in use (sum of rules.length + 2 over the rulesets) */
  readonly counterSlots: number;
}

export interface PolicyModel {
  readonly version: 1;
  /** interface: protects the host (local identity is always `host`); endpoint: local identity from the ipcache */
  readonly mode: 'interface' | 'endpoint';
  readonly policies: readonly { readonly name: string; readonly at?: SourcePosition }[];
  readonly profiles: readonly string[];
  readonly identities: readonly ModelIdentity[];
  readonly ipcache: readonly IpcacheEntry[];
  readonly subjects: readonly ModelSubject[];
  readonly rules: readonly ModelRule[];
  readonly entries: readonly ModelEntry[];
  readonly l7: ModelL7;
  readonly warnings: readonly PolicyWarning[];
}

/**
 * Why a packet got its verdict: the per-verdict counters of the datapath, in this order (the counter index is
 * direction * REASONS.length + the reason's index).
 */
export const REASONS = [
  'allow', // an allow rule matched
  'deny', // a deny rule matched
  'default-deny', // the direction is enforced and no rule matched
  'audit', // would have been denied (rule or default), passed in audit mode
  'reply', // a reply of a tracked connection
  'no-policy', // the protected address has policies, none for this direction
  'unselected', // no policy protects the local address
  'neighbour', // ARP or IPv6 neighbour discovery
  'not-ip', // another ethertype
  'malformed', // truncated or invalid headers: dropped
  'fragment', // a non-first fragment following its first fragment's verdict
  'fragment-unknown', // a non-first fragment whose first fragment was not seen: dropped
  'l7-deny', // a request on an L7 port matched no L7 rule: dropped or reset (docs/l7.md)
  'l7-unparseable', // a request the L7 matcher cannot see: the policy's `unparseable` decides, counted
] as const;
export type Reason = (typeof REASONS)[number];

/** Connection-tracking lifetimes in seconds (Cilium's defaults): a TCP opener (SYN without ACK), an established
 * TCP connection, a TCP connection seen closing (FIN or RST), and everything else (UDP, SCTP, ICMP echo). */
export const CT_TIMEOUTS = { tcpSyn: 60, tcpEstablished: 21600, tcpClosing: 10, other: 60 } as const;
