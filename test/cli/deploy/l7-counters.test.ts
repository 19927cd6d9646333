import { describe, expect, it } from 'vitest';
import { l7CounterLayout, readL7Counters } from '../../../cli/deploy/l7-counters.ts';
import type { PinnedMaps } from '../../../cli/deploy/pinned-reader.ts';
import type { PolicyModel } from '../../../compiler/dsl/index.ts';

// two rulesets: HTTP with two rules (slots 0..3), Kafka with one (slots 4..6); rule 1 belongs to policy web
const model = {
  rules: [
    { id: 1, name: 'web/ingress[0]', policy: 'web' },
    { id: 2, name: 'kafka/ingress[0]', policy: 'kafka' },
  ],
  l7: {
    rulesets: [
      { id: 1, protocol: 'http', counterBase: 0, matches: [], rules: [{ name: 'web/ingress[0]/ports[0]/http[0]', rule: 1 }, { name: 'web/ingress[0]/ports[0]/http[1]', rule: 1 }] },
      { id: 2, protocol: 'kafka', counterBase: 4, matches: [], rules: [{ name: 'kafka/ingress[0]/ports[0]/kafka[0]', rule: 2 }] },
    ],
  },
} as unknown as PolicyModel;

/** per-CPU {allowed, denied} values: slot i holds allowed = 10 * i + cpu, denied = cpu */
const maps = {
  has: (m: string) => m === 'l7_counters',
  perCpu: (_m: string, i: number) =>
    [0, 1].map((cpu) => {
      const v = new Uint8Array(16);
      new DataView(v.buffer).setBigUint64(0, BigInt(10 * i + cpu), true);
      new DataView(v.buffer).setBigUint64(8, BigInt(cpu), true);
      return v;
    }),
} as unknown as PinnedMaps;

describe('L7 counters', () => {
  it("l7CounterLayout() names every slot of the model's rulesets: no match, each rule, cannot see", () => {
    const layout = l7CounterLayout(model)!;
    expect(layout.rules.map((s) => [s.index, s.policy, s.rule, s.protocol])).toEqual([
      [0, 'web', 'no-match', 'http'],
      [1, 'web', 'web/ingress[0]/ports[0]/http[0]', 'http'],
      [2, 'web', 'web/ingress[0]/ports[0]/http[1]', 'http'],
      [4, 'kafka', 'no-match', 'kafka'],
      [5, 'kafka', 'kafka/ingress[0]/ports[0]/kafka[0]', 'kafka'],
    ]);
    expect(layout.unparseable).toEqual([{ index: 3, policy: 'web' }, { index: 6, policy: 'kafka' }]);
    expect(l7CounterLayout({ ...model, l7: { ...model.l7, rulesets: [] } })).toBeUndefined();
  });

  it('readL7Counters() sums allowed and denied over CPUs per rule, and both for requests it could not judge', () => {
    const c = readL7Counters(l7CounterLayout(model), maps)!;
    expect(c.rules.find((r) => r.rule.endsWith('http[1]') && r.verdict === 'allow')!.requests).toBe(2n * 20n + 1n);
    expect(c.rules.find((r) => r.rule.endsWith('http[1]') && r.verdict === 'deny')!.requests).toBe(1n);
    expect(c.unparseable).toEqual([{ policy: 'web', requests: 30n + 31n + 0n + 1n }, { policy: 'kafka', requests: 60n + 61n + 1n }]);
  });
});
