import { describe, expect, it } from 'vitest';
import type { InterfaceCounters } from '../../../cli/deploy/counters.ts';
import { renderTopFrame } from '../../../cli/deploy/top-frame.ts';

const counters = (allow: bigint, rule: bigint): InterfaceCounters => ({
  verdicts: [
    { direction: 'ingress', match: 'allow', action: 'forwarded', packets: allow, bytes: allow * 60n },
    { direction: 'egress', match: 'deny', action: 'dropped', packets: 0n, bytes: 0n },
  ],
  rules: [{ policy: 'fw', rule: 'web', direction: 'ingress', verdict: 'allow', packets: rule, bytes: rule * 60n }],
});

describe('renderTopFrame', () => {
  it('renderTopFrame() shows non-zero verdicts and every rule, with rates against the previous frame', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const first = renderTopFrame([{ iface: 'eth0', policies: ['fw v1'], counters: counters(10n, 10n) }], undefined, 0, at);
    expect(first).toContain('eth0: fw v1');
    expect(first.some((l) => /ingress allow\s+forwarded\s+10\s+-$/.test(l))).toBe(true);
    expect(first.some((l) => l.includes('egress deny'))).toBe(false);
    const second = renderTopFrame([{ iface: 'eth0', policies: ['fw v1'], counters: counters(30n, 20n) }], [{ iface: 'eth0', policies: [], counters: counters(10n, 10n) }], 2, at);
    expect(second.some((l) => /ingress allow\s+forwarded\s+30\s+10\/s$/.test(l))).toBe(true);
    expect(second.some((l) => /fw\/web\s+ingress\s+20\s+5\/s$/.test(l))).toBe(true);
  });

  it('renderTopFrame() adds the L7 rules that judged requests, with their rates', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const withL7 = (n: bigint): InterfaceCounters => ({
      ...counters(1n, 1n),
      l7: { rules: [{ policy: 'fw', rule: 'web/http[0]', protocol: 'http', verdict: 'deny', requests: n }, { policy: 'fw', rule: 'no-match', protocol: 'http', verdict: 'allow', requests: 0n }], unparseable: [] },
    });
    const frame = renderTopFrame([{ iface: 'eth0', policies: ['fw v1'], counters: withL7(12n) }], [{ iface: 'eth0', policies: [], counters: withL7(2n) }], 5, at);
    expect(frame.some((l) => /fw\/web\/http\[0\]\s+deny\s+12\s+2\/s$/.test(l))).toBe(true);
    expect(frame.some((l) => l.includes('no-match'))).toBe(false);
    expect(renderTopFrame([{ iface: 'eth0', policies: ['fw v1'], counters: counters(1n, 1n) }], undefined, 0, at).some((l) => l.includes('L7 rule'))).toBe(false);
  });
});
