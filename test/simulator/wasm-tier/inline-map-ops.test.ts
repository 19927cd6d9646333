// Map lookups answered inside wasm (array indexing, remembered hash and LPM answers) and map values kept in
// linear memory: the fast tier against the reference interpreter on the same programs and map contents,
// with the kernel's helper table in its unrecorded (batch) form, where the fast tier answers lookups itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { ArrayMap, HashMap, LpmTrieMap, MapOfMaps } from '../../../simulator/maps/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { repoRoot } from '../../corpora.ts';
import { compare, MISS, program, type MakeMaps } from './lean-sides.ts';

// r2 = the key (4 bytes); look it up in MAP0; when found, add 1 to the u64 value and return it, else -1
const COUNT = `
stxw [%r10-4], %r2
lddw %r1, MAP0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +5
ldxdw %r3, [%r0]
add %r3, 1
stxdw [%r0], %r3
mov %r0, %r3
exit
mov %r0, -1
exit`;

describe('bpf_map_lookup_elem in wasm', () => {
  it('indexes an array and a per-CPU array as the interpreter does, 0 past max_entries', () => {
    for (const [perCpu, cpu] of [[false, 0], [true, 0], [true, 1], [true, 2]] as const) {
      const make: MakeMaps = (memory) => [new ArrayMap({ name: 'a', type: perCpu ? 6 : 2, keySize: 4, valueSize: 8, maxEntries: 4, memory, cpus: 2, perCpu })];
      const keys = [0, 3, 4, 1, 0, 0xffff_ffff, 3, 2];
      const r = compare(make, COUNT, 40, (i) => keys[i % keys.length]!, cpu);
      expect(r.wasm).toEqual(r.interp);
      expect(r.contents[1]).toEqual(r.contents[0]);
      if (cpu < 2) expect(r.interp).toContain(MISS);
    }
  });

  it('uses the CPU a batch runs on, when runBatch changes it between batches of a run left open', () => {
    const spec = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/count_v1.o'))));
    const udp = packet.eth().ipv4({ src: '192.0.2.1', dst: '192.0.2.2' }).udp({ sport: 47000, dport: 47001 }).build();
    const counts = (tier: 'interp' | 'wasm') => {
      const sim = new Simulator(spec, { unverified: true, tier, cpus: 2 });
      for (const [cpu, n] of [[0, 3], [1, 5], [0, 2], [1, 1]] as const) sim.runBatch('xdp_count_v1', Array<Uint8Array>(n).fill(udp), { cpu });
      return sim.map('counts').getPerCpu(0)!.map((v) => [...v]);
    };
    expect(counts('wasm')).toEqual(counts('interp'));
    expect(counts('wasm')[1]![0]).toBe(6);
  });

  it('answers a hash map key it saw again without JavaScript, until a key comes or goes', () => {
    const make: MakeMaps = (memory) => [new HashMap({ name: 'h', type: 1, keySize: 4, valueSize: 8, maxEntries: 8, memory })];
    const { sides } = compare(make, COUNT, 0, () => 0);
    const s = sides[1]!;
    const m = s.maps[0]!;
    m.set(7, 100n);
    const prog = program(COUNT, s.maps);
    const run = (key: number) => s.vm.run(prog, { memory: s.memory, r1: s.ctx, r2: key }).r0;
    const seen = vi.spyOn(HashMap.prototype, 'lookupRegion');
    try {
      expect([run(7), run(9)]).toEqual([101n, MISS]);
      const first = seen.mock.calls.length;
      expect([run(7), run(9), run(7)]).toEqual([102n, MISS, 103n]);
      expect(seen.mock.calls.length).toBe(first);
      m.set(9, 5n); // a new key: every answer remembered for the map is forgotten
      expect([run(9), run(7)]).toEqual([6n, 104n]);
      expect(seen.mock.calls.length).toBe(first + 2);
      expect(m.remove(9)).toBe(true);
      expect(run(9)).toBe(MISS);
      expect(m.getNumber(7)).toBe(104n);
    } finally {
      seen.mockRestore();
    }
  });

  it('updates a hash map key it remembers without JavaScript, and leaves new keys, NOEXIST and overlaps to the helper', () => {
    // r2 = key | flags << 8 | shift << 16: look the key up (so it is remembered), then update it with flags from
    // the u64 [r10-16] = key * 3 + 1, or (shift 4) from the stack 4 bytes below the key (overlapping nothing
    // the map holds); returns the update's r0 then the value read back
    const UPDATE = `
mov %r6, %r2
mov %r7, %r2
rsh %r7, 8
and %r7, 255
and %r6, 255
stxw [%r10-4], %r6
mov %r3, %r6
mul %r3, 3
add %r3, 1
stxdw [%r10-16], %r3
lddw %r1, MAP0
mov %r2, %r10
add %r2, -4
call 1
lddw %r1, MAP0
mov %r2, %r10
add %r2, -4
mov %r3, %r10
add %r3, -16
mov %r4, %r7
call 2
lsh %r0, 32
mov %r8, %r0
lddw %r1, MAP0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +3
ldxw %r0, [%r0]
or %r0, %r8
exit
mov %r0, -1
exit`;
    const make: MakeMaps = (memory) => [new HashMap({ name: 'h', type: 1, keySize: 4, valueSize: 8, maxEntries: 4, memory })];
    // keys 1..6 into a map of 4 (new keys, then full: -E2BIG), again (present: updated), flags ANY, NOEXIST, EXIST, bad
    const steps: number[] = [];
    for (const flags of [0, 1, 2, 0, 4]) for (let k = 1; k <= 6; k++) steps.push(k | (flags << 8));
    const r = compare(make, UPDATE, steps.length, (i) => steps[i]!);
    expect(r.wasm).toEqual(r.interp);
    expect(r.contents[1]).toEqual(r.contents[0]);
    // present keys updated: r0 0 and the value written
    expect(r.interp[18]).toBe(4n);
    // and the wasm side answered those without HashMap.update
    const { sides } = compare(make, UPDATE, 0, () => 0);
    const s = sides[1]!;
    s.maps[0]!.set(7, 0n);
    const prog = program(UPDATE, s.maps);
    const run = (r2: number) => s.vm.run(prog, { memory: s.memory, r1: s.ctx, r2 }).r0;
    expect(run(7)).toBe(22n);
    const updates = vi.spyOn(HashMap.prototype, 'update');
    try {
      expect([run(7), run(7 | (2 << 8))]).toEqual([22n, 22n]);
      expect(updates).not.toHaveBeenCalled();
      expect(run(7 | (1 << 8))).toBe(((BigInt.asUintN(64, -17n) << 32n) | 22n) & 0xffff_ffff_ffff_ffffn);
      expect(updates).toHaveBeenCalledTimes(1);
    } finally {
      updates.mockRestore();
    }
  });

  it('keeps the LRU order of the interpreter: hits are uses, evictions pick the same element', () => {
    const make: MakeMaps = (memory) => [new HashMap({ name: 'lru', type: 9, keySize: 4, valueSize: 8, maxEntries: 3, memory, lru: true })];
    // runs look up key (i * 7) % 5; every fifth run inserts the key i % 6 from TypeScript first (evicting)
    const r = compare(make, COUNT, 60, (i, maps) => {
      if (i % 5 === 0) maps[0]!.set(i % 6, BigInt(i));
      return (i * 7) % 5;
    });
    expect(r.wasm).toEqual(r.interp);
    expect(r.contents[1]).toEqual(r.contents[0]);
    // A and B in a map of 2; uses A, B, A: the third use makes A the newest, so inserting C evicts B
    const two: MakeMaps = (memory) => [new HashMap({ name: 'lru', type: 9, keySize: 4, valueSize: 8, maxEntries: 2, memory, lru: true })];
    const uses = [1, 2, 1, 1, 2];
    const t = compare(two, COUNT, 5, (i, maps) => {
      if (i === 0) [1, 2].forEach((k) => maps[0]!.set(k, 0n));
      if (i === 3) maps[0]!.set(3, 0n);
      return uses[i]!;
    });
    expect(t.interp).toEqual([1n, 1n, 2n, 3n, MISS]);
    expect(t.wasm).toEqual(t.interp);
  });

  it('gives the longest prefix as the map holds it now, across inserts and deletes of prefixes', () => {
    const make: MakeMaps = (memory) => [new LpmTrieMap({ name: 'lpm', type: 11, keySize: 8, valueSize: 8, maxEntries: 16, memory })];
    const key = (len: number, addr: number) => Uint8Array.of(len, 0, 0, 0, addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255);
    // r2 = the address's last byte: look up 10.1.2.x/32, add 1 to the matched prefix's value
    const source = `
mov %r3, 32
stxw [%r10-8], %r3
mov %r3, 0x0002010a
stxw [%r10-4], %r3
stxb [%r10-1], %r2
lddw %r1, MAP0
mov %r2, %r10
add %r2, -8
call 1
jeq %r0, 0, +5
ldxdw %r3, [%r0]
add %r3, 1
stxdw [%r0], %r3
mov %r0, %r3
exit
mov %r0, -1
exit`;
    const r = compare(make, source, 48, (i, maps) => {
      const m = maps[0]!;
      if (i === 0) m.set(key(8, 0x0a000000), 1000n);
      if (i === 12) m.set(key(24, 0x0a010200), 2000n);
      if (i === 24) m.set(key(32, 0x0a010203), 3000n);
      if (i === 36) m.remove(key(24, 0x0a010200));
      return i % 6;
    });
    expect(r.wasm).toEqual(r.interp);
    expect(r.contents[1]).toEqual(r.contents[0]);
    expect(new Set(r.interp.map((x) => (x as bigint) / 1000n))).toEqual(new Set([1n, 2n, 3n]));
  });
});

describe('bpf_map_lookup_elem in wasm on a map of maps', () => {
  it('follows the inner map TypeScript puts in place between runs', () => {
    const make: MakeMaps = (memory) => [
      new MapOfMaps({ name: 'outer', type: 12, keySize: 4, valueSize: 4, maxEntries: 2, memory }),
      new ArrayMap({ name: 'a', type: 2, keySize: 4, valueSize: 8, maxEntries: 2, memory }),
      new ArrayMap({ name: 'b', type: 2, keySize: 4, valueSize: 8, maxEntries: 2, memory }),
    ];
    // the inner map at outer[0], then COUNT's lookup of key r2 there
    const source = `
mov %r6, %r2
stw [%r10-8], 0
lddw %r1, MAP0
mov %r2, %r10
add %r2, -8
call 1
jeq %r0, 0, +12
stxw [%r10-4], %r6
mov %r1, %r0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +5
ldxdw %r3, [%r0]
add %r3, 1
stxdw [%r0], %r3
mov %r0, %r3
exit
mov %r0, -1
exit`;
    const r = compare(make, source, 40, (i, maps) => {
      const outer = maps[0] as MapOfMaps;
      if (i % 10 === 0) outer.setMap(0, maps[1]!);
      if (i % 10 === 4) outer.setMap(0, maps[2]!);
      if (i % 10 === 7) outer.setMap(0, undefined);
      return i % 3;
    });
    expect(r.wasm).toEqual(r.interp);
    expect(r.contents[1]).toEqual(r.contents[0]);
    expect(r.interp).toContain(MISS);
  });
});

describe('map values in linear memory', () => {
  it('fault through a pointer kept past its element\'s delete at the interpreter\'s instruction', () => {
    const make: MakeMaps = (memory) => [new HashMap({ name: 'h', type: 1, keySize: 4, valueSize: 8, maxEntries: 8, memory })];
    // look up key r2, store through the value, delete the key, load through the old pointer
    const source = `
stxw [%r10-4], %r2
lddw %r1, MAP0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +9
mov %r6, %r0
stdw [%r6], 42
lddw %r1, MAP0
mov %r2, %r10
add %r2, -4
call 3
ldxdw %r0, [%r6]
exit
mov %r0, -1
exit`;
    const r = compare(make, source, 30, (i, maps) => {
      maps[0]!.set(i % 4, BigInt(i));
      return i % 4;
    });
    expect(r.wasm).toEqual(r.interp);
    expect(r.interp[0]).toMatchObject({ kind: 'memory', slot: 14 });
    expect(r.contents[1]).toEqual(r.contents[0]);
  });

  it('leave TypeScript reading and writing an element\'s live bytes, and reuse a deleted element\'s space', () => {
    const { sides } = compare((memory) => [new HashMap({ name: 'h', type: 1, keySize: 4, valueSize: 8, maxEntries: 4, memory })], COUNT, 0, () => 0);
    const s = sides[1]!;
    const m = s.maps[0]!;
    const prog = program(COUNT, s.maps);
    const places = new Set<number>();
    for (let i = 0; i < 200; i++) {
      m.set(i, BigInt(i));
      expect(s.vm.run(prog, { memory: s.memory, r1: s.ctx, r2: i }).r0).toBe(BigInt(i + 1));
      expect(m.getNumber(i)).toBe(BigInt(i + 1));
      m.set(i, 7n);
      expect(s.vm.run(prog, { memory: s.memory, r1: s.ctx, r2: i }).r0).toBe(8n);
      const value = s.memory.regions.findLast((r) => r?.kind === 'map_value')!;
      expect(value.bytes.buffer).not.toBe(m.get(i)!.buffer); // get() copies; the region itself is in linear memory
      places.add(value.bytes.byteOffset);
      m.remove(i);
      expect(value.bytes.buffer).not.toBe(places); // (the removed region keeps bytes of its own)
    }
    expect(places.size).toBe(1);
  });
});
