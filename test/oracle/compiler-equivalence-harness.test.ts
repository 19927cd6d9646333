// The equivalence harness can fail: identical objects give no difference, and objects that differ by one
// instruction (a return value, a counter increment, a packet read the verifier refuses) give exactly the
// difference one expects, in the kernel and in the simulator. Reference: clang-19's xdp_eth_count.
import { beforeAll, describe, expect, it } from 'vitest';
import { readObject, writeObject, type Instruction, type ObjectSpec } from '../../bpf/index.ts';
import { compareObjects, sumLanes } from '../compiler/equivalence.ts';
import { buildNative } from '../compiler/equivalence-build.ts';
import { corpusProgram, packetSeed } from '../fixtures/corpus/corpus.ts';
import { corpusPackets } from '../fixtures/corpus/packets.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

const PROGRAM = 'xdp_eth_count';

/** A copy of `spec` with the first instruction matching `match` replaced by `change(insn)`. */
function mutate(spec: ObjectSpec, match: (i: Instruction) => boolean, change: (i: Instruction) => Instruction): Uint8Array {
  let done = false;
  const functions = spec.functions.map((f) => ({
    ...f,
    instructions: f.instructions.map((i) => {
      if (done || !match(i)) return i;
      done = true;
      return change(i);
    }),
  }));
  if (!done) throw new RangeError(`mutate: no instruction of ${PROGRAM} matches`);
  return writeObject({ ...spec, functions });
}

describe('sumLanes()', () => {
  it('adds per-CPU values lane by lane, wrapping at each lane width', () => {
    const a = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0);
    const b = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff);
    expect(sumLanes([a, b], 10)).toBe('01000000000000000000');
  });
});

const withClang = available('equivalence harness (clang-19)', clang19);
const withKernel = withClang && available('equivalence harness (kernel)', kernelBpf);

describe.runIf(withClang)('compareObjects()', () => {
  const p = corpusProgram(PROGRAM);
  const packets = corpusPackets(p.packets, 30, packetSeed(PROGRAM));
  let reference: Uint8Array;
  let spec: ObjectSpec;

  beforeAll(async () => {
    reference = (await buildNative(PROGRAM)).bytes;
    spec = readObject(reference);
  }, 60_000);

  const options = (kernel: boolean) => ({ progType: p.progType, testRun: true, kernel });

  it('finds no difference between an object and a rewritten copy of it', () => {
    const copy = writeObject(spec);
    expect(compareObjects(reference, copy, PROGRAM, packets, options(withKernel))).toEqual([]);
  });

  it('reports every packet whose return value changed, in the simulator and in the kernel', () => {
    // `w0 = XDP_PASS` before exit becomes `w0 = XDP_DROP`
    const other = mutate(spec, (i) => i.kind === 'alu' && i.op === 'mov' && i.dst === 0 && i.source === 'imm' && i.imm === 2, (i) => ({ ...i, imm: 1 }) as Instruction);
    const diffs = compareObjects(reference, other, PROGRAM, packets, options(withKernel));
    const sim = diffs.filter((d) => d.where === 'simulator' && d.kind === 'retval');
    expect(sim).toHaveLength(packets.length);
    expect(sim[0]!.detail).toBe('2 vs 1');
    if (withKernel) expect(diffs.filter((d) => d.where === 'kernel' && d.kind === 'retval')).toHaveLength(packets.length);
  });

  it('reports a map whose contents changed even when every return value is the same', () => {
    // `*count += 1` becomes `*count += 2`
    const other = mutate(spec, (i) => i.kind === 'alu' && i.op === 'add' && i.source === 'imm' && i.imm === 1, (i) => ({ ...i, imm: 2 }) as Instruction);
    const diffs = compareObjects(reference, other, PROGRAM, packets, options(withKernel));
    expect(diffs.filter((d) => d.kind === 'retval' || d.kind === 'packet')).toEqual([]);
    expect(diffs.filter((d) => d.where === 'simulator').map((d) => d.kind)).toEqual(['map']);
    expect(diffs.find((d) => d.where === 'simulator')!.detail).toMatch(/^map classes: \d+ of 6 entries differ/);
    if (withKernel) expect(diffs.filter((d) => d.where === 'kernel').map((d) => d.kind)).toEqual(['map']);
  });

  it.runIf(withKernel)('reports the kernel refusing the candidate', () => {
    // the second byte of h_proto read one byte further, past the 14 bytes the bounds check allowed
    const other = mutate(spec, (i) => i.kind === 'ldx' && i.size === 1 && i.off === 13, (i) => ({ ...i, off: 14 }) as Instruction);
    const diffs = compareObjects(reference, other, PROGRAM, packets, options(true));
    expect(diffs[0]).toMatchObject({ kind: 'verdict', where: 'kernel' });
    expect(diffs[0]!.detail).toMatch(/the kernel refused the candidate: .*instruction 8: .*outside of the packet/);
  });
});
