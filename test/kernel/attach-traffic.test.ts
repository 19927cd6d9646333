// Programs attached by loader/attach drop and count real traffic: UDP sent from the far end of a veth, in
// network namespaces this file makes and removes. Counts are reconciled against what the sender reports,
// the interface counters and the receiving namespace's UDP counters, not against timing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { attachTc, attachTcx, attachXdp, type Link } from '../../loader/attach/index.ts';
import { bpfFilterProgIds, inNetns, netLink } from '../../loader/netlink/index.ts';
import { loadCollection, mapLookup, progGetInfo, trackFds, type Collection, type FdTracker } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import {
  leftoversAfterCleanup,
  ProgramIds,
  createNetnsPair,
  destroyAllNetns,
  liveNetnsPairs,
  perCpuSum,
  sendUdp,
  settled,
  type NetnsPair,
} from '../support/netns.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';

const run = available('attach traffic', kernelBpf, bpftool);
const ours = new ProgramIds();
const BPF_TCX_INGRESS = 46;
const BPF_TCX_EGRESS = 47;
const PACKETS = 1000;
const RATE = 20_000;

/** traffic.o with the tcx program given its expected attach type (its section is plain `tc`). */
function trafficSpec(): ObjectSpec {
  const spec = readObject(readFileSync(join(repoRoot, 'test/fixtures/traffic.o')));
  return {
    ...spec,
    programs: spec.programs.map((p) => (p.name === 'tcx_count_drop' ? { ...p, expectedAttachType: BPF_TCX_INGRESS } : p)),
  };
}

describe.runIf(run)('attached programs under real traffic', () => {
  let pair: NetnsPair;
  let fds: FdTracker;
  let spec: ObjectSpec;

  beforeAll(() => {
    fds = trackFds();
    spec = trafficSpec();
    pair = createNetnsPair();
  });

  afterAll(async () => {
    pair?.destroy();
    destroyAllNetns();
    expect(liveNetnsPairs()).toBe(0);
    fds.stop();
    fds.assertAllClosed();
    // programs are freed after an RCU grace period: allow a moment
    expect(await leftoversAfterCleanup(ours)).toEqual({ programs: [], links: [] });
  });

  /**
   * Sends PACKETS datagrams of the counted 5-tuple with `attach` in place and checks that every one that
   * left the sender's veth was counted and dropped (none reached the receiving namespace's UDP stack);
   * then detaches and checks that traffic flows again and is no longer counted.
   */
  async function dropsAndCounts(program: string, attach: (coll: Collection) => Link): Promise<void> {
    using coll = ours.add(loadCollection(spec));
    const counts = coll.maps.get('counts')!;
    const count = (): number => perCpuSum(mapLookup(counts, new Uint8Array(4)));
    const link = attach(coll);
    try {
      const a0 = pair.stats(pair.a);
      const b0 = pair.stats(pair.b);
      const udp0 = pair.udpStats(pair.b);
      const result = sendUdp(pair, { count: PACKETS, rate: RATE });
      const counted = await settled(count);
      const a1 = pair.stats(pair.a);
      const b1 = pair.stats(pair.b);
      const udp1 = pair.udpStats(pair.b);

      expect(result).toMatchObject({ sent: PACKETS, errors: {} });
      // the link carries only the test's packets (IPv6 off, static neighbours)
      const onWire = a1.txPackets - a0.txPackets;
      const lostOnVeth = a1.txDropped - a0.txDropped;
      expect(onWire).toBe(result.sent);
      expect(b1.rxPackets - b0.rxPackets + lostOnVeth).toBe(onWire);
      expect(counted).toBe(onWire - lostOnVeth);
      expect(lostOnVeth).toBeLessThanOrEqual(PACKETS / 100);
      // dropped: nothing reached UDP in the receiving namespace
      expect((udp1['InDatagrams'] ?? 0) - (udp0['InDatagrams'] ?? 0) + (udp1['NoPorts'] ?? 0) - (udp0['NoPorts'] ?? 0)).toBe(0);
      expect(progGetInfo(coll.programs.get(program)!).id).toBeGreaterThan(0);
    } finally {
      link.close();
    }
    expect(link.closed).toBe(true);

    // detached: packets reach the receiving namespace (no socket there: they count as NoPorts) uncounted
    const before = count();
    const udp0 = pair.udpStats(pair.b);
    const again = sendUdp(pair, { count: 100, rate: RATE });
    expect(again.sent).toBe(100);
    await settled(() => pair.udpStats(pair.b)['NoPorts'] ?? 0);
    expect((pair.udpStats(pair.b)['NoPorts'] ?? 0) - (udp0['NoPorts'] ?? 0)).toBe(100);
    expect(count()).toBe(before);
  }

  it.each([
    ['link', 'drv'],
    ['link', 'skb'],
    ['netlink', 'drv'],
    ['netlink', 'skb'],
  ] as const)('attachXdp() via %s in %s mode drops and counts every packet sent from the peer', async (via, mode) => {
    await dropsAndCounts('xdp_count_drop', (coll) => {
      const link = attachXdp(coll.programs.get('xdp_count_drop')!, pair.b.iface, { via, mode, netns: pair.b.path });
      const state = inNetns(pair.b.path, () => netLink(pair.b.iface));
      expect(state.xdpProgId).toBe(progGetInfo(coll.programs.get('xdp_count_drop')!).id);
      expect(state.xdpAttached).toBe(mode === 'drv' ? 1 : 2);
      expect(link).toMatchObject({ kind: 'xdp', via });
      return link;
    });
    expect(inNetns(pair.b.path, () => netLink(pair.b.iface)).xdpProgId).toBe(0);
  });

  it('attachTcx() on ingress drops and counts every packet sent from the peer', async () => {
    await dropsAndCounts('tcx_count_drop', (coll) => attachTcx(coll.programs.get('tcx_count_drop')!, pair.b.iface, 'ingress', { netns: pair.b.path }));
  });

  it('attachTcx() on egress drops and counts the packets before they reach the wire', async () => {
    const egressSpec = {
      ...spec,
      programs: spec.programs.map((p) => (p.name === 'tcx_count_drop' ? { ...p, expectedAttachType: BPF_TCX_EGRESS } : p)),
    };
    using coll = ours.add(loadCollection(egressSpec));
    const count = (): number => perCpuSum(mapLookup(coll.maps.get('counts')!, new Uint8Array(4)));
    using link = attachTcx(coll.programs.get('tcx_count_drop')!, pair.a.iface, 'egress', { netns: pair.a.path });
    const a0 = pair.stats(pair.a);
    const udp0 = pair.udpStats(pair.a);
    const result = sendUdp(pair, { count: 500, rate: RATE });
    // a TC drop on egress is not an error for UDP senders (the kernel counts it as a send-buffer error)
    expect(result).toMatchObject({ sent: 500, errors: {} });
    expect(await settled(count)).toBe(500);
    expect(pair.stats(pair.a).txPackets - a0.txPackets).toBe(0);
    expect((pair.udpStats(pair.a)['SndbufErrors'] ?? 0) - (udp0['SndbufErrors'] ?? 0)).toBe(500);
    expect(link.info().type).toBe(11); // BPF_LINK_TYPE_TCX
  });

  it('attachTc() (clsact + bpf filter over netlink) drops and counts every packet sent from the peer', async () => {
    const ifindex = (): number => inNetns(pair.b.path, () => netLink(pair.b.iface)).index;
    await dropsAndCounts('tc_count_drop', (coll) => {
      const link = attachTc(coll.programs.get('tc_count_drop')!, pair.b.iface, 'ingress', { netns: pair.b.path });
      const ids = inNetns(pair.b.path, () => bpfFilterProgIds({ ifindex: ifindex(), direction: 'ingress' }));
      expect(ids).toEqual([progGetInfo(coll.programs.get('tc_count_drop')!).id]);
      return link;
    });
    expect(inNetns(pair.b.path, () => bpfFilterProgIds({ ifindex: ifindex(), direction: 'ingress' }))).toEqual([]);
  });

  it('attachXdp() via netlink refuses to replace a program attached by someone else', () => {
    using coll = ours.add(loadCollection(spec));
    const prog = coll.programs.get('xdp_count_drop')!;
    using first = attachXdp(prog, pair.b.iface, { via: 'netlink', mode: 'skb', netns: pair.b.path });
    expect(() => attachXdp(prog, pair.b.iface, { via: 'netlink', mode: 'skb', netns: pair.b.path })).toThrow(/busy|exists/);
    expect(() => attachXdp(prog, pair.b.iface, { via: 'link', mode: 'skb', netns: pair.b.path })).toThrow(/busy|exists/);
    expect(first.closed).toBe(false);
  });

  it('attaching to a missing interface says which one', () => {
    using coll = ours.add(loadCollection(spec));
    expect(() => attachXdp(coll.programs.get('xdp_count_drop')!, 'tsbpf-none0', { netns: pair.b.path })).toThrow(
      /look up interface tsbpf-none0: no such device \(ENODEV\)/,
    );
  });
});
