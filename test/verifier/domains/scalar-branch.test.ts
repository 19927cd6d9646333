import { describe, expect, it } from 'vitest';
import type { JumpOp } from '../../../bpf/index.ts';
import {
  cloneScalar,
  flipOpcode,
  formatScalar,
  isScalarBranchTaken,
  knownScalar,
  regBoundsSync,
  regSetMinMax,
  revOpcode,
  scalarContains,
  unknownScalar,
  type BranchOp,
  type ScalarState,
} from '../../../verifier/domains/index.ts';
import { concreteCond, interesting, randomSet, scalarOfSet } from './concrete.ts';
import { prng } from './kernel-cases.ts';

const OPS: JumpOp[] = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'];
const show = (xs: readonly bigint[]): string => `{${xs.map((x) => `0x${x.toString(16)}`).join(', ')}}`;

interface Outcome {
  decided: number;
  refined: number;
}

/**
 * One condition on two value sets: a decided direction must agree with every pair; each explored branch's
 * refined registers must hold every pair that takes it; the sanity check must stay quiet on live branches.
 */
function check(op: JumpOp, jmp32: boolean, xs: bigint[], ys: bigint[], same: boolean, out: Outcome): void {
  const r1 = scalarOfSet(xs);
  regBoundsSync(r1);
  const r2 = same ? r1 : scalarOfSet(ys);
  if (!same) regBoundsSync(r2);
  const pairs = same ? xs.map((x) => [x, x] as const) : xs.flatMap((x) => ys.map((y) => [x, y] as const));
  const truths = pairs.map(([x, y]) => concreteCond(op, jmp32, x, y));
  const taken = isScalarBranchTaken(r1, r2, op, jmp32);
  const ctx = () => `${op}${jmp32 ? '32' : ''} ${show(xs)} ${same ? 'itself' : show(ys)}: ${formatScalar(r1)} vs ${formatScalar(r2)}`;
  if (taken !== 'unknown') {
    out.decided++;
    if (truths.some((t) => t !== (taken === 'taken'))) throw new Error(`${ctx()} claims ${taken}`);
    return;
  }
  const t1 = cloneScalar(r1);
  const t2 = same ? t1 : cloneScalar(r2);
  const f1 = cloneScalar(r1);
  const f2 = same ? f1 : cloneScalar(r2);
  const messages = regSetMinMax({ trueReg1: t1, trueReg2: t2, falseReg1: f1, falseReg2: f2 }, op, { isJmp32: jmp32 });
  out.refined++;
  const liveTrue = truths.some((t) => t);
  const liveFalse = truths.some((t) => !t);
  pairs.forEach(([x, y], i) => {
    const [a, b] = truths[i] ? [t1, t2] : [f1, f2];
    if (!scalarContains(a, x) || !scalarContains(b, y)) {
      throw new Error(`${ctx()}: ${truths[i]} branch ${formatScalar(a)} / ${formatScalar(b)} misses (0x${x.toString(16)}, 0x${y.toString(16)})`);
    }
  });
  // a violation may only come from a branch no pair takes (the kernel's dead-branch case)
  for (const m of messages) {
    const live = /true_reg/.test(m) ? liveTrue : liveFalse;
    if (live && !same) throw new Error(`${ctx()}: sanity check fired on a live branch: ${m}`);
  }
}

describe('branch refinement: soundness on random value sets', () => {
  it.each(OPS.flatMap((op) => [[op, false] as const, [op, true] as const]))('%s (jmp32 %s), register against register', (op, jmp32) => {
    const rng = prng(op.charCodeAt(1) * 31 + op.length + (jmp32 ? 7 : 0));
    const out = { decided: 0, refined: 0 };
    for (let i = 0; i < 600; i++) {
      const xs = randomSet(rng);
      // overlapping sets make both branches live more often
      const ys = rng() < 0.3 ? [...xs.slice(0, 2), ...randomSet(rng, 3)] : randomSet(rng);
      check(op, jmp32, xs, ys, false, out);
    }
    expect(out.refined).toBeGreaterThan(30);
  });

  it.each(OPS.flatMap((op) => [[op, false] as const, [op, true] as const]))('%s (jmp32 %s), register against a constant', (op, jmp32) => {
    const rng = prng(op.charCodeAt(2) * 17 + (jmp32 ? 3 : 0));
    const out = { decided: 0, refined: 0 };
    for (let i = 0; i < 800; i++) {
      const xs = randomSet(rng);
      const k = rng() < 0.5 ? xs[Math.floor(rng() * xs.length)]! : interesting(rng);
      // the kernel's fake register for an immediate is sign-extended from 32 bits
      const imm = rng() < 0.5 ? BigInt.asUintN(64, BigInt.asIntN(32, k)) : k;
      check(op, jmp32, xs, [imm], false, out);
    }
    expect(out.decided + out.refined).toBe(800);
  });

  it.each(OPS)('%s on a register compared with itself stays sound', (op) => {
    const rng = prng(op.length);
    const out = { decided: 0, refined: 0 };
    for (let i = 0; i < 300; i++) check(op, rng() < 0.5, randomSet(rng), [], true, out);
  });
});

describe('branch refinement: the kernel behaviour it mirrors', () => {
  const masked = (m: bigint): ScalarState => {
    const s = unknownScalar();
    s.varOff = { value: 0n, mask: m };
    regBoundsSync(s);
    return s;
  };

  it('flipOpcode() swaps operands and revOpcode() negates, jset included', () => {
    expect(flipOpcode('jlt')).toBe('jgt');
    expect(flipOpcode('jsge')).toBe('jsle');
    expect(flipOpcode('jeq')).toBe('jeq');
    expect(revOpcode('jset')).toBe('jset-not');
    expect(revOpcode('jset-not' as BranchOp)).toBe('jset');
    for (const op of OPS) expect(revOpcode(revOpcode(op))).toBe(op);
  });

  it('jeq on tnums with no common member is never taken ((0x0; 0x1) vs (0x2; 0x0))', () => {
    expect(isScalarBranchTaken(masked(1n), knownScalar(2n), 'jeq', false)).toBe('not-taken');
    expect(isScalarBranchTaken(masked(1n), masked(2n), 'jeq', false)).toBe('unknown');
  });

  it('r3 in {0, 0x10, 0x20, 0x30}: if r3 < 0x11 false, then if r3 > 0x2f false, leaves the constant 32', () => {
    const r3 = masked(0x30n);
    const k1 = knownScalar(0x11n);
    const t = cloneScalar(r3);
    regSetMinMax({ trueReg1: t, trueReg2: cloneScalar(k1), falseReg1: r3, falseReg2: k1 }, 'jlt', { isJmp32: false });
    expect(formatScalar(r3)).toBe('scalar(smin=umin=smin32=umin32=17,smax=umax=smax32=umax32=48,var_off=(0x0; 0x30))');
    expect(formatScalar(t)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=16,var_off=(0x0; 0x10))');
    const k2 = knownScalar(0x2fn);
    regSetMinMax({ trueReg1: cloneScalar(r3), trueReg2: cloneScalar(k2), falseReg1: r3, falseReg2: k2 }, 'jgt', { isJmp32: false });
    expect(formatScalar(r3)).toBe('32');
  });

  it('if r6 > r6 on {0, 1}: the aliased true branch becomes 1, as in the kernel log', () => {
    const r6 = masked(1n);
    expect(isScalarBranchTaken(r6, r6, 'jgt', false)).toBe('unknown');
    const t = cloneScalar(r6);
    const f = cloneScalar(r6);
    regSetMinMax({ trueReg1: t, trueReg2: t, falseReg1: f, falseReg2: f }, 'jgt', { isJmp32: false });
    expect(formatScalar(t)).toBe('1');
    expect(formatScalar(f)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1))');
  });

  it('the false branch of jset forgets the ranges before narrowing the tnum', () => {
    const r6 = unknownScalar();
    r6.umin = 256n;
    regBoundsSync(r6);
    const k = knownScalar(1n);
    regSetMinMax({ trueReg1: cloneScalar(r6), trueReg2: cloneScalar(k), falseReg1: r6, falseReg2: k }, 'jset', { isJmp32: false });
    expect(formatScalar(r6)).toBe(
      'scalar(smax=0x7ffffffffffffffe,umax=0xfffffffffffffffe,smax32=0x7ffffffe,umax32=0xfffffffe,var_off=(0x0; 0xfffffffffffffffe))',
    );
  });
});
