// Prometheus text exposition (format 0.0.4), written by hand: `# HELP` and `# TYPE` before a family's first
// sample, `name{label="value"} value`, `\\`, `\"` and `\n` escaped in label values, a newline at the end.
// The names follow Cilium/Hubble's label vocabulary under our own prefix (docs/deploy.md lists them).
import type { InterfaceCounters } from './counters.ts';
import type { DeployState } from './state.ts';

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: bigint | number }[];
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(f.name)) throw new RangeError(`metric name ${JSON.stringify(f.name)}: not a valid Prometheus name`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      lines.push(`${f.name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${s.value.toString()}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The metric families of the deployed interfaces, given each one's counters. */
export function deployMetrics(deployed: readonly { readonly state: DeployState; readonly counters: InterfaceCounters }[], version: string): MetricFamily[] {
  const iface = (s: DeployState) => (s.netns === undefined ? s.iface : `${s.netns}/${s.iface}`);
  const verdicts = deployed.flatMap(({ state, counters }) => counters.verdicts.map((v) => ({ labels: { interface: iface(state), direction: v.direction, match: v.match, action: v.action }, v })));
  const rules = deployed.flatMap(({ state, counters }) => counters.rules.map((r) => ({ labels: { interface: iface(state), policy: r.policy, rule: r.rule, direction: r.direction, verdict: r.verdict }, r })));
  const drops = verdicts.filter((x) => x.v.action === 'dropped');
  const forwards = verdicts.filter((x) => x.v.action === 'forwarded');
  const sumBy = <T extends { labels: Record<string, string> }>(xs: readonly T[], keys: readonly string[], value: (x: T) => bigint) => {
    const out = new Map<string, { labels: Record<string, string>; value: bigint }>();
    for (const x of xs) {
      const labels = Object.fromEntries(keys.map((k) => [k, x.labels[k]!]));
      const key = JSON.stringify(labels);
      const old = out.get(key);
      out.set(key, { labels, value: (old?.value ?? 0n) + value(x) });
    }
    return [...out.values()];
  };
  return [
    { name: 'tsbpf_build_info', help: 'tsbpf version (always 1)', type: 'gauge', samples: [{ labels: { version }, value: 1 }] },
    {
      name: 'tsbpf_policy_deployed_info',
      help: 'policies deployed on an interface, with their versions (always 1)',
      type: 'gauge',
      samples: deployed.flatMap(({ state }) => state.policies.flatMap((p) => p.names.map((name) => ({ labels: { interface: iface(state), policy: name, version: String(p.version), hash: p.hash.slice(0, 12) }, value: 1 })))),
    },
    { name: 'tsbpf_policy_verdicts_total', help: 'packets by policy verdict, labelled like hubble_policy_verdicts_total (match: why)', type: 'counter', samples: verdicts.map((x) => ({ labels: x.labels, value: x.v.packets })) },
    { name: 'tsbpf_policy_verdict_bytes_total', help: 'bytes by policy verdict', type: 'counter', samples: verdicts.map((x) => ({ labels: x.labels, value: x.v.bytes })) },
    { name: 'tsbpf_rule_packets_total', help: 'packets that matched each rule (rule default-deny: no rule matched)', type: 'counter', samples: rules.map((x) => ({ labels: x.labels, value: x.r.packets })) },
    { name: 'tsbpf_rule_bytes_total', help: 'bytes that matched each rule', type: 'counter', samples: rules.map((x) => ({ labels: x.labels, value: x.r.bytes })) },
    { name: 'tsbpf_drop_count_total', help: 'dropped packets, like cilium_drop_count_total (reason: the verdict reason)', type: 'counter', samples: sumBy(drops.map((x) => ({ ...x, labels: { ...x.labels, reason: x.labels['match']! } })), ['interface', 'reason', 'direction'], (x) => x.v.packets) },
    { name: 'tsbpf_forward_count_total', help: 'forwarded packets, like cilium_forward_count_total', type: 'counter', samples: sumBy(forwards, ['interface', 'direction'], (x) => x.v.packets) },
  ];
}
