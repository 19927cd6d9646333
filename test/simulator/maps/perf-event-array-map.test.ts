import { describe, expect, it } from 'vitest';
import { BPF_F_CURRENT_CPU, Errno, MapType, PerfEventArrayMap, createMap } from '../../../simulator/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

describe('perf event arrays', () => {
  it('capture output to open indexes; -E2BIG past the end, -ENOENT on a closed index', () => {
    const m = createMap({ name: 'e', type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, new Memory(), { cpus: 2 }) as PerfEventArrayMap;
    expect(m.keys()).toEqual([u32(0), u32(1)]);
    expect(m.output(BPF_F_CURRENT_CPU, 1, Uint8Array.of(7))).toBe(0);
    expect(m.output(0n, 1, Uint8Array.of(8))).toBe(0);
    expect(m.output(2n, 0, Uint8Array.of(9))).toBe(-Errno.ENOENT);
    expect(m.output(4n, 0, Uint8Array.of(9))).toBe(-Errno.E2BIG);
    m.open(2);
    expect(m.output(2n, 0, Uint8Array.of(9))).toBe(0);
    expect(m.drain()).toEqual([
      { index: 1, data: Uint8Array.of(7) },
      { index: 0, data: Uint8Array.of(8) },
      { index: 2, data: Uint8Array.of(9) },
    ]);
    expect(m.events()).toEqual([]);
  });
});
