// `tsbpf status [--json]`: every interface we deployed on, its policies (versions, hashes), programs (ids, from
// the pinned links), attach mode and counters.
import pc from 'picocolors';
import { openPinnedLink } from '../../loader/index.ts';
import { readCounters, type InterfaceCounters } from '../deploy/counters.ts';
import { DEFAULT_STATE_DIR, listStates, type DeployState } from '../deploy/state.ts';
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
}

function programsOf(s: DeployState): InterfaceStatus['programs'] {
  return Object.entries(s.links).map(([name, l]) => {
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
  return listStates(stateDir).map((s) => {
    let counters: InterfaceStatus['counters'];
    try {
      counters = readCounters(s);
    } catch (e) {
      counters = { error: (e as Error).message };
    }
    return { iface: s.iface, netns: s.netns ?? null, mode: s.mode === 'xdp' ? 'xdp (receive side on XDP, send side on tcx)' : 'tc (tcx)', generation: s.generation, deployedAt: s.deployedAt, policies: s.policies, programs: programsOf(s), counters };
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
    lines.push(...table(['policy', 'version', 'hash', 'file'], s.policies.map((p) => [p.names.join(', '), `v${p.version}`, p.hash.slice(0, 12), p.file])));
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
      for (const svc of s.counters.services ?? []) lines.push(`  service ${svc.vip}:${svc.port}/${svc.protocol}: ${svc.packets} packets, ${svc.connections} connections, ${svc.drops} drops, ${svc.backends.length} backends`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
