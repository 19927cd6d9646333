// `tsbpf check` and `tsbpf build` on policies, from the command line: report, --json, exit codes 0/1/2.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../corpora.ts';
import { available, clang19 } from '../support/require.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-policy-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tsbpf = (...args: string[]) => {
  const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'cli/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const example = join(repoRoot, 'examples/host-firewall.ts');

// The main job on the embedded default (clang as WebAssembly): needs neither clang-19 nor a kernel.
describe('tsbpf check on the default driver', () => {
  it('prints the JSON report the issue specifies and exits 0 when every case passes', () => {
    const r = tsbpf('check', example, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      programs: { name: string; section: string; insns: number; stack: number; verify: { profile: string; verdict: string; error: string | null }[] }[];
      cases: { name: string; passed: boolean; packets: { expect: string; got: string; rule: string | null }[] }[];
      passed: number;
      failed: number;
    };
    expect(report.programs.map((p) => [p.name, p.section])).toEqual([
      ['policy_ingress', 'tcx/ingress'],
      ['policy_egress', 'tcx/egress'],
    ]);
    expect(report.programs[0]!.verify[0]!.profile).toBe('seed');
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(report.cases.length);
    expect(report.cases[0]!.packets[0]).toMatchObject({ expect: 'allow', got: 'allow', rule: 'ssh-from-office' });
    // clang as WebAssembly builds two programs: about 20 s on a quiet CI machine, over a minute on a loaded one
  }, 180_000);
});

describe.runIf(available('tsbpf check', clang19))('tsbpf check and build on policies', () => {
  it('exits 1 on a failing case and says which packet and why', () => {
    const vectors = join(tmp, 'wrong.vectors.yaml');
    writeFileSync(
      vectors,
      'cases:\n  - name: ssh from anywhere\n    packets:\n      - { direction: ingress, src: 198.51.100.1, dst: 192.168.1.10, protocol: tcp, dport: 22, expect: allow }\n',
    );
    // native clang-19 keeps this one quick; the default (wasm) build is the first test's
    const r = tsbpf('check', example, '--vectors', vectors, '--clang', 'native');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ ssh from anywhere/);
    expect(r.stdout).toMatch(/packet 1: expected allow, got deny \(default-deny, default-deny\)/);
    expect(r.stdout).toMatch(/cases: 0 passed, 1 failed/);
  });

  it('exits 2 on an invalid policy, naming its file and line', () => {
    const bad = join(tmp, 'bad.ts');
    writeFileSync(bad, "import { policy, cidr } from 'tsbpf';\nexport default policy({ name: 'b', host: true,\n  ingress: [{ from: [cidr('10.0.0.0/33')] }] });\n");
    const r = tsbpf('check', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:3: invalid CIDR "10.0.0.0/33": prefix length must be 0 to 32`);
  });

  it('build writes the C, the object, the map contents and a manifest', () => {
    const out = join(tmp, 'build');
    const r = tsbpf('build', example, '-o', out, '--clang', 'native');
    expect(r.code).toBe(0);
    for (const f of ['policy.c', 'policy.o', 'policy.maps.json', 'policy.model.json', 'manifest.json']) expect(existsSync(join(out, f))).toBe(true);
    const c = readFileSync(join(out, 'policy.c'), 'utf8');
    expect(c).toContain(`#line 9 "${example}"`); // export default policy({
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      programs: { attach: string; insns: number; stack: number; verify: { profile: string; verdict: string }[] }[];
      maps: { name: string; entries: number }[];
      counters: { rule_counters: { rules: { id: number; name: string; direction: string }[] } };
    };
    expect(manifest.programs[0]!.attach).toBe('tcx ingress of the protected interface');
    expect(manifest.counters.rule_counters.rules[0]).toEqual({ id: 1, name: 'blocklist', policy: 'host-firewall', direction: 'ingress', verdict: 'deny' });
    expect(manifest.maps.find((m) => m.name === 'policy')!.entries).toBeGreaterThan(0);
    // the build report: size, stack and our verifier's verdict under the declared profile
    for (const p of manifest.programs) {
      expect(p.insns).toBeGreaterThan(100);
      expect(p.insns).toBeLessThanOrEqual(4096);
      expect(p.stack).toBeGreaterThan(0);
      expect(p.verify).toEqual([{ profile: 'seed', verdict: 'accept', error: null }]);
    }
    expect(r.stdout).toMatch(/\d+ instructions, stack \d+ bytes; seed accept/);
  });

  it('build reports the L7 settings and which counter slot is which L7 rule', () => {
    const out = join(tmp, 'build-l7');
    const r = tsbpf('build', join(repoRoot, 'examples/http-api.ts'), '-o', out, '--clang', 'native');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      l7: { window: number; unparseable: string; violation: string };
      counters: { l7_counters: { map: string; rules: { index: number; rule: string; protocol: string }[]; unparseable: { index: number }[] } };
    };
    expect(manifest.l7.window).toBe(256);
    const slots = manifest.counters.l7_counters;
    expect(slots.map).toBe('l7_counters');
    expect(slots.rules.filter((x) => x.rule === 'no-match').length).toBe(slots.unparseable.length);
    expect(slots.rules.every((x) => x.protocol === 'http')).toBe(true);
    const indices = [...slots.rules.map((x) => x.index), ...slots.unparseable.map((x) => x.index)];
    expect(new Set(indices).size).toBe(indices.length);
  });
});
