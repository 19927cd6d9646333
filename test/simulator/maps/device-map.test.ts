import { describe, expect, it } from 'vitest';
import { DeviceMap, Errno, MapType, createMap } from '../../../simulator/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

describe('redirect maps', () => {
  const make = (type: number) => createMap({ name: 'd', type, keySize: 4, valueSize: 4, maxEntries: 3 }, new Memory()) as DeviceMap;

  it('devmap and cpumap: -EINVAL for bad flags, -E2BIG past the end, -EEXIST with BPF_NOEXIST; delete empties a slot', () => {
    for (const type of [MapType.DEVMAP, MapType.CPUMAP]) {
      const m = make(type);
      m.set(0, 5);
      expect(() => m.set(3, 5)).toThrow(/-E2BIG/);
      expect(() => m.set(1, 5, 1)).toThrow(/-EEXIST/);
      expect(() => m.set(1, 5, 4)).toThrow(/-EINVAL/);
      m.set(2, 6, 2); // BPF_EXIST on an empty slot is accepted, as the kernel does
      expect(m.entry(0)).toEqual(u32(5));
      expect(m.delete(0)).toBe(0);
      expect(m.delete(0)).toBe(0);
      expect(m.delete(9)).toBe(-Errno.EINVAL);
      expect(m.lookup(u32(0))).toBe(0n);
      // get_next_key walks every index, filled or not; keys() lists the filled ones
      expect(m.nextKey(undefined)).toEqual(u32(0));
      expect(m.nextKey(u32(0))).toEqual(u32(1));
      expect(m.nextKey(u32(2))).toBeUndefined();
      expect(m.keys()).toEqual([u32(2)]);
    }
    expect(() => make(MapType.CPUMAP).set(0, 0)).toThrow(/-EINVAL/); // a queue size of 0
  });

  it('xskmap: BPF_NOEXIST on a filled slot is -EEXIST, BPF_EXIST on an empty one -ENOENT', () => {
    const m = make(MapType.XSKMAP);
    expect(() => m.set(0, 1, 2)).toThrow(/-ENOENT/);
    m.set(0, 1, 1);
    expect(() => m.set(0, 1, 1)).toThrow(/-EEXIST/);
  });
});

describe('devmap hash', () => {
  it('has hash semantics, except that BPF_EXIST inserts an absent key as the kernel does', () => {
    const m = createMap({ name: 'h', type: MapType.DEVMAP_HASH, keySize: 4, valueSize: 4, maxEntries: 1 }, new Memory());
    m.set(7, 3, 2);
    expect(m.getNumber(7)).toBe(3n);
    expect(() => m.set(7, 4, 1)).toThrow(/-EEXIST/);
    expect(() => m.set(8, 4)).toThrow(/-E2BIG/);
    expect(m.remove(8)).toBe(false);
  });
});
