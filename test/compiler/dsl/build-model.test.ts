import { describe, expect, it } from 'vitest';
import { buildModel, cidr, endpoints, Identity, parseInventory, policy, world } from '../../../compiler/dsl/index.ts';

const inventory = parseInventory({
  namespaces: [{ name: 'prod', labels: { env: 'prod' } }],
  endpoints: [
    { ip: '10.1.0.1', namespace: 'prod', labels: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
    { ip: '10.1.0.2', namespace: 'prod', labels: { app: 'web' }, ports: [{ name: 'http', port: 8081 }] },
    { ip: 'fd00::3', namespace: 'prod', labels: { app: 'db' } },
  ],
  host: ['10.0.0.1'],
  clusterCIDRs: ['10.0.0.0/8'],
});

describe('buildModel()', () => {
  it('gives one identity per distinct label set and per prefix, and the IP table maps addresses to them', () => {
    const p = policy({ name: 'p', selector: { matchLabels: { app: 'web' } }, ingress: [{ from: [cidr('192.0.2.0/24', { except: ['192.0.2.128/25'] })] }] });
    const m = buildModel([p], inventory);
    const byName = Object.fromEntries(m.identities.map((i) => [i.name, i.id]));
    expect(byName['prod:app=web']).toBe(Identity.ENDPOINT_BASE + 1);
    expect(byName['prod:app=db']).toBe(Identity.ENDPOINT_BASE);
    const table = Object.fromEntries(m.ipcache.map((e) => [e.prefix, e.identity]));
    expect(table['10.1.0.1/32']).toBe(byName['prod:app=web']);
    expect(table['10.1.0.2/32']).toBe(byName['prod:app=web']);
    expect(table['10.0.0.1/32']).toBe(Identity.HOST);
    expect(table['0.0.0.0/0']).toBe(Identity.WORLD_IPV4);
    expect(table['::/0']).toBe(Identity.WORLD_IPV6);
    expect(table['192.0.2.0/24']).toBeGreaterThanOrEqual(Identity.CIDR_BASE);
    expect(m.identities.find((i) => i.prefix === '10.0.0.0/8')?.inCluster).toBe(true);
    // the except's identity is not allowed; the CIDR's is, for every port and protocol
    const allowed = new Set(m.entries.map((e) => e.remote));
    expect(allowed.has(table['192.0.2.0/24']!)).toBe(true);
    expect(allowed.has(table['192.0.2.128/25']!)).toBe(false);
    expect(m.entries.every((e) => e.anyProtocol && !e.deny)).toBe(true);
  });

  it('merges policies on one identity: allows add up, a deny splits the allowed range and wins', () => {
    const a = policy({ name: 'a', selector: {}, ingress: [{ name: 'range', ports: [{ port: 1000, endPort: 2000 }] }] });
    const b = policy({ name: 'b', selector: { matchLabels: { app: 'web' } }, ingressDeny: [{ name: 'no-1500', ports: [{ port: 1500 }] }], ingress: [{ name: 'http', ports: [{ port: 80 }] }] });
    const m = buildModel([a, b], inventory);
    const web = m.identities.find((i) => i.name === 'prod:app=web')!.id;
    const rows = m.entries.filter((e) => e.local === web && e.protocol === 6).map((e) => [e.portLo, e.portHi, e.deny, m.rules.find((r) => r.id === e.rule)!.name]);
    expect(rows).toEqual([
      [80, 80, false, 'http'],
      [1000, 1499, false, 'range'],
      [1500, 1500, true, 'no-1500'],
      [1501, 2000, false, 'range'],
    ]);
    expect(m.subjects.find((s) => s.identity === web)).toEqual({ identity: web, ingress: true, egress: false, audit: false });
    // the db endpoint is selected only by `a`
    const db = m.identities.find((i) => i.name === 'prod:app=db')!.id;
    expect(m.entries.filter((e) => e.local === db).map((e) => [e.portLo, e.portHi])).toEqual([[1000, 2000]]);
  });

  it('resolves named ports on the protected endpoints for ingress, per identity', () => {
    const p = policy({ name: 'p', selector: { matchLabels: { app: 'web' } }, ingress: [{ from: [endpoints({ matchLabels: { app: 'db' } })], ports: [{ port: 'http' }] }] });
    const m = buildModel([p], inventory);
    // 8080 and 8081 (the two web endpoints share an identity), merged into one range
    expect(m.entries.map((e) => [e.protocol, e.portLo, e.portHi])).toEqual([[6, 8080, 8081]]);
  });

  it('keeps world apart from the cluster CIDRs and CIDR rules apart from endpoints', () => {
    const p = policy({ name: 'p', host: true, egress: [{ to: [world] }, { to: [cidr('10.1.0.0/16')] }] });
    const m = buildModel([p], inventory);
    const remotes = new Set(m.entries.map((e) => e.remote));
    const id = (prefix: string) => m.ipcache.find((e) => e.prefix === prefix)!.identity;
    expect(remotes.has(Identity.WORLD_IPV4)).toBe(true);
    expect(remotes.has(id('10.0.0.0/8'))).toBe(false);
    expect(remotes.has(id('10.1.0.0/16'))).toBe(true);
    expect(remotes.has(id('10.1.0.1/32'))).toBe(false);
  });

  it('refuses host and endpoint policies together, naming the policy', () => {
    expect(() => buildModel([policy({ name: 'h', host: true }), policy({ name: 'e', selector: {} })], inventory)).toThrow(/policy e: host policies and endpoint policies cannot share one interface/);
  });
});
