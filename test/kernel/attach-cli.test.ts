// `tsbpf attach` / `tsbpf detach` end to end, on a veth in namespaces this file makes: netlink XDP, a pinned
// tcx link whose pinned map counts real traffic, a legacy TC filter from a pinned program, a cgroup link;
// refusals exit 2 (usage) or 1 (the kernel said no).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupPath } from '../../loader/attach/index.ts';
import { bpfFilterProgIds, inNetns, netLink } from '../../loader/netlink/index.ts';
import { mapLookup, trackFds, type FdTracker } from '../../loader/index.ts';
import { openPinned } from '../../loader/pin.ts';
import { repoRoot } from '../corpora.ts';
import { leftoversAfterCleanup, ProgramIds, createNetnsPair, destroyAllNetns, perCpuSum, sendUdp, settled, type NetnsPair } from '../support/netns.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';

const run = available('tsbpf attach', kernelBpf, bpftool);
const ours = new ProgramIds();
const TRAFFIC = join(repoRoot, 'test/fixtures/traffic.o');
const bundleDir = join(repoRoot, 'node_modules/.cache/tsbpf-attach-cli-test');
const bundle = join(bundleDir, `cli-${process.pid}.mjs`);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
}

function tsbpf(...args: string[]): Run {
  const r = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    // human output
  }
  const id = json['programId'] ?? /\(id (\d+)\)/.exec(r.stdout)?.[1];
  if (id !== undefined) ours.ids.add(Number(id));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

describe.runIf(run)('tsbpf attach and detach', () => {
  let pair: NetnsPair;
  let fds: FdTracker;
  let pins: string;

  beforeAll(async () => {
    fds = trackFds();
    mkdirSync(bundleDir, { recursive: true });
    // a private bundle (koffi stays external and resolves from the repository's node_modules)
    await build({
      entryPoints: [join(repoRoot, 'cli/main.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['koffi', '@yowasp/clang'],
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
      logLevel: 'error',
    });
    pins = mkdtempSync('/sys/fs/bpf/tsbpf-cli-');
    pair = createNetnsPair();
  });

  afterAll(async () => {
    pair?.destroy();
    destroyAllNetns();
    if (pins) rmSync(pins, { recursive: true, force: true });
    rmSync(bundle, { force: true });
    rmSync(`${bundle}.map`, { force: true });
    fds.stop();
    fds.assertAllClosed();
    expect(await leftoversAfterCleanup(ours)).toEqual({ programs: [], links: [] });
  });

  it('attaches and detaches xdp through netlink; the kernel keeps it after the command exits', () => {
    const xdp = (): number => inNetns(pair.b.path, () => netLink(pair.b.iface)).xdpProgId;
    const r = tsbpf('attach', 'xdp', pair.b.iface, TRAFFIC, '--program', 'xdp_count_drop', '--via', 'netlink', '--mode', 'skb', '--netns', pair.b.name, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({ hook: 'xdp', target: pair.b.iface, program: 'xdp_count_drop', via: 'netlink', mode: 'skb' });
    expect(xdp()).toBe(r.json['programId']);

    const d = tsbpf('detach', 'xdp', pair.b.iface, '--mode', 'skb', '--netns', pair.b.name, '--json');
    expect(d.status).toBe(0);
    expect(d.json).toMatchObject({ detached: 'xdp', via: 'netlink' });
    expect(xdp()).toBe(0);
  });

  it('attaches a pinned tcx link whose pinned map counts real traffic, then detaches it by its pin', async () => {
    const link = join(pins, 'tcx-link');
    const dir = join(pins, 'traffic');
    const r = tsbpf('attach', 'tcx', pair.b.iface, TRAFFIC, '--program', 'tcx_count_drop', '--pin', link, '--pin-dir', dir, '--netns', pair.b.name, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({ hook: 'tcx', direction: 'ingress', via: 'link', pinned: link, pinDir: dir });
    expect(r.json['linkId']).toBeGreaterThan(0);

    using counts = openPinned(join(dir, 'maps/counts'));
    const sent = sendUdp(pair, { count: 200, rate: 10_000 });
    expect(sent.sent).toBe(200);
    expect(await settled(() => perCpuSum(mapLookup(counts, new Uint8Array(4))))).toBe(200);

    const d = tsbpf('detach', '--pinned', link, '--json');
    expect(d.status).toBe(0);
    expect(d.json).toMatchObject({ detached: 'tcx', linkId: r.json['linkId'], unpinned: link });
    expect(existsSync(link)).toBe(false);
    sendUdp(pair, { count: 50, rate: 10_000 });
    expect(perCpuSum(mapLookup(counts, new Uint8Array(4)))).toBe(200);
    rmSync(dir, { recursive: true });
  });

  it('attaches a pinned program as a tc filter and detaches it by interface and direction', () => {
    const dir = join(pins, 'tc');
    const ifindex = inNetns(pair.b.path, () => netLink(pair.b.iface)).index;
    const ids = (): number[] => inNetns(pair.b.path, () => bpfFilterProgIds({ ifindex, direction: 'egress' }));
    const load = tsbpf('attach', 'tc', pair.b.iface, TRAFFIC, '--program', 'tc_count_drop', '--direction', 'egress', '--netns', pair.b.name, '--json', '--pin-dir', dir);
    expect(load.status).toBe(0);
    expect(ids()).toEqual([load.json['programId']]);
    expect(tsbpf('detach', 'tc', pair.b.iface, '--direction', 'egress', '--netns', pair.b.name).status).toBe(0);
    expect(ids()).toEqual([]);

    const r = tsbpf('attach', 'tc', pair.b.iface, '--pinned-program', join(dir, 'programs/tc_count_drop'), '--direction', 'egress', '--netns', pair.b.name);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^attached tc_count_drop \(id \d+\) to tc egress on /);
    expect(ids()).toHaveLength(1);
    expect(tsbpf('detach', 'tc', pair.b.iface, '--direction', 'egress', '--netns', pair.b.name).status).toBe(0);
    expect(ids()).toEqual([]);
    rmSync(dir, { recursive: true });
  });

  it('attaches a cgroup skb link to a test cgroup and detaches it', () => {
    const cg = `tsbpf-cli-${process.pid}`;
    mkdirSync(cgroupPath(cg));
    try {
      const link = join(pins, 'cgroup-link');
      const r = tsbpf('attach', 'cgroup', cg, TRAFFIC, '--direction', 'egress', '--pin', link, '--json');
      expect(r.stderr).toBe('');
      expect(r.json).toMatchObject({ hook: 'cgroup', program: 'cgroup_count_drop', direction: 'egress', via: 'link' });
      expect(tsbpf('detach', '--pinned', link).status).toBe(0);
    } finally {
      rmdirSync(cgroupPath(cg));
    }
  });

  it('refuses what it cannot do: exit 2 for usage, 1 when the kernel says no', () => {
    const socket = tsbpf('attach', 'socket', 'lo', TRAFFIC);
    expect(socket.status).toBe(2);
    expect(socket.stderr).toMatch(/socket filters attach to a socket owned by the calling process/);
    expect(tsbpf('attach', 'tcx', pair.b.iface, TRAFFIC, '--netns', pair.b.name).stderr).toMatch(/several programs fit hook tcx|give --pin/);
    expect(tsbpf('attach', 'tcx', pair.b.iface, TRAFFIC, '--program', 'tcx_count_drop', '--netns', pair.b.name).status).toBe(2); // no --pin
    expect(tsbpf('attach', 'xdp', pair.b.iface, join(repoRoot, 'test/fixtures/nope.o'), '--via', 'netlink').status).toBe(2);
    expect(tsbpf('detach', 'tcx', pair.b.iface).stderr).toMatch(/detach them with --pinned PATH/);
    const wrongType = tsbpf('attach', 'xdp', pair.b.iface, TRAFFIC, '--pinned-program', '/sys/fs/bpf/tsbpf-none', '--via', 'netlink');
    expect(wrongType.status).toBe(2);
    const noDevice = tsbpf('attach', 'xdp', 'tsbpf-none0', TRAFFIC, '--program', 'xdp_count_drop', '--via', 'netlink', '--netns', pair.b.name);
    expect(noDevice.status).toBe(1);
    expect(noDevice.stderr).toMatch(/no such device \(ENODEV\)/);
  });
});
