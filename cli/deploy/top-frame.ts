// One frame of `tsbpf top`: per interface, verdict and rule counters with their rates since the previous frame.
// Pure (counters in, lines out) so a test renders a frame without a terminal.
import type { InterfaceCounters } from './counters.ts';

export interface TopSample {
  readonly iface: string;
  readonly policies: readonly string[];
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
    lines.push('', `${s.iface}: ${s.policies.join(', ')}`);
    const verdicts = s.counters.verdicts.filter((v) => v.packets > 0n);
    lines.push(
      ...pad([
        ['verdict', 'action', 'packets', 'rate'],
        ...verdicts.map((v) => [`${v.direction} ${v.match}`, v.action, String(v.packets), rate(v.packets, old?.verdicts.find((o) => o.direction === v.direction && o.match === v.match)?.packets, seconds)]),
      ]),
    );
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
  }
  return lines;
}
