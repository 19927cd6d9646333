import { describe, expect, it } from 'vitest';
import { Errno, LpmTrieMap, MapType } from '../../../simulator/maps/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

const key = (len: number, a: number, b: number, c: number, d: number) => Uint8Array.of(len, 0, 0, 0, a, b, c, d);

describe('LpmTrieMap', () => {
  const make = () => new LpmTrieMap({ name: 'lpm', type: MapType.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 8, memory: new Memory(), flags: 1 });

  it('lookup finds the longest matching prefix', () => {
    const m = make();
    m.set(key(8, 10, 0, 0, 0), 8);
    m.set(key(16, 10, 1, 0, 0), 16);
    m.set(key(24, 10, 1, 2, 0), 24);
    m.set(key(0, 0, 0, 0, 0), 0xff);
    const v = (a: Uint8Array) => m.match(a)?.[0];
    expect(v(key(32, 10, 1, 2, 3))).toBe(24);
    expect(v(key(32, 10, 1, 3, 3))).toBe(16);
    expect(v(key(32, 10, 9, 3, 3))).toBe(8);
    expect(v(key(32, 11, 0, 0, 1))).toBe(0xff);
    expect(v(key(12, 10, 1, 2, 3))).toBe(8); // the key's own prefixlen caps the match
  });

  it('a lookup through the program interface returns a value pointer, null when nothing matches', () => {
    const m = make();
    m.set(key(9, 10, 0x80, 0, 0), 1);
    expect(m.lookup(key(32, 10, 0xff, 0, 0))).not.toBe(0n);
    expect(m.lookup(key(32, 10, 0x7f, 0, 0))).toBe(0n);
  });

  it('updates and deletes name exact prefixes, ignore bits past the length and refuse long prefixes', () => {
    const m = make();
    expect(m.update(key(16, 10, 1, 99, 99), Uint8Array.of(1, 0, 0, 0), 0)).toBe(0);
    expect(m.get(key(16, 10, 1, 0, 0))?.[0]).toBe(1);
    expect(m.update(key(33, 0, 0, 0, 0), new Uint8Array(4), 0)).toBe(-Errno.EINVAL);
    expect(m.update(key(16, 10, 1, 0, 0), new Uint8Array(4), 1)).toBe(-Errno.EEXIST);
    expect(m.delete(key(8, 10, 0, 0, 0))).toBe(-Errno.ENOENT);
    expect(m.delete(key(16, 10, 1, 5, 5))).toBe(0);
    expect(m.keys()).toEqual([]);
  });

  it('get_next_key yields more specific prefixes first', () => {
    const m = make();
    m.set(key(8, 10, 0, 0, 0), 1);
    m.set(key(24, 10, 1, 2, 0), 2);
    m.set(key(16, 10, 1, 0, 0), 3);
    expect(m.keys().map((k) => k[0])).toEqual([24, 16, 8]);
  });
});
