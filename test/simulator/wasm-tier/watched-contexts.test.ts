// The interpreter's batch runs frames in place (watched-contexts.ts): a frame a run wrote is loaded again
// before its next run, one no run wrote is not; helpers see the frame being run; frames changed by the caller
// between batches are seen.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { readObject, type ObjectSpec } from '../../../bpf/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { hexKey } from '../../../simulator/maps/index.ts';
import { createRng, randomPacket } from '../../../simulator/packet/index.ts';
import { storesOnly } from '../../../simulator/wasm-tier/watched-contexts.ts';
import { repoRoot } from '../../corpora.ts';

const rng = createRng(17);
const frames = Array.from({ length: 20 }, () => randomPacket(rng, { minSize: 14, maxSize: 300 }).data);

/** `file`'s first program with its entry function replaced by `asm` (map loads at the slots of `maps`) */
function withCode(file: string, asm: string[], maps: Record<number, string> = {}): { spec: ObjectSpec; name: string } {
  const spec = readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', file))));
  const insns = assembleUbpf(asm.join('\n'));
  const entry = spec.programs[0]!.function;
  const references = Object.entries(maps).map(([slot, map]) => ({ slot: Number(slot), ref: { kind: 'map' as const, map } }));
  const functions = spec.functions.map((f) => (f.name === entry ? { ...f, instructions: insns, references, lineInfo: [], coreRelocations: [] } : f));
  return { spec: { ...spec, functions }, name: spec.programs[0]!.name };
}

/** Adds 1 to the frame's first byte and to skb->mark (skb only); r0 = (the byte it read + the mark it read) & 3. */
function bumps(skb: boolean): string[] {
  const [dataAt, endAt] = skb ? [76, 80] : [0, 4];
  return [
    ...(skb ? ['ldxw %r6, [%r1+8]', 'mov %r7, %r6', 'add %r7, 1', 'stxw [%r1+8], %r7'] : ['mov %r6, 0']),
    `ldxw %r2, [%r1+${dataAt}]`,
    `ldxw %r3, [%r1+${endAt}]`,
    'mov %r4, %r2',
    'add %r4, 1',
    'jgt %r4, %r3, short',
    'ldxb %r0, [%r2]',
    'mov %r5, %r0',
    'add %r5, 1',
    'stxb [%r2], %r5',
    'add %r0, %r6',
    'and %r0, 3',
    'exit',
    'short:',
    'mov %r0, 2',
    'exit',
  ];
}

/** Each frame's verdict (its first byte & 3) counted `times` times, by verdict value. */
function expected(of: readonly Uint8Array[], times: number): number[] {
  const n = [0, 0, 0, 0];
  for (const f of of) n[f[0]! & 3]! += times;
  return n.filter((x) => x > 0).sort((a, b) => a - b);
}

describe('the interpreter batch on frames in place', () => {
  it.each([
    ['xdp_pass.o', false],
    ['tc_mark.o', true],
  ] as const)('loads a frame a run wrote again before its next run, repeated or in later batches (%s)', (file, skb) => {
    const { spec, name } = withCode(file, bumps(skb));
    const sim = new Simulator(spec, { unverified: true, tier: 'interp' });
    expect(storesOnly(sim.program(name))).toBe(true);
    for (let batch = 0; batch < 2; batch++) {
      const r = sim.runBatch(name, frames, { repeat: 3 });
      expect(r.faults).toBe(0);
      expect(Object.values(r.verdicts).sort((a, b) => a - b)).toEqual(expected(frames, 3));
    }
  });

  it('loads the context again after a run wrote only the context (skb->mark)', () => {
    const { spec, name } = withCode('tc_mark.o', ['ldxw %r0, [%r1+8]', 'mov %r2, %r0', 'add %r2, 1', 'stxw [%r1+8], %r2', 'and %r0, 3', 'exit']);
    const r = new Simulator(spec, { unverified: true, tier: 'interp' }).runBatch(name, frames, { repeat: 3 });
    expect(r.verdicts).toEqual({ TC_ACT_OK: frames.length * 3 });
  });

  it('sees a frame the caller changed between batches', () => {
    const { spec, name } = withCode('xdp_pass.o', ['ldxw %r2, [%r1+0]', 'ldxw %r3, [%r1+4]', 'mov %r4, %r2', 'add %r4, 1', 'jgt %r4, %r3, short', 'ldxb %r0, [%r2]', 'and %r0, 3', 'exit', 'short:', 'mov %r0, 2', 'exit']);
    const sim = new Simulator(spec, { unverified: true, tier: 'interp' });
    const mine = frames.map((f) => f.slice());
    for (const f of mine) f[0] = 1;
    expect(sim.runBatch(name, mine, { repeat: 2 }).verdicts).toEqual({ XDP_DROP: mine.length * 2 });
    for (const f of mine) f[0] = 3;
    expect(sim.runBatch(name, mine, { repeat: 2 }).verdicts).toEqual({ XDP_TX: mine.length * 2 });
    // skb: the context's fields come from the frame too (protocol, __be16, from the EtherType at 12: r0 = byte 13 & 3)
    const tc = withCode('tc_mark.o', ['ldxw %r0, [%r1+16]', 'rsh %r0, 8', 'and %r0, 3', 'exit']);
    const skb = new Simulator(tc.spec, { unverified: true, tier: 'interp' });
    for (const f of mine) [f[12], f[13]] = [0x08, 1];
    expect(skb.runBatch(tc.name, mine).verdicts).toEqual({ TC_ACT_RECLASSIFY: mine.length });
    for (const f of mine) f[13] = 2;
    expect(skb.runBatch(tc.name, mine).verdicts).toEqual({ TC_ACT_SHOT: mine.length });
  });

  it('gives a map helper the bytes of the frame being run (keys from the packet)', () => {
    // bpf_map_update_elem(blocked_ports, data, fp - 8, 0): the frame's first 4 bytes become a key
    const asm = ['ldxw %r2, [%r1+0]', 'ldxw %r3, [%r1+4]', 'mov %r4, %r2', 'add %r4, 4', 'jgt %r4, %r3, pass', 'stdw [%r10-8], 7', 'lddw %r1, 0', 'mov %r3, %r10', 'add %r3, -8', 'mov %r4, 0', 'call 2', 'pass:', 'mov %r0, 2', 'exit'];
    const { spec, name } = withCode('xdp_firewall.o', asm, { 6: 'blocked_ports' });
    const keys = (sim: Simulator) => sim.map('blocked_ports').entries().map(([k]) => hexKey(k)).sort();
    const lean = new Simulator(spec, { unverified: true, tier: 'interp' });
    expect(storesOnly(lean.program(name))).toBe(true);
    lean.runBatch(name, frames, { repeat: 2 });
    const want = [...new Set(frames.map((f) => hexKey(f.subarray(0, 4))))].sort();
    expect(keys(lean)).toEqual(want);
  });

  it('leaves programs that may write a frame otherwise (atomics, helpers that write) to the copying path', () => {
    const atomic = withCode('xdp_pass.o', ['ldxw %r2, [%r1+0]', 'mov %r3, 1', 'lock add32 [%r2], %r3', 'mov %r0, 2', 'exit']);
    expect(storesOnly(new Simulator(atomic.spec, { unverified: true, tier: 'interp' }).program(atomic.name))).toBe(false);
    const helper = withCode('tc_mark.o', ['mov %r2, 0', 'mov %r3, %r10', 'add %r3, -8', 'mov %r4, 4', 'mov %r5, 0', 'call 9', 'mov %r0, 0', 'exit']);
    expect(storesOnly(new Simulator(helper.spec, { unverified: true, tier: 'interp' }).program(helper.name))).toBe(false);
  });
});
