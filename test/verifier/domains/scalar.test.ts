import { describe, expect, it } from 'vitest';
import {
  S64_MIN,
  U64_MAX,
  cloneScalar,
  coerceRegToSize,
  coerceRegToSizeSx,
  coerceSubregToSizeSx,
  formatScalar,
  knownScalar,
  markRegUnknown,
  regBoundsSanityCheck,
  regBoundsSync,
  scalarBoundsEqual,
  scalarContains,
  unknownScalar,
  zext32To64,
  type ScalarState,
} from '../../../verifier/domains/index.ts';
import { interesting, randomSet, scalarOfSet } from './concrete.ts';
import { prng } from './kernel-cases.ts';

const M32 = 0xffff_ffffn;

/** A sound but loose version of `s`: each bound widened at random (never past its type's extreme). */
function loosen(s: ScalarState, rng: () => number): ScalarState {
  const r = cloneScalar(s);
  if (rng() < 0.5) r.umin = 0n;
  if (rng() < 0.5) r.umax = U64_MAX;
  if (rng() < 0.5) r.smin = S64_MIN;
  if (rng() < 0.5) r.smax = 0x7fff_ffff_ffff_ffffn;
  if (rng() < 0.5) r.u32min = 0;
  if (rng() < 0.5) r.u32max = 0xffff_ffff;
  if (rng() < 0.5) r.s32min = -0x8000_0000;
  if (rng() < 0.5) r.s32max = 0x7fff_ffff;
  if (rng() < 0.3) r.varOff = { value: 0n, mask: U64_MAX };
  return r;
}

describe('scalar bounds synchronisation', () => {
  it('regBoundsSync() keeps every member of random sets and passes the sanity check', () => {
    const rng = prng(11);
    for (let i = 0; i < 4000; i++) {
      const set = randomSet(rng);
      const s = loosen(scalarOfSet(set), rng);
      regBoundsSync(s);
      expect(regBoundsSanityCheck(s, 'test', true)).toBeUndefined();
      for (const x of set) {
        if (!scalarContains(s, x)) throw new Error(`sync lost ${x.toString(16)}: ${formatScalar(s)}`);
      }
    }
  });

  it('regBoundsSync() is idempotent on the tightest state of a set', () => {
    const rng = prng(12);
    for (let i = 0; i < 2000; i++) {
      const s = scalarOfSet(randomSet(rng));
      regBoundsSync(s);
      const again = cloneScalar(s);
      regBoundsSync(again);
      expect(scalarBoundsEqual(s, again)).toBe(true);
    }
  });

  it('learns u32 and s32 bounds from a u64 range inside one upper half (kernel comment example)', () => {
    const s = unknownScalar();
    s.umin = 0x1_0000_000an;
    s.umax = 0x1_0000_000fn;
    regBoundsSync(s);
    expect([s.u32min, s.u32max, s.s32min, s.s32max]).toEqual([10, 15, 10, 15]);
  });

  it('tightens 64-bit bounds with 32-bit ones (__reg_deduce_mixed_bounds example)', () => {
    const s = unknownScalar();
    s.umin = 0x1_0000_0000n;
    s.umax = 0x3_8000_0000n;
    s.s32min = 1;
    s.s32max = 0x7fff_ffff;
    regBoundsSync(s);
    expect(s.umin).toBe(0x1_0000_0001n);
    expect(s.umax).toBe(0x3_7fff_ffffn);
  });

  it('becomes a constant when the u64 range and the tnum share one value (tnum_step)', () => {
    const s = unknownScalar();
    s.varOff = { value: 0n, mask: 0x30n };
    s.umin = 0x11n;
    s.umax = 0x2fn;
    regBoundsSync(s);
    expect(formatScalar(s)).toBe('32');
  });

  it('regBoundsSanityCheck() reports an empty range, strictly by throwing', () => {
    const s = knownScalar(5n);
    s.umin = 6n;
    expect(() => regBoundsSanityCheck(cloneScalar(s), 'alu', true)).toThrow(RangeError);
    const msg = regBoundsSanityCheck(s, 'alu');
    expect(msg).toMatch(/^REG INVARIANTS VIOLATION \(alu\): range bounds violation u64=\[0x6, 0x5\]/);
    // the kernel then forgets the bounds but keeps var_off
    expect(s.umin).toBe(0n);
    expect(s.varOff).toEqual({ value: 5n, mask: 0n });
  });

  it('regBoundsSanityCheck() reports a constant tnum out of sync with its bounds', () => {
    const s = knownScalar(5n);
    s.smax = 6n;
    expect(regBoundsSanityCheck(s, 'x')).toMatch(/const tnum out of sync with range bounds/);
    const t = knownScalar(0x1_0000_0005n);
    t.varOff = { value: 0x5n, mask: 0xf_0000_0000n };
    t.u32max = 6;
    expect(regBoundsSanityCheck(t, 'x')).toMatch(/const subreg tnum out of sync/);
  });

  it('markRegUnknown() forgets everything and sets precision as asked', () => {
    const s = knownScalar(1n);
    markRegUnknown(s, true);
    expect(formatScalar(s)).toBe('Pscalar()');
  });
});

describe('zero- and sign-extension', () => {
  it('zext32To64() and coerceRegToSize() hold every truncated member', () => {
    const rng = prng(21);
    for (let i = 0; i < 2000; i++) {
      const set = randomSet(rng);
      const base = scalarOfSet(set);
      regBoundsSync(base);
      const z = cloneScalar(base);
      zext32To64(z);
      regBoundsSync(z);
      for (const x of set) expect(scalarContains(z, x & M32)).toBe(true);
      for (const size of [1, 2, 4] as const) {
        const c = cloneScalar(base);
        coerceRegToSize(c, size);
        expect(regBoundsSanityCheck(c, 'coerce', true)).toBeUndefined();
        for (const x of set) expect(scalarContains(c, x & ((1n << BigInt(size * 8)) - 1n))).toBe(true);
      }
    }
  });

  it('coerceRegToSizeSx() and coerceSubregToSizeSx() hold every sign-extended member', () => {
    const rng = prng(22);
    for (let i = 0; i < 3000; i++) {
      const set = randomSet(rng);
      const base = scalarOfSet(set);
      regBoundsSync(base);
      for (const size of [1, 2, 4] as const) {
        const c = cloneScalar(base);
        coerceRegToSizeSx(c, size);
        for (const x of set) {
          const want = BigInt.asUintN(64, BigInt.asIntN(size * 8, x));
          if (!scalarContains(c, want)) throw new Error(`sx${size} of ${x.toString(16)}: ${formatScalar(c)}`);
        }
      }
      for (const size of [1, 2] as const) {
        const c = cloneScalar(base);
        coerceSubregToSizeSx(c, size);
        zext32To64(c);
        regBoundsSync(c);
        expect(regBoundsSanityCheck(c, 'movsx', true)).toBeUndefined();
        for (const x of set) expect(scalarContains(c, BigInt.asUintN(32, BigInt.asIntN(size * 8, x)))).toBe(true);
      }
    }
  });

  it('a sign-extended [128, 143] is [-128, -113] with the upper bits known 1 (as this kernel prints)', () => {
    const s = scalarOfSet([128n, 143n]);
    s.varOff = { value: 0x80n, mask: 0xfn };
    regBoundsSync(s);
    coerceRegToSizeSx(s, 1);
    expect(formatScalar(s)).toBe(
      'scalar(smin=smin32=-128,smax=smax32=-113,umin=0xffffffffffffff80,umax=0xffffffffffffff8f,umin32=0xffffff80,umax32=0xffffff8f,var_off=(0xffffffffffffff80; 0xf))',
    );
  });

  it('interesting() values round-trip through knownScalar()', () => {
    const rng = prng(23);
    for (let i = 0; i < 500; i++) {
      const x = interesting(rng);
      const s = knownScalar(x);
      expect(regBoundsSanityCheck(s, 'const', true)).toBeUndefined();
      expect(scalarContains(s, x)).toBe(true);
      expect(scalarContains(s, x + 1n)).toBe(false);
    }
  });
});
