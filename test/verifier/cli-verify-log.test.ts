// `tsbpf verify --log` through the CLI entry point: the verification log printed before each verdict.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../corpora.ts';

describe('tsbpf verify --log', () => {
  it('prints the log of a rejected program, ending with its reason and the statistics line, then the verdict', () => {
    const args = ['--import', 'tsx', join(repoRoot, 'cli/main.ts'), 'verify', 'test/fixtures/bad_null_check.o', '--log'];
    const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    const stats = lines.findIndex((l) => l.startsWith('processed '));
    const processed = Number(/^processed (\d+) insns/.exec(lines[stats] ?? '')?.[1]);
    expect(lines.filter((l) => /^\d+: \([0-9a-f]{2}\) /.test(l))).toHaveLength(processed);
    expect(lines[1]).toBe('0: R1=ctx() R10=fp0');
    expect(lines.slice(stats - 2, stats)).toEqual(['7: (79) r1 = *(u64 *)(r0 + 0x0)', "R0 invalid mem access 'map_value_or_null'"]);
    expect(lines[stats + 1]).toContain(`reject  ${processed} insns processed`);
  });
});
