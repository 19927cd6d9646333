// The batch run inside wasm (XDP and skb programs on the fast tier, no onResult) against the interpreter's
// batch: faults in the middle of a batch, frames beyond the staging arena's index and beyond the packet
// area, helpers that move the packet, batches with runs of other kinds in between.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { readObject, type ObjectSpec } from '../../../bpf/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { hexKey } from '../../../simulator/maps/index.ts';
import { createRng, packet, randomPacket } from '../../../simulator/packet/index.ts';
import type { BatchResult } from '../../../simulator/wasm-tier/index.ts';
import { ContextBytes } from '../../../simulator/wasm-tier/context-bytes.ts';
import { repoRoot } from '../../corpora.ts';

function simulator(file: string, tier: 'interp' | 'wasm'): Simulator {
  return new Simulator(readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', file)))), { unverified: true, tier, clockStep: 1000n });
}

/** What a batch reports, its timing left out. */
function outcome(r: BatchResult): unknown {
  const f = r.firstFault;
  return {
    packets: r.packets,
    verdicts: r.verdicts,
    faults: r.faults,
    firstFault: f === undefined ? undefined : { index: f.index, kind: f.fault.kind, slot: f.fault.slot, message: f.fault.message },
  };
}

function maps(sim: Simulator): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, m] of sim.maps) out[name] = m.entriesPerCpu().map(([k, vs]) => `${hexKey(k)}=${vs.map(hexKey).join('/')}`);
  return out;
}

// bad_bounds reads the IPv4 protocol byte after checking only the Ethernet header: a short IPv4 frame faults
const ipv4 = packet.eth().ipv4().udp({ dport: 53 }).build();
const short = ipv4.slice(0, 16);
const rng = createRng(5);
const random = Array.from({ length: 60 }, () => randomPacket(rng, { minSize: 14, maxSize: 1514 }).data);

describe('runBatch() inside wasm', () => {
  it('counts faults in the middle of a batch as the interpreter does, the first with its instruction', () => {
    const frames = [ipv4, ipv4, short, ...random.slice(0, 20), short, ipv4, ...random.slice(20)];
    const wasm = simulator('bad_bounds.o', 'wasm');
    const interp = simulator('bad_bounds.o', 'interp');
    const a = wasm.runBatch('bad_bounds', frames);
    const b = interp.runBatch('bad_bounds', frames);
    expect(a.faults).toBeGreaterThanOrEqual(2);
    expect(a.firstFault?.index).toBe(2);
    expect(outcome(a)).toEqual(outcome(b));
    // and again on the same simulators: the batch carries on from where the last one left its run
    expect(outcome(wasm.runBatch('bad_bounds', frames))).toEqual(outcome(interp.runBatch('bad_bounds', frames)));
  });

  it('runs more frames than the staging index holds, and frames longer than the packet area, in order', () => {
    const big = packet.eth().ipv4().udp({ dport: 53 }).payload(new Uint8Array(4000)).build();
    const frames = [...Array.from({ length: 4200 }, (_, i) => (i % 7 === 0 ? short : i % 5 === 0 ? random[i % 60]! : ipv4)), big, short, ipv4];
    const a = simulator('bad_bounds.o', 'wasm').runBatch('bad_bounds', frames);
    const b = simulator('bad_bounds.o', 'interp').runBatch('bad_bounds', frames);
    expect(a.packets).toBe(frames.length);
    expect(outcome(a)).toEqual(outcome(b));
  });

  it('leaves the maps and the clock as the interpreter does when Simulator.run comes between batches', () => {
    const wasm = simulator('xdp_firewall.o', 'wasm');
    const interp = simulator('xdp_firewall.o', 'interp');
    for (const sim of [wasm, interp]) sim.map('blocked_ports').set(Uint8Array.of(17, 0, 0, 53), 1);
    for (let round = 0; round < 3; round++) {
      expect(outcome(wasm.runBatch('xdp_firewall', random))).toEqual(outcome(interp.runBatch('xdp_firewall', random)));
      expect(wasm.run('xdp_firewall', ipv4).action).toBe(interp.run('xdp_firewall', ipv4).action);
      expect(maps(wasm)).toEqual(maps(interp));
      expect(wasm.clock).toBe(interp.clock);
    }
  });

  it('resets the packet area after a helper moved the packet, as a new context would have it', () => {
    const a = simulator('sim_xdp_adjust.o', 'wasm');
    const b = simulator('sim_xdp_adjust.o', 'interp');
    for (let round = 0; round < 2; round++) {
      expect(outcome(a.runBatch('sim_xdp_adjust', random))).toEqual(outcome(b.runBatch('sim_xdp_adjust', random)));
      expect(maps(a)).toEqual(maps(b));
    }
  });

  it.each([
    ['tc_mark.o', 'tc_mark'],
    ['sim_tc_room.o', 'sim_tc_room'],
    ['sim_cgroup_skb.o', 'sim_cgroup_skb'],
    ['traffic.o', 'socket_drop_big'],
    ['socket_filter.o', 'udp_only'],
  ])('runs skb programs as the interpreter does, frame lengths and context fields per frame (%s %s)', (file, name) => {
    const a = simulator(file, 'wasm');
    const b = simulator(file, 'interp');
    const frames = random.filter((f) => f.length >= 14);
    for (let round = 0; round < 2; round++) {
      expect(outcome(a.runBatch(name, frames))).toEqual(outcome(b.runBatch(name, frames)));
      expect(a.run(name, ipv4).retval).toBe(b.run(name, ipv4).retval);
      expect(maps(a)).toEqual(maps(b));
      expect(a.clock).toBe(b.clock);
    }
  });

  it('stops an skb batch at a frame shorter than an Ethernet header, as the interpreter does', () => {
    const frames = [ipv4, ipv4, ipv4.slice(0, 10), ipv4];
    expect(() => simulator('tc_mark.o', 'wasm').runBatch('tc_mark', frames)).toThrow(/at least 14 bytes/);
    expect(() => simulator('tc_mark.o', 'interp').runBatch('tc_mark', frames)).toThrow(/at least 14 bytes/);
  });

  it('alternates XDP and skb batches of one simulator (two batch contexts in one linear memory) as the interpreter does', () => {
    const a = simulator('traffic.o', 'wasm');
    const b = simulator('traffic.o', 'interp');
    for (let round = 0; round < 3; round++) {
      for (const name of ['xdp_count_drop', 'tc_count_drop', 'socket_drop_big', 'cgroup_count_drop']) {
        expect(outcome(a.runBatch(name, random)), `${name} round ${round}`).toEqual(outcome(b.runBatch(name, random)));
      }
      expect(maps(a)).toEqual(maps(b));
    }
  });

  /** A fixture's object with its program's instructions replaced by `asm` (uBPF assembler lines). */
  function replaced(file: string, asm: readonly string[]): ObjectSpec {
    const spec = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', file))));
    const insns = assembleUbpf(asm.join('\n'));
    const entry = spec.programs[0]!.function;
    return { ...spec, functions: spec.functions.map((f) => (f.name === entry ? { ...f, instructions: insns, references: [], lineInfo: [], coreRelocations: [] } : f)) };
  }

  it('counts more distinct verdicts than the driver has counters for, in the order they first came, as the interpreter does', () => {
    // a socket filter returning skb->len: 400 frame lengths in a shuffled order, each a verdict of its own
    const spec = replaced('socket_filter.o', ['ldxw %r0, [%r1+0]', 'exit']);
    const name = spec.programs[0]!.name;
    const order = createRng(12);
    const lengths = Array.from({ length: 400 }, (_, i) => 14 + i).sort(() => order.next() - 0.5);
    const frames = lengths.map((n) => new Uint8Array(n).fill(7));
    const [a, b] = (['wasm', 'interp'] as const).map((tier) => new Simulator(spec, { unverified: true, tier }).runBatch(name, [...frames, ...frames.slice(0, 50)], { repeat: 3 }));
    expect(Object.keys(b!.verdicts)).toHaveLength(400);
    expect(JSON.stringify(a!.verdicts)).toBe(JSON.stringify(b!.verdicts));
  });

  describe('JavaScript asked per run', () => {
    afterEach(() => void vi.restoreAllMocks());

    it('gives a frame its context fields without JavaScript from its second run on (tc_mark storing skb->mark)', () => {
      // IPv4 frames whose TOS is tc_mark's new_tos already: the program stores skb->mark and reads it back, and
      // writes no packet byte
      const frames = random.slice(0, 40).map((f) => packet.eth().ipv4({ tos: 0x28 }).udp({ dport: 53 }).payload(f.subarray(0, 20)).build());
      const b = simulator('tc_mark.o', 'interp');
      const expected = outcome(b.runBatch('tc_mark', frames, { repeat: 4 }));
      const a = simulator('tc_mark.o', 'wasm');
      a.runBatch('tc_mark', frames.slice(0, 1));
      const syncs = vi.spyOn(ContextBytes.prototype, 'sync');
      expect(outcome(a.runBatch('tc_mark', frames, { repeat: 4 }))).toEqual(expected);
      expect(maps(a)).toEqual(maps(b));
      // the frames' first runs (the first 32: CTX_STAGE_SLOTS), and all runs of the others
      expect(syncs.mock.calls.length).toBeGreaterThanOrEqual(frames.length);
      expect(syncs.mock.calls.length).toBeLessThanOrEqual(32 + 4 * (frames.length - 32) + 2);
    });

    it('copies frames into the packet area in wasm for a program that writes the packet, as the interpreter does', () => {
      // XDP: data[0] = 0xab; a frame whose first byte was even returns its last byte's low bit; an odd one
      // calls bpf_xdp_adjust_tail(ctx, 16) (JavaScript moves the window) and returns 3 when the 16 new bytes
      // are zero, as in a new context, else 4
      const spec = replaced('xdp_pass.o', [
        'mov %r6, %r1',
        'ldxw %r2, [%r6+0]',
        'ldxw %r3, [%r6+4]',
        'mov %r4, %r2',
        'add %r4, 1',
        'jgt %r4, %r3, pass',
        'ldxb %r7, [%r2]',
        'stb [%r2], 0xab',
        'sub %r3, 1',
        'ldxb %r9, [%r3]',
        'and %r9, 1',
        'mov %r8, %r7',
        'and %r8, 1',
        'jeq %r8, 0, even',
        'mov %r1, %r6',
        'mov %r2, 16',
        'call 65',
        'jne %r0, 0, pass',
        'ldxw %r3, [%r6+4]',
        'sub %r3, 16',
        'ldxdw %r0, [%r3]',
        'ldxdw %r1, [%r3+8]',
        'or %r0, %r1',
        'jne %r0, 0, stale',
        'mov %r0, 3',
        'exit',
        'stale:',
        'mov %r0, 4',
        'exit',
        'even:',
        'mov %r0, %r9',
        'exit',
        'pass:',
        'mov %r0, 2',
        'exit',
      ]);
      const name = spec.programs[0]!.name;
      // long frames with even first bytes before short ones with odd first bytes
      const frames = random.slice(0, 48).map((f, i) => {
        const p = f.slice(0, i % 2 === 0 ? 600 : 20 + i);
        p[0] = (p[0]! & 0xfe) | (i % 2);
        return p;
      });
      const expected = outcome(new Simulator(spec, { unverified: true, tier: 'interp' }).runBatch(name, frames, { repeat: 3 }));
      const syncs = vi.spyOn(ContextBytes.prototype, 'sync');
      const a = new Simulator(spec, { unverified: true, tier: 'wasm' }).runBatch(name, frames, { repeat: 3 });
      expect(outcome(a)).toEqual(expected);
      expect(a.verdicts['XDP_TX']).toBe(72);
      expect((a.verdicts['XDP_ABORTED'] ?? 0) + (a.verdicts['XDP_DROP'] ?? 0)).toBe(72);
      // JavaScript for the helper (odd frames), and for the store only until the driver copies frames itself
      expect(syncs.mock.calls.length).toBeLessThan(72 + 16);
    });
  });

  /**
   * A fixture's object with its program's instructions replaced: `data` and `data_end` loaded from the context
   * at the given offsets, then the packet's first byte read, written back plus one (twice: the second store
   * after a read of the first), and its low two bits returned: a batch that ran a frame on bytes an earlier run
   * wrote would count other verdicts.
   */
  function writesPacket(file: string, dataAt: number, endAt: number): ObjectSpec {
    const spec = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', file))));
    const insns = assembleUbpf(
      [
        `ldxw %r2, [%r1+${dataAt}]`,
        `ldxw %r3, [%r1+${endAt}]`,
        'mov %r4, %r2',
        'add %r4, 2',
        'jgt %r4, %r3, short',
        'ldxb %r0, [%r2]',
        'mov %r5, %r0',
        'add %r5, 1',
        'stxb [%r2], %r5',
        'ldxb %r5, [%r2]',
        'add %r5, 1',
        'stxb [%r2+1], %r5',
        'and %r0, 3',
        'exit',
        'short:',
        'mov %r0, 2',
        'exit',
      ].join('\n'),
    );
    const entry = spec.programs[0]!.function;
    return { ...spec, functions: spec.functions.map((f) => (f.name === entry ? { ...f, instructions: insns, references: [], lineInfo: [], coreRelocations: [] } : f)) };
  }

  it.each([
    ['xdp_pass.o', 0, 4],
    ['tc_mark.o', 76, 80],
  ])('runs each frame on its bytes as staged when the program writes the packet, repeated or not (%s)', (file, dataAt, endAt) => {
    const spec = writesPacket(file, dataAt, endAt);
    const name = spec.programs[0]!.name;
    const frames = random.slice(0, 24);
    const interp = new Simulator(spec, { unverified: true, tier: 'interp' }).runBatch(name, frames, { repeat: 3 });
    const wasm = new Simulator(spec, { unverified: true, tier: 'wasm' });
    expect(outcome(wasm.runBatch(name, frames, { repeat: 3 }))).toEqual(outcome(interp));
    expect(outcome(wasm.runBatch(name, frames))).toEqual(outcome(new Simulator(spec, { unverified: true, tier: 'interp' }).runBatch(name, frames)));
    // the verdicts are those of the frames' own first bytes
    const expected: Record<number, number> = {};
    for (const f of frames) expected[f[0]! & 3] = (expected[f[0]! & 3] ?? 0) + 3;
    expect(Object.values(interp.verdicts).sort()).toEqual(Object.values(expected).sort());
  });

  it('looks up a map with a key in the packet on the frame being run, as the interpreter does', () => {
    // xdp_firewall.o's blocked_ports (a hash map, 4-byte keys) looked up with the frame's first 4 bytes
    const spec = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', 'xdp_firewall.o'))));
    const insns = assembleUbpf(['ldxw %r2, [%r1+0]', 'ldxw %r3, [%r1+4]', 'mov %r4, %r2', 'add %r4, 4', 'jgt %r4, %r3, pass', 'lddw %r1, 0', 'call 1', 'jeq %r0, 0, pass', 'mov %r0, 1', 'exit', 'pass:', 'mov %r0, 2', 'exit'].join('\n'));
    const entry = spec.programs[0]!.function;
    const lookup: ObjectSpec = {
      ...spec,
      functions: spec.functions.map((f) => (f.name === entry ? { ...f, instructions: insns, references: [{ slot: 5, ref: { kind: 'map', map: 'blocked_ports' } }], lineInfo: [], coreRelocations: [] } : f)),
    };
    const frames = random.slice(0, 30);
    const sims = (['wasm', 'interp'] as const).map((tier) => {
      const sim = new Simulator(lookup, { unverified: true, tier });
      for (const f of frames.filter((_, i) => i % 3 === 0)) sim.map('blocked_ports').set(f.slice(0, 4), 1);
      return sim;
    });
    const name = spec.programs[0]!.name;
    const [a, b] = sims.map((sim) => sim.runBatch(name, frames, { repeat: 2 }));
    expect(outcome(a!)).toEqual(outcome(b!));
    expect(a!.verdicts['XDP_DROP']).toBeGreaterThanOrEqual(20);
  });

  it('gives a helper answered without the interpreter the window of the frame being run (skb_store_bytes past the end)', () => {
    // bpf_skb_store_bytes(skb, 100, fp - 8, 4, 0): -EFAULT (TC_ACT_SHOT) on frames of at most 103 bytes, else 0 (TC_ACT_OK)
    const spec = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', 'tc_mark.o'))));
    const insns = assembleUbpf(['stdw [%r10-8], 0', 'mov %r2, 100', 'mov %r3, %r10', 'add %r3, -8', 'mov %r4, 4', 'mov %r5, 0', 'call 9', 'jeq %r0, 0, ok', 'mov %r0, 2', 'exit', 'ok:', 'mov %r0, 0', 'exit'].join('\n'));
    const entry = spec.programs[0]!.function;
    const store: ObjectSpec = { ...spec, functions: spec.functions.map((f) => (f.name === entry ? { ...f, instructions: insns, references: [], lineInfo: [], coreRelocations: [] } : f)) };
    const name = spec.programs[0]!.name;
    const frames = [...random.slice(0, 20), ipv4, short.slice(0, 14), ...random.slice(20, 40)];
    const [a, b] = (['wasm', 'interp'] as const).map((tier) => new Simulator(store, { unverified: true, tier }).runBatch(name, frames, { repeat: 2 }));
    expect(outcome(a!)).toEqual(outcome(b!));
    expect(b!.verdicts['TC_ACT_SHOT']).toBe(2 * frames.filter((f) => f.length <= 103).length);
  });
});
