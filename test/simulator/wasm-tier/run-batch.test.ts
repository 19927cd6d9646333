// runBatch's lean path (no onResult: one helper table and context per batch, helpers answered inside the
// fast tier, RunStates reused) against Simulator.run per packet, on real fixtures and generated packets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { hexKey } from '../../../simulator/maps/index.ts';
import { createRng, randomPacket } from '../../../simulator/packet/index.ts';
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
});
