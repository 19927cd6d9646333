// The DSL's data: what builders return and `policy()` validates. Plain objects, so a policy file may also write
// them by hand; builders add the source position of the call.
import type { HttpRuleInput } from '../l7/http-types.ts';
import type { KafkaRuleInput } from '../l7/kafka-types.ts';
import type { L7SettingsInput } from '../l7/l7-settings.ts';
import type { Direction } from './policy-model.ts';
import type { SourcePosition } from './source-position.ts';

export type { HttpHeaderInput, HttpRuleInput } from '../l7/http-types.ts';
export type { KafkaRuleInput } from '../l7/kafka-types.ts';
export type { L7SettingsInput } from '../l7/l7-settings.ts';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** Kubernetes label selector: every matchLabels pair and every expression must hold; empty selects all. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelRequirement[];
}

export type EntityName = 'world' | 'host' | 'cluster' | 'all';

export interface CidrPeer {
  readonly kind: 'cidr';
  readonly cidr: string;
  readonly except: readonly string[];
  readonly at?: SourcePosition;
}

/** Endpoints matching `selector` in namespaces matching `namespaces` (the policy's own namespace when absent). */
export interface EndpointPeer {
  readonly kind: 'endpoints';
  readonly selector?: LabelSelector;
  readonly namespaces?: LabelSelector;
  readonly at?: SourcePosition;
}

export interface EntityPeer {
  readonly kind: 'entity';
  readonly entity: EntityName;
  readonly at?: SourcePosition;
}

export type Peer = CidrPeer | EndpointPeer | EntityPeer;

export type PortProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

export interface PortRule {
  /** a number, or a named port of the inventory */
  readonly port?: number | string;
  /** inclusive end of a range starting at `port` */
  readonly endPort?: number;
  /** default TCP, as in Kubernetes */
  readonly protocol?: PortProtocol;
  /** HTTP/1.x rules judging every request on this port (TCP only, allow rules only; docs/l7.md) */
  readonly http?: readonly HttpRuleInput[];
  /** Kafka rules judging every request on this port (TCP only, allow rules only; one L7 kind per port rule) */
  readonly kafka?: readonly KafkaRuleInput[];
}

export interface IcmpRule {
  /** default IPv4 */
  readonly family?: 'IPv4' | 'IPv6';
  /** a type number or a name (`EchoRequest`, `echo-request`) */
  readonly type: number | string;
}

/** One rule as users write it: peers (`from` for ingress, `to` for egress) and what they may reach. */
export interface RuleInput {
  readonly name?: string;
  readonly from?: readonly Peer[];
  readonly to?: readonly Peer[];
  readonly ports?: readonly PortRule[];
  readonly icmps?: readonly IcmpRule[];
  readonly at?: SourcePosition;
}

export interface PolicyInput {
  readonly name: string;
  /** the namespace of a namespaced policy: its selector and its `endpoints()` peers stay inside it */
  readonly namespace?: string;
  /** endpoint mode: the endpoints it protects */
  readonly selector?: LabelSelector;
  /** interface mode: protects the host itself */
  readonly host?: boolean;
  readonly ingress?: readonly RuleInput[];
  readonly egress?: readonly RuleInput[];
  readonly ingressDeny?: readonly RuleInput[];
  readonly egressDeny?: readonly RuleInput[];
  /** directions made default-deny even without rules (a direction with rules is, unless enableDefaultDeny says no) */
  readonly defaultDeny?: readonly Direction[];
  /** Cilium's enableDefaultDeny: `false` for a direction adds this policy's rules there (its allows to the union,
   * its denies winning) without making the direction default-deny for the endpoints it selects */
  readonly enableDefaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean };
  /** count what would be dropped, drop nothing */
  readonly audit?: boolean;
  /** verifier profiles the build must pass (default: ['seed']) */
  readonly profiles?: readonly string[];
  /** L7 settings: window, what unparseable requests get, how violations are answered (docs/l7.md) */
  readonly l7?: L7SettingsInput;
}

/** L7 settings with every default filled in. */
export interface L7Settings {
  readonly window: number;
  readonly unparseable: 'allow' | 'deny';
  readonly violation: 'drop' | 'reset';
}

export type RuleList = 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';
export const RULE_LISTS: readonly RuleList[] = ['ingressDeny', 'ingress', 'egressDeny', 'egress'];

/** A validated rule: `peers` undefined means every peer, empty `ports` and `icmps` every protocol and port. */
export interface Rule {
  readonly name: string;
  readonly list: RuleList;
  readonly peers: readonly Peer[] | undefined;
  readonly ports: readonly PortRule[];
  readonly icmps: readonly { readonly family: 4 | 6; readonly type: number }[];
  readonly at?: SourcePosition;
}

/** What `policy()` returns. */
export interface Policy {
  readonly kind: 'tsbpf.policy';
  readonly name: string;
  readonly namespace?: string;
  readonly subject: { readonly host: true } | { readonly selector: LabelSelector };
  readonly rules: readonly Rule[];
  readonly defaultDeny: readonly Direction[];
  /** directions where this policy's rules do not make the direction default-deny (enableDefaultDeny: false) */
  readonly rulesOnly: readonly Direction[];
  readonly audit: boolean;
  readonly profiles: readonly string[];
  readonly l7: L7Settings;
  readonly at?: SourcePosition;
}
