// `tsbpf run --pcap FILE --summary [--tier T]`: a capture replayed, verdicts counted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packet, writePcap } from '../../simulator/packet/index.ts';
import { repoRoot } from '../corpora.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-run-summary-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tsbpf = (...args: string[]) => {
  const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'cli/main.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const firewall = join(repoRoot, 'test/fixtures/xdp_firewall.o');

describe('tsbpf run --summary', () => {
  const pcap = join(tmp, 'mix.pcap');
  const udp = packet.eth({}).ipv4().udp({ dport: 53 }).build();
  const runt = new Uint8Array(14);
  runt[12] = 0x08; // IPv4 without its header: dropped as malformed
  writeFileSync(pcap, writePcap([...Array<{ data: Uint8Array }>(30).fill({ data: udp }), ...Array<{ data: Uint8Array }>(12).fill({ data: runt })]));

  it('counts verdicts the same way on each tier', () => {
    for (const tier of ['interp', 'wasm']) {
      const r = tsbpf('run', firewall, '--pcap', pcap, '--summary', '--tier', tier, '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { tier: string; packets: number; verdicts: Record<string, number>; faults: number; packetsPerSecond: number };
      expect(out).toMatchObject({ tier, packets: 42, verdicts: { XDP_PASS: 30, XDP_DROP: 12 }, faults: 0 });
      expect(out.packetsPerSecond).toBeGreaterThan(0);
    }
  });

  it('prints a table for people, and refuses an unknown tier', () => {
    const r = tsbpf('run', firewall, '--pcap', pcap, '--summary', '--tier', 'wasm');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^xdp_firewall: 42 packets \(wasm tier\)$/m);
    expect(r.stdout).toMatch(/^ {2}XDP_PASS +30 +71\.4%$/m);
    expect(r.stdout).toMatch(/packets\/s \(.* ms, compiled in .* ms\)$/m);
    const bad = tsbpf('run', firewall, '--pcap', pcap, '--summary', '--tier', 'jit');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tier: expected interp, wasm, auto, found jit');
  });
});
