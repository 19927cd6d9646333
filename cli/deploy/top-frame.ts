// One frame of `tsbpf top`: per interface, verdict and rule counters, then the load balancer's services and
// backends, with their rates since the previous frame. Pure (counters in, lines out) so a test renders a frame
// without a terminal.
import type { ServiceStatus } from '../../compiler/services/index.ts';
import type { InterfaceCounters } from './counters.ts';
import type { DeployedService } from './service-state.ts';

export interface TopSample {
  readonly iface: string;
  readonly policies: readonly string[];
  /** the deployed services (their names: the counters know services by VIP:port/protocol only) */
  readonly services?: readonly DeployedService[];
  readonly counters: InterfaceCounters;
}

const rate = (now: bigint, before: bigint | undefined, seconds: number) => (before === undefined || seconds <= 0 ? '-' : `${(Number(now - before) / seconds).toFixed(0)}/s`);

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd());
}

/** Lines of one frame; `previous` (the last frame's samples) and `seconds` since then give the rates. */
export function renderTopFrame(samples: readonly TopSample[], previous: readonly TopSample[] | undefined, seconds: number, at: Date): string[] {
  const lines = [`tsbpf top: ${samples.length} interface${samples.length === 1 ? '' : 's'}, ${at.toISOString()}`];
  for (const s of samples) {
    const old = previous?.find((p) => p.iface === s.iface)?.counters;
    lines.push('', `${s.iface}: ${[...s.policies, ...(s.services ?? []).map((x) => `service ${x.name}`)].join(', ')}`);
    // an interface with services only has no policy program, so no verdicts or rules to show
    if (s.policies.length > 0 || s.counters.rules.length > 0) lines.push(...policyRows(s, old, seconds));
    lines.push(...serviceRows(s, old, seconds));
  }
  return lines;
}

const endpoint = (address: string, port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
const serviceKey = (vip: string, port: number, protocol: string | number) => `${endpoint(vip, port)}/${protocol}`;

/** A row per service (packets, bytes, new connections) and, under it, per backend (packets, bytes, live connections). */
function serviceRows(s: TopSample, old: InterfaceCounters | undefined, seconds: number): string[] {
  const services = s.counters.services ?? [];
  if (services.length === 0) return [];
  const nameOf = (x: ServiceStatus) => s.services?.find((d) => serviceKey(d.vip, d.port, d.protocol) === serviceKey(x.vip, x.port, x.protocol))?.name;
  const rows: string[][] = [['service / backend', 'packets', 'bytes', 'connections', 'rate']];
  for (const x of services) {
    const before = old?.services?.find((o) => serviceKey(o.vip, o.port, o.protocol) === serviceKey(x.vip, x.port, x.protocol));
    const name = nameOf(x);
    rows.push([`${name !== undefined ? `${name} ` : ''}${serviceKey(x.vip, x.port, x.protocol)}`, String(x.packets), String(x.bytes), String(x.connections), rate(x.packets, before?.packets, seconds)]);
    for (const b of x.backends) {
      const was = before?.backends.find((o) => o.address === b.address && o.port === b.port);
      rows.push([`  ${endpoint(b.address, b.port)} ${b.state}`, String(b.packets), String(b.bytes), `${b.liveConnections ?? 0} live`, rate(b.packets, was?.packets, seconds)]);
    }
  }
  return pad(rows);
}

/** Verdicts that counted packets, every rule, and the L7 rules that judged requests. */
function policyRows(s: TopSample, old: InterfaceCounters | undefined, seconds: number): string[] {
  const verdicts = s.counters.verdicts.filter((v) => v.packets > 0n);
  const lines = pad([
    ['verdict', 'action', 'packets', 'rate'],
    ...verdicts.map((v) => [`${v.direction} ${v.match}`, v.action, String(v.packets), rate(v.packets, old?.verdicts.find((o) => o.direction === v.direction && o.match === v.match)?.packets, seconds)]),
  ]);
  const rules = [...s.counters.rules].sort((a, b) => (b.packets > a.packets ? 1 : b.packets < a.packets ? -1 : 0));
  lines.push(
    ...pad([
      ['rule', 'direction', 'packets', 'rate'],
      ...rules.map((r) => [`${r.policy === '' ? '' : `${r.policy}/`}${r.rule}`, r.direction, String(r.packets), rate(r.packets, old?.rules.find((o) => o.policy === r.policy && o.rule === r.rule && o.direction === r.direction)?.packets, seconds)]),
    ]),
  );
  const l7 = (s.counters.l7?.rules ?? []).filter((r) => r.requests > 0n);
  if (l7.length > 0) {
    lines.push(
      ...pad([
        ['L7 rule', 'verdict', 'requests', 'rate'],
        ...l7.map((r) => [`${r.policy === '' ? '' : `${r.policy}/`}${r.rule}`, r.verdict, String(r.requests), rate(r.requests, old?.l7?.rules.find((o) => o.policy === r.policy && o.rule === r.rule && o.verdict === r.verdict)?.requests, seconds)]),
      ]),
    );
  }
  return lines;
}
