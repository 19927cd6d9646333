import { describe, expect, it } from 'vitest';
import { ArrayMap, Errno, MapType, UpdateFlag, createMap } from '../../../simulator/maps/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

const key = (i: number) => Uint8Array.of(i, 0, 0, 0);

describe('ArrayMap', () => {
  it('array lookup gives a checked map_value pointer and out-of-range indexes give null', () => {
    const memory = new Memory();
    const m = createMap({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, memory);
    const p = m.lookup(key(3), 0);
    expect(memory.check(p, 8, true)).toBeUndefined();
    expect(memory.check(p + 4n, 8, false)).toMatch(/out of bounds/);
    expect(m.lookup(key(4), 0)).toBe(0n);
  });

  it('array update follows the kernel: -E2BIG past max_entries, -EEXIST for NOEXIST, delete is -EINVAL', () => {
    const m = createMap({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 }, new Memory());
    expect(m.update(key(2), new Uint8Array(4), UpdateFlag.ANY, 0)).toBe(-Errno.E2BIG);
    expect(m.update(key(1), new Uint8Array(4), UpdateFlag.NOEXIST, 0)).toBe(-Errno.EEXIST);
    expect(m.update(key(1), Uint8Array.of(7, 0, 0, 0), UpdateFlag.EXIST, 0)).toBe(0);
    expect(m.update(key(1), new Uint8Array(4), 8, 0)).toBe(-Errno.EINVAL);
    expect(m.delete(key(1))).toBe(-Errno.EINVAL);
    expect(m.getNumber(1)).toBe(7n);
    expect(m.keys().map((k) => k[0])).toEqual([0, 1]);
    expect(m.nextKey(key(1))).toBeUndefined();
    expect(m.nextKey(key(9))).toEqual(key(0));
  });

  it('percpu array keeps one value per CPU and sums them', () => {
    const memory = new Memory();
    const m = new ArrayMap({ name: 'p', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 2, memory, cpus: 4, perCpu: true });
    m.update(key(0), Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0), 0, 2);
    memory.write(m.lookup(key(0), 3), 8, 6);
    expect(m.getNumber(0, 2)).toBe(5n);
    expect(m.sum(0)).toBe(11n);
    m.set(0, 1);
    expect(m.sum(0)).toBe(4n);
    expect(m.getPerCpu(0)).toHaveLength(4);
  });
});
