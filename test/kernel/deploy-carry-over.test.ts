// Carrying a deployment's state over a change of map layout, on real kernel maps: the plan sorts the state maps
// into reused (same layout), copied (same key and value, another capacity or hash flavour) and lost (key or value
// changed), and the copy moves every entry, then only the ones missing (the new programs' own entries win).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectSpec } from '../../bpf/index.ts';
import { carryRuleCounters } from '../../cli/deploy/carry-counters.ts';
import { copyEntries } from '../../cli/deploy/copy-entries.ts';
import { carryOverPlan } from '../../cli/deploy/layout-changes.ts';
import { mapCreate, mapGetNextKey, mapLookup, mapUpdate, pinObject, possibleCpus, type Fd } from '../../loader/index.ts';
import { available, kernelBpf } from '../support/require.ts';

const HASH = 1;
const PERCPU_ARRAY = 6;
const LRU_HASH = 9;
const ARRAY = 2;
const KEY = 40; // struct ct_key
const VALUE = 8; // struct ct_value

const key = (i: number) => Uint8Array.from({ length: KEY }, (_, j) => (j === 0 ? i & 0xff : j === 1 ? i >> 8 : j));
const value = (n: number) => Uint8Array.from({ length: VALUE }, (_, j) => (j === 0 ? n : 0));

function count(fd: Fd): number {
  let n = 0;
  for (let k = mapGetNextKey(fd, undefined); k !== undefined; k = mapGetNextKey(fd, k)) n++;
  return n;
}

describe.runIf(available('carry-over of pinned state maps', kernelBpf))('carrying state maps over a layout change', () => {
  const dir = `/sys/fs/bpf/tsbpf-carry-${process.pid}`;
  const fds: Fd[] = [];
  let pinned: Record<string, string>;

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    const make = (name: string, type: number, keySize: number, valueSize: number, maxEntries: number) => {
      const fd = mapCreate({ type, keySize, valueSize, maxEntries, flags: 0, name });
      fds.push(fd);
      return fd;
    };
    // room to spare: an LRU map evicts before it is full when the inserting process moves between CPUs (each CPU
    // draws its own batch of free nodes), and the copies below must see all 50 connections
    const ct = make('conntrack', LRU_HASH, KEY, VALUE, 1024);
    for (let i = 0; i < 50; i++) mapUpdate(ct, key(i), value(1));
    pinned = {
      conntrack: pinObject(ct, dir, 'conntrack'),
      fragments: pinObject(make('fragments', LRU_HASH, 44, 8, 32), dir, 'fragments'),
      verdict_counters: pinObject(make('verdicts', ARRAY, 4, 16, 8), dir, 'verdict_counters'),
      policy: pinObject(make('policy', HASH, 4, 8, 8), dir, 'policy'),
    };
  });

  afterAll(() => {
    for (const fd of fds) fd.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const spec = (maps: { name: string; type: number; keySize: number; valueSize: number; maxEntries: number }[]) =>
    ({ maps: maps.map((m) => ({ ...m, flags: 0 })) }) as unknown as ObjectSpec;

  it('carryOverPlan() reuses unchanged state maps, copies resized ones, names the ones it cannot carry, and skips rule maps', () => {
    const plan = carryOverPlan(
      spec([
        { name: 'conntrack', type: HASH, keySize: KEY, valueSize: VALUE, maxEntries: 128 },
        { name: 'fragments', type: LRU_HASH, keySize: 44, valueSize: 16, maxEntries: 32 },
        { name: 'verdict_counters', type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 8 },
        { name: 'policy', type: HASH, keySize: 4, valueSize: 8, maxEntries: 16 },
        { name: 'l7_state', type: HASH, keySize: 4, valueSize: 8, maxEntries: 16 },
      ]),
      pinned,
      new Set(['policy']),
    );
    expect(plan).toEqual({
      reuse: { verdict_counters: pinned['verdict_counters'] },
      copy: { conntrack: pinned['conntrack'] },
      resize: {},
      lost: ['map fragments: value size 8 → 16'],
    });
  });

  it('carryOverPlan() copies conntrack into a wider value (the first L7 rule) and names any other value change lost', () => {
    const plan = carryOverPlan(
      spec([
        { name: 'conntrack', type: LRU_HASH, keySize: KEY, valueSize: 24, maxEntries: 64 },
        { name: 'fragments', type: LRU_HASH, keySize: 40, valueSize: 8, maxEntries: 32 },
      ]),
      pinned,
      new Set(),
    );
    expect(plan).toEqual({ reuse: {}, copy: { conntrack: pinned['conntrack'] }, resize: { conntrack: 24 }, lost: ['map fragments: key size 44 → 40'] });
  });

  it('copyEntries() pads each value with zeros into a wider map, and cuts it back into a narrower one', () => {
    const wide = mapCreate({ type: LRU_HASH, keySize: KEY, valueSize: 24, maxEntries: 1024, flags: 0, name: 'ct_wide' });
    const narrow = mapCreate({ type: LRU_HASH, keySize: KEY, valueSize: VALUE, maxEntries: 1024, flags: 0, name: 'ct_narrow' });
    try {
      expect(copyEntries(fds[0]!, wide, { valueSize: 24 }).copied).toBe(count(fds[0]!));
      const v = mapLookup(wide, key(3))!;
      expect(v.subarray(0, VALUE)).toEqual(value(1));
      expect([...v.subarray(VALUE)].every((b) => b === 0)).toBe(true);
      mapUpdate(wide, key(3), Uint8Array.from({ length: 24 }, (_, i) => (i === 0 ? 7 : i < VALUE ? 0 : 0xee)));
      expect(copyEntries(wide, narrow, { valueSize: VALUE }).copied).toBe(count(wide));
      expect(mapLookup(narrow, key(3))).toEqual(value(7));
    } finally {
      wide.close();
      narrow.close();
    }
  });

  it('copyEntries() moves every connection into a larger map, then adds only those made since', () => {
    const from = fds[0]!;
    const to = mapCreate({ type: HASH, keySize: KEY, valueSize: VALUE, maxEntries: 128, flags: 0, name: 'ct_new' });
    try {
      expect(copyEntries(from, to)).toEqual({ copied: 50, skipped: 0 });
      expect(count(to)).toBe(50);
      expect(mapLookup(to, key(7))).toEqual(value(1));
      // the old programs track two more connections; the new ones have already refreshed one of the first
      mapUpdate(from, key(60), value(1));
      mapUpdate(from, key(61), value(1));
      mapUpdate(to, key(7), value(9));
      expect(copyEntries(from, to, { onlyMissing: true })).toEqual({ copied: 2, skipped: 50 });
      expect(count(to)).toBe(52);
      expect(mapLookup(to, key(7))).toEqual(value(9));
    } finally {
      to.close();
    }
  });

  it('copyEntries() copies what fits into a smaller hash map and counts the rest as skipped', () => {
    const to = mapCreate({ type: HASH, keySize: KEY, valueSize: VALUE, maxEntries: 16, flags: 0, name: 'ct_small' });
    try {
      const r = copyEntries(fds[0]!, to);
      expect(r.copied).toBe(16);
      expect(r.copied + r.skipped).toBe(count(fds[0]!));
    } finally {
      to.close();
    }
  });

  it('carryRuleCounters() moves each rule\'s counts, summed over both generations, to its slot in a larger map', () => {
    const cpus = possibleCpus();
    const counter = (perCpu: (cpu: number) => number) => {
      const v = new BigUint64Array(cpus * 2);
      for (let c = 0; c < cpus; c++) (v[2 * c] = BigInt(perCpu(c))), (v[2 * c + 1] = BigInt(100 * perCpu(c)));
      return new Uint8Array(v.buffer);
    };
    const key = (n: number) => Uint8Array.of(n & 0xff, n >> 8, 0, 0);
    const sum = (v: Uint8Array | undefined) => {
      const w = new BigUint64Array(v!.slice().buffer);
      let packets = 0n;
      let bytes = 0n;
      for (let c = 0; c < cpus; c++) (packets += w[2 * c]!), (bytes += w[2 * c + 1]!);
      return { packets, bytes };
    };
    // old: 4 slots per generation; generation 0 had rules a (id 1) and b (id 2), generation 1 has b as id 1 and c as id 2
    const from = mapCreate({ type: PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: 8, flags: 0, name: 'rc_old' });
    const to = mapCreate({ type: PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: 16, flags: 0, name: 'rc_new' });
    try {
      const label = (id: number, name: string) => ({ id, name, policy: 'p', direction: 'ingress' });
      mapUpdate(from, key(0), counter(() => 1)); // default deny, generation 0
      mapUpdate(from, key(1), counter((c) => c + 1)); // a
      mapUpdate(from, key(2), counter(() => 2)); // b, generation 0
      mapUpdate(from, key(4 + 1), counter(() => 3)); // b, generation 1
      mapUpdate(from, key(4 + 2), counter(() => 5)); // c
      const carried = carryRuleCounters(
        from,
        { slots: 4, labels: { '0': [label(1, 'a'), label(2, 'b')], '1': [label(1, 'b'), label(2, 'c')] } },
        to,
        { slots: 8, generation: 1, labels: [label(1, 'c'), label(2, 'b'), label(3, 'd')] },
      );
      expect(carried).toBe(3); // default deny, c, b; a is gone, d is new
      const n = BigInt(cpus);
      expect(sum(mapLookup(to, key(8 + 0)))).toEqual({ packets: n, bytes: 100n * n });
      expect(sum(mapLookup(to, key(8 + 1)))).toEqual({ packets: 5n * n, bytes: 500n * n });
      expect(sum(mapLookup(to, key(8 + 2)))).toEqual({ packets: 5n * n, bytes: 500n * n });
      expect(sum(mapLookup(to, key(8 + 3)))).toEqual({ packets: 0n, bytes: 0n });
    } finally {
      from.close();
      to.close();
    }
  });
});

