// L7 request counters of a deployed policy, end to end: an HTTP policy read from Cilium YAML is deployed in
// endpoint mode on A's end of the veth (protecting B), a real HTTP client in A sends one allowed request and one
// the rule does not allow over keep-alive connections, and /metrics reports them per L7 rule.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployPolicies } from '../../cli/deploy/deploy.ts';
import { deployHarness } from '../support/deploy-traffic.ts';
import { ADDR_B, lineReader } from '../support/netns.ts';
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
  const h = deployHarness({
    name: 'deploy-l7',
    side: 'a',
    files: { 'web.yaml': POLICY, 'web.endpoints.yaml': `endpoints:\n  - { ip: ${ADDR_B}, labels: { app: web } }\n` },
    metrics: true,
  });

  /** One GET from A: the status code, or `timeout` when the request is dropped. */
  function get(path: string): string {
    const code = `const r=require('http').get({host:'${ADDR_B}',port:8080,path:'${path}'},res=>{console.log(res.statusCode);process.exit(0)});r.on('error',e=>{console.log(e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},1500)`;
    return h.pair.exec(h.pair.a, process.execPath, ['-e', code]).trim();
  }

  it('counts the allowed request under its rule and the refused one under no-match', async () => {
    const r = await deployPolicies([join(h.dir, 'web.yaml')], h.target);
    expect(r.action).toBe('fresh');
    expect(r.state!.l7Counters?.rules.map((x) => x.rule)).toEqual(['no-match', 'default/web/ingress[0]/ports[0]/http[0]']);
    const server = h.pair.spawn(h.pair.b, process.execPath, ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(8080,'${ADDR_B}',()=>console.log('ready'))`]);
    expect(await lineReader(server).next(5000)).toBe('ready');
    expect(get('/public')).toBe('200');
    expect(get('/private')).toBe('timeout');
    const m = await h.metrics();
    const iface = h.iface;
    const l7 = (rule: string, verdict: string) => m.get(`tsbpf_l7_requests_total{interface="${iface}",policy="default/web",rule="${rule}",protocol="http",verdict="${verdict}"}`);
    expect(l7('default/web/ingress[0]/ports[0]/http[0]', 'allow')).toBe(1);
    expect(l7('default/web/ingress[0]/ports[0]/http[0]', 'deny')).toBe(0);
    // the refused request's segment is dropped, and each retransmission is judged again
    expect(l7('no-match', 'deny')).toBeGreaterThanOrEqual(1);
    expect(m.get(`tsbpf_l7_unparseable_total{interface="${iface}",policy="default/web"}`)).toBe(0);
    server.kill();
  });
});
