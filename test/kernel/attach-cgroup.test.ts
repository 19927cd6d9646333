// cgroup skb egress links: a program attached to a test cgroup drops the test's UDP packets sent by a
// process inside that cgroup (sendmsg fails with EPERM), and only theirs: the same traffic from a process
// outside the cgroup flows. The cgroup is made under the cgroup2 mount (found in /proc/self/mountinfo)
// and removed; traffic runs between the test's own network namespaces.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { attachCgroupSkb, cgroup2Mount, cgroupPath } from '../../loader/attach/index.ts';
import { loadCollection, mapLookup, trackFds, type FdTracker } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import {
  leftoversAfterCleanup,
  ProgramIds,
  createNetnsPair,
  destroyAllNetns,
  perCpuSum,
  sendUdp,
  senderArgs,
  settled,
  type NetnsPair,
  type SendResult,
} from '../support/netns.ts';
import { available, bpftool, kernelBpf, type Facility } from '../support/require.ts';

const cgroup2: Facility = cgroup2Mount() ? { ok: true, reason: '' } : { ok: false, reason: 'no cgroup2 mount' };
const run = available('attach cgroup skb', kernelBpf, bpftool, cgroup2);
const ours = new ProgramIds();

describe.runIf(run)('cgroup skb links', () => {
  let pair: NetnsPair;
  let fds: FdTracker;
  const cgroup = `tsbpf-test-${process.pid}`;
  let dir: string;

  beforeAll(() => {
    fds = trackFds();
    dir = cgroupPath(cgroup);
    mkdirSync(dir);
    pair = createNetnsPair();
  });

  afterAll(async () => {
    pair?.destroy();
    destroyAllNetns();
    // the cgroup empties once its processes are reaped
    for (let i = 0; ; i++) {
      try {
        rmdirSync(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
        if (i >= 50) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    fds.stop();
    fds.assertAllClosed();
    expect(await leftoversAfterCleanup(ours)).toEqual({ programs: [], links: [] });
  });

  it('cgroup2Mount() finds the cgroup v2 hierarchy in mountinfo', () => {
    expect(cgroup2Mount()).toBe(execFileSync('findmnt', ['-n', '-o', 'TARGET', '-t', 'cgroup2'], { encoding: 'utf8' }).trim().split('\n')[0]);
    expect(cgroup2Mount('36 35 0:30 / /x\\040y rw - cgroup2 cgroup2 rw\n')).toBe('/x y');
    expect(cgroup2Mount('36 35 0:30 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n')).toBeUndefined();
  });

  it('attachCgroupSkb() on egress drops the test 5-tuple of processes in the cgroup only', async () => {
    using coll = ours.add(loadCollection(readObject(readFileSync(join(repoRoot, 'test/fixtures/traffic.o')))));
    const count = (): number => perCpuSum(mapLookup(coll.maps.get('counts')!, new Uint8Array(4)));
    using link = attachCgroupSkb(coll.programs.get('cgroup_count_drop')!, cgroup, 'egress');
    expect(link.info().type).toBe(3); // BPF_LINK_TYPE_CGROUP

    // inside the cgroup: the shell moves itself in, then becomes the sender (in namespace A)
    const a0 = pair.stats(pair.a);
    const script = `echo $$ > ${join(dir, 'cgroup.procs')} && exec ip netns exec ${pair.a.name} "$0" "$@"`;
    const inside = JSON.parse(
      execFileSync('sh', ['-c', script, process.execPath, ...senderArgs({ count: 300, rate: 10_000 })], { encoding: 'utf8', timeout: 25_000 }),
    ) as SendResult;
    expect(inside).toMatchObject({ sent: 0, errors: { EPERM: 300 } });
    expect(await settled(count)).toBe(300);
    expect(pair.stats(pair.a).txPackets - a0.txPackets).toBe(0);

    // outside the cgroup: the same traffic passes, uncounted
    const a1 = pair.stats(pair.a);
    const outside = sendUdp(pair, { count: 300, rate: 10_000 });
    expect(outside).toMatchObject({ sent: 300, errors: {} });
    expect(pair.stats(pair.a).txPackets - a1.txPackets).toBe(300);
    expect(count()).toBe(300);
  });
});
