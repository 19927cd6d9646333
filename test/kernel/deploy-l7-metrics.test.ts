// L7 request counters of a deployed policy, end to end: an HTTP policy read from Cilium YAML is deployed in
// endpoint mode on A's end of the veth (protecting B), a real HTTP client in A sends one allowed request and one
// the rule does not allow over keep-alive connections, and /metrics reports them per L7 rule.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMetrics } from '../../cli/commands/metrics.ts';
import { deployPolicies, undeployAll, type DeployOptions } from '../../cli/deploy/deploy.ts';
import { ADDR_A, ADDR_B, createNetnsPair, destroyAllNetns, lineReader, liveNetnsPairs, type NetnsPair } from '../support/netns.ts';
import { available, bpftool, clang19, kernelBpf } from '../support/require.ts';

const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: default }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress:
  - toPorts:
    - ports: [{ port: "8080", protocol: TCP }]
      rules:
        http:
        - { method: GET, path: "/public" }
`;

describe.runIf(available('L7 counters of a deployed policy', kernelBpf, clang19, bpftool))('L7 request counters in /metrics', () => {
  let pair: NetnsPair;
  let dir: string;
  let target: DeployOptions;
  let metrics: Server;

  beforeAll(async () => {
    pair = createNetnsPair();
    dir = mkdtempSync('/tmp/tsbpf-deploy-l7-');
    writeFileSync(join(dir, 'web.yaml'), POLICY);
    writeFileSync(join(dir, 'web.endpoints.yaml'), `endpoints:\n  - { ip: ${ADDR_B}, labels: { app: web } }\n`);
    target = { iface: pair.a.iface, netns: pair.a.name, pinRoot: `/sys/fs/bpf/tsbpf-l7-${process.pid}`, stateDir: join(dir, 'state'), driver: 'native' };
    metrics = await serveMetrics({ listen: '127.0.0.1:0', stateDir: target.stateDir! });
  });

  afterAll(() => {
    metrics?.close();
    try {
      if (target !== undefined) undeployAll({ stateDir: target.stateDir!, pinRoot: target.pinRoot! });
    } finally {
      pair?.destroy();
      destroyAllNetns();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }
    expect(liveNetnsPairs()).toBe(0);
  });

  /** One GET from A: the status code, or `timeout` when the request is dropped. */
  function get(path: string): string {
    const code = `const r=require('http').get({host:'${ADDR_B}',port:8080,path:'${path}'},res=>{console.log(res.statusCode);process.exit(0)});r.on('error',e=>{console.log(e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},1500)`;
    return pair.exec(pair.a, process.execPath, ['-e', code]).trim();
  }

  async function scrape(): Promise<Map<string, number>> {
    const { port } = metrics.address() as AddressInfo;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return new Map(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
  }

  it('counts the allowed request under its rule and the refused one under no-match', async () => {
    const r = await deployPolicies([join(dir, 'web.yaml')], target);
    expect(r.action).toBe('fresh');
    expect(r.state!.l7Counters?.rules.map((x) => x.rule)).toEqual(['no-match', 'default/web/ingress[0]/ports[0]/http[0]']);
    const server = pair.spawn(pair.b, process.execPath, ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(8080,'${ADDR_B}',()=>console.log('ready'))`]);
    expect(await lineReader(server).next(5000)).toBe('ready');
    expect(get('/public')).toBe('200');
    expect(get('/private')).toBe('timeout');
    const m = await scrape();
    const iface = `${pair.a.name}/${pair.a.iface}`;
    const l7 = (rule: string, verdict: string) => m.get(`tsbpf_l7_requests_total{interface="${iface}",policy="default/web",rule="${rule}",protocol="http",verdict="${verdict}"}`);
    expect(l7('default/web/ingress[0]/ports[0]/http[0]', 'allow')).toBe(1);
    expect(l7('default/web/ingress[0]/ports[0]/http[0]', 'deny')).toBe(0);
    // the refused request's segment is dropped, and each retransmission is judged again
    expect(l7('no-match', 'deny')).toBeGreaterThanOrEqual(1);
    expect(m.get(`tsbpf_l7_unparseable_total{interface="${iface}",policy="default/web"}`)).toBe(0);
    server.kill();
  });
});
