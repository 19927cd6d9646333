// bpf_spin_lock and bpf_spin_unlock answered inside wasm (inline-spin-lock.ts): the interpreter's results,
// map contents and faults, without the runtime's JavaScript answer (lean-map-helpers.ts) for the common case.
import { describe, expect, it, vi } from 'vitest';
import { ArrayMap } from '../../../simulator/maps/index.ts';
import { compare, type MakeMaps } from './lean-sides.ts';

// every call of the runtime's JavaScript answer for queue, stack and lock helpers, by helper id
const jsCalls = vi.hoisted(() => [] as number[]);
vi.mock('../../../simulator/wasm-tier/lean-map-helpers.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../../simulator/wasm-tier/lean-map-helpers.ts')>();
  return {
    ...m,
    leanMapHelper: (id: number, ...rest: Parameters<typeof m.leanMapHelper> extends [number, ...infer R] ? R : never) => {
      jsCalls.push(id);
      return m.leanMapHelper(id, ...rest);
    },
  };
});

// r2 = sel. Lock guarded[0]'s word at offset sel >> 4 (0: the lock; 9 runs past the 12-byte value), count
// the run in the word at 4 under it, unlock (sel & 1: unlock twice; sel & 2: lock twice); r0 = the count
const SOURCE = `
mov %r6, %r2
stw [%r10-4], 0
lddw %r1, MAP0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, done
mov %r7, %r0
mov %r8, %r6
rsh %r8, 4
add %r8, %r7
mov %r1, %r8
call 93
mov %r3, %r6
and %r3, 2
jeq %r3, 0, +2
mov %r1, %r8
call 93
ldxw %r3, [%r7+4]
add %r3, 1
stxw [%r7+4], %r3
mov %r1, %r8
call 94
mov %r3, %r6
and %r3, 1
jeq %r3, 0, +2
mov %r1, %r8
call 94
ldxw %r0, [%r7+4]
exit
done:
mov %r0, 0
exit`;

const guarded =
  (writable: boolean): MakeMaps =>
  (memory) => [new ArrayMap({ name: 'guarded', type: 2, keySize: 4, valueSize: 12, maxEntries: 1, memory, writable })];

describe('bpf_spin_lock and bpf_spin_unlock in wasm', () => {
  it('lock and unlock the word as the interpreter does, without calling into JavaScript', () => {
    jsCalls.length = 0;
    const r = compare(guarded(true), SOURCE, 20, () => 0);
    expect(r.wasm).toEqual(r.interp);
    expect(r.interp.at(-1)).toBe(20n);
    expect(r.contents[1]).toEqual(r.contents[0]);
    expect(jsCalls.filter((id) => id === 93 || id === 94)).toEqual([]);
  });

  it('leave a lock taken twice, a free lock unlocked, a word past the value and a read-only value to the ordinary call and its fault', () => {
    for (const [sel, writable, fault] of [
      [2, true, /already held/],
      [1, true, /not held/],
      [0x90, true, /.+/],
      [0, false, /.+/],
    ] as const) {
      jsCalls.length = 0;
      const r = compare(guarded(writable), SOURCE, 2, () => sel);
      expect(r.wasm).toEqual(r.interp);
      expect(r.interp[0]).toMatchObject({ message: expect.stringMatching(fault) });
      expect(jsCalls.length).toBeGreaterThan(0);
    }
  });
});
