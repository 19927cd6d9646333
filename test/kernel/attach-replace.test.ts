// Atomic replacement: while a paced UDP burst runs, an XDP link's program is swapped with LINK_UPDATE from
// version 1 (counts into key 0) to version 2 (key 1), both sharing one map. Every packet is counted by
// exactly one of them and delivered: none is lost to the replacement. Also: update() of the netlink and
// TC attachments, checked through the kernel's view.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { attachTc, attachXdp, BpfLink } from '../../loader/attach/index.ts';
import { bpfFilterProgIds, inNetns, netLink } from '../../loader/netlink/index.ts';
import { loadCollection, mapLookup, progGetInfo, trackFds, type Collection, type FdTracker } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import {
  leftoversAfterCleanup,
  ProgramIds,
  createNetnsPair,
  destroyAllNetns,
  DST_PORT,
  lineReader,
  perCpuSum,
  senderArgs,
  settled,
  type NetnsPair,
  type SendResult,
  TRAFFIC_SCRIPT,
} from '../support/netns.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';

const run = available('attach replace', kernelBpf, bpftool);
const ours = new ProgramIds();
const fixture = (name: string): ObjectSpec => readObject(readFileSync(join(repoRoot, 'test/fixtures', `${name}.o`)));

/** Version 2 of the counter, sharing version 1's maps (the loader's `reuse`): how a replacement keeps state. */
const version2 = (v1: Collection): Collection => loadCollection(fixture('count_v2'), { reuse: Object.fromEntries(v1.maps) });

describe.runIf(run)('replacing attached programs', () => {
  let pair: NetnsPair;
  let fds: FdTracker;

  beforeAll(() => {
    fds = trackFds();
    pair = createNetnsPair();
  });

  afterAll(async () => {
    pair?.destroy();
    destroyAllNetns();
    fds.stop();
    fds.assertAllClosed();
    expect(await leftoversAfterCleanup(ours)).toEqual({ programs: [], links: [] });
  });

  it('link.update() swaps version 1 for version 2 under a UDP burst without losing a packet', async () => {
    const PACKETS = 6000;
    const RATE = 4000;
    using v1 = ours.add(loadCollection(fixture('count_v1')));
    const counts = v1.maps.get('counts')!;
    using v2coll = ours.add(version2(v1));
    const v2 = v2coll.programs.get('xdp_count_v2')!;
    expect(progGetInfo(v2).mapIds).toEqual(progGetInfo(v1.programs.get('xdp_count_v1')!).mapIds);
    const key = (k: number): Uint8Array => Uint8Array.of(k, 0, 0, 0);
    const countedBy = (k: number): number => perCpuSum(mapLookup(counts, key(k)));

    const receiver = pair.spawn(pair.b, process.execPath, [TRAFFIC_SCRIPT, 'recv', pair.b.addr, String(DST_PORT), String(PACKETS), '3000', '25000']);
    const receiverOut = lineReader(receiver);
    expect(await receiverOut.next(10_000)).toBe('ready');
    const udp0 = pair.udpStats(pair.b);
    const a0 = pair.stats(pair.a);

    using link = attachXdp(v1.programs.get('xdp_count_v1')!, pair.b.iface, { via: 'link', mode: 'drv', netns: pair.b.path }) as BpfLink;
    const sender = pair.spawn(pair.a, process.execPath, senderArgs({ count: PACKETS, rate: RATE }));
    const sent = lineReader(sender).next(25_000);

    // replace once version 1 has seen a good part of the burst, while the sender keeps going
    const deadline = Date.now() + 15_000;
    while (countedBy(0) < PACKETS / 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const beforeUpdate = countedBy(0);
    link.update(v2, { oldProg: v1.programs.get('xdp_count_v1')! });
    expect(link.info().progId).toBe(progGetInfo(v2).id);

    const result = JSON.parse(await sent) as SendResult;
    // the receiver exits by itself once every datagram arrived: then nobody reads the "go", and the write may
    // fail with EPIPE, which is not an error of the test
    receiver.stdin?.on('error', () => {});
    receiver.stdin?.write('go\n');
    const received = (JSON.parse(await receiverOut.next(10_000)) as { received: number }).received;
    const a = await settled(() => countedBy(0));
    const b = await settled(() => countedBy(1));
    const udp1 = pair.udpStats(pair.b);
    const a1 = pair.stats(pair.a);

    const lostOnVeth = a1.txDropped - a0.txDropped;
    const rcvbufErrors = (udp1['RcvbufErrors'] ?? 0) - (udp0['RcvbufErrors'] ?? 0);
    console.info(
      `replace under traffic: sent ${result.sent} in ${result.ms} ms, v1 counted ${a}, v2 counted ${b}, received ${received}, ` +
        `veth drops ${lostOnVeth}, receive-buffer drops ${rcvbufErrors}`,
    );
    expect(result).toMatchObject({ sent: PACKETS, errors: {} });
    expect(beforeUpdate).toBeGreaterThan(0);
    expect(a).toBeGreaterThanOrEqual(beforeUpdate);
    expect(b).toBeGreaterThan(0); // the update happened under traffic
    expect(a1.txPackets - a0.txPackets).toBe(PACKETS);
    // every packet that crossed the veth was counted by exactly one version …
    expect(a + b).toBe(PACKETS - lostOnVeth);
    // … and delivered, except what the receive buffer overflowed (reported by the kernel)
    expect(received + rcvbufErrors).toBe(a + b);
    // both are reported by the kernel; on a loaded machine the receiver may fall behind, but not by much
    expect(lostOnVeth + rcvbufErrors).toBeLessThan(PACKETS / 2);
  });

  it('link.update() with a stale oldProg is refused and leaves the link as it was', () => {
    using v1 = ours.add(loadCollection(fixture('count_v1')));
    using v2coll = ours.add(version2(v1));
    const v2 = v2coll.programs.get('xdp_count_v2')!;
    using link = attachXdp(v1.programs.get('xdp_count_v1')!, pair.b.iface, { via: 'link', mode: 'skb', netns: pair.b.path }) as BpfLink;
    expect(() => link.update(v2, { oldProg: v2 })).toThrow(/update/);
    expect(link.info().progId).toBe(progGetInfo(v1.programs.get('xdp_count_v1')!).id);
  });

  it('update() of a netlink XDP attachment replaces the program the interface runs', () => {
    using v1 = ours.add(loadCollection(fixture('count_v1')));
    using v2coll = ours.add(version2(v1));
    const v2 = v2coll.programs.get('xdp_count_v2')!;
    using att = attachXdp(v1.programs.get('xdp_count_v1')!, pair.b.iface, { via: 'netlink', mode: 'skb', netns: pair.b.path });
    const attached = (): number => inNetns(pair.b.path, () => netLink(pair.b.iface)).xdpProgId;
    expect(attached()).toBe(progGetInfo(v1.programs.get('xdp_count_v1')!).id);
    att.update(v2);
    expect(attached()).toBe(progGetInfo(v2).id);
    att.close();
    expect(attached()).toBe(0);
  });

  it('update() of a TC filter replaces its program in place', () => {
    using first = ours.add(loadCollection(fixture('traffic')));
    using second = ours.add(loadCollection(fixture('traffic')));
    const ifindex = inNetns(pair.b.path, () => netLink(pair.b.iface)).index;
    const ids = (): number[] => inNetns(pair.b.path, () => bpfFilterProgIds({ ifindex, direction: 'egress' }));
    using att = attachTc(first.programs.get('tc_count_drop')!, pair.b.iface, 'egress', { netns: pair.b.path });
    expect(ids()).toEqual([progGetInfo(first.programs.get('tc_count_drop')!).id]);
    att.update(second.programs.get('tc_count_drop')!);
    expect(ids()).toEqual([progGetInfo(second.programs.get('tc_count_drop')!).id]);
    att.close();
    expect(ids()).toEqual([]);
  });
});
