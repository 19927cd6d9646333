import { describe, expect, it } from 'vitest';
import { Errno, HashMap, MapType, UpdateFlag, createMap } from '../../../simulator/maps/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

const k = (i: number) => Uint8Array.of(i, 0, 0, 0);
const v = (i: number) => Uint8Array.of(i, 0, 0, 0, 0, 0, 0, 0);
const def = (type: number, maxEntries = 3) => ({ name: 'h', type, keySize: 4, valueSize: 8, maxEntries });

describe('HashMap', () => {
  it('hash update honours BPF_NOEXIST, BPF_EXIST and max_entries', () => {
    const m = createMap(def(MapType.HASH, 2), new Memory());
    expect(m.update(k(1), v(1), UpdateFlag.EXIST, 0)).toBe(-Errno.ENOENT);
    expect(m.update(k(1), v(1), UpdateFlag.NOEXIST, 0)).toBe(0);
    expect(m.update(k(1), v(2), UpdateFlag.NOEXIST, 0)).toBe(-Errno.EEXIST);
    expect(m.update(k(1), v(3), UpdateFlag.EXIST, 0)).toBe(0);
    expect(m.update(k(2), v(2), UpdateFlag.ANY, 0)).toBe(0);
    expect(m.update(k(3), v(3), UpdateFlag.ANY, 0)).toBe(-Errno.E2BIG);
    expect(m.update(k(2), v(9), UpdateFlag.ANY, 0)).toBe(0);
    expect(m.getNumber(1)).toBe(3n);
    expect(m.getNumber(2)).toBe(9n);
    expect(m.delete(k(3))).toBe(-Errno.ENOENT);
    expect(m.delete(k(1))).toBe(0);
    expect(m.lookup(k(1), 0)).toBe(0n);
  });

  it('a deleted element\'s value pointer faults afterwards', () => {
    const memory = new Memory();
    const m = createMap(def(MapType.HASH), memory);
    m.set(1, 5);
    const p = m.lookup(k(1), 0);
    expect(memory.read(p, 8)).toBe(5n);
    m.remove(1);
    expect(memory.check(p, 8, false)).toMatch(/no region/);
  });

  it('get_next_key walks every key once and restarts from the first for an absent key', () => {
    const m = createMap(def(MapType.HASH, 10), new Memory());
    for (const i of [4, 2, 7]) m.set(i, i);
    expect(m.keys().map((x) => x[0])).toEqual([4, 2, 7]);
    expect(m.nextKey(k(7))).toBeUndefined();
    expect(m.nextKey(k(99))).toEqual(k(4));
    expect(m.entries().map(([a, b]) => [a[0], b[0]])).toEqual([[4, 4], [2, 2], [7, 7]]);
  });

  it('LRU hash evicts the least recently used element when full, counting lookups as uses', () => {
    const m = createMap(def(MapType.LRU_HASH, 3), new Memory()) as HashMap;
    m.set(1, 1);
    m.set(2, 2);
    m.set(3, 3);
    m.lookup(k(1), 0); // 2 is now the oldest
    expect(m.update(k(4), v(4), UpdateFlag.NOEXIST, 0)).toBe(0);
    expect(m.get(2)).toBeUndefined();
    m.update(k(3), v(30), UpdateFlag.ANY, 0); // 1 is now the oldest
    m.set(5, 5);
    expect(m.get(1)).toBeUndefined();
    expect(m.keys().map((x) => x[0]).sort()).toEqual([3, 4, 5]);
    expect(m.size).toBe(3);
  });

  it('percpu hash: a program update sets its CPU and zeroes the others for a new element', () => {
    const m = createMap(def(MapType.PERCPU_HASH), new Memory(), { cpus: 2 });
    expect(m.update(k(1), v(7), 0, 1)).toBe(0);
    expect(m.getPerCpu(1)!.map((x) => x[0])).toEqual([0, 7]);
    m.update(k(1), v(3), 0, 0);
    expect(m.sum(1)).toBe(10n);
  });
});
