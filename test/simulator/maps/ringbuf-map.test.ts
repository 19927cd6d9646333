import { describe, expect, it } from 'vitest';
import { MapType, RingbufMap } from '../../../simulator/maps/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

describe('RingbufMap', () => {
  it('reserve, submit and discard leave the submitted records readable in order', () => {
    const memory = new Memory();
    const rb = new RingbufMap({ name: 'rb', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 64, memory });
    const a = rb.reserve(4)!;
    a.bytes.set([1, 2, 3, 4]);
    const b = rb.reserve(8)!;
    rb.commit(b, true);
    rb.commit(a, false);
    expect(rb.output(Uint8Array.of(9))).toBe(0);
    expect(rb.records()).toEqual([Uint8Array.of(1, 2, 3, 4), Uint8Array.of(9)]);
    expect(memory.check(a.address(), 1, false)).toMatch(/no region/);
  });

  it('reserve fails when unconsumed records fill the buffer, and drain frees space', () => {
    const rb = new RingbufMap({ name: 'rb', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 32, memory: new Memory() });
    expect(rb.output(new Uint8Array(8))).toBe(0);
    expect(rb.output(new Uint8Array(8))).toBe(0);
    expect(rb.reserve(1)).toBeUndefined();
    expect(rb.drain()).toHaveLength(2);
    expect(rb.reserve(16)).toBeDefined();
  });
});
