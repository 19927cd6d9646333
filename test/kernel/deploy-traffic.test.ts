// `tsbpf deploy` end to end: policies compiled, checked, loaded, attached with pinned tcx links on the far
// end of a veth made by this file, and judged by real sockets. UDP datagrams and TCP connections go from
// side A to side B (where the policies are deployed); the Prometheus exporter's counters must equal the test's
// packets (IPv6 is off and neighbours are static, so nothing else crosses the link). Then a second policy on
// the same interface (the union of allows), undeploying one (the other stays in force), and `undeploy --all`
// (bpftool finds none of our programs, maps or links, and no pins are left).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { interfaceStatus } from '../../cli/commands/status.ts';
import { topSamples } from '../../cli/commands/top.ts';
import { renderTopFrame } from '../../cli/deploy/top-frame.ts';
import { deployPolicies, undeployPolicy } from '../../cli/deploy/deploy.ts';
import { stateFile, stateId } from '../../cli/deploy/state.ts';
import { mapGetInfo, openPinned } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { ADDR_A, ADDR_B } from '../support/netns.ts';
import { bpfObjectsLeft, deployHarness, tcpEcho, udpReceived } from '../support/deploy-traffic.ts';
import { available, bpftool, clang19, kernelBpf } from '../support/require.ts';

const PACKETS = 40;
const RATE = 2000;

const UDP_ONLY = `import { cidr, policy } from 'tsbpf';
export default policy({
  name: 'udp-and-tcp',
  host: true,
  ingress: [
    { name: 'udp-7001', from: [cidr('${ADDR_A}/32')], ports: [{ port: 7001, protocol: 'UDP' }] },
    { name: 'tcp-7002', ports: [{ port: 7002 }] },
  ],
});
`;
const SECOND = `import { policy } from 'tsbpf';
export default policy({ name: 'udp-7005', host: true, ingress: [{ name: 'udp-7005', ports: [{ port: 7005, protocol: 'UDP' }] }] });
`;

describe.runIf(available('deploy under real traffic', kernelBpf, clang19, bpftool))('tsbpf deploy under real traffic', () => {
  let first: string;
  let second: string;
  const programIds = new Set<number>();
  const mapIds = new Set<number>();

  const h = deployHarness({ name: 'deploy', metrics: true });

  beforeAll(async () => {
    first = join(h.dir, 'first.ts');
    second = join(h.dir, 'second.ts');
    writeFileSync(first, UDP_ONLY);
    writeFileSync(second, SECOND);
    // the host entity: side B's address
    for (const f of ['first', 'second']) writeFileSync(join(h.dir, `${f}.endpoints.yaml`), `host: [${ADDR_B}]\n`);
  });

  const udp = (port: number, count = PACKETS) => udpReceived(h.pair, port, count, RATE);
  const tcp = (port: number) => tcpEcho(h.pair, port);
  const metrics = () => h.metrics();
  const iface = () => h.iface;

  it('deploys a policy that delivers allowed traffic, drops the rest, and counts both in /metrics', async () => {
    const r = await deployPolicies([first], h.target);
    expect(r.action).toBe('fresh');
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(await udp(7001)).toBe(PACKETS);
    expect(await udp(7003)).toBe(0);
    const m = await metrics();
    expect(m.get(`tsbpf_rule_packets_total{interface="${iface()}",policy="udp-and-tcp",rule="udp-7001",direction="ingress",verdict="allow"}`)).toBe(PACKETS);
    expect(m.get(`tsbpf_policy_verdicts_total{interface="${iface()}",direction="ingress",match="allow",action="forwarded"}`)).toBe(PACKETS);
    expect(m.get(`tsbpf_policy_verdicts_total{interface="${iface()}",direction="ingress",match="default-deny",action="dropped"}`)).toBe(PACKETS);
    expect(m.get(`tsbpf_drop_count_total{interface="${iface()}",reason="default-deny",direction="ingress"}`)).toBe(PACKETS);
    // `tsbpf top` renders the same counters
    const frame = renderTopFrame(topSamples(h.target.stateDir), undefined, 0, new Date());
    expect(frame.some((l) => new RegExp(`^\\s+udp-and-tcp/udp-7001\\s+ingress\\s+${PACKETS}\\s+-$`).test(l))).toBe(true);
    // a TCP connection to the allowed port works both ways (its replies pass as a tracked connection)
    expect(await tcp(7002)).toBe('echoed');
    expect(await tcp(7004)).toBe('timeout');
    const status = interfaceStatus(h.target.stateDir);
    expect(status).toHaveLength(1);
    expect(status[0]!.programs.map((p) => p.hook).sort()).toEqual(['tcx/egress', 'tcx/ingress']);
    for (const p of status[0]!.programs) programIds.add(p.programId!);
    // deploying the same set again changes nothing
    expect((await deployPolicies([first], h.target)).action).toBe('unchanged');
  });

  it('gives the union of two policies on one interface, and undeploying one leaves the other in force', async () => {
    const r = await deployPolicies([second], h.target);
    expect(r.action).toBe('rules');
    expect(r.state!.policies.map((p) => p.names[0])).toEqual(['udp-and-tcp', 'udp-7005']);
    expect(await udp(7005)).toBe(PACKETS);
    expect(await udp(7001)).toBe(PACKETS);
    const m = await metrics();
    expect(m.get(`tsbpf_rule_packets_total{interface="${iface()}",policy="udp-7005",rule="udp-7005",direction="ingress",verdict="allow"}`)).toBe(PACKETS);
    // counters of the first policy's rule carry over the generation flip
    expect(m.get(`tsbpf_rule_packets_total{interface="${iface()}",policy="udp-and-tcp",rule="udp-7001",direction="ingress",verdict="allow"}`)).toBe(2 * PACKETS);

    const u = await undeployPolicy(first, h.target);
    expect(u.state!.policies.map((p) => p.names[0])).toEqual(['udp-7005']);
    expect(await udp(7005)).toBe(PACKETS);
    expect(await udp(7001)).toBe(0);
    for (const p of interfaceStatus(h.target.stateDir)[0]!.programs) programIds.add(p.programId!);
  });

  it('refuses a policy whose test vectors fail and leaves the deployment in force', async () => {
    const bad = join(h.dir, 'bad.ts');
    writeFileSync(bad, SECOND.replace(/udp-7005/g, 'udp-7009').replace('7005', '7009'));
    writeFileSync(join(h.dir, 'bad.endpoints.yaml'), `host: [${ADDR_B}]\n`);
    // the vector expects 7009 to be denied, which the policy allows
    writeFileSync(join(h.dir, 'bad.vectors.yaml'), `cases:\n  - name: wrong expectation\n    packets:\n      - { direction: ingress, src: ${ADDR_A}, dst: ${ADDR_B}, protocol: udp, dport: 7009, expect: deny }\n`);
    const before = readFileSync(stateFile(h.target.stateDir!, stateId(h.pair.b.iface, h.pair.b.name)), 'utf8');
    await expect(deployPolicies([bad], h.target)).rejects.toThrow(/deploy refused: 1 check failed, first: vectors .*bad\.ts: wrong expectation: packet 1: expected deny, got allow/);
    expect(readFileSync(stateFile(h.target.stateDir!, stateId(h.pair.b.iface, h.pair.b.name)), 'utf8')).toBe(before);
    expect(await udp(7009, 10)).toBe(0);
    expect(await udp(7005, 10)).toBe(10);
  });

  it('undeploy --all leaves no program, map, link or pin of ours', async () => {
    const state = interfaceStatus(h.target.stateDir)[0]!;
    expect(state.policies).toHaveLength(1);
    const pinDir = join(h.target.pinRoot!, `${h.pair.b.name}@${h.pair.b.iface}`);
    for (const name of ['rule_counters', 'verdict_counters', 'conntrack', 'policy']) {
      const fd = openPinned(join(pinDir, 'maps', name));
      mapIds.add(mapGetInfo(fd).id);
      fd.close();
    }
    const r = spawnSync('npx', ['tsx', join(repoRoot, 'cli/main.ts'), 'undeploy', '--all', '--pin', h.target.pinRoot!, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, TSBPF_STATE_DIR: h.target.stateDir! },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ removed: [`${h.pair.b.name}@${h.pair.b.iface}`] });
    expect(existsSync(h.target.pinRoot!)).toBe(false);
    expect(interfaceStatus(h.target.stateDir)).toEqual([]);
    const left = await bpfObjectsLeft(programIds, mapIds);
    expect(programIds.size).toBeGreaterThanOrEqual(2);
    expect(mapIds.size).toBe(4);
    expect(left).toBe(0);
    // and traffic flows unfiltered again
    expect(await udp(7001)).toBe(PACKETS);
  });
});
