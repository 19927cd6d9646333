import { describe, expect, it } from 'vitest';
import {
  adjustScalarMinMaxVals,
  cloneScalar,
  forkMinusOneOrZero,
  forksMinusOneOrZero,
  formatScalar,
  isSafeToComputeDstRegRange,
  knownScalar,
  regBoundsSanityCheck,
  regBoundsSync,
  scalarContains,
  unknownScalar,
  type ScalarAluInsn,
  type ScalarAluOp,
} from '../../../verifier/domains/index.ts';
import { concreteAlu, randomSet, scalarOfSet } from './concrete.ts';
import { prng } from './kernel-cases.ts';

const OPS: ScalarAluOp[] = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'lsh', 'rsh', 'arsh', 'neg', 'div', 'mod', 'sdiv', 'smod'];
const ENDS: ScalarAluInsn[] = (['le', 'be', 'swap'] as const).flatMap((order) =>
  ([16, 32, 64] as const).map((bits) => ({ op: 'end' as const, alu32: order !== 'swap', order, bits })),
);

function describeSet(xs: readonly bigint[]): string {
  return `{${xs.map((x) => `0x${x.toString(16)}`).join(', ')}}`;
}

describe('ALU transfer functions: soundness on random value sets', () => {
  it.each(OPS.flatMap((op) => [[op, false] as const, [op, true] as const]))(
    '%s (alu32 %s) holds every concrete result and passes the sanity check',
    (op, alu32) => {
      const rng = prng(op.length * 7919 + (alu32 ? 1 : 0));
      let checked = 0;
      for (let i = 0; i < 700; i++) {
        const xs = randomSet(rng);
        // shifts are tracked only by constants below the width: mostly give them that
        let ys = randomSet(rng);
        if ((op === 'lsh' || op === 'rsh' || op === 'arsh') && rng() < 0.8) {
          ys = [BigInt(Math.floor(rng() * (alu32 ? 32 : 64)))];
        }
        const dst = scalarOfSet(xs);
        const src = scalarOfSet(ys);
        regBoundsSync(dst);
        regBoundsSync(src);
        const insn: ScalarAluInsn = { op, alu32 };
        // the kernel's fork on a [-1, 0] dst before and/or with a constant: check both halves
        const halves = forksMinusOneOrZero(dst, src, insn) ? [dst, forkMinusOneOrZero(dst)] : [dst];
        const before = cloneScalar(dst);
        for (const half of halves) {
          const members = xs.filter((x) => scalarContains(half, x));
          const out = cloneScalar(half);
          adjustScalarMinMaxVals(out, op === 'neg' ? out : src, insn);
          expect(regBoundsSanityCheck(out, 'alu', true)).toBeUndefined();
          for (const x of members) {
            for (const y of op === 'neg' ? [x] : ys) {
              const r = concreteAlu(op, alu32, x, y);
              checked++;
              if (!scalarContains(out, r)) {
                throw new Error(
                  `${op}${alu32 ? '32' : ''} ${describeSet(xs)} ${describeSet(ys)}: ${formatScalar(before)} op ` +
                    `${formatScalar(src)} = ${formatScalar(out)} misses 0x${r.toString(16)} (0x${x.toString(16)}, 0x${y.toString(16)})`,
                );
              }
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(1000);
    },
  );

  it.each(ENDS.map((e) => [`${e.order}${e.bits}`, e] as const))('%s holds every concrete result', (_n, insn) => {
    const rng = prng(insn.bits! + insn.order!.length);
    for (let i = 0; i < 1500; i++) {
      const xs = randomSet(rng);
      const dst = scalarOfSet(xs);
      regBoundsSync(dst);
      adjustScalarMinMaxVals(dst, dst, insn);
      expect(regBoundsSanityCheck(dst, 'end', true)).toBeUndefined();
      for (const x of xs) {
        const r = concreteAlu('end', insn.alu32, x, 0n, { order: insn.order!, bits: insn.bits! });
        if (!scalarContains(dst, r)) throw new Error(`${_n} ${describeSet(xs)} = ${formatScalar(dst)} misses ${r.toString(16)}`);
      }
    }
  });

  it('the [-1, 0] fork partitions the value set', () => {
    const rng = prng(5);
    for (let i = 0; i < 500; i++) {
      const hi = rng() < 0.5 ? 0n : BigInt(Math.floor(rng() * 4)) << 32n;
      const set = [hi | 0xffff_ffffn, hi, 0xffff_ffff_ffff_ffffn, 0n].slice(0, 1 + Math.floor(rng() * 4));
      const s = scalarOfSet(set);
      regBoundsSync(s);
      if (s.s32min !== -1 || s.s32max !== 0) continue;
      expect(forksMinusOneOrZero(s, knownScalar(0x20n), { op: 'and', alu32: false })).toBe(true);
      expect(forksMinusOneOrZero(s, knownScalar(0x20n), { op: 'xor', alu32: false })).toBe(false);
      const lowKnown = knownScalar(0x20n);
      lowKnown.varOff = { value: 0x20n, mask: 0xffff_ffff_0000_0000n };
      expect(forksMinusOneOrZero(s, lowKnown, { op: 'and', alu32: true })).toBe(false);
      const minus = cloneScalar(s);
      const zero = forkMinusOneOrZero(minus);
      for (const x of set) expect(scalarContains(minus, x) || scalarContains(zero, x)).toBe(true);
    }
  });
});

describe('ALU transfer functions: the kernel results seen in its log', () => {
  const run = (dst: ScalarState0, src: ScalarState0, insn: ScalarAluInsn): string => {
    adjustScalarMinMaxVals(dst, src, insn);
    return formatScalar(dst);
  };
  type ScalarState0 = ReturnType<typeof unknownScalar>;
  const masked = (m: bigint): ScalarState0 => {
    const s = unknownScalar();
    adjustScalarMinMaxVals(s, knownScalar(m), { op: 'and', alu32: false });
    return s;
  };

  it('r1 &= 255 on an unknown scalar', () => {
    expect(formatScalar(masked(0xffn))).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
  });

  it('r3 = -r3 on [0, 255]', () => {
    const s = masked(0xffn);
    expect(run(s, s, { op: 'neg', alu32: false })).toBe('scalar(smin=smin32=-255,smax=smax32=0)');
  });

  it('r5 = be16 r5 on [0, 255]', () => {
    const s = masked(0xffn);
    expect(run(s, s, { op: 'end', alu32: true, order: 'be', bits: 16 })).toBe(
      'scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff00,var_off=(0x0; 0xff00))',
    );
  });

  it('r2 *= r1 with r1 in (0x0; 0x3) and r2 in (0x0; 0x5)', () => {
    expect(run(masked(5n), masked(3n), { op: 'mul', alu32: false })).toBe(
      'scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))',
    );
  });

  it('r4 /= 3 and shifts by an unknown amount give an unknown scalar', () => {
    expect(run(masked(0xffn), knownScalar(3n), { op: 'div', alu32: false })).toBe('scalar()');
    expect(run(masked(0xffn), unknownScalar(), { op: 'lsh', alu32: false })).toBe('scalar()');
    expect(isSafeToComputeDstRegRange({ op: 'rsh', alu32: true }, knownScalar(32n))).toBe(false);
  });

  it('r4 s>>= 1 on [0, 511]', () => {
    expect(run(masked(0x1ffn), knownScalar(1n), { op: 'arsh', alu32: false })).toBe(
      'scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))',
    );
  });
});
