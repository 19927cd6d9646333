// loader/netlink: its message layouts against the kernel's BTF, attribute encoding, and the rtnetlink
// requests the attach paths use, with the kernel's errors (errno plus extended-ack message) surfaced.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { attachTc, attachXdp } from '../../loader/attach/index.ts';
import {
  NL_LAYOUTS,
  NetlinkError,
  RTM,
  RtNetlink,
  XDP_FLAGS,
  addBpfFilter,
  addClsact,
  attr,
  bpfFilterProgIds,
  delClsact,
  encodeAttrs,
  attrsSize,
  hasClsact,
  inNetns,
  linkIndex,
  netLink,
  parseAttrs,
  read,
  setXdp,
} from '../../loader/netlink/index.ts';
import { loadCollection, progGetInfo, trackFds, type FdTracker } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { createNetnsPair, destroyAllNetns, leftoversAfterCleanup, ProgramIds, type NetnsPair } from '../support/netns.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';
import { flatten, parseBtfDump } from './sys-btf-dump.ts';

describe('netlink attributes', () => {
  it('encodeAttrs() pads to 4 bytes, marks nesting and parseAttrs() reads it back', () => {
    const attrs = [attr.str(3, 'veth0'), attr.nested(43, [attr.s32(1, -1), attr.u32(3, XDP_FLAGS.SKB_MODE)]), attr.u8(9, 7)];
    const buf = new Uint8Array(attrsSize(attrs));
    expect(encodeAttrs(attrs, buf, 0)).toBe(buf.byteLength);
    // "veth0\0" is 6 bytes: 4 + 6 = 10, padded to 12; nested: 4 + 8 + 8 = 20; u8: 4 + 1 padded to 8
    expect(buf.byteLength).toBe(12 + 20 + 8);
    expect([...buf.subarray(12, 16)]).toEqual([20, 0, 43, 0x80]); // nla_len 20, nla_type 43 | NLA_F_NESTED
    const top = parseAttrs(buf);
    expect(read.str(top.get(3))).toBe('veth0');
    expect(read.u8(top.get(9))).toBe(7);
    const xdp = parseAttrs(top.get(43)!);
    expect(read.u32(xdp.get(1))).toBe(0xffffffff);
    expect(read.u32(xdp.get(3))).toBe(XDP_FLAGS.SKB_MODE);
  });

  it('parseAttrs() rejects an attribute running past its buffer', () => {
    expect(() => parseAttrs(Uint8Array.of(12, 0, 1, 0, 0, 0, 0, 0))).toThrow(/length 12 runs past 8/);
  });
});

const vmlinuxBtf = existsSync('/sys/kernel/btf/vmlinux') ? { ok: true, reason: '' } : { ok: false, reason: 'no /sys/kernel/btf/vmlinux' };

describe.runIf(available('netlink layouts vs kernel BTF', bpftool, vmlinuxBtf))('netlink layouts', () => {
  it('every layout matches the kernel structure it mirrors, field by field', () => {
    const dump = parseBtfDump(
      execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { encoding: 'utf8', maxBuffer: 1 << 30 }),
    );
    for (const layout of Object.values(NL_LAYOUTS)) {
      const name = layout.mirrors.replace(/^struct /, '');
      const t = dump.byName('STRUCT', name);
      expect(t, name).toBeDefined();
      expect(Number(t!.attrs['size']), `${name} size`).toBe(layout.size);
      const kernel = flatten(dump, t!.id).map((l) => [l.offset, l.type]);
      expect(layout.rows.map(([, offset, type]) => [offset, type]), name).toEqual(kernel);
    }
  });
});

const run = available('netlink requests', kernelBpf);
const ours = new ProgramIds();

describe.runIf(run)('rtnetlink requests', () => {
  let pair: NetnsPair;
  let fds: FdTracker;
  const spec = run ? readObject(readFileSync(join(repoRoot, 'test/fixtures/traffic.o'))) : undefined;

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

  it('netLink() and linkIndex() find interfaces by name and by index, inside a namespace', () => {
    inNetns(pair.b.path, () => {
      expect(linkIndex('lo')).toBe(1);
      const byName = netLink(pair.b.iface);
      expect(byName).toEqual({ index: byName.index, name: pair.b.iface, xdpProgId: 0, xdpAttached: 0 });
      expect(netLink(byName.index).name).toBe(pair.b.iface);
    });
    // outside the namespace the interface does not exist
    expect(() => linkIndex(pair.b.iface)).toThrow(NetlinkError);
  });

  it("kernel refusals carry errno and the kernel's extended-ack message", () => {
    using coll = ours.add(loadCollection(spec!));
    const prog = coll.programs.get('xdp_count_drop')!;
    inNetns(pair.b.path, () => {
      // loopback has no native XDP
      let err: unknown;
      try {
        setXdp(1, prog.value, { flags: XDP_FLAGS.DRV_MODE });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).code).toBe('EOPNOTSUPP');
      expect((err as NetlinkError).kernelMessage).toMatch(/native mode/);
      expect((err as NetlinkError).message).toMatch(/^attach xdp to ifindex 1 \(netlink\): operation not supported \(EOPNOTSUPP\): .*native mode/);

      // replacing with the wrong expected program
      const ifindex = linkIndex(pair.b.iface);
      setXdp(ifindex, prog.value, { flags: XDP_FLAGS.SKB_MODE });
      try {
        expect(() => setXdp(ifindex, -1, { flags: XDP_FLAGS.SKB_MODE, expectedFd: coll.programs.get('tc_count_drop')!.value })).toThrow(
          /detach xdp from ifindex \d+ \(netlink\): .*\(E\w+\)/,
        );
        expect(netLink(ifindex).xdpProgId).toBe(progGetInfo(prog).id);
      } finally {
        setXdp(ifindex, -1, { flags: XDP_FLAGS.SKB_MODE });
      }
      expect(netLink(ifindex).xdpProgId).toBe(0);
    });
  });

  it('addClsact() / delClsact() manage the qdisc and filters report their program ids', () => {
    using coll = ours.add(loadCollection(spec!));
    const prog = coll.programs.get('tc_count_drop')!;
    inNetns(pair.b.path, () => {
      const ifindex = linkIndex(pair.b.iface);
      using nl = RtNetlink.open();
      expect(hasClsact(ifindex, nl)).toBe(false);
      expect(addClsact(ifindex, nl)).toBe(true);
      expect(addClsact(ifindex, nl)).toBe(false);
      try {
        addBpfFilter({ ifindex, direction: 'egress', priority: 7, handle: 3 }, prog.value, { name: 'tc_count_drop', nl });
        expect(bpfFilterProgIds({ ifindex, direction: 'egress' }, nl)).toEqual([progGetInfo(prog).id]);
        expect(bpfFilterProgIds({ ifindex, direction: 'ingress' }, nl)).toEqual([]);
        expect(() => addBpfFilter({ ifindex, direction: 'egress', priority: 7, handle: 3 }, prog.value, { nl })).toThrow(/EEXIST/);
      } finally {
        delClsact(ifindex, nl);
      }
      expect(hasClsact(ifindex, nl)).toBe(false);
      expect(() => nl.request('bad request', { type: RTM.GETLINK, header: { ifinfomsg: { index: 0x7fffffff } } })).toThrow(/bad request: no such device/);
    });
  });

  it('attachTc() removes the clsact qdisc it added, and keeps one that was there', () => {
    using coll = ours.add(loadCollection(spec!));
    const prog = coll.programs.get('tc_count_drop')!;
    const ifindex = inNetns(pair.b.path, () => linkIndex(pair.b.iface));
    const clsact = (): boolean => inNetns(pair.b.path, () => hasClsact(ifindex));
    attachTc(prog, pair.b.iface, 'ingress', { netns: pair.b.path }).close();
    expect(clsact()).toBe(false);
    inNetns(pair.b.path, () => addClsact(ifindex));
    attachTc(prog, pair.b.iface, 'egress', { netns: pair.b.path }).close();
    expect(clsact()).toBe(true);
    inNetns(pair.b.path, () => delClsact(ifindex));
  });

  it('without CAP_NET_ADMIN a request fails with EPERM and names the capability', () => {
    const module = join(repoRoot, 'loader/netlink/index.ts');
    const script =
      `import(${JSON.stringify(module)}).then((m) => { try { m.addClsact(m.linkIndex(${JSON.stringify(pair.b.iface)})); ` +
      `console.log('added'); } catch (e) { console.log(e.message); } })`;
    const drop = ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];
    const out = pair.exec(pair.b, 'setpriv', [...drop, process.execPath, '--import', 'tsx', '-e', script]);
    expect(out.trim()).toMatch(/^add clsact qdisc to ifindex \d+: operation not permitted \(EPERM\) \(needs CAP_NET_ADMIN in the network namespace\)$/);
  });

  it('a netlink attachment whose namespace is gone closes quietly', () => {
    using coll = ours.add(loadCollection(spec!));
    const other = createNetnsPair();
    const att = attachXdp(coll.programs.get('xdp_count_drop')!, other.b.iface, { via: 'netlink', mode: 'skb', netns: other.b.path });
    other.destroy();
    att.close();
    expect(att.closed).toBe(true);
  });
});
