import { describe, expect, it } from 'vitest';
import { buildModel, EMPTY_INVENTORY, PolicyError, policy } from '../../../compiler/dsl/index.ts';

const http = [{ method: 'GET', path: '/public/*' }];

describe('policy() with L7 rules', () => {
  it('fills in the default L7 settings and keeps given ones', () => {
    expect(policy({ name: 'p', host: true }).l7).toEqual({ window: 256, unparseable: 'deny', violation: 'drop' });
    expect(policy({ name: 'p', host: true, l7: { window: 512, violation: 'reset' } }).l7).toEqual({ window: 512, unparseable: 'deny', violation: 'reset' });
  });

  it('refuses a window that is not a power of two from 64 to 1024', () => {
    for (const window of [0, 32, 100, 2048]) expect(() => policy({ name: 'p', host: true, l7: { window } })).toThrow(/l7.window/);
  });

  it('refuses L7 rules on deny rules, on UDP, without a port, with both kinds, or empty', () => {
    const bad: [object, RegExp][] = [
      [{ ingressDeny: [{ ports: [{ port: 80, http }] }] }, /deny rules carry no L7 rules/],
      [{ ingress: [{ ports: [{ port: 53, protocol: 'UDP', http }] }] }, /need protocol TCP/],
      [{ ingress: [{ ports: [{ port: 80, protocol: 'ANY', http }] }] }, /need protocol TCP/],
      [{ ingress: [{ ports: [{ http }] }] }, /need a port/],
      [{ ingress: [{ ports: [{ port: 80, http, kafka: [{ apiKey: 0 }] }] }] }, /one L7 kind per port rule/],
      [{ ingress: [{ ports: [{ port: 80, http: [] }] }] }, /allows no request/],
    ];
    for (const [rules, message] of bad) {
      const e = (() => {
        try {
          policy({ name: 'p', host: true, ...rules });
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).toMatch(/rule p\/(ingress|ingressDeny)\[0\]: ports\[0\]/);
    }
  });
});

describe('buildModel() with L7 rules', () => {
  it('gives each distinct union of L7 rules a ruleset and its counter slots', () => {
    const p = policy({
      name: 'p',
      host: true,
      ingress: [
        { name: 'a', ports: [{ port: 80, http }] },
        { name: 'b', ports: [{ port: 80, endPort: 81, http: [{ method: 'PUT' }] }] },
      ],
    });
    const m = buildModel([p], EMPTY_INVENTORY);
    const byPort = (port: number) => m.entries.find((e) => e.protocol === 6 && e.portLo <= port && port <= e.portHi);
    const union = m.l7.rulesets.find((r) => r.id === byPort(80)!.l7)!;
    expect(union.rules.map((r) => r.name)).toEqual(['a/ports[0]/http[0]', 'b/ports[0]/http[0]']);
    const only = m.l7.rulesets.find((r) => r.id === byPort(81)!.l7)!;
    expect(only.rules.map((r) => r.name)).toEqual(['b/ports[0]/http[0]']);
    expect(byPort(81)!.rule).toBe(m.rules.find((r) => r.name === 'b')!.id);
    // counters: per ruleset, no-rule + each rule + cannot-see
    expect(m.l7.counterSlots).toBe(m.l7.rulesets.reduce((n, r) => n + r.rules.length + 2, 0));
    expect(new Set(m.l7.rulesets.map((r) => r.counterBase)).size).toBe(m.l7.rulesets.length);
  });

  it('leaves a port unjudged when a covering allow rule has no L7 rules there', () => {
    const p = policy({ name: 'p', host: true, ingress: [{ name: 'a', ports: [{ port: 80, http }] }, { name: 'b', ports: [{ port: 80 }] }] });
    const m = buildModel([p], EMPTY_INVENTORY);
    expect(m.entries.filter((e) => e.protocol === 6).every((e) => (e.l7 ?? 0) === 0)).toBe(true);
  });

  it('refuses HTTP and Kafka rules on one port, and policies that disagree on L7 settings', () => {
    const mixed = policy({ name: 'p', host: true, ingress: [{ name: 'a', ports: [{ port: 80, http }] }, { name: 'b', ports: [{ port: 80, kafka: [{ apiKey: 'produce' }] }] }] });
    expect(() => buildModel([mixed], EMPTY_INVENTORY)).toThrow(/one L7 protocol per port/);
    const one = policy({ name: 'p1', host: true, ingress: [{ name: 'a', ports: [{ port: 80, http }] }] });
    const two = policy({ name: 'p2', host: true, l7: { violation: 'reset' }, ingress: [{ name: 'b', ports: [{ port: 81, http }] }] });
    expect(() => buildModel([one, two], EMPTY_INVENTORY)).toThrow(/l7 settings/);
  });

  it('names the rule when an L7 field is invalid', () => {
    const p = policy({ name: 'p', host: true, ingress: [{ name: 'a', ports: [{ port: 80, http: [{ path: 'no-slash' }] }] }] });
    expect(() => buildModel([p], EMPTY_INVENTORY)).toThrow(/a\/ports\[0\]\/http\[0\]/);
  });
});
