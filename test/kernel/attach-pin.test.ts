// Pinning: maps, programs and links on bpffs, reopened by path; names sanitised for bpffs (which refuses
// '.'); pinned maps readable by `bpftool map dump pinned`; a pinned link keeps its program attached after
// every handle is closed, and the reopened link can be updated and detached.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { attachXdp, openPinnedLink, type BpfLink } from '../../loader/attach/index.ts';
import { inNetns, netLink } from '../../loader/netlink/index.ts';
import {
  loadCollection,
  mapGetInfo,
  mapLookup,
  mapUpdate,
  possibleCpus,
  progGetInfo,
  trackFds,
  type FdTracker,
} from '../../loader/index.ts';
import { openPinned, openPinnedCollection, pinCollection, sanitizePinName, unpinCollection } from '../../loader/pin.ts';
import { repoRoot } from '../corpora.ts';
import { leftoversAfterCleanup, ProgramIds, createNetnsPair, destroyAllNetns, type NetnsPair } from '../support/netns.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';

const run = available('attach pin', kernelBpf, bpftool);
const ours = new ProgramIds();
const fixture = (name: string): ObjectSpec => readObject(readFileSync(join(repoRoot, 'test/fixtures', `${name}.o`)));

describe('sanitizePinName()', () => {
  it('replaces the characters bpffs refuses', () => {
    expect(sanitizePinName('.bss')).toBe('_bss');
    expect(sanitizePinName('my.map/x')).toBe('my_map_x');
    expect(sanitizePinName('counts')).toBe('counts');
    expect(() => sanitizePinName('')).toThrow(RangeError);
  });
});

describe.runIf(run)('pinning on bpffs', () => {
  let root: string;
  let fds: FdTracker;
  let pair: NetnsPair;

  beforeAll(() => {
    fds = trackFds();
    root = mkdtempSync('/sys/fs/bpf/tsbpf-pin-');
    pair = createNetnsPair();
  });

  afterAll(async () => {
    pair?.destroy();
    destroyAllNetns();
    rmSync(root, { recursive: true, force: true });
    fds.stop();
    fds.assertAllClosed();
    expect(await leftoversAfterCleanup(ours)).toEqual({ programs: [], links: [] });
  });

  it('pinCollection() pins maps and programs that bpftool reads and openPinnedCollection() reopens', () => {
    const dir = join(root, 'traffic');
    {
      using coll = ours.add(loadCollection(fixture('traffic')));
      const value = new Uint8Array(possibleCpus() * 8);
      new DataView(value.buffer).setBigUint64(0, 41n, true);
      mapUpdate(coll.maps.get('counts')!, new Uint8Array(4), value);
      const paths = pinCollection(coll, dir);
      expect(paths.maps.get('counts')).toBe(join(dir, 'maps/counts'));
      expect(paths.programs.get('xdp_count_drop')).toBe(join(dir, 'programs/xdp_count_drop'));

      const dump = JSON.parse(execFileSync('bpftool', ['map', 'dump', 'pinned', join(dir, 'maps/counts'), '-j'], { encoding: 'utf8' })) as {
        key: string[];
        values: { cpu: number; value: string[] }[];
      }[];
      expect(dump).toHaveLength(4);
      expect(dump[0]!.key).toEqual(['0x00', '0x00', '0x00', '0x00']);
      expect(dump[0]!.values[0]!.value).toEqual(['0x29', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00']);
      const shown = JSON.parse(execFileSync('bpftool', ['prog', 'show', 'pinned', join(dir, 'programs/xdp_count_drop'), '-j'], { encoding: 'utf8' })) as {
        id: number;
      };
      expect(shown.id).toBe(progGetInfo(coll.programs.get('xdp_count_drop')!).id);
    }
    // every handle is closed: the pins keep the objects alive
    using again = openPinnedCollection(dir);
    expect([...again.maps.keys()]).toEqual(['counts']);
    expect([...again.programs.keys()].sort()).toEqual(['cgroup_count_drop', 'socket_drop_big', 'tc_count_drop', 'tcx_count_drop', 'xdp_count_drop']);
    const value = mapLookup(again.maps.get('counts')!, new Uint8Array(4))!;
    expect(new DataView(value.buffer).getBigUint64(0, true)).toBe(41n);
    using one = openPinned(join(dir, 'maps/counts'), { readOnly: true });
    expect(mapGetInfo(one).id).toBe(mapGetInfo(again.maps.get('counts')!).id);
    unpinCollection(dir);
    expect(() => openPinned(join(dir, 'maps/counts'))).toThrow(/get pinned .*counts: no such file or directory/);
  });

  it('pinCollection() sanitises global data names (.bss → _bss) and bpftool dumps them', () => {
    using coll = ours.add(loadCollection(fixture('globals')));
    const dir = join(root, 'globals');
    const paths = pinCollection(coll, dir);
    expect(readdirSync(join(dir, 'maps')).sort()).toEqual(['_bss', '_data', '_rodata']);
    expect(paths.maps.get('.bss')).toBe(join(dir, 'maps/_bss'));
    const dump = JSON.parse(execFileSync('bpftool', ['map', 'dump', 'pinned', join(dir, 'maps/_data'), '-j'], { encoding: 'utf8' })) as unknown[];
    expect(dump).toHaveLength(1);
    unpinCollection(dir);
  });

  it('pinCollection() outside bpffs fails with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-not-bpffs-'));
    try {
      using coll = ours.add(loadCollection(fixture('xdp_pass')));
      expect(() => pinCollection(coll, join(dir, 'x'))).toThrow(/is not on a bpffs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pinned XDP link stays attached after its handles close, and reopens for update and detach', () => {
    using v1 = ours.add(loadCollection(fixture('count_v1')));
    using v2 = ours.add(loadCollection(fixture('count_v2')));
    const path = join(root, 'xdp-link');
    const attached = (): number => inNetns(pair.b.path, () => netLink(pair.b.iface)).xdpProgId;
    {
      using link = attachXdp(v1.programs.get('xdp_count_v1')!, pair.b.iface, { via: 'link', mode: 'skb', netns: pair.b.path });
      link.pin(path);
    }
    expect(attached()).toBe(progGetInfo(v1.programs.get('xdp_count_v1')!).id);
    {
      using link: BpfLink = openPinnedLink(path);
      expect(link.kind).toBe('xdp');
      expect(link.info().progId).toBe(progGetInfo(v1.programs.get('xdp_count_v1')!).id);
      link.update(v2.programs.get('xdp_count_v2')!);
    }
    expect(attached()).toBe(progGetInfo(v2.programs.get('xdp_count_v2')!).id);
    openPinnedLink(path).detach();
    expect(attached()).toBe(0);
    rmSync(path);
  });

  it('netlink attachments cannot be pinned, and say why', () => {
    using coll = ours.add(loadCollection(fixture('xdp_pass')));
    using att = attachXdp(coll.programs.get('xdp_pass')!, pair.b.iface, { via: 'netlink', mode: 'skb', netns: pair.b.path });
    expect(() => att.pin(join(root, 'nope'))).toThrow(/only BPF links can be pinned/);
  });
});
