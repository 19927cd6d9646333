import { describe, expect, it } from 'vitest';
import { Errno, MapType, QueueStackMap, createMap } from '../../../simulator/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

describe('queue and stack maps', () => {
  const make = (type: number) => createMap({ name: 'q', type, keySize: 0, valueSize: 4, maxEntries: 2 }, new Memory()) as QueueStackMap;

  it('a queue pops oldest first, a stack newest first; pop on empty zeroes the value and gives -ENOENT', () => {
    const q = make(MapType.QUEUE);
    const s = make(MapType.STACK);
    for (const m of [q, s]) {
      expect(m.push(u32(1), 0)).toBe(0);
      expect(m.push(u32(2), 0)).toBe(0);
    }
    expect(q.values()).toEqual([u32(1), u32(2)]);
    expect(s.values()).toEqual([u32(2), u32(1)]);
    const to = u32(0xffffffff);
    expect(q.take(to, false)).toBe(0);
    expect(to).toEqual(u32(1));
    expect(q.popValue()).toEqual(u32(1));
    expect(s.popValue()).toEqual(u32(2));
    q.popValue();
    expect(q.take(to, true)).toBe(-Errno.ENOENT);
    expect(to).toEqual(u32(0));
  });

  it('a full map refuses a push with -E2BIG unless BPF_EXIST, which drops the oldest value', () => {
    for (const type of [MapType.QUEUE, MapType.STACK]) {
      const m = make(type);
      m.pushValue(1);
      m.pushValue(2);
      expect(m.push(u32(3), 0)).toBe(-Errno.E2BIG);
      expect(m.push(u32(3), 2)).toBe(0);
      expect(m.values().map((v) => v[0])).toEqual(type === MapType.QUEUE ? [2, 3] : [3, 2]);
      expect(m.push(u32(4), 1)).toBe(-Errno.EINVAL); // BPF_NOEXIST
      expect(m.push(u32(4), 3)).toBe(-Errno.EINVAL);
      expect(m.update()).toBe(-Errno.EINVAL);
      expect(m.keys()).toEqual([]);
    }
  });

  it('keeps the order while its ring grows and wraps, and after the ring moves into other bytes', () => {
    for (const lifo of [false, true]) {
      const m = createMap({ name: 'q', type: lifo ? MapType.STACK : MapType.QUEUE, keySize: 0, valueSize: 3, maxEntries: 20 }, new Memory()) as QueueStackMap;
      const model: number[] = [];
      const step = (i: number): void => {
        // push two, pop one: the ring fills, grows past its first slots, then (full) drops the oldest
        for (const v of [2 * i, 2 * i + 1]) {
          expect(m.push(Uint8Array.of(v, 0, 0), 2)).toBe(0);
          if (model.length === 20) model.shift();
          model.push(v);
        }
        const to = new Uint8Array(5).fill(9);
        expect(m.takeInto(to, 1, true)).toBe(0);
        expect(to[1]).toBe(lifo ? model.pop() : model.shift());
        expect([to[0], to[4]]).toEqual([9, 9]);
      };
      for (let i = 0; i < 30; i++) step(i);
      const order = () => m.values().map((v) => v[0]);
      expect(order()).toEqual(lifo ? [...model].reverse() : model);
      const place = new Uint8Array(m.ringSize + 8);
      m.placeRing(place.subarray(8));
      expect(m.ring.byteOffset).toBe(8);
      for (let i = 30; i < 60; i++) step(i);
      expect(order()).toEqual(lifo ? [...model].reverse() : model);
      expect(() => m.placeRing(new Uint8Array(m.ringSize - 1))).toThrow(RangeError);
    }
  });

  it('refuses a key size other than 0', () => {
    expect(() => createMap({ name: 'q', type: MapType.QUEUE, keySize: 4, valueSize: 4, maxEntries: 2 }, new Memory())).toThrow(/key size 0/);
  });
});

