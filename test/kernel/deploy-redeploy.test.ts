// Redeploying while traffic flows: a paced UDP burst of a flow the policies keep allowing runs across a
// rules-only update (generation flip in the pinned maps) and across a change that needs new programs and maps
// (LINK_UPDATE on the pinned links); every datagram sent must arrive, and the new rules must be in force
// right after each deploy returns.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { interfaceStatus } from '../../cli/commands/status.ts';
import { deployPolicies, type DeployResult } from '../../cli/deploy/deploy.ts';
import { readState, stateId } from '../../cli/deploy/state.ts';
import { deployHarness } from '../support/deploy-traffic.ts';
import { ADDR_A, ADDR_B, lineReader, TRAFFIC_SCRIPT } from '../support/netns.ts';
import { available, bpftool, clang19, kernelBpf } from '../support/require.ts';

const BASE = `import { policy } from 'tsbpf';
export default policy({ name: 'base', host: true, ingress: [{ name: 'udp-7001', ports: [{ port: 7001, protocol: 'UDP' }] }] });
`;
const EXTRA = `import { policy } from 'tsbpf';
export default policy({ name: 'extra', host: true, ingress: [{ name: 'udp-7005', ports: [{ port: 7005, protocol: 'UDP' }] }] });
`;
// 150 separate ports: more policy map entries than the first build's map holds, so the map layout changes
const MANY = `import { policy } from 'tsbpf';
export default policy({ name: 'many', host: true, ingress: [{ name: 'many-ports', ports: Array.from({ length: 150 }, (_, i) => ({ port: 10000 + 2 * i, protocol: 'UDP' as const })) }] });
`;

describe.runIf(available('redeploy under traffic', kernelBpf, clang19, bpftool))('tsbpf redeploy under traffic', () => {

  const h = deployHarness({ name: 'redeploy' });

  beforeAll(async () => {
    for (const [name, text] of [['base', BASE], ['extra', EXTRA], ['many', MANY]] as const) {
      writeFileSync(join(h.dir, `${name}.ts`), text);
      writeFileSync(join(h.dir, `${name}.endpoints.yaml`), `host: [${ADDR_B}]\n`);
    }
  });

  /** Runs `during` while COUNT datagrams to `port` are sent at RATE; returns sent, received, and whether the burst outlasted `during`. */
  async function burst(port: number, count: number, rate: number, during: () => Promise<unknown>): Promise<{ sent: number; received: number; overlapped: boolean }> {
    const recv = h.pair.spawn(h.pair.b, process.execPath, [TRAFFIC_SCRIPT, 'recv', ADDR_B, String(port), String(count), '500', '30000']);
    const rl = lineReader(recv);
    expect(await rl.next(5000)).toBe('ready');
    const send = h.pair.spawn(h.pair.a, process.execPath, [TRAFFIC_SCRIPT, 'send', ADDR_A, '47000', ADDR_B, String(port), String(count), String(rate)]);
    const sl = lineReader(send);
    await new Promise((r) => setTimeout(r, 200));
    await during();
    const overlapped = send.exitCode === null;
    const sent = (JSON.parse(await sl.next(30000)) as { sent: number }).sent;
    const received = (JSON.parse(await rl.next(30000)) as { received: number }).received;
    return { sent, received, overlapped };
  }

  async function udp(port: number, count = 20): Promise<number> {
    const recv = h.pair.spawn(h.pair.b, process.execPath, [TRAFFIC_SCRIPT, 'recv', ADDR_B, String(port), String(count), '300', '5000']);
    const rl = lineReader(recv);
    expect(await rl.next(5000)).toBe('ready');
    h.pair.exec(h.pair.a, process.execPath, [TRAFFIC_SCRIPT, 'send', ADDR_A, '47000', ADDR_B, String(port), String(count), '2000']);
    return (JSON.parse(await rl.next(8000)) as { received: number }).received;
  }

  it('loses no datagram of an allowed flow across a rules-only update, and the new rule is in force right after', async () => {
    expect((await deployPolicies([join(h.dir, 'base.ts')], h.target)).action).toBe('fresh');
    expect(await udp(7005)).toBe(0);
    let r: DeployResult | undefined;
    const b = await burst(7001, 8000, 2000, async () => (r = await deployPolicies([join(h.dir, 'extra.ts')], h.target)));
    expect(r!.action).toBe('rules');
    expect(b.overlapped).toBe(true);
    expect(b.sent).toBe(8000);
    expect(b.received).toBe(b.sent);
    expect(await udp(7005)).toBe(20);
  });

  it('loses no datagram across new programs and maps swapped in with LINK_UPDATE', async () => {
    const before = Object.values(r0()).map((l) => l.path);
    const ids = () => interfaceStatus(h.target.stateDir).flatMap((x) => x.programs).map((p) => [p.linkId, p.programId]);
    const idsBefore = ids();
    // a dry run says beforehand that the policy map must grow, and changes nothing
    const stateBefore = JSON.stringify(readState(h.target.stateDir!, stateId(h.pair.b.iface, h.pair.b.name)));
    const plan = await deployPolicies([join(h.dir, 'many.ts')], { ...h.target, dryRun: true });
    expect(plan.action).toBe('code');
    expect(plan.layoutChanges).toEqual([expect.stringMatching(/^map policy: max entries 256 → \d+$/)]);
    expect(JSON.stringify(readState(h.target.stateDir!, stateId(h.pair.b.iface, h.pair.b.name)))).toBe(stateBefore);
    expect(ids()).toEqual(idsBefore);
    let r: DeployResult | undefined;
    const b = await burst(7001, 8000, 2000, async () => (r = await deployPolicies([join(h.dir, 'many.ts')], h.target)));
    expect(r!.action).toBe('code');
    expect(r!.warnings.join('\n')).toMatch(/layout changes \(map policy: max entries 256/);
    // the same pinned links, now running the new programs
    expect(Object.values(r!.state!.links).map((l) => l.path)).toEqual(before);
    const idsAfter = ids();
    expect(idsAfter.map(([link]) => link)).toEqual(idsBefore.map(([link]) => link));
    for (let i = 0; i < idsAfter.length; i++) expect(idsAfter[i]![1]).not.toBe(idsBefore[i]![1]);
    expect(b.overlapped).toBe(true);
    expect(b.received).toBe(b.sent);
    expect(await udp(10000)).toBe(20);
    expect(await udp(10001)).toBe(0);
    expect(await udp(7005)).toBe(20);
  });

  const r0 = () => readState(h.target.stateDir!, stateId(h.pair.b.iface, h.pair.b.name))!.links;
});
