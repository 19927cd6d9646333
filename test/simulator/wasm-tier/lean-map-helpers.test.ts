// Queue and stack maps and bpf_spin_lock answered by the fast tier's lean path (lean-map-helpers.ts): the
// same results, map contents and faults as the interpreter on the same runs.
import { describe, expect, it, vi } from 'vitest';
import { ArrayMap, QueueStackMap } from '../../../simulator/maps/index.ts';
import { compare, type MakeMaps } from './lean-sides.ts';

const maps: MakeMaps = (memory) => [
  new QueueStackMap({ name: 'q', type: 22, keySize: 0, valueSize: 4, maxEntries: 3, memory, lifo: false }),
  new QueueStackMap({ name: 's', type: 23, keySize: 0, valueSize: 4, maxEntries: 3, memory, lifo: true }),
  new ArrayMap({ name: 'guarded', type: 2, keySize: 4, valueSize: 8, maxEntries: 1, memory }),
];

// r2 = sel. Under the lock of guarded[0], count the run (and lock twice when sel is 13: a fault; sel 10 writes
// the lock's second byte, which the unlock clears with the rest); then on
// the queue (sel & 4: the stack) push sel (sel & 3 = 0, or 3: with BPF_EXIST; sel = 8: flags 0x100), pop
// (1) or peek (2) into [r10-4]; r0 = the helper's result << 32 | the word at [r10-4]
const SOURCE = `
stxw [%r10-4], %r2
mov %r6, %r2
stw [%r10-8], 0
lddw %r1, MAP2
mov %r2, %r10
add %r2, -8
call 1
jeq %r0, 0, done
mov %r7, %r0
mov %r1, %r7
call 93
ldxw %r3, [%r7+4]
add %r3, 1
stxw [%r7+4], %r3
jne %r6, 10, +1
stb [%r7+1], 1
jne %r6, 13, unlock
mov %r1, %r7
call 93
unlock:
mov %r1, %r7
call 94
lddw %r1, MAP0
mov %r3, %r6
and %r3, 4
jeq %r3, 0, queue
lddw %r1, MAP1
queue:
mov %r2, %r10
add %r2, -4
mov %r8, %r6
and %r8, 3
jeq %r8, 1, pop
jeq %r8, 2, peek
mov %r3, 0
jne %r8, 3, +1
mov %r3, 2
jne %r6, 8, +1
mov %r3, 0x100
call 87
ja result
pop:
call 88
ja result
peek:
call 89
result:
lsh %r0, 32
ldxw %r3, [%r10-4]
or %r0, %r3
exit
done:
mov %r0, 0
exit`;

describe('the lean queue, stack and spin lock helpers', () => {
  it('push, pop and peek as the interpreter does, full and empty maps included', () => {
    const sels = [0, 4, 3, 7, 1, 5, 2, 6, 0, 0, 0, 3, 1, 1, 1, 1, 9, 5, 5, 5, 5, 4, 8, 12, 2, 6];
    const r = compare(maps, SOURCE, sels.length * 3, (i) => sels[i % sels.length]!);
    expect(r.wasm).toEqual(r.interp);
    expect(r.contents[1]).toEqual(r.contents[0]);
    // the runs met a full map (-E2BIG), an empty one (-ENOENT) and invalid flags (-EINVAL)
    const results = new Set(r.interp.map((x) => BigInt.asIntN(32, (x as bigint) >> 32n)));
    expect(results).toEqual(new Set([0n, -7n, -2n, -22n]));
    const values = (k: number) => r.sides.map((s) => (s.maps[k] as QueueStackMap).values().map((v) => [...v]));
    expect(values(0)[1]).toEqual(values(0)[0]);
    expect(values(1)[1]).toEqual(values(1)[0]);
  });

  it('answer push, pop and peek inside wasm once a map\'s ring is in linear memory, wrapping around it', () => {
    const calls = [vi.spyOn(QueueStackMap.prototype, 'pushFrom'), vi.spyOn(QueueStackMap.prototype, 'takeInto')];
    try {
      // pushes and pops in turn go round the 3-slot rings many times
      const sels = [0, 4, 0, 4, 1, 5, 3, 7, 2, 6, 1, 5, 0, 4, 0, 4, 0, 4, 0, 4, 3, 1, 7, 5, 1, 5, 2, 6];
      const r = compare(maps, SOURCE, sels.length * 4, (i) => sels[i % sels.length]!);
      expect(r.wasm).toEqual(r.interp);
      const values = (k: number) => r.sides.map((s) => (s.maps[k] as QueueStackMap).values().map((v) => [...v]));
      expect(values(0)[1]).toEqual(values(0)[0]);
      expect(values(1)[1]).toEqual(values(1)[0]);
      // on the fast tier's side only the first call per map went through JavaScript (it moved the ring)
      const wasmMaps = new Set<unknown>(r.sides[1]!.maps);
      const js = calls.flatMap((c) => c.mock.contexts.filter((m) => wasmMaps.has(m)));
      expect(js.length).toBe(2);
    } finally {
      calls.forEach((c) => c.mockRestore());
    }
  });

  it('count under the lock, and fault on a lock taken twice at the interpreter\'s instruction', () => {
    // the lock stays held after the fault: every run after the first 13 faults at its first lock
    const sels = [0, 1, 10, 2, 10, 3, 13, 1];
    const r = compare(maps, SOURCE, sels.length, (i) => sels[i]!);
    expect(r.wasm).toEqual(r.interp);
    expect(r.interp[6]).toMatchObject({ slot: 19, message: expect.stringContaining('already held') });
    expect(r.interp[7]).toMatchObject({ slot: 11 });
    expect(r.interp.slice(0, 6).every((x) => typeof x === 'bigint')).toBe(true);
    expect(r.contents[1]).toEqual(r.contents[0]);
  });
});
