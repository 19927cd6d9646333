// `tsbpf load`, `tsbpf probe` and `tsbpf maps` as a user runs them: verdicts, exit codes 0/1/2, the
// verifier's reason with the C source line and the log's tail, pinning, and pinned maps read and written.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusDir, repoRoot } from '../corpora.ts';
import { available, kernelBpf } from '../support/require.ts';

const run = available('kernel cli', kernelBpf);
const pinDir = `/sys/fs/bpf/tsbpf-load-cli-${process.pid}`;
afterAll(() => rmSync(pinDir, { recursive: true, force: true }));

const tsbpf = (...args: string[]) => {
  const r = spawnSync('npx', ['tsx', join(repoRoot, 'cli/main.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe.runIf(run)('tsbpf load, probe and maps', () => {
  it('load prints the verifier rejection with its source line and log tail, and exits 1', () => {
    const r = tsbpf('load', join(corpusDir('ebpf-samples'), 'build/nullmapref.o'), '--type', 'socket_filter');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/test_repro\s+test\s+socket_filter\s+rejected\s+insn 7: R0 invalid mem access 'map_value_or_null'/);
    expect(r.stdout).toMatch(/at .*nullmapref\.c:23: \*value = 1;/);
    expect(r.stdout).toMatch(/verifier log \(last \d+ lines\):\n(.*\n)*\s+7: \(63\) \*\(u32 \*\)\(r0 \+0\) = r6/);
  });

  it('load --json gives one verdict per program; a non-standard section without --type is not loadable', () => {
    const r = tsbpf('load', join(corpusDir('ebpf-samples'), 'build/prog_array.o'), '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { programs: { program: string; verdict: string; reason: string }[] };
    expect(report.programs).toHaveLength(5);
    expect(report.programs.every((p) => p.verdict === 'not loadable' && /unknown program type/.test(p.reason))).toBe(true);
  });

  it('load --pin pins an accepted object; maps list, update and dump read it back', () => {
    const ok = tsbpf('load', join(repoRoot, 'test/fixtures/xdp_firewall.o'), '--pin', pinDir, '--json');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { programs: { verdict: string; processedInsns: number }[]; pinned: { maps: Record<string, string> } };
    expect(report.programs[0]!.verdict).toBe('accepted');
    expect(report.programs[0]!.processedInsns).toBeGreaterThan(0);
    expect(existsSync(join(pinDir, 'maps/blocked_ports'))).toBe(true);

    const list = tsbpf('maps', 'list', pinDir, '--json');
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((m) => m.name).sort()).toEqual(['blocked_ports', 'verdicts']);

    expect(tsbpf('maps', 'update', join(pinDir, 'maps/blocked_ports'), '06005000', '1').code).toBe(0);
    const dump = tsbpf('maps', 'dump', join(pinDir, 'maps/blocked_ports'), '--json');
    expect((JSON.parse(dump.stdout) as { entries: unknown[] }).entries).toEqual([{ key: '06005000', value: '01000000' }]);
    expect(tsbpf('maps', 'update', join(pinDir, 'maps/blocked_ports'), '0600', '1').code).toBe(2);
  });

  it('load exits 2 for unreadable input and unknown types', () => {
    expect(tsbpf('load', '/no/such/file.o').code).toBe(2);
    expect(tsbpf('load', join(repoRoot, 'test/fixtures/xdp_pass.o'), '--type', 'nonsense').code).toBe(2);
  });

  it('probe --json lists the features with their minimum versions', () => {
    const r = tsbpf('probe', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { features: { kind: string; name: string; status: string; minVersion: string }[] };
    expect(report.features.find((f) => f.kind === 'map type' && f.name === 'ringbuf')).toMatchObject({ status: 'supported', minVersion: '5.8' });
  });
});
