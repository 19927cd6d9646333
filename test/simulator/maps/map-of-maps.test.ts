import { describe, expect, it } from 'vitest';
import { createMap, Errno, MapOfMaps, MapType } from '../../../simulator/maps/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

describe('MapOfMaps', () => {
  it('array of maps: a lookup gives the inner map\'s address, which resolves to that map', () => {
    const memory = new Memory();
    const inner = createMap({ name: 'inner', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 }, memory);
    const outer = createMap({ name: 'outer', type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2 }, memory) as MapOfMaps;
    expect(outer.lookup(Uint8Array.of(0, 0, 0, 0))).toBe(0n);
    expect(outer.setMap(0, inner)).toBe(0);
    expect(outer.setMap(2, inner)).toBe(-Errno.E2BIG);
    const p = outer.lookup(Uint8Array.of(0, 0, 0, 0));
    expect(memory.locate(p).region?.map).toBe(inner);
    expect(outer.keys()).toEqual([Uint8Array.of(0, 0, 0, 0)]);
    expect(outer.delete(0)).toBe(0);
    expect(outer.delete(0)).toBe(-Errno.ENOENT);
  });

  it('hash of maps honours max_entries and NOEXIST', () => {
    const memory = new Memory();
    const inner = createMap({ name: 'inner', type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 1 }, memory);
    const outer = createMap({ name: 'outer', type: MapType.HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 1 }, memory) as MapOfMaps;
    expect(outer.setMap(7, inner, 1)).toBe(0);
    expect(outer.setMap(7, inner, 1)).toBe(-Errno.EEXIST);
    expect(outer.setMap(8, inner)).toBe(-Errno.E2BIG);
    expect(outer.inner(7)).toBe(inner);
  });
});
