// bpf_tail_call inside the fast tier's batches (tail-calls.ts: no slow path): the limit counted per run of a
// batch and its repeats, slots changed between batches seen at once, against the interpreter on the maps
// fixture (xdp_maps ends in bpf_tail_call(ctx, &jumps, 0) and submits one ring buffer record per execution).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { readObject, type ObjectSpec } from '../../../bpf/index.ts';
import { MAX_TAIL_CALLS, Simulator } from '../../../simulator/index.ts';
import { ProgArrayMap, type RingbufMap } from '../../../simulator/maps/index.ts';
import { compileProgram } from '../../../simulator/vm/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { hasWasmProgram } from '../../../simulator/wasm-tier/index.ts';
import { repoRoot } from '../../corpora.ts';
import { compare, type MakeMaps } from './lean-sides.ts';

const object = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/maps.o'))));
const frames = Array.from({ length: 3 }, (_, i) => packet.eth().ipv4({ src: `10.0.0.${i + 1}` }).udp().build());

/** A simulator whose xdp_maps submits a record per execution (inner_a[0] = 7) and updates flows. */
function simulator(tier: 'interp' | 'wasm'): Simulator {
  const sim = new Simulator(object, { tier });
  sim.map('cidrs').set(Uint8Array.of(32, 0, 0, 0, 127, 0, 0, 1), 1);
  sim.map('inner_a').set(0, 7);
  return sim;
}

const records = (sim: Simulator): number => (sim.map('events') as RingbufMap).records().length;

describe('bpf_tail_call in a batch on the fast tier', () => {
  it('runs a program tail-calling itself up to the limit in every run of a repeated batch, as the interpreter', () => {
    const sims = [simulator('interp'), simulator('wasm')] as const;
    const out = sims.map((sim) => {
      sim.setTailCall('jumps', 0, 'xdp_maps');
      const batch = sim.runBatch('xdp_maps', frames, { repeat: 2 });
      return { verdicts: batch.verdicts, faults: batch.faults, records: records(sim) };
    });
    expect(hasWasmProgram(sims[1].program('xdp_maps'))).toBe(true);
    expect(out[1]).toEqual(out[0]);
    // each run executes the program once and then once per tail call: a count carried over would cut it short
    expect(out[1]!.records).toBe(frames.length * 2 * (1 + MAX_TAIL_CALLS));
  });

  it('follows a prog array slot set, replaced and emptied between batches', () => {
    const sims = [simulator('interp'), simulator('wasm')] as const;
    const steps: (string | undefined)[] = ['tail_target', 'xdp_maps', undefined, 'tail_target'];
    const out = sims.map((sim) =>
      steps.map((target) => {
        sim.setTailCall('jumps', 0, target);
        const batch = sim.runBatch('xdp_maps', frames);
        return { verdicts: batch.verdicts, records: records(sim) };
      }),
    );
    expect(out[1]).toEqual(out[0]);
    expect(out[1]!.map((s) => Object.keys(s.verdicts))).toEqual([['XDP_DROP'], ['XDP_PASS'], ['XDP_PASS'], ['XDP_DROP']]);
  });

  it('faults inside the tail-called program at the same instruction, naming it, as the interpreter', () => {
    // tail_target replaced by a read above the frame pointer: a memory fault at its instruction 1
    const fn = object.programs.find((p) => p.name === 'tail_target')!.function;
    const insns = assembleUbpf(['mov %r0, 0', 'ldxdw %r0, [%r10+8]', 'exit'].join('\n'));
    const spec: ObjectSpec = { ...object, functions: object.functions.map((f) => (f.name === fn ? { ...f, instructions: insns, references: [], lineInfo: [], coreRelocations: [] } : f)) };
    const [interp, wasm] = (['interp', 'wasm'] as const).map((tier) => {
      const sim = new Simulator(spec, { unverified: true, tier });
      sim.setTailCall('jumps', 0, 'tail_target');
      const b = sim.runBatch('xdp_maps', frames, { repeat: 2 });
      const f = b.firstFault;
      return { verdicts: b.verdicts, faults: b.faults, first: f && { index: f.index, kind: f.fault.kind, slot: f.fault.slot, program: f.fault.program, message: f.fault.message } };
    });
    expect(wasm).toEqual(interp);
    expect(wasm!.first).toMatchObject({ index: 0, kind: 'memory', slot: 1, program: 'tail_target' });
  });

  it('tail-calls from a subprogram, whose caller gets the target r0, as the interpreter', () => {
    // xdp_maps replaced by: r6 = 1; r0 = f() + r6, where f tail-calls slot 0 (tail_target: XDP_DROP = 1, so XDP_PASS)
    // or falls through to r0 = 0 (so XDP_DROP)
    const fn = object.programs.find((p) => p.name === 'xdp_maps')!.function;
    const insns = assembleUbpf(['mov %r6, 1', 'call f', 'add %r0, %r6', 'exit', 'f:', 'lddw %r2, 0', 'mov %r3, 0', 'call 12', 'mov %r0, 0', 'exit'].join('\n'));
    const spec: ObjectSpec = {
      ...object,
      functions: object.functions.map((f) => (f.name === fn ? { ...f, instructions: insns, references: [{ slot: 4, ref: { kind: 'map', map: 'jumps' } }], lineInfo: [], coreRelocations: [] } : f)),
    };
    const [interp, wasm] = (['interp', 'wasm'] as const).map((tier) => {
      const sim = new Simulator(spec, { unverified: true, tier });
      sim.setTailCall('jumps', 0, 'tail_target');
      const drop = sim.runBatch('xdp_maps', frames, { repeat: 2 }).verdicts;
      sim.setTailCall('jumps', 0, undefined);
      return { drop, fallThrough: sim.runBatch('xdp_maps', frames).verdicts };
    });
    expect(wasm).toEqual(interp);
    expect(wasm).toEqual({ drop: { XDP_PASS: frames.length * 2 }, fallThrough: { XDP_DROP: frames.length } });
  });
});

describe('bpf_tail_call and the context kept in linear memory', () => {
  it('hands the tail-called program the context fields its caller wrote (skb->cb[0] counted up by each run)', () => {
    // tc_mark.o's program replaced by: cb[0] += 1; bpf_tail_call(skb, &jumps, 0) (itself); r0 = cb[0] == 34 ? TC_ACT_OK : TC_ACT_SHOT
    const tc = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/tc_mark.o'))));
    const jumps = object.maps.find((m) => m.name === 'jumps')!;
    const insns = assembleUbpf(
      [
        'mov %r6, %r1',
        'ldxw %r2, [%r6+48]',
        'add %r2, 1',
        'stxw [%r6+48], %r2',
        'lddw %r2, 0',
        'mov %r1, %r6',
        'mov %r3, 0',
        'call 12',
        'ldxw %r0, [%r6+48]',
        `jne %r0, ${1 + MAX_TAIL_CALLS}, short`,
        'mov %r0, 0',
        'exit',
        'short:',
        'mov %r0, 2',
        'exit',
      ].join('\n'),
    );
    const entry = tc.programs[0]!.function;
    const spec: ObjectSpec = {
      ...tc,
      maps: [...tc.maps, jumps],
      functions: tc.functions.map((f) => (f.name === entry ? { ...f, instructions: insns, references: [{ slot: 4, ref: { kind: 'map', map: 'jumps' } }], lineInfo: [], coreRelocations: [] } : f)),
    };
    const name = tc.programs[0]!.name;
    const [interp, wasm] = (['interp', 'wasm'] as const).map((tier) => {
      const sim = new Simulator(spec, { unverified: true, tier });
      sim.setTailCall('jumps', 0, name);
      return sim.runBatch(name, frames, { repeat: 2 });
    });
    expect(wasm!.verdicts).toEqual(interp!.verdicts);
    expect(wasm!.verdicts).toEqual({ TC_ACT_OK: frames.length * 2 });
  });
});

describe('bpf_tail_call at an empty slot, inside wasm', () => {
  // r2 = the slot: tail-call it (slot 35 holds `mov r0, 77`), r0 = 5 when the call falls through
  const SOURCE = `
mov %r3, %r2
lddw %r2, MAP0
call 12
mov %r0, 5
exit`;
  const make: MakeMaps = (memory) => [new ProgArrayMap({ name: 'jumps', type: 3, keySize: 4, valueSize: 4, maxEntries: 40, memory })];
  const target = compileProgram(assembleUbpf('mov %r0, 77\nexit'));

  it('falls through as the interpreter, asking the prog array only until it is described and again after a slot changed', () => {
    const asked = vi.spyOn(ProgArrayMap.prototype, 'program');
    try {
      // slots: 0 and 1 empty, 35 set (past the descriptor's 32 bits), 40 and 2^32 - 1 past max_entries; slot 1 set at run 16
      const slots = [0, 1, 35, 0, 40, 0xffff_ffff, 1, 0];
      const r = compare(make, SOURCE, 24, (i, maps) => {
        const m = maps[0] as ProgArrayMap;
        if (i === 0) m.setProgram(35, target);
        if (i === 16) m.setProgram(1, target);
        return slots[i % slots.length]!;
      });
      expect(r.wasm).toEqual(r.interp);
      expect(r.interp.slice(0, 8)).toEqual([5n, 5n, 77n, 5n, 5n, 5n, 5n, 5n]);
      expect(r.interp.slice(16)).toEqual([5n, 77n, 77n, 5n, 5n, 5n, 77n, 5n]);
      // which slots each side's JavaScript asked for: the fast tier's only to describe the slots (twice: at
      // the first call, and after slot 1 was set) and for the calls its wasm code cannot answer
      const askedFor = (k: number, slot: number) =>
        asked.mock.calls.filter((args, j) => asked.mock.contexts[j] === r.sides[k]!.maps[0] && args[0] === slot).length;
      expect([askedFor(0, 40), askedFor(0, 0xffff_ffff), askedFor(0, 0)]).toEqual([3, 3, 9]);
      expect([askedFor(1, 40), askedFor(1, 0xffff_ffff)]).toEqual([0, 0]);
      // slot 0: the two descriptions and the two calls that made them
      expect(askedFor(1, 0)).toBe(4);
    } finally {
      asked.mockRestore();
    }
  });
});
