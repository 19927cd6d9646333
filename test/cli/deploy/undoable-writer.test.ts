import { describe, expect, it } from 'vitest';
import { undoable } from '../../../cli/deploy/undoable-writer.ts';

function fakeMaps(failOn: (map: string, n: number) => boolean) {
  const maps = new Map<string, Map<string, string>>();
  let n = 0;
  const at = (m: string) => maps.get(m) ?? maps.set(m, new Map()).get(m)!;
  return {
    maps,
    writer: {
      update(map: string, key: Uint8Array, value: Uint8Array) {
        if (failOn(map, ++n)) throw new RangeError(`map ${map}: full`);
        at(map).set(String(key), String(value));
      },
      delete(map: string, key: Uint8Array) {
        at(map).delete(String(key));
      },
    },
  };
}

describe('undoable', () => {
  it('undoable() deletes the new entries it wrote when a write fails before the flip', () => {
    const { maps, writer } = fakeMaps((_m, n) => n === 3);
    const w = undoable(writer);
    w.update('policy', Uint8Array.of(1), Uint8Array.of(9));
    w.update('subjects', Uint8Array.of(2), Uint8Array.of(9));
    expect(() => w.update('policy', Uint8Array.of(3), Uint8Array.of(9))).toThrow(/full/);
    expect([...maps.values()].map((m) => m.size)).toEqual([0, 0]);
  });
  it('undoable() keeps everything once config was written (the new rules are live)', () => {
    const { maps, writer } = fakeMaps((m) => m === 'late');
    const w = undoable(writer);
    w.update('policy', Uint8Array.of(1), Uint8Array.of(9));
    w.update('config', Uint8Array.of(0), Uint8Array.of(1));
    expect(() => w.update('late', Uint8Array.of(1), Uint8Array.of(1))).toThrow(/full/);
    expect(maps.get('policy')!.size).toBe(1);
    expect(maps.get('config')!.size).toBe(1);
  });
});
