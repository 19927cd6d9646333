// `tsbpf deploy --mode xdp` end to end: the receive side of a host policy runs as an XDP program on the far end
// of a veth made by this file (the send side stays on tcx egress, over the same pinned maps), judged by real
// sockets; the Prometheus exporter's counters must equal the test's packets (IPv6 is off and neighbours are
// static, so nothing else crosses the link). Then a switch to --mode tc and back (reported, the maps kept),
// and `undeploy --all` (bpftool finds none of our programs, maps or links, and no pins are left).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMetrics } from '../../cli/commands/metrics.ts';
import { interfaceStatus } from '../../cli/commands/status.ts';
import { deployPolicies, undeployAll, type DeployOptions } from '../../cli/deploy/deploy.ts';
import { compilePolicy } from '../../compiler/cgen/index.ts';
import { preparePolicy } from '../../cli/commands/policy-pipeline.ts';
import { mapGetInfo, openPinned } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { ADDR_A, ADDR_B, createNetnsPair, destroyAllNetns, liveNetnsPairs, type NetnsPair } from '../support/netns.ts';
import { scrapeMetrics, tcpEcho, udpReceived } from '../support/deploy-traffic.ts';
import { available, bpftool, clang19, kernelBpf, setpriv } from '../support/require.ts';

const PACKETS = 30;
const RATE = 2000;

const POLICY = `import { cidr, policy } from 'tsbpf';
export default policy({
  name: 'xdp-host',
  host: true,
  ingress: [
    { name: 'udp-7001', from: [cidr('${ADDR_A}/32')], ports: [{ port: 7001, protocol: 'UDP' }] },
    { name: 'tcp-7002', ports: [{ port: 7002 }] },
  ],
});
`;

describe.runIf(available('deploy --mode xdp under real traffic', kernelBpf, clang19, bpftool))('tsbpf deploy --mode xdp under real traffic', () => {
  let pair: NetnsPair;
  let dir: string;
  let target: DeployOptions;
  let server: Server;
  let file: string;
  const programIds = new Set<number>();
  const mapIds = new Set<number>();

  beforeAll(async () => {
    pair = createNetnsPair();
    dir = mkdtempSync('/tmp/tsbpf-deploy-xdp-');
    file = join(dir, 'host.ts');
    writeFileSync(file, POLICY);
    writeFileSync(join(dir, 'host.endpoints.yaml'), `host: [${ADDR_B}]\n`);
    target = { iface: pair.b.iface, netns: pair.b.name, pinRoot: `/sys/fs/bpf/tsbpf-xdp-test-${process.pid}`, stateDir: join(dir, 'state'), driver: 'native' };
    server = await serveMetrics({ listen: '127.0.0.1:0', stateDir: target.stateDir! });
  });

  afterAll(() => {
    server?.close();
    try {
      if (target !== undefined) undeployAll({ stateDir: target.stateDir!, pinRoot: target.pinRoot! });
    } finally {
      pair?.destroy();
      destroyAllNetns();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }
    expect(liveNetnsPairs()).toBe(0);
  });

  const udp = (port: number, count = PACKETS) => udpReceived(pair, port, count, RATE);
  const tcp = (port: number) => tcpEcho(pair, port);
  async function metrics(): Promise<Map<string, number>> {
    const { contentType, values } = await scrapeMetrics(server);
    return values;
  }

  const iface = () => `${pair.b.name}/${pair.b.iface}`;
  const conntrackId = () => {
    const fd = openPinned(join(target.pinRoot!, `${pair.b.name}@${pair.b.iface}`, 'maps', 'conntrack'));
    try {
      return mapGetInfo(fd).id;
    } finally {
      fd.close();
    }
  };
  const collect = () => {
    for (const p of interfaceStatus(target.stateDir)[0]?.programs ?? []) if (p.programId !== null) programIds.add(p.programId);
  };

  it('the XDP build loads with CAP_BPF and CAP_NET_ADMIN only (the seed promise)', async () => {
    if (!available('setpriv', setpriv)) return;
    const p = await preparePolicy(join(repoRoot, 'examples', 'web-tier.ts'), { driver: 'native' });
    const x = await compilePolicy(p.model, { attachMode: 'xdp', driver: 'native' });
    const obj = join(dir, 'web-tier-xdp.o');
    writeFileSync(obj, x.object);
    const caps = '-all,+bpf,+net_admin';
    const child = fileURLToPath(new URL('./policy-load.child.ts', import.meta.url));
    const out = execFileSync('setpriv', [`--inh-caps=${caps}`, `--ambient-caps=${caps}`, `--bounding-set=${caps}`, join(repoRoot, 'node_modules/.bin/tsx'), child, obj], { cwd: repoRoot, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1) ?? 'null')).toEqual({ loaded: ['policy_to_endpoint', 'policy_from_endpoint'] });
  });

  it('runs the receive side on XDP: allowed traffic delivered, denied dropped, counted in /metrics', async () => {
    const r = await deployPolicies([file], { ...target, mode: 'xdp' });
    expect(r.action).toBe('fresh');
    expect(r.state!.mode).toBe('xdp');
    const status = interfaceStatus(target.stateDir);
    expect(status[0]!.mode).toMatch(/^xdp/);
    expect(status[0]!.programs.map((p) => [p.name, p.hook])).toEqual([
      ['policy_ingress', 'xdp'],
      ['policy_egress', 'tcx/egress'],
    ]);
    collect();
    // the kernel has our program on the interface's XDP hook
    const net = JSON.parse(execFileSync('ip', ['-n', pair.b.name, '-j', 'link', 'show', pair.b.iface], { encoding: 'utf8' })) as { xdp?: { prog?: { id: number } } }[];
    expect(programIds.has(net[0]?.xdp?.prog?.id ?? -1)).toBe(true);

    expect(await udp(7001)).toBe(PACKETS);
    expect(await udp(7003)).toBe(0);
    const m = await metrics();
    expect(m.get(`tsbpf_rule_packets_total{interface="${iface()}",policy="xdp-host",rule="udp-7001",direction="ingress",verdict="allow"}`)).toBe(PACKETS);
    expect(m.get(`tsbpf_policy_verdicts_total{interface="${iface()}",direction="ingress",match="allow",action="forwarded"}`)).toBe(PACKETS);
    expect(m.get(`tsbpf_policy_verdicts_total{interface="${iface()}",direction="ingress",match="default-deny",action="dropped"}`)).toBe(PACKETS);
    // a TCP connection to the allowed port works both ways: the XDP program tracks it, tcx egress sees the reply
    expect(await tcp(7002)).toBe('echoed');
    expect(await tcp(7004)).toBe('timeout');
  });

  it('switches to --mode tc and back, saying so, over the same connection tracking', async () => {
    const ct = conntrackId();
    const toTc = await deployPolicies([file], { ...target, mode: 'tc' });
    expect(toTc.action).toBe('code');
    expect(toTc.warnings.some((w) => /^switching .* from --mode xdp to --mode tc/.test(w))).toBe(true);
    expect(interfaceStatus(target.stateDir)[0]!.programs.map((p) => p.hook)).toEqual(['tcx/ingress', 'tcx/egress']);
    collect();
    expect(conntrackId()).toBe(ct);
    expect(await udp(7001, 10)).toBe(10);
    expect(await udp(7003, 10)).toBe(0);
    const back = await deployPolicies([file], { ...target, mode: 'xdp' });
    expect(back.warnings.some((w) => /from --mode tc to --mode xdp/.test(w))).toBe(true);
    expect(back.state!.mode).toBe('xdp');
    expect(conntrackId()).toBe(ct);
    collect();
    expect(await udp(7001, 10)).toBe(10);
    expect(await udp(7003, 10)).toBe(0);
  });

  it('undeploy --all leaves no program, map, link or pin of ours', async () => {
    const pinDir = join(target.pinRoot!, `${pair.b.name}@${pair.b.iface}`);
    for (const name of ['rule_counters', 'conntrack', 'policy', 'xdp_head']) {
      const fd = openPinned(join(pinDir, 'maps', name));
      mapIds.add(mapGetInfo(fd).id);
      fd.close();
    }
    expect(undeployAll({ stateDir: target.stateDir!, pinRoot: target.pinRoot! })).toEqual([`${pair.b.name}@${pair.b.iface}`]);
    expect(existsSync(target.pinRoot!)).toBe(false);
    expect(interfaceStatus(target.stateDir)).toEqual([]);
    const left = () => {
      const progs = (JSON.parse(execFileSync('bpftool', ['prog', 'list', '-j'], { encoding: 'utf8' })) as { id: number }[]).filter((p) => programIds.has(p.id));
      const maps = (JSON.parse(execFileSync('bpftool', ['map', 'list', '-j'], { encoding: 'utf8' })) as { id: number }[]).filter((x) => mapIds.has(x.id));
      const links = (JSON.parse(execFileSync('bpftool', ['link', 'list', '-j'], { encoding: 'utf8' })) as { prog_id?: number }[]).filter((l) => l.prog_id !== undefined && programIds.has(l.prog_id));
      return progs.length + maps.length + links.length;
    };
    for (let i = 0; i < 40 && left() > 0; i++) await new Promise((res) => setTimeout(res, 50));
    expect(programIds.size).toBeGreaterThanOrEqual(4);
    expect(left()).toBe(0);
    // and traffic flows unfiltered again
    expect(await udp(7003, 10)).toBe(10);
  });
});
