// runBatch's lean path (no onResult: one helper table and context per batch, helpers answered inside the
// fast tier, RunStates reused) against Simulator.run per packet, on real fixtures and generated packets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { hexKey } from '../../../simulator/maps/index.ts';
import { createRng, randomPacket } from '../../../simulator/packet/index.ts';
import { AUTO_THRESHOLD, hasWasmProgram, type BatchResult } from '../../../simulator/wasm-tier/index.ts';
import { repoRoot } from '../../corpora.ts';

const rng = createRng(11);
const packets = Array.from({ length: 120 }, () => randomPacket(rng, { minSize: 14, maxSize: 1514 }).data);

function maps(sim: Simulator): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, m] of sim.maps) {
    try {
      out[name] = m.entriesPerCpu().map(([k, vs]) => `${hexKey(k)}=${vs.map(hexKey).join('/')}`);
    } catch {
      out[name] = ['unreadable'];
    }
  }
  return out;
}

function simulator(file: string, tier: 'interp' | 'wasm'): Simulator {
  const sim = new Simulator(readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', file)))), { unverified: true, tier, clockStep: 1000n });
  if (sim.maps.has('blocked_ports')) sim.map('blocked_ports').set(Uint8Array.of(6, 0, 0, 22), 1);
  if (sim.maps.has('jumps')) sim.setTailCall('jumps', 0, 'tail_target');
  return sim;
}

describe('runBatch()', () => {
  const cases = [
    ['xdp_firewall.o', 'xdp_firewall'],
    ['traffic.o', 'xdp_count_drop'],
    ['traffic.o', 'tc_count_drop'],
    ['sim_xdp_adjust.o', 'sim_xdp_adjust'],
    ['subprogs.o', 'xdp_calls'],
    ['tc_mark.o', 'tc_mark'],
    ['sim_tc_room.o', 'sim_tc_room'],
    ['traffic.o', 'socket_drop_big'],
    ['maps.o', 'xdp_maps'], // a tail call in every run: each next run starts from the full reset
  ] as const;
  for (const tier of ['interp', 'wasm'] as const) {
    it.each(cases)(`on the ${tier} tier, counts the verdicts and leaves the maps of Simulator.run per packet (%s %s)`, (file, name) => {
      const lean = simulator(file, tier);
      const each = simulator(file, tier);
      // twice over the same frames: the second batch runs on contexts restored from their snapshots
      for (let round = 0; round < 2; round++) {
        const seen: string[] = [];
        const a = lean.runBatch(name, packets);
        const b = each.runBatch(name, packets, { onResult: (_, r) => seen.push('action' in r ? r.action : 'fault') });
        expect(a.verdicts).toEqual(b.verdicts);
        expect(a.faults).toBe(b.faults);
        expect(a.packets).toBe(packets.length);
        expect(seen).toHaveLength(packets.length);
        expect(maps(lean)).toEqual(maps(each));
        expect(lean.clock).toBe(each.clock);
      }
    });
  }

  it('on the interp tier, runs each skb frame on its own context wherever it sits in the batch (frames reordered, repeated, new)', () => {
    const frames = packets.slice(0, 30);
    const orders = [frames, [...frames].reverse(), [frames[3]!, ...frames.slice(0, 12), frames[3]!, ...packets.slice(30, 36)], frames];
    for (const [file, name] of [['traffic.o', 'tc_count_drop'], ['tc_mark.o', 'tc_mark']] as const) {
      const lean = simulator(file, 'interp');
      const each = simulator(file, 'interp');
      for (const order of orders) {
        const a = lean.runBatch(name, order);
        const b = each.runBatch(name, order, { onResult: () => undefined });
        expect(a.verdicts).toEqual(b.verdicts);
        expect(maps(lean)).toEqual(maps(each));
      }
    }
  });

  it('keeps map contents readable and writable from TypeScript between batches on the fast tier', () => {
    const sim = simulator('xdp_firewall.o', 'wasm');
    const ssh = packets.filter((p) => p.length > 40)[0]!;
    const before = sim.runBatch('xdp_firewall', packets).verdicts;
    // the per-CPU verdict counters, looked up by the program inside wasm, are read from TypeScript
    const counted = [0, 1, 2].reduce((n, i) => n + Number(sim.map('verdicts').sum(i) ?? 0n), 0);
    expect(counted).toBe(Object.entries(before).filter(([k]) => k !== 'fault').reduce((n, [, v]) => n + v, 0) - (before['XDP_ABORTED'] ?? 0));
    sim.map('verdicts').set(0, [new Uint8Array(8)]);
    expect(sim.map('verdicts').sum(0)).toBe(0n);
    sim.runBatch('xdp_firewall', [ssh]);
    expect(Number(sim.map('verdicts').sum(0)) + Number(sim.map('verdicts').sum(1)) + Number(sim.map('verdicts').sum(2))).toBeGreaterThan(0);
  });

  // programs that keep state in maps, fault on short frames, move the packet with helpers, or are skb programs
  const repeated = [
    ['xdp_firewall.o', 'xdp_firewall'],
    ['traffic.o', 'tc_count_drop'],
    ['bad_bounds.o', 'bad_bounds'],
    ['sim_xdp_adjust.o', 'sim_xdp_adjust'],
    ['count_v2.o', 'xdp_count_v2'],
  ] as const;
  /** several batches' results summed as one repeated batch reports them (firstFault's index over all runs) */
  function summed(results: readonly BatchResult[]): unknown {
    const verdicts: Record<string, number> = {};
    let packets = 0;
    let firstFault: { index: number; slot: number; message: string } | undefined;
    for (const r of results) {
      for (const [k, n] of Object.entries(r.verdicts)) verdicts[k] = (verdicts[k] ?? 0) + n;
      if (r.firstFault !== undefined) firstFault ??= { index: packets + r.firstFault.index, slot: r.firstFault.fault.slot, message: r.firstFault.fault.message };
      packets += r.packets;
    }
    return { packets, verdicts, faults: results.reduce((n, r) => n + r.faults, 0), firstFault };
  }
  for (const tier of ['interp', 'wasm'] as const) {
    it(`on the ${tier} tier, a batch with repeat n counts and leaves the maps of n batches in a row`, () => {
      const frame = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => randomPacket(createRng(seed), { minSize: 14, maxSize: 600 }).data);
      const property = fc.property(fc.constantFrom(...repeated), fc.array(frame, { minLength: 1, maxLength: 24 }), fc.integer({ min: 1, max: 5 }), ([file, name], frames, repeat) => {
        const once = simulator(file, tier);
        const each = simulator(file, tier);
        for (const n of [repeat, 2]) {
          // the second time: a repeated batch carries on from the maps the last one left
          const r = once.runBatch(name, frames, { repeat: n });
          const rs = Array.from({ length: n }, () => each.runBatch(name, frames));
          expect(summed([r])).toEqual(summed(rs));
          expect(maps(once)).toEqual(maps(each));
          expect(once.clock).toBe(each.clock);
        }
      });
      fc.assert(property, { numRuns: 25, seed: 12 });
    });
  }

  for (const tier of ['wasm', 'interp'] as const) {
    it(`repeats a batch given as an iterator, which it reads once, and refuses a repeat that is not a positive integer (${tier})`, () => {
      const a = simulator('xdp_firewall.o', tier);
      const b = simulator('xdp_firewall.o', tier);
      function* frames(): Generator<Uint8Array> {
        yield* packets.slice(0, 30);
      }
      expect(a.runBatch('xdp_firewall', frames(), { repeat: 3 }).verdicts).toEqual(b.runBatch('xdp_firewall', [...packets.slice(0, 30), ...packets.slice(0, 30), ...packets.slice(0, 30)]).verdicts);
      expect(maps(a)).toEqual(maps(b));
      // a stream run once: its frames through the iterator
      expect(a.runBatch('xdp_firewall', frames()).packets).toBe(30);
      for (const repeat of [0, -1, 1.5, Number.NaN]) expect(() => a.runBatch('xdp_firewall', packets, { repeat })).toThrow(RangeError);
    });
  }

  it("on 'auto', compiles a program before a batch whose runs take it past AUTO_THRESHOLD, and not before a smaller one", () => {
    const interp = simulator('xdp_firewall.o', 'interp');
    const sim = new Simulator(interp.spec, { unverified: true, clockStep: 1000n });
    sim.map('blocked_ports').set(Uint8Array.of(6, 0, 0, 22), 1);
    const prog = sim.program('xdp_firewall');
    const frames = packets.slice(0, 10);
    const small = Math.floor(AUTO_THRESHOLD / frames.length / 2);
    const big = Math.ceil(AUTO_THRESHOLD / frames.length);
    expect(sim.runBatch('xdp_firewall', frames, { repeat: small }).verdicts).toEqual(interp.runBatch('xdp_firewall', frames, { repeat: small }).verdicts);
    expect(hasWasmProgram(prog)).toBe(false);
    expect(sim.runBatch('xdp_firewall', frames, { repeat: big }).verdicts).toEqual(interp.runBatch('xdp_firewall', frames, { repeat: big }).verdicts);
    expect(hasWasmProgram(prog)).toBe(true);
    expect(maps(sim)).toEqual(maps(interp));
  });
});
