import { describe, expect, it } from 'vitest';
import { cidr, Evaluator, EvaluatorState, packetFrame, parseInventory, parseVectorPacket, policy, world, type Policy } from '../../../compiler/dsl/index.ts';

const inventory = parseInventory({
  endpoints: [
    { ip: '10.1.0.1', namespace: 'prod', labels: { app: 'web' } },
    { ip: 'fd00::1', namespace: 'prod', labels: { app: 'web' } },
    { ip: '10.1.0.9', namespace: 'prod', labels: { app: 'db' } },
  ],
  clusterCIDRs: ['10.0.0.0/8'],
});

function run(policies: Policy[], packets: Record<string, unknown>[]) {
  const e = new Evaluator(policies, inventory);
  const state = new EvaluatorState();
  return packets.map((raw, i) => {
    const p = parseVectorPacket(raw, `packet ${i}`);
    state.now += BigInt(p.advanceMs) * 1_000_000n;
    return e.evaluate(p, state, packetFrame(p).length);
  });
}

const web = (o: Record<string, unknown>) => policy({ name: 'web', selector: { matchLabels: { app: 'web' } }, ...o });
const toWeb = { direction: 'ingress', dst: '10.1.0.1', protocol: 'tcp', sport: 5000 };

describe('Evaluator', () => {
  it('lets the first matching deny win over any allow, across policies', () => {
    const a = web({ ingress: [{ name: 'all-tcp', ports: [{ port: 0 }] }] });
    const b = policy({ name: 'b', selector: {}, ingressDeny: [{ name: 'no-telnet', ports: [{ port: 23 }] }] });
    const [r1, r2] = run([a, b], [{ ...toWeb, src: '192.0.2.1', dport: 23 }, { ...toWeb, src: '192.0.2.1', dport: 22 }]);
    expect(r1).toEqual({ verdict: 'deny', reason: 'deny', rule: 'no-telnet' });
    expect(r2).toEqual({ verdict: 'allow', reason: 'allow', rule: 'all-tcp' });
  });

  it('applies the rules of a policy with enableDefaultDeny: false without isolating what it selects', () => {
    const open = policy({ name: 'open', selector: {}, enableDefaultDeny: { ingress: false }, ingress: [{ name: 'metrics', ports: [{ port: 9090 }] }], ingressDeny: [{ name: 'no-telnet', ports: [{ port: 23 }] }] });
    const isolating = policy({ name: 'db-only', selector: { matchLabels: { app: 'db' } }, ingress: [{ name: 'pg', ports: [{ port: 5432 }] }] });
    const toDb = { ...toWeb, dst: '10.1.0.9', src: '192.0.2.1' };
    const rs = run([open, isolating], [
      { ...toWeb, src: '192.0.2.1', dport: 443 },
      { ...toWeb, src: '192.0.2.1', dport: 23 },
      { ...toDb, dport: 443 },
      { ...toDb, dport: 9090 },
      { ...toDb, dport: 23 },
    ]);
    expect(rs.map((r) => `${r.verdict}/${r.reason}/${r.rule ?? ''}`)).toEqual([
      'allow/no-policy/',
      'deny/deny/no-telnet',
      'deny/default-deny/',
      'allow/allow/metrics',
      'deny/deny/no-telnet',
    ]);
  });

  it('refuses enableDefaultDeny with other keys or a direction it also lists in defaultDeny', () => {
    expect(() => web({ enableDefaultDeny: { ingres: false } })).toThrow(/enableDefaultDeny has ingress and egress, not ingres/);
    expect(() => web({ enableDefaultDeny: { ingress: false }, defaultDeny: ['ingress'] })).toThrow(/ingress is both in defaultDeny and turned off/);
  });

  it('passes replies of allowed connections only, until the connection expires', () => {
    const p = web({ egress: [{ name: 'out', to: [world], ports: [{ port: 443 }] }], defaultDeny: ['ingress'] });
    const out = { direction: 'egress', src: '10.1.0.1', dst: '192.0.2.1', protocol: 'tcp', sport: 5000, dport: 443 };
    const back = { direction: 'ingress', src: '192.0.2.1', dst: '10.1.0.1', protocol: 'tcp', sport: 443, dport: 5000, tcpFlags: 'SA' };
    const rs = run([p], [out, back, { ...out, dport: 444 }, { ...back, sport: 444 }]);
    expect(rs.map((r) => r.reason)).toEqual(['allow', 'reply', 'default-deny', 'default-deny']);
    // a SYN opens for 60 s
    expect(run([p], [out, { ...back, advanceMs: 61_000 }]).map((r) => r.reason)).toEqual(['allow', 'default-deny']);
  });

  it('does not match endpoints with CIDR rules, and keeps cluster CIDRs out of world', () => {
    const p = web({ ingress: [{ name: 'tens', from: [cidr('10.0.0.0/8')] }, { name: 'world', from: [world] }] });
    const rs = run([p], [{ ...toWeb, src: '10.1.0.9', dport: 80 }, { ...toWeb, src: '10.2.0.1', dport: 80 }, { ...toWeb, src: '11.0.0.1', dport: 80 }]);
    expect(rs.map((r) => r.rule ?? r.reason)).toEqual(['default-deny', 'tens', 'world']);
  });

  it('passes what it would drop in audit mode, naming the rule', () => {
    const p = web({ audit: true, ingressDeny: [{ name: 'no-ssh', ports: [{ port: 22 }] }] });
    const rs = run([p], [{ ...toWeb, src: '192.0.2.1', dport: 22 }, { ...toWeb, src: '192.0.2.1', dport: 80 }]);
    expect(rs).toEqual([
      { verdict: 'audit', reason: 'audit', rule: 'no-ssh' },
      { verdict: 'audit', reason: 'audit' },
    ]);
  });

  it('lets later fragments follow their first fragment, and drops orphans', () => {
    const p = web({ ingress: [{ name: 'http', ports: [{ port: 80 }] }] });
    const first = { ...toWeb, src: '192.0.2.1', dport: 80, fragment: { offset: 0, more: true, id: 9 } };
    const rs = run([p], [first, { ...first, fragment: { offset: 8, more: false, id: 9 } }, { ...first, fragment: { offset: 8, more: false, id: 10 } }]);
    expect(rs.map((r) => `${r.verdict} ${r.reason}`)).toEqual(['allow allow', 'allow fragment', 'deny fragment-unknown']);
  });

  it('passes unprotected addresses, ARP and neighbour discovery, and drops truncated headers', () => {
    const p = web({ ingress: [], defaultDeny: ['ingress'] });
    const rs = run([p], [
      { ...toWeb, src: '192.0.2.1', dst: '10.1.0.9', dport: 80 },
      { direction: 'ingress', ethertype: 'arp' },
      { direction: 'ingress', src: 'fe80::1', dst: 'fd00::1', protocol: 'icmpv6', icmpType: 'NeighborSolicitation' },
      { ...toWeb, src: '192.0.2.1', dport: 80, truncate: 40 },
    ]);
    expect(rs.map((r) => `${r.verdict} ${r.reason}`)).toEqual(['allow unselected', 'allow neighbour', 'allow neighbour', 'deny malformed']);
  });
});
