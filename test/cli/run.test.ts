// `tsbpf run`: programs on packets in the simulator, from the command line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../bpf/asm/index.ts';
import { writeObject, type ObjectSpec } from '../../bpf/index.ts';
import { packet, writePcap } from '../../simulator/packet/index.ts';
import { repoRoot } from '../corpora.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// From source through tsx: test/cli/cli.test.ts rebuilds dist/ meanwhile, so the bundle may be half-written.
const tsbpf = (...args: string[]) => {
  const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'cli/main.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const firewall = join(repoRoot, 'test/fixtures/xdp_firewall.o');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const udp53 = packet.eth({}).ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).udp({ sport: 1000, dport: 53 }).payload('q').build();

describe('tsbpf run', () => {
  it('runs a packet given as hex and says what the program did', () => {
    const r = tsbpf('run', firewall, '--packet', hex(udp53));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^packet 0: XDP_PASS \(r0 2, \d+ instructions\)$/m);
  });

  it('runs every frame of a pcap file and prints JSON', () => {
    const pcap = join(tmp, 'frames.pcap');
    const runt = new Uint8Array(14);
    runt[12] = 0x08; // IPv4 with no IP header: malformed, dropped
    writeFileSync(pcap, writePcap([{ data: udp53 }, { data: runt }]));
    const r = tsbpf('run', firewall, '--pcap', pcap, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.program).toBe('xdp_firewall');
    expect(out.results.map((x: { action: string }) => x.action)).toEqual(['XDP_PASS', 'XDP_DROP']);
    expect(out.results[0].output).toBe(hex(udp53));
    expect(out.results[0].changed).toBe(false);
  });

  it('exits 1 with the instruction when the program faults', () => {
    const spec: ObjectSpec = {
      programs: [{ name: 'oob', section: 'xdp', type: 6, expectedAttachType: 37, function: 'oob' }],
      functions: [
        { name: 'oob', section: 'xdp', global: true, instructions: assemble('r0 = *(u32 *)(r1 + 0x100)\nexit'), references: [], lineInfo: [], coreRelocations: [] },
      ],
      maps: [],
      data: [],
      license: 'GPL',
    };
    const file = join(tmp, 'oob.o');
    writeFileSync(file, writeObject(spec));
    const r = tsbpf('run', file, '--packet', hex(udp53), '--unverified');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^packet 0: fault: .*instruction 0/m);
  });

  it('refuses a program the verifier rejects, with the kernel\'s wording and the instruction', () => {
    const r = tsbpf('run', join(repoRoot, 'test/fixtures/bad_bounds.o'), '--packet', hex(udp53));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/program bad_bounds: the verifier \(linux-6\.18\) refuses it: instruction \d+ \(.*bad_bounds\.c:\d+: .*\): invalid access to packet/);
  });

  it('says where a redirecting program sent the packet', () => {
    const frame = new Uint8Array(60);
    frame[3] = 4; // sim_xdp_adjust: byte 3 picks bpf_redirect, byte 4 the ifindex
    frame[4] = 5;
    const text = tsbpf('run', join(repoRoot, 'test/fixtures/sim_xdp_adjust.o'), '--packet', hex(frame));
    expect(text.stdout).toMatch(/^packet 0: XDP_REDIRECT .*\n  redirect: ifindex 5$/m);
    const json = JSON.parse(tsbpf('run', join(repoRoot, 'test/fixtures/sim_xdp_adjust.o'), '--packet', hex(frame), '--json').stdout);
    expect(json.results[0].redirect).toEqual({ helper: 'bpf_redirect', ifindex: 5, flags: 0 });
  });

  it('exits 2 on bad input', () => {
    expect(tsbpf('run', firewall, '--packet', 'xyz').code).toBe(2);
    expect(tsbpf('run', firewall).code).toBe(2);
    expect(tsbpf('run', join(repoRoot, 'test/fixtures/maps.o'), '--packet', hex(udp53)).stderr).toMatch(/give --program/);
  });
});
