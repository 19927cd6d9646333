// Typed maps from TypeScript against real kernel maps: get/set/delete, iteration, batch lookup, per-CPU
// values as arrays, BTF-described struct keys, and the batch attr layout checked against the kernel's BTF.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import {
  KernelMap,
  loadCollection,
  mapBatchAttr,
  mapCreate,
  possibleCpus,
  progTestRun,
  trackFds,
  u32,
  u64,
  vmlinuxBtf,
} from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { samplePackets } from '../support/packets.ts';
import { available, kernelBpf } from '../support/require.ts';

const run = available('kernel typed maps', kernelBpf);

describe.runIf(run)('KernelMap', () => {
  it('gets, sets, deletes and iterates a hash map with number codecs', () => {
    using fds = trackFds();
    {
      using raw = mapCreate({ type: 1, keySize: 4, valueSize: 8, maxEntries: 16, name: 'typed' });
      using m = KernelMap.open<number, bigint>(raw, { key: u32, value: u64 });
      for (let i = 0; i < 10; i++) m.set(i, BigInt(i) * 100n);
      expect(m.get(3)).toBe(300n);
      expect(m.get(42)).toBeUndefined();
      expect(m.delete(3)).toBe(true);
      expect(m.delete(3)).toBe(false);
      expect([...m.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
      const entries = new Map(m.entries());
      expect(entries.get(9)).toBe(900n);
      const batch = m.lookupBatch(4)!;
      expect(batch).toBeDefined();
      expect(new Map(batch)).toEqual(entries);
    }
    fds.assertAllClosed();
  });

  it('falls back when a map type has no batch lookup', () => {
    using fds = trackFds();
    {
      // a devmap (14) has no batch operations
      using raw = mapCreate({ type: 14, keySize: 4, valueSize: 4, maxEntries: 4, name: 'devmap' });
      using m = KernelMap.open(raw, { key: u32, value: u32 });
      expect(m.lookupBatch()).toBeUndefined();
      expect([...m.entries()]).toEqual([]);
    }
    fds.assertAllClosed();
  });

  it('reads per-CPU counters as arrays and struct keys through the object BTF (xdp_firewall.o)', () => {
    using fds = trackFds();
    const spec = readObject(readFileSync(join(repoRoot, 'test/fixtures/xdp_firewall.o')));
    {
      using coll = loadCollection(spec);
      const mapSpec = (name: string) => spec.maps.find((m) => m.name === name)!;
      using blocked = KernelMap.fromSpec(coll.maps.get('blocked_ports')!, { btf: spec.btf, map: mapSpec('blocked_ports') });
      using verdicts = KernelMap.fromSpec(coll.maps.get('verdicts')!, { btf: spec.btf, map: mapSpec('verdicts') });
      expect(verdicts.perCpu).toBe(true);

      // block TCP port 80 (network byte order in the key)
      blocked.set({ proto: 6, pad: 0, port: 0x5000 }, 1);
      expect([...blocked.keys()]).toEqual([{ proto: 6, pad: 0, port: 0x5000 }]);
      const prog = coll.programs.get('xdp_firewall')!;
      expect(progTestRun(prog, { data: samplePackets['ipv4_tcp_80']! }).retval).toBe(1);
      expect(progTestRun(prog, { data: samplePackets['ipv4_udp_53']! }).retval).toBe(2);

      const perCpu = verdicts.get(1) as bigint[];
      expect(perCpu).toHaveLength(possibleCpus());
      expect(perCpu.reduce((a, b) => a + b, 0n)).toBe(1n);
      const batch = verdicts.lookupBatch()!;
      expect(batch.map(([k]) => k)).toEqual([0, 1, 2]);
      verdicts.set(2, Array.from({ length: possibleCpus() }, (_, i) => BigInt(i)));
      expect((verdicts.get(2) as bigint[]).at(-1)).toBe(BigInt(possibleCpus() - 1));
    }
    fds.assertAllClosed();
  });

  it('mapBatchAttr matches the kernel\'s union bpf_attr batch struct', () => {
    const k = vmlinuxBtf();
    const attr = k.btf.typeById(k.find('bpf_attr', 'union')[0]!);
    if (attr.kind !== 'union') throw new Error('bpf_attr is not a union');
    const batch = attr.members.find((m) => m.name === 'batch')!;
    const t = k.btf.typeById(k.btf.resolve(batch.type));
    if (t.kind !== 'struct') throw new Error('batch is not a struct');
    expect(t.size).toBe(mapBatchAttr.size);
    expect(t.members.map((m) => [m.name, m.bitOffset / 8])).toEqual(mapBatchAttr.fields.map((f) => [f.name, f.offset]));
  });
});
