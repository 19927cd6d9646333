// BPF_PROG_QUERY on a tcx hook: the programs and links attached there, in order, and the revision that
// `expectedRevision` checks against (measured: 1 on an empty hook, +1 per attach or detach).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { attachTcx } from '../../loader/attach/index.ts';
import { inNetns, linkIndex, loadCollection, progGetInfo, progQuery, trackFds } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { createNetnsPair } from '../support/netns.ts';
import { available, kernelBpf } from '../support/require.ts';

const BPF_TCX_INGRESS = 46;
const run = available('prog query', kernelBpf);

describe.runIf(run)('progQuery()', () => {
  it('lists the tcx programs and links of an interface, and the revision moves with each change', () => {
    using fds = trackFds();
    using pair = createNetnsPair();
    const coll = loadCollection(readObject(readFileSync(join(repoRoot, 'test/fixtures/traffic.o'))), {
      programs: ['tcx_count_drop'],
    });
    try {
      const prog = coll.programs.get('tcx_count_drop')!;
      const ifindex = inNetns(pair.b.path, () => linkIndex(pair.b.iface));
      const query = () => inNetns(pair.b.path, () => progQuery(ifindex, BPF_TCX_INGRESS));
      const empty = query();
      expect(empty.progIds).toEqual([]);
      const link = attachTcx(prog, pair.b.iface, 'ingress', { netns: pair.b.path });
      try {
        const one = query();
        expect(one.progIds).toEqual([progGetInfo(prog).id]);
        expect(one.linkIds).toHaveLength(1);
        expect(one.linkIds[0]).toBeGreaterThan(0);
        expect(one.revision).toBeGreaterThan(empty.revision);
      } finally {
        link.close();
      }
      // the kernel frees an empty tcx entry, so its revision starts again at 1
      const after = query();
      expect(after.progIds).toEqual([]);
      expect(after.revision).toBe(1n);
    } finally {
      coll.close();
    }
    fds.assertAllClosed();
  });
});
