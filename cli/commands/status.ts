// `tsbpf status [--json]`: every interface we deployed on, its policies (versions, hashes), programs (ids, from
// the pinned links), attach mode and counters; its services (the load balancer) and their counters.
import pc from 'picocolors';
import { openPinnedLink } from '../../loader/index.ts';
import type { InterfaceCounters } from '../deploy/counters.ts';
import { deployedCounters, listDeployed } from '../deploy/deployed.ts';
import type { DeployedService } from '../deploy/service-state.ts';
import { DEFAULT_STATE_DIR, type DeployState } from '../deploy/state.ts';
import { table } from '../table.ts';

export interface InterfaceStatus {
  readonly iface: string;
  readonly netns: string | null;
  readonly mode: string;
  readonly generation: number;
  readonly deployedAt: string;
  readonly policies: DeployState['policies'];
  readonly programs: readonly { name: string; hook: string; direction: string; linkId: number | null; programId: number | null; error?: string }[];
  readonly counters: InterfaceCounters | { readonly error: string };
  /** the services deployed on the interface (the load balancer ahead of the policy), with their files */
  readonly services: readonly (DeployedService & { readonly file: string })[];
}

function programsOf(links: DeployState['links']): InterfaceStatus['programs'] {
  return Object.entries(links).map(([name, l]) => {
    try {
      const link = openPinnedLink(l.path);
      try {
        const info = link.info();
        return { name, hook: l.hook, direction: l.direction, linkId: info.id, programId: info.progId };
      } finally {
        link.close();
      }
    } catch (e) {
      return { name, hook: l.hook, direction: l.direction, linkId: null, programId: null, error: (e as Error).message };
    }
  });
}

export function interfaceStatus(stateDir = DEFAULT_STATE_DIR): InterfaceStatus[] {
  return listDeployed(stateDir).map((d) => {
    let counters: InterfaceStatus['counters'];
    try {
      counters = deployedCounters(d);
    } catch (e) {
      counters = { error: (e as Error).message };
    }
    const s = d.policy;
    const lb = d.services;
    const mode = s?.mode === 'xdp' ? 'xdp (receive side on XDP, send side on tcx)' : 'tc (tcx)';
    const file = (name: string) => lb?.files.find((f) => f.names.includes(name))?.file ?? '';
    return {
      iface: d.iface,
      netns: d.netns ?? null,
      mode,
      generation: s?.generation ?? lb?.generation ?? 0,
      deployedAt: [s?.deployedAt, lb?.deployedAt].filter((x) => x !== undefined).sort().at(-1) ?? '',
      policies: s?.policies ?? [],
      // the load balancer's programs first: they run first on their hooks
      programs: [...programsOf(lb?.links ?? {}), ...programsOf(s?.links ?? {})],
      counters,
      services: (lb?.services ?? []).map((x) => ({ ...x, file: file(x.name) })),
    };
  });
}

const jsonSafe = (_k: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v);

export function statusCommand(options: { json?: boolean }): void {
  const all = interfaceStatus();
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(all, jsonSafe, 2)}\n`);
    return;
  }
  if (all.length === 0) {
    process.stdout.write('nothing deployed (tsbpf deploy POLICY --iface IFACE)\n');
    return;
  }
  const lines: string[] = [];
  for (const s of all) {
    lines.push(`${pc.bold(s.netns === null ? s.iface : `${s.iface} (netns ${s.netns})`)}  ${s.mode}, deploy #${s.generation} at ${s.deployedAt}`);
    if (s.policies.length > 0) lines.push(...table(['policy', 'version', 'hash', 'file'], s.policies.map((p) => [p.names.join(', '), `v${p.version}`, p.hash.slice(0, 12), p.file])));
    if (s.services.length > 0) lines.push(...table(['service', 'address', 'backends', 'file'], s.services.map((x) => [x.name, `${x.vip}:${x.port}/${x.protocol}`, x.backends.join(', '), x.file])));
    lines.push(...table(['program', 'hook', 'enforces', 'link id', 'prog id'], s.programs.map((p) => [p.name, p.hook, p.direction, String(p.linkId ?? pc.red('missing')), String(p.programId ?? '-')])));
    if ('error' in s.counters) lines.push(`  ${pc.red('counters')}: ${s.counters.error}`);
    else {
      const v = s.counters.verdicts.filter((x) => x.packets > 0n);
      lines.push(...table(['direction', 'verdict', 'action', 'packets', 'bytes'], v.map((x) => [x.direction, x.match, x.action, String(x.packets), String(x.bytes)])));
      lines.push(...table(['policy', 'rule', 'direction', 'packets', 'bytes'], s.counters.rules.map((x) => [x.policy || '-', x.rule, x.direction, String(x.packets), String(x.bytes)])));
      const l7 = s.counters.l7;
      if (l7 !== undefined) {
        lines.push(...table(['policy', 'L7 rule', 'protocol', 'verdict', 'requests'], l7.rules.filter((x) => x.requests > 0n || x.rule !== 'no-match').map((x) => [x.policy || '-', x.rule, x.protocol, x.verdict, String(x.requests)])));
        lines.push(...table(['policy', 'L7 requests not judged'], l7.unparseable.map((x) => [x.policy || '-', String(x.requests)])));
      }
      for (const svc of s.counters.services ?? []) {
        lines.push(`  service ${svc.vip}:${svc.port}/${svc.protocol}: ${svc.packets} packets, ${svc.connections} connections, ${svc.drops} drops, ${svc.backends.length} backends`);
        for (const b of svc.backends) lines.push(`    ${b.address}:${b.port} ${b.state}: ${b.packets} packets, ${b.replies} replies`);
      }
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
