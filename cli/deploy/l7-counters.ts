// L7 request counters of a deployed policy, for `tsbpf metrics`, `status` and `top`. The datapath counts in the
// per-CPU array `l7_counters` ({ __u64 allowed; __u64 denied; } per slot, compiler/cgen/generate-l7-c.ts); the
// model says which slot is which (ModelL7Ruleset: counterBase = no rule matched, counterBase + 1 + i = rule i,
// counterBase + 1 + rules.length = could not judge). The deploy records that layout in its state, so the
// exporter reads the counters without the model.
import type { PolicyModel } from '../../compiler/dsl/index.ts';
import type { PinnedMaps } from './pinned-reader.ts';

export interface L7CounterLayout {
  readonly map: string;
  /** a slot per L7 rule of each ruleset, and one for requests no rule matched (`rule: no-match`) */
  readonly rules: readonly { readonly index: number; readonly policy: string; readonly rule: string; readonly protocol: string }[];
  /** a slot per ruleset: requests it could not judge (outside the window, chunked, an unknown version, ...) */
  readonly unparseable: readonly { readonly index: number; readonly policy: string }[];
}

export interface L7RuleCounter {
  readonly policy: string;
  readonly rule: string;
  readonly protocol: string;
  /** allow or deny: what the request got */
  readonly verdict: string;
  readonly requests: bigint;
}

export interface L7Counters {
  readonly rules: readonly L7RuleCounter[];
  readonly unparseable: readonly { readonly policy: string; readonly requests: bigint }[];
}

/** Where the model's L7 counters are; undefined for a model without L7 rules. */
export function l7CounterLayout(model: Pick<PolicyModel, 'l7' | 'rules'>): L7CounterLayout | undefined {
  if (model.l7.rulesets.length === 0) return undefined;
  const policyOf = (rule: number) => model.rules.find((r) => r.id === rule)?.policy ?? '';
  const rules: L7CounterLayout['rules'][number][] = [];
  const unparseable: L7CounterLayout['unparseable'][number][] = [];
  for (const rs of model.l7.rulesets) {
    const policy = rs.rules[0] === undefined ? '' : policyOf(rs.rules[0].rule);
    rules.push({ index: rs.counterBase, policy, rule: 'no-match', protocol: rs.protocol });
    rs.rules.forEach((r, i) => rules.push({ index: rs.counterBase + 1 + i, policy: policyOf(r.rule), rule: r.name, protocol: rs.protocol }));
    unparseable.push({ index: rs.counterBase + 1 + rs.rules.length, policy });
  }
  return { map: 'l7_counters', rules, unparseable };
}

/** Sums u64 column `col` over the per-CPU values. */
function column(values: readonly Uint8Array[], col: number): bigint {
  let n = 0n;
  for (const v of values) if ((col + 1) * 8 <= v.byteLength) n += new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(col * 8, true);
  return n;
}

/**
 * The L7 counters `layout` describes, read from the pinned maps and summed by label (a rule judging several
 * rulesets' requests has a slot in each); undefined without a layout.
 */
export function readL7Counters(layout: L7CounterLayout | undefined, maps: PinnedMaps): L7Counters | undefined {
  if (layout === undefined || !maps.has(layout.map)) return undefined;
  const rules = new Map<string, L7RuleCounter>();
  for (const s of layout.rules) {
    const values = maps.perCpu(layout.map, s.index);
    (['allow', 'deny'] as const).forEach((verdict, col) => {
      const key = JSON.stringify([s.policy, s.rule, s.protocol, verdict]);
      rules.set(key, { policy: s.policy, rule: s.rule, protocol: s.protocol, verdict, requests: (rules.get(key)?.requests ?? 0n) + column(values, col) });
    });
  }
  const unparseable = new Map<string, bigint>();
  for (const s of layout.unparseable) {
    const values = maps.perCpu(layout.map, s.index);
    unparseable.set(s.policy, (unparseable.get(s.policy) ?? 0n) + column(values, 0) + column(values, 1));
  }
  return { rules: [...rules.values()], unparseable: [...unparseable].map(([policy, requests]) => ({ policy, requests })) };
}
