import { describe, expect, it } from 'vitest';
import {
  clearScalarId,
  dropAddConst,
  knownScalar,
  linkAfterAlu,
  scalarContains,
  scalarIdKey,
  syncLinkedScalar,
  unknownScalar,
  type ScalarState,
} from '../../../verifier/domains/index.ts';
import { randomSet, scalarOfSet } from './concrete.ts';
import { prng } from './kernel-cases.ts';

const ROOT = { op: 'add', alu32: false, bpfCapable: true, dstUmaxBefore: 0xffn } as const;
const linked = (id: number, off?: number, kind: 32 | 64 = 64): ScalarState =>
  off === undefined ? { ...unknownScalar(), id } : { ...unknownScalar(), id, addConst: kind, off };

describe('linkAfterAlu() (adjust_reg_min_max_vals on ids)', () => {
  it('links a copy by the constant of a 64-bit add', () => {
    const d = linked(3);
    linkAfterAlu(d, knownScalar(16n), ROOT);
    expect([d.id, d.addConst, d.off]).toEqual([3, 64, 16]);
  });

  it('takes a constant register as the constant, and zero as a constant', () => {
    const d = linked(3);
    linkAfterAlu(d, { ...knownScalar(0n), id: 9 }, ROOT);
    expect([d.id, d.addConst, d.off]).toEqual([3, 64, 0]);
  });

  it('links a subtraction and a negative constant with a negative offset', () => {
    const sub = linked(3);
    linkAfterAlu(sub, knownScalar(4n), { ...ROOT, op: 'sub' });
    expect([sub.id, sub.addConst, sub.off]).toEqual([3, 64, -4]);
    const neg = linked(3);
    linkAfterAlu(neg, knownScalar(BigInt.asUintN(64, -0x8000_0000n)), ROOT);
    expect([neg.id, neg.addConst, neg.off]).toEqual([3, 64, -0x8000_0000]);
  });

  it('clears the id on a second constant, one outside the s32 range, or subtracting S32_MIN', () => {
    for (const [d, k, op] of [
      [linked(3, 4), 1n, 'add'],
      [linked(3, -4), 1n, 'sub'],
      [linked(3), 0x8000_0000n, 'add'],
      [linked(3), BigInt.asUintN(64, -0x8000_0001n), 'add'],
      [linked(3), BigInt.asUintN(64, -0x8000_0000n), 'sub'],
    ] as const) {
      linkAfterAlu(d, knownScalar(k), { ...ROOT, op });
      expect([d.id, d.addConst, d.off]).toEqual([0, false, 0]);
    }
    const edge = linked(3);
    linkAfterAlu(edge, knownScalar(0x7fff_ffffn), ROOT);
    expect([edge.id, edge.off]).toEqual([3, 0x7fff_ffff]);
  });

  it('links a 32-bit add by the s32 of its constant\'s low half, when the upper half was zero before it', () => {
    const d = linked(3);
    linkAfterAlu(d, knownScalar(0xffff_fffcn), { ...ROOT, alu32: true });
    expect([d.id, d.addConst, d.off]).toEqual([3, 32, -4]);
    // only the low 32 bits of the addend count
    const hi = linked(3);
    linkAfterAlu(hi, knownScalar(0x1_0000_0004n), { ...ROOT, alu32: true });
    expect([hi.id, hi.addConst, hi.off]).toEqual([3, 32, 4]);
    const sub = linked(3);
    linkAfterAlu(sub, knownScalar(4n), { ...ROOT, alu32: true, op: 'sub' });
    expect([sub.id, sub.addConst, sub.off]).toEqual([3, 32, -4]);
  });

  it('clears the id and offset for 32-bit adds on a value wider than 32 bits, other operations, unknown addends and without bpf_capable', () => {
    const cases: [Parameters<typeof linkAfterAlu>[2], ScalarState][] = [
      [{ ...ROOT, alu32: true, dstUmaxBefore: 0x1_0000_0000n }, knownScalar(1n)],
      [{ ...ROOT, alu32: true, op: 'sub' }, knownScalar(0x8000_0000n)],
      [{ ...ROOT, op: 'mul' }, knownScalar(1n)],
      [ROOT, unknownScalar()],
      [{ ...ROOT, bpfCapable: false }, knownScalar(1n)],
    ];
    for (const [insn, src] of cases) {
      const d = linked(3, 8);
      linkAfterAlu(d, src, insn);
      expect([d.id, d.addConst, d.off]).toEqual([0, false, 0]);
    }
  });
});

describe('dropAddConst(), clearScalarId(), scalarIdKey()', () => {
  it('unlinks only a scalar linked by an add', () => {
    const plain = linked(2);
    expect(dropAddConst(plain)).toBe(false);
    expect(plain.id).toBe(2);
    const added = linked(2, 4);
    expect(dropAddConst(added)).toBe(true);
    expect([added.id, added.addConst, added.off]).toEqual([0, false, 0]);
  });

  it('gives a linked scalar and a plain copy of the same id different kernel ids, and none without id', () => {
    expect(scalarIdKey(linked(2))).not.toBe(scalarIdKey(linked(2, 4)));
    expect(scalarIdKey(linked(2, 4))).toBe(scalarIdKey(linked(2, 8)));
    const cleared = linked(2, 4);
    clearScalarId(cleared);
    expect(scalarIdKey(cleared)).toBe(0);
    expect(cleared.off).toBe(0);
  });
});

describe('syncLinkedScalar() (sync_linked_regs for one register)', () => {
  it('copies the narrowed scalar when neither is linked by an add, or their offsets agree', () => {
    const known = { ...scalarOfSet([0n, 8n]), id: 1 };
    expect(syncLinkedScalar(linked(1), known)).toEqual(known);
    const knownAdded = { ...known, addConst: 64 as const, off: 4 };
    expect(syncLinkedScalar(linked(1, 4), knownAdded)).toEqual(knownAdded);
  });

  it('ignores an offset left without its flag (only the flag makes it a link)', () => {
    const known = { ...scalarOfSet([5n, 8n]), id: 2, off: 5 };
    const r = syncLinkedScalar(linked(2, 3), known);
    expect([r.umin, r.umax]).toEqual([8n, 11n]);
  });

  it('does not narrow across a 32-bit and a 64-bit link of one id', () => {
    const known = { ...scalarOfSet([0n, 8n]), id: 1, addConst: 64 as const, off: 2 };
    const reg = linked(1, 4, 32);
    expect(syncLinkedScalar(reg, known)).toBe(reg);
    expect(syncLinkedScalar(linked(1, 2, 64), { ...known, addConst: 32 })).toEqual(linked(1, 2, 64));
  });

  it('zero-extends a shifted copy when either link is 32-bit (wX += K wraps in 32 bits)', () => {
    // r6 = 0xffffffff narrowed; r7 = w6 + 1 is 0, not 0x100000000
    const r = syncLinkedScalar(linked(1, 1, 32), { ...knownScalar(0xffff_ffffn), id: 1 });
    expect([r.umin, r.umax, r.id, r.addConst]).toEqual([0n, 0n, 1, 32]);
    // r7 = w6 + 1 narrowed to 0: r6 = 0xffffffff, not -1
    const back = syncLinkedScalar(linked(1), { ...knownScalar(0n), id: 1, addConst: 32, off: 1 });
    expect([back.umin, back.umax]).toEqual([0xffff_ffffn, 0xffff_ffffn]);
  });

  it('shifts by the difference of offsets and keeps the register\'s own id, flag and offset', () => {
    const known = { ...scalarOfSet([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]), id: 1 };
    const r = syncLinkedScalar(linked(1, 4), known);
    expect([r.umin, r.umax, r.smin, r.smax, r.u32min, r.u32max]).toEqual([4n, 12n, 4n, 12n, 4, 12]);
    expect([r.id, r.addConst, r.off]).toEqual([1, 64, 4]);
    // and back: the original from the linked one
    const back = syncLinkedScalar(linked(1), { ...r });
    expect([back.umin, back.umax, back.id, back.addConst, back.off]).toEqual([0n, 8n, 1, false, 0]);
  });

  it('holds every value of the narrowed scalar shifted by the delta (random sets, both directions)', () => {
    const rng = prng(7);
    for (let i = 0; i < 2000; i++) {
      const xs = randomSet(rng);
      const offs = [Math.floor(rng() * 0x7fff_ffff) * (rng() < 0.5 ? -1 : 1), Math.floor(rng() * 64) - 32];
      const [regOff, knownOff] = rng() < 0.5 ? offs : [offs[1]!, offs[0]!];
      const known: ScalarState = { ...scalarOfSet(xs), id: 1, addConst: knownOff !== 0 || rng() < 0.5 ? 64 : false, off: knownOff! };
      const reg = linked(1, regOff!);
      const out = syncLinkedScalar(reg, known);
      for (const x of xs) {
        const y = BigInt.asUintN(64, x + BigInt(regOff! - knownOff!));
        expect(scalarContains(out, y), `x=${x} reg+${regOff} known+${knownOff}`).toBe(true);
      }
    }
  });
});
