import { describe, expect, it } from 'vitest';
import { actionOf, sumPerCpu } from '../../../cli/deploy/counters.ts';
import { deployMetrics, METRIC_SPECS, metricsRegistry, type DeployedSnapshot } from '../../../cli/deploy/prometheus.ts';
import type { DeployState } from '../../../cli/deploy/state.ts';
import type { ServiceStatus } from '../../../compiler/services/index.ts';

const state = (iface: string, netns?: string) =>
  ({ iface, ...(netns !== undefined ? { netns } : {}), policies: [{ file: '/p/fw.ts', names: ['fw'], hash: 'ab'.repeat(32), version: 3 }] }) as unknown as DeployState;
const snapshot = (): DeployedSnapshot[] => [
  {
    state: state('veth0', 'blue'),
    counters: {
      rules: [{ policy: 'fw', rule: 'udp "7001"\\x', direction: 'ingress', verdict: 'allow', packets: 40n, bytes: 2400n }],
      verdicts: [
        { direction: 'ingress', match: 'allow', action: 'forwarded', packets: 40n, bytes: 2400n },
        { direction: 'ingress', match: 'default-deny', action: 'dropped', packets: 7n, bytes: 420n },
        { direction: 'ingress', match: 'deny', action: 'dropped', packets: 5n, bytes: 300n },
      ],
      l7: { rules: [{ policy: 'fw', rule: 'web', protocol: 'http', verdict: 'deny', requests: 2n }], unparseable: [{ policy: 'fw', requests: 1n }] },
      services: [
        {
          id: 1, vip: '10.96.0.10', port: 80, protocol: 'tcp', selection: 'maglev', mode: 'snat', removedAction: 'reset', affinitySeconds: 0, tableSize: 251,
          packets: 9n, bytes: 900n, connections: 3n, drops: 0n,
          backends: [{ id: 1, address: '10.0.0.5', port: 8080, state: 'active', tableEntries: 251, packets: 9n, bytes: 900n, replies: 8n, resets: 0n }],
        },
        // only the fields the exporter reads (compiler/services/lb-status.ts has more)
      ] as unknown as ServiceStatus[],
    },
  },
];

describe('metricsRegistry', () => {
  it("metricsRegistry() serves each counter through prom-client with Hubble's labels and the values collect() read", async () => {
    let reads = 0;
    const registry = metricsRegistry(() => (reads++, snapshot()), '1.2.3');
    const text = await registry.metrics();
    const lines = text.split('\n');
    expect(lines).toContain('tsbpf_build_info{version="1.2.3"} 1');
    expect(lines).toContain('tsbpf_policy_deployed_info{interface="blue/veth0",policy="fw",version="3",hash="abababababab"} 1');
    expect(lines).toContain('tsbpf_rule_packets_total{interface="blue/veth0",policy="fw",rule="udp \\"7001\\"\\\\x",direction="ingress",verdict="allow"} 40');
    expect(lines).toContain('tsbpf_policy_verdicts_total{interface="blue/veth0",direction="ingress",match="allow",action="forwarded"} 40');
    expect(lines).toContain('tsbpf_policy_verdict_bytes_total{interface="blue/veth0",direction="ingress",match="default-deny",action="dropped"} 420');
    expect(lines).toContain('tsbpf_drop_count_total{interface="blue/veth0",reason="deny",direction="ingress"} 5');
    expect(lines).toContain('tsbpf_forward_count_total{interface="blue/veth0",direction="ingress"} 40');
    expect(lines).toContain('tsbpf_l7_requests_total{interface="blue/veth0",policy="fw",rule="web",protocol="http",verdict="deny"} 2');
    expect(lines).toContain('tsbpf_l7_unparseable_total{interface="blue/veth0",policy="fw"} 1');
    expect(lines).toContain('tsbpf_service_connections_total{interface="blue/veth0",service="10.96.0.10:80/tcp"} 3');
    expect(lines).toContain('tsbpf_backend_replies_total{interface="blue/veth0",service="10.96.0.10:80/tcp",backend="10.0.0.5:8080"} 8');
    expect(lines.indexOf('# TYPE tsbpf_rule_packets_total counter')).toBeGreaterThan(lines.indexOf('# HELP tsbpf_rule_packets_total packets that matched each rule (rule default-deny: no rule matched)'));
    expect(lines).toContain('# TYPE tsbpf_build_info gauge');
    expect(registry.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // every family has HELP and TYPE, even without samples
    for (const spec of METRIC_SPECS) expect(lines).toContain(`# TYPE ${spec.name} ${spec.type}`);
    expect(reads).toBe(METRIC_SPECS.length);
  });

  it('metricsRegistry() shows what the kernel counts at each scrape, not a running sum of scrapes', async () => {
    let packets = 10n;
    const registry = metricsRegistry(() => snapshot().map((s) => ({ ...s, counters: { ...s.counters, verdicts: [{ direction: 'egress', match: 'reply', action: 'forwarded', packets, bytes: 0n }] } })), 'x');
    const line = async () => (await registry.metrics()).split('\n').find((l) => l.startsWith('tsbpf_policy_verdicts_total{'));
    expect(await line()).toBe('tsbpf_policy_verdicts_total{interface="blue/veth0",direction="egress",match="reply",action="forwarded"} 10');
    packets = 25n;
    expect(await line()).toBe('tsbpf_policy_verdicts_total{interface="blue/veth0",direction="egress",match="reply",action="forwarded"} 25');
  });

  it('deployMetrics() leaves L7 and service families empty for a deployment without those maps', () => {
    const [s] = snapshot();
    const families = deployMetrics([{ state: s!.state, counters: { rules: [], verdicts: [] } }], 'x');
    expect(families.filter((f) => /_(l7|service|backend)_/.test(f.name)).every((f) => f.samples.length === 0)).toBe(true);
    expect(families.map((f) => f.name)).toEqual(METRIC_SPECS.map((f) => f.name));
  });
});

describe('counters', () => {
  it('sumPerCpu() adds packets and bytes of every CPU of a struct counter value', () => {
    const v = new Uint8Array(3 * 16);
    const dv = new DataView(v.buffer);
    [1n, 2n, 3n].forEach((n, c) => {
      dv.setBigUint64(c * 16, n, true);
      dv.setBigUint64(c * 16 + 8, n * 100n, true);
    });
    expect(sumPerCpu(v, 3)).toEqual({ packets: 6n, bytes: 600n });
    expect(sumPerCpu(undefined, 3)).toEqual({ packets: 0n, bytes: 0n });
  });
  it("actionOf() uses Hubble's actions: denials are dropped, replies forwarded, audit stays audit", () => {
    expect(['deny', 'default-deny', 'malformed', 'fragment-unknown'].map(actionOf)).toEqual(['dropped', 'dropped', 'dropped', 'dropped']);
    expect(['allow', 'reply', 'neighbour', 'unselected'].map(actionOf)).toEqual(['forwarded', 'forwarded', 'forwarded', 'forwarded']);
    expect(actionOf('audit')).toBe('audit');
  });
});
