// `tsbpf check` and `tsbpf build` on a file that exports services: the load balancer's programs verified, the
// service vectors (expectDst / expectSrc) run in the simulator, lb.o written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { checkExitCode, checkPolicy, formatCheckReport } from '../../cli/commands/policy-check.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19 } from '../support/require.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-services-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tsbpf = (...args: string[]) => {
  const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'cli/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const example = join(repoRoot, 'examples/services.ts');

interface Report {
  programs: { name: string; verify: { profile: string; verdict: string }[] }[];
  cases: { name: string; passed: boolean; packets: { expect: string | null; got: string; dst: string | null; src: string | null }[] }[];
  passed: number;
  failed: number;
}

describe.runIf(available('tsbpf check on services', clang19))('tsbpf check on services', () => {
  it('verifies the load balancer and passes every case of examples/services.vectors.yaml', () => {
    const r = tsbpf('check', example, '--json', '--clang', 'native');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.programs.map((p) => [p.name, p.verify.map((v) => v.verdict)])).toEqual([
      ['lb_xdp', ['accept']],
      ['lb_tc_egress', ['accept']],
      ['lb_tc_ingress', ['accept']],
    ]);
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(report.cases.length);
    expect(report.cases.length).toBeGreaterThanOrEqual(6);
    // the reply of the first case went back from the VIP to the client
    const first = report.cases[0]!.packets;
    expect(first[1]).toMatchObject({ src: '10.96.0.10:80', dst: '10.0.0.7:40000' });
    // no new connection went to the drained backend
    const dsts = report.cases.flatMap((c) => c.packets.map((p) => p.dst));
    expect(dsts).not.toContain('10.1.0.8:8080');
    expect(dsts).not.toContain('[fd00:1::7]:8080');
    expect(dsts.some((d) => d?.startsWith('[fd00:1::'))).toBe(true);
    expect(new Set(report.cases[1]!.packets.map((p) => p.dst)).size).toBeGreaterThan(1);
  });

  it('fails (exit 1) when a vector names a backend the load balancer does not choose', async () => {
    const bad = join(tmp, 'bad.vectors.yaml');
    const text = readFileSync(join(repoRoot, 'examples/services.vectors.yaml'), 'utf8');
    writeFileSync(bad, text.replaceAll('[10.1.0.5:8080, 10.1.0.6:8080, 10.1.0.7:8080]', '10.1.0.8:8080'));
    const r = await checkPolicy(example, { vectors: bad, driver: 'native' });
    expect(checkExitCode(r, false)).toBe(1);
    const failed = r.cases.filter((c) => !c.passed);
    expect(failed.map((c) => c.name)).toEqual(['new connections from many clients go to the active backends only, never the drained one']);
    expect(formatCheckReport('services.ts', r)).toMatch(/expected 10\.1\.0\.8:8080/);
  }, 60_000);

  it('builds lb.c, lb.o, lb.maps.json and lb.manifest.json', () => {
    const out = join(tmp, 'build');
    const r = tsbpf('build', example, '-o', out, '--clang', 'native');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/load balancer for web, web6/);
    for (const f of ['lb.c', 'lb.o', 'lb.maps.json', 'lb.manifest.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, 'policy.o'))).toBe(false);
    const spec = readObject(new Uint8Array(readFileSync(join(out, 'lb.o'))));
    expect(spec.programs.map((p) => p.name).sort()).toEqual(['lb_tc_egress', 'lb_tc_ingress', 'lb_xdp']);
    const manifest = JSON.parse(readFileSync(join(out, 'lb.manifest.json'), 'utf8')) as { services: { name: string; backends: number; affinitySeconds: number }[] };
    expect(manifest.services).toMatchObject([{ name: 'web', backends: 4, affinitySeconds: 60 }, { name: 'web6', backends: 3 }]);
    const maps = JSON.parse(readFileSync(join(out, 'lb.maps.json'), 'utf8')) as Record<string, unknown[]>;
    expect(maps['maglev']!.length).toBe(2 * 4093);
  });
});
