// The Prometheus metrics of the deployed interfaces, on prom-client: one Registry whose Counters and Gauges fill
// themselves in collect() from a snapshot of the pinned counters, read once per scrape. Which samples each family
// has is decided by `deployMetrics` (a pure function of the snapshot, tested on its own); the names follow
// Cilium/Hubble's label vocabulary under our own prefix (docs/deploy.md lists them).
import { Counter, Gauge, Registry } from 'prom-client';
import type { InterfaceCounters } from './counters.ts';
import type { DeployState } from './state.ts';

export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: bigint | number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly samples: readonly MetricSample[];
}

/** One deployed interface: what its state says and what its pinned maps count. */
export interface DeployedSnapshot {
  /** the interface and its policies (none when only services are deployed there) */
  readonly state: Pick<DeployState, 'iface' | 'netns' | 'policies'>;
  readonly counters: InterfaceCounters;
}

type Spec = Omit<MetricFamily, 'samples'>;
const counter = (name: string, help: string, labelNames: readonly string[]): Spec => ({ name, help, type: 'counter', labelNames });
const gauge = (name: string, help: string, labelNames: readonly string[]): Spec => ({ name, help, type: 'gauge', labelNames });

const VERDICT = ['interface', 'direction', 'match', 'action'];
const RULE = ['interface', 'policy', 'rule', 'direction', 'verdict'];
const L7 = ['interface', 'policy', 'rule', 'protocol', 'verdict'];
const SERVICE = ['interface', 'service'];
const BACKEND = ['interface', 'service', 'backend'];

/** Every family the exporter serves, in exposition order (a family without samples still has HELP and TYPE). */
export const METRIC_SPECS: readonly Spec[] = [
  gauge('tsbpf_build_info', 'tsbpf version (always 1)', ['version']),
  gauge('tsbpf_policy_deployed_info', 'policies deployed on an interface, with their versions (always 1)', ['interface', 'policy', 'version', 'hash']),
  counter('tsbpf_policy_verdicts_total', 'packets by policy verdict, labelled like hubble_policy_verdicts_total (match: why)', VERDICT),
  counter('tsbpf_policy_verdict_bytes_total', 'bytes by policy verdict', VERDICT),
  counter('tsbpf_rule_packets_total', 'packets that matched each rule (rule default-deny: no rule matched)', RULE),
  counter('tsbpf_rule_bytes_total', 'bytes that matched each rule', RULE),
  counter('tsbpf_drop_count_total', 'dropped packets, like cilium_drop_count_total (reason: the verdict reason)', ['interface', 'reason', 'direction']),
  counter('tsbpf_forward_count_total', 'forwarded packets, like cilium_forward_count_total', ['interface', 'direction']),
  counter('tsbpf_l7_requests_total', 'L7 requests judged by each L7 rule (verdict allow or deny)', L7),
  counter('tsbpf_l7_unparseable_total', 'requests on an L7 port the datapath could not judge (outside the window, chunked, ...)', ['interface', 'policy']),
  counter('tsbpf_service_packets_total', 'packets to each service (load balancer)', SERVICE),
  counter('tsbpf_service_bytes_total', 'bytes to each service', SERVICE),
  counter('tsbpf_service_connections_total', 'new connections to each service', SERVICE),
  counter('tsbpf_service_drops_total', 'packets to a service dropped (no backend)', SERVICE),
  counter('tsbpf_backend_packets_total', 'packets sent to each backend', BACKEND),
  counter('tsbpf_backend_bytes_total', 'bytes sent to each backend', BACKEND),
  counter('tsbpf_backend_replies_total', 'reply packets from each backend', BACKEND),
  counter('tsbpf_backend_resets_total', 'connections to each backend reset when it was removed', BACKEND),
];

const ifaceOf = (s: Pick<DeployState, 'iface' | 'netns'>) => (s.netns === undefined ? s.iface : `${s.netns}/${s.iface}`);

/** Sums samples that agree on `keys` (labels in that order). */
function sumBy<T>(xs: readonly T[], keys: readonly string[], labels: (x: T) => Record<string, string>, value: (x: T) => bigint): MetricSample[] {
  const out = new Map<string, { labels: Record<string, string>; value: bigint }>();
  for (const x of xs) {
    const all = labels(x);
    const picked = Object.fromEntries(keys.map((k) => [k, all[k]!]));
    const key = JSON.stringify(picked);
    out.set(key, { labels: picked, value: (out.get(key)?.value ?? 0n) + value(x) });
  }
  return [...out.values()];
}

/** The samples of every family in METRIC_SPECS for the deployed interfaces. */
export function deployMetrics(deployed: readonly DeployedSnapshot[], version: string): MetricFamily[] {
  const verdicts = deployed.flatMap(({ state, counters }) => counters.verdicts.map((v) => ({ labels: { interface: ifaceOf(state), direction: v.direction, match: v.match, action: v.action }, v })));
  const rules = deployed.flatMap(({ state, counters }) => counters.rules.map((r) => ({ labels: { interface: ifaceOf(state), policy: r.policy, rule: r.rule, direction: r.direction, verdict: r.verdict }, r })));
  const l7 = deployed.flatMap(({ state, counters }) => (counters.l7?.rules ?? []).map((r) => ({ labels: { interface: ifaceOf(state), policy: r.policy, rule: r.rule, protocol: r.protocol, verdict: r.verdict }, r })));
  const services = deployed.flatMap(({ state, counters }) => (counters.services ?? []).map((s) => ({ labels: { interface: ifaceOf(state), service: `${s.vip}:${s.port}/${s.protocol}` }, s })));
  const backends = services.flatMap(({ labels, s }) => s.backends.map((b) => ({ labels: { ...labels, backend: `${b.address}:${b.port}` }, b })));
  const samples: Record<string, readonly MetricSample[]> = {
    tsbpf_build_info: [{ labels: { version }, value: 1 }],
    tsbpf_policy_deployed_info: deployed.flatMap(({ state }) =>
      state.policies.flatMap((p) => p.names.map((name) => ({ labels: { interface: ifaceOf(state), policy: name, version: String(p.version), hash: p.hash.slice(0, 12) }, value: 1 }))),
    ),
    tsbpf_policy_verdicts_total: verdicts.map((x) => ({ labels: x.labels, value: x.v.packets })),
    tsbpf_policy_verdict_bytes_total: verdicts.map((x) => ({ labels: x.labels, value: x.v.bytes })),
    tsbpf_rule_packets_total: rules.map((x) => ({ labels: x.labels, value: x.r.packets })),
    tsbpf_rule_bytes_total: rules.map((x) => ({ labels: x.labels, value: x.r.bytes })),
    tsbpf_drop_count_total: sumBy(
      verdicts.filter((x) => x.v.action === 'dropped'),
      ['interface', 'reason', 'direction'],
      (x) => ({ ...x.labels, reason: x.labels.match }),
      (x) => x.v.packets,
    ),
    tsbpf_forward_count_total: sumBy(
      verdicts.filter((x) => x.v.action === 'forwarded'),
      ['interface', 'direction'],
      (x) => x.labels,
      (x) => x.v.packets,
    ),
    tsbpf_l7_requests_total: l7.map((x) => ({ labels: x.labels, value: x.r.requests })),
    tsbpf_l7_unparseable_total: deployed.flatMap(({ state, counters }) => (counters.l7?.unparseable ?? []).map((u) => ({ labels: { interface: ifaceOf(state), policy: u.policy }, value: u.requests }))),
    tsbpf_service_packets_total: services.map((x) => ({ labels: x.labels, value: x.s.packets })),
    tsbpf_service_bytes_total: services.map((x) => ({ labels: x.labels, value: x.s.bytes })),
    tsbpf_service_connections_total: services.map((x) => ({ labels: x.labels, value: x.s.connections })),
    tsbpf_service_drops_total: services.map((x) => ({ labels: x.labels, value: x.s.drops })),
    tsbpf_backend_packets_total: backends.map((x) => ({ labels: x.labels, value: x.b.packets })),
    tsbpf_backend_bytes_total: backends.map((x) => ({ labels: x.labels, value: x.b.bytes })),
    tsbpf_backend_replies_total: backends.map((x) => ({ labels: x.labels, value: x.b.replies })),
    tsbpf_backend_resets_total: backends.map((x) => ({ labels: x.labels, value: x.b.resets })),
  };
  return METRIC_SPECS.map((spec) => ({ ...spec, samples: samples[spec.name] ?? [] }));
}

/**
 * A prom-client Registry serving METRIC_SPECS. Each metric's collect() asks `snapshot()` for the deployed
 * interfaces' counters; the caller makes that read the pinned maps once per scrape (see cli/commands/metrics.ts).
 */
export function metricsRegistry(snapshot: () => readonly DeployedSnapshot[], version: string): Registry {
  const registry = new Registry();
  // every collect() of one scrape sees the same snapshot: compute its families once
  const computed = new WeakMap<readonly DeployedSnapshot[], MetricFamily[]>();
  const familyOf = (name: string) => {
    const snap = snapshot();
    let families = computed.get(snap);
    if (families === undefined) computed.set(snap, (families = deployMetrics(snap, version)));
    return families.find((f) => f.name === name)!;
  };
  for (const spec of METRIC_SPECS) {
    const common = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers: [registry] };
    if (spec.type === 'counter') {
      new Counter({
        ...common,
        collect(this: Counter) {
          // counts live in the kernel: each scrape starts from zero and copies them in
          this.reset();
          for (const s of familyOf(spec.name).samples) this.inc(s.labels, Number(s.value));
        },
      });
    } else {
      new Gauge({
        ...common,
        collect(this: Gauge) {
          this.reset();
          for (const s of familyOf(spec.name).samples) this.set(s.labels, Number(s.value));
        },
      });
    }
  }
  return registry;
}
