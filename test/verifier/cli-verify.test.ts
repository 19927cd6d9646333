// `tsbpf verify` through the CLI entry point (cli/main.ts run by tsx): verdicts, exit codes and --json.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../corpora.ts';

function tsbpf(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/main.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tsbpf verify', () => {
  it('exits 0 when every program is accepted', () => {
    const r = tsbpf('verify', 'test/fixtures/traffic.o');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('xdp_count_drop');
    expect(r.stdout).toContain('accept');
  });

  it('exits 1 and prints the kernel wording, instruction and source line of a rejection', () => {
    const r = tsbpf('verify', 'test/fixtures/bad_bounds.o');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('insn 11');
    expect(r.stdout).toContain('R1 offset is outside of the packet');
    expect(r.stdout).toContain('bad_bounds.c:21');
  });

  it('gives machine-readable reports with --json', () => {
    const r = tsbpf('verify', 'test/fixtures/bad_null_check.o', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { programs: { verdict: string; error: { insn: number; message: string } }[] };
    expect(out.programs[0]).toMatchObject({ verdict: 'reject', error: { insn: 7, message: "R0 invalid mem access 'map_value_or_null'" } });
  });

  it('exits 2 on an unreadable file or an unknown profile', () => {
    expect(tsbpf('verify', 'test/fixtures/missing.o').code).toBe(2);
    expect(tsbpf('verify', 'test/fixtures/xdp_pass.o', '--profile', 'nope').code).toBe(2);
  });

  it('applies the seed profile', () => {
    const r = tsbpf('verify', 'test/fixtures/globals.o', '--profile', 'seed');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('global data');
  });
});
