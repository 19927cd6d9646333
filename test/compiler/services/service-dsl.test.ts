// `import { service } from 'tsbpf'` in a policy file: services exported beside policies or alone, collected by
// loadPolicyFile, their errors naming the file and line; `tsbpf check` on a file with both runs both kinds of
// vectors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPolicy } from '../../../cli/commands/policy-check.ts';
import { loadPolicyFile } from '../../../compiler/dsl/index.ts';
import { available, clang19 } from '../../support/require.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsbpf-service-dsl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const BOTH = [
  "import { policy, service } from 'tsbpf';",
  "export default policy({ name: 'fw', host: true, ingress: [{ name: 'web', ports: [{ port: 80 }] }] });",
  'export const services = [',
  "  service({ name: 'web', vip: '10.96.0.10', port: 80, backends: [{ address: '10.1.0.5', port: 8080 }, { address: '10.1.0.6', port: 8080 }], maglev: { size: 251 } }),",
  "  service({ name: 'dns', vip: '10.96.0.11', port: 53, protocol: 'udp', backends: [{ address: '10.1.0.9', port: 53 }], maglev: { size: 251 } }),",
  '];',
].join('\n');

describe('service() in a policy file', () => {
  it('is collected beside the policies, arrays included, with the line it was called on', async () => {
    const loaded = await loadPolicyFile(file('both.ts', BOTH));
    expect(loaded.policies.map((p) => p.name)).toEqual(['fw']);
    expect(loaded.services!.map((s) => [s.name, s.at?.line])).toEqual([
      ['web', 4],
      ['dns', 5],
    ]);
  });

  it('may be all a file exports', async () => {
    const loaded = await loadPolicyFile(file('only.ts', "import { service } from 'tsbpf';\nexport const web = service({ name: 'web', vip: 'fd00::10', port: 80, backends: [{ address: 'fd00::5', port: 80 }] });\n"));
    expect(loaded.policies).toEqual([]);
    expect(loaded.services!.map((s) => [s.name, s.family])).toEqual([['web', 6]]);
  });

  it('reports an invalid service at its file and line', async () => {
    const path = file('bad.ts', "import { service } from 'tsbpf';\n\nexport const web = service({ name: 'web', vip: '10.96.0.10', port: 0, backends: [] });\n");
    await expect(loadPolicyFile(path)).rejects.toThrow(`${path}:3:`);
    await expect(loadPolicyFile(path)).rejects.toThrow(/service web: port 0 is not in 1 … 65535/);
  });
});

describe.runIf(available('tsbpf check on policies and services together', clang19))('tsbpf check on a file with policies and services', () => {
  it('verifies both objects and runs policy and service cases from one vectors file', async () => {
    const path = file('check.ts', BOTH);
    file(
      'check.vectors.yaml',
      [
        'cases:',
        '  - name: the policy allows the web',
        '    packets:',
        '      - { direction: ingress, src: 192.0.2.1, dst: 10.0.0.1, dport: 80, expect: allow, rule: web }',
        '      - { direction: ingress, src: 192.0.2.1, dst: 10.0.0.1, dport: 22, expect: deny }',
        '  - name: the service balances',
        '    packets:',
        '      - { src: 10.0.0.1, dst: 10.96.0.10, sport: 40000, dport: 80, expectDst: maglev }',
        '      - { replyTo: 1, tcpFlags: SA, expectSrc: 10.96.0.10:80 }',
        '      - { src: 10.0.0.1, dst: 10.96.0.11, sport: 40000, dport: 53, protocol: udp, expectDst: 10.1.0.9:53 }',
      ].join('\n'),
    );
    const r = await checkPolicy(path, { driver: 'native' });
    expect(r.programs.map((p) => p.name)).toEqual(['policy_ingress', 'policy_egress', 'lb_xdp', 'lb_tc_egress', 'lb_tc_ingress']);
    expect(r.programs.every((p) => p.verify.every((v) => v.verdict === 'accept'))).toBe(true);
    expect(r.cases.map((c) => [c.name, c.passed])).toEqual([
      ['the policy allows the web', true],
      ['the service balances', true],
    ]);
  }, 120_000);
});
