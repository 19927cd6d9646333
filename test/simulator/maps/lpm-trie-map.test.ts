import fc from 'fast-check';
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

  it("a program's lookup (lookupRegion, remembered per key) follows prefixes that come and go", () => {
    const m = make();
    m.set(key(16, 10, 1, 0, 0), 16);
    const probe = Uint8Array.of(0xee, ...key(32, 10, 1, 2, 3)); // the key at offset 1, as on a program's stack
    const v = () => m.lookupRegion(probe, 1)?.bytes[0];
    expect([v(), v()]).toEqual([16, 16]);
    m.set(key(24, 10, 1, 2, 0), 24);
    expect([v(), v()]).toEqual([24, 24]);
    m.set(key(24, 10, 1, 2, 0), 25); // a value changed in place: the same prefix
    expect(v()).toBe(25);
    m.delete(key(24, 10, 1, 2, 0));
    expect([v(), v()]).toEqual([16, 16]);
    m.delete(key(16, 10, 1, 0, 0));
    expect(v()).toBeUndefined();
    m.set(key(8, 10, 0, 0, 0), 8);
    expect(v()).toBe(8);
  });

  it('lookup agrees with a linear scan for the longest prefix after random updates and deletes', () => {
    const addr = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));
    const op = fc.record({ del: fc.boolean(), len: fc.integer({ min: 0, max: 32 }), a: addr });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), addr), { maxLength: 20 }), (ops, probes) => {
        const m = new LpmTrieMap({ name: 'lpm', type: MapType.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 64, memory: new Memory(), flags: 1 });
        const ref = new Map<string, { len: number; bits: number; value: number }>();
        const bitsOf = ([a, b, c, d]: [number, number, number, number], len: number) => (len === 0 ? 0 : ((((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & (0xffffffff << (32 - len))) >>> 0);
        ops.forEach((o, i) => {
          const bits = bitsOf(o.a, o.len);
          if (o.del) {
            m.delete(key(o.len, ...o.a));
            ref.delete(`${o.len}/${bits}`);
          } else {
            m.set(key(o.len, ...o.a), i);
            ref.set(`${o.len}/${bits}`, { len: o.len, bits, value: i });
          }
        });
        for (const [len, a] of probes) {
          const best = [...ref.values()].filter((e) => e.len <= len && bitsOf(a, e.len) === e.bits).sort((x, y) => y.len - x.len)[0];
          expect(m.match(key(len, ...a))?.[0]).toBe(best?.value);
        }
      }),
      { numRuns: 300 },
    );
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
