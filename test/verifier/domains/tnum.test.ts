import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TNUM_UNKNOWN,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap16,
  tnumBswap32,
  tnumBswap64,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumContains,
  tnumEquals,
  tnumFromSbin,
  tnumIn,
  tnumIntersect,
  tnumIsAligned,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRshift,
  tnumSbin,
  tnumStep,
  tnumStrn,
  tnumSub,
  tnumSubreg,
  tnumUnion,
  tnumWithSubreg,
  tnumXor,
  type Tnum,
} from '../../../verifier/domains/index.ts';

const M64 = 0xffff_ffff_ffff_ffffn;

/** Every tnum over the low `bits` bits (3^bits of them). */
function allTnums(bits: number): Tnum[] {
  const out: Tnum[] = [];
  const n = 3 ** bits;
  for (let i = 0; i < n; i++) {
    let value = 0n;
    let mask = 0n;
    let k = i;
    for (let b = 0; b < bits; b++) {
      const t = k % 3;
      k = Math.floor(k / 3);
      if (t === 1) value |= 1n << BigInt(b);
      if (t === 2) mask |= 1n << BigInt(b);
    }
    out.push({ value, mask });
  }
  return out;
}

/** The members of a tnum with few unknown bits. */
function members(t: Tnum): bigint[] {
  const bits: bigint[] = [];
  for (let b = 0n; b < 64n; b++) if ((t.mask >> b) & 1n) bits.push(1n << b);
  if (bits.length > 12) throw new RangeError('too many members');
  const out: bigint[] = [];
  for (let i = 0; i < 1 << bits.length; i++) {
    let x = t.value;
    bits.forEach((bit, j) => {
      if ((i >> j) & 1) x |= bit;
    });
    out.push(x);
  }
  return out;
}

/** The tightest tnum holding every value (the "best" abstraction). */
function best(values: readonly bigint[]): Tnum {
  let t = tnumConst(values[0]!);
  for (const v of values) t = tnumUnion(t, tnumConst(v));
  return t;
}

const W4 = allTnums(4);

/** A cheap assertion for hot loops (expect() per element is slow). */
function ok(cond: boolean, what: string): void {
  if (!cond) throw new Error(`not contained: ${what}`);
}
const binary: [string, (a: Tnum, b: Tnum) => Tnum, (x: bigint, y: bigint) => bigint][] = [
  ['add', tnumAdd, (x, y) => (x + y) & M64],
  ['sub', tnumSub, (x, y) => (x - y) & M64],
  ['and', tnumAnd, (x, y) => x & y],
  ['or', tnumOr, (x, y) => x | y],
  ['xor', tnumXor, (x, y) => x ^ y],
  ['mul', tnumMul, (x, y) => (x * y) & M64],
];

describe('tnum worked examples (kernel/bpf/tnum.c)', () => {
  it('tnumRange() of [4, 7] is (0x4; 0x3), and a single value is its constant', () => {
    expect(tnumRange(4n, 7n)).toEqual({ value: 4n, mask: 3n });
    expect(tnumRange(9n, 9n)).toEqual({ value: 9n, mask: 0n });
    expect(tnumRange(0n, M64)).toEqual(TNUM_UNKNOWN);
    expect(tnumRange(0x10n, 0x20n)).toEqual({ value: 0n, mask: 0x3fn });
  });

  it('tnumAdd() of 1 and {0, 1} is x.. with two low unknown bits', () => {
    expect(tnumAdd(tnumConst(1n), { value: 0n, mask: 1n })).toEqual({ value: 0n, mask: 3n });
  });

  it('tnumMul() of (0x0; 0x3) and (0x0; 0x5) is (0x0; 0xf), as this kernel prints', () => {
    expect(tnumStrn(tnumMul({ value: 0n, mask: 3n }, { value: 0n, mask: 5n }))).toBe('(0x0; 0xf)');
  });

  it('tnumUnion() of 0b1010 and 0b0101 knows nothing of the low four bits', () => {
    expect(tnumUnion(tnumConst(0b1010n), tnumConst(0b0101n))).toEqual({ value: 0n, mask: 0xfn });
  });

  it('tnumStep() of x11100x0 after 241 is 242', () => {
    expect(tnumStep(tnumFromSbin('x11100x0'), 241n)).toBe(242n);
  });

  it('tnumArshift() spreads an unknown sign bit at 32 and 64 bits', () => {
    expect(tnumArshift({ value: 0n, mask: 0x8000_0000n }, 4, 32)).toEqual({ value: 0n, mask: 0xf800_0000n });
    expect(tnumArshift({ value: 0n, mask: 0x8000_0000n }, 4, 64)).toEqual({ value: 0n, mask: 0x800_0000n });
    expect(tnumArshift(tnumConst(0x8000_0000_0000_0000n), 63, 64)).toEqual(tnumConst(M64));
  });

  it('tnumStrn() and tnumSbin() print like the kernel', () => {
    expect(tnumStrn({ value: 0n, mask: 0xffn })).toBe('(0x0; 0xff)');
    expect(tnumStrn(TNUM_UNKNOWN)).toBe('(0x0; 0xffffffffffffffff)');
    expect(tnumSbin(tnumFromSbin('1x0'), 3)).toBe('1x0');
    expect(tnumSbin(tnumConst(5n))).toBe('0'.repeat(61) + '101');
  });

  it('subregister helpers split a tnum at bit 32', () => {
    const t: Tnum = { value: 0x1_0000_0001n, mask: 0xf0_0000_00f0n };
    expect(tnumSubreg(t)).toEqual({ value: 1n, mask: 0xf0n });
    expect(tnumClearSubreg(t)).toEqual({ value: 0x1_0000_0000n, mask: 0xf0_0000_0000n });
    expect(tnumWithSubreg(t, tnumConst(0xffff_ffff_0000_0007n))).toEqual({ value: 0x1_0000_0007n, mask: 0xf0_0000_0000n });
    expect(tnumConstSubreg(t, -1)).toEqual({ value: 0x1_ffff_ffffn, mask: 0xf0_0000_0000n });
    expect(tnumCast(t, 1)).toEqual({ value: 1n, mask: 0xf0n });
  });

  it('byte swaps move value and mask bytes together', () => {
    expect(tnumBswap16({ value: 0x1200n, mask: 0xffn })).toEqual({ value: 0x12n, mask: 0xff00n });
    expect(tnumBswap32({ value: 0x1234_5600n, mask: 0xffn })).toEqual({ value: 0x56_3412n, mask: 0xff00_0000n });
    expect(tnumBswap64(tnumConst(0x0102_0304_0506_0708n))).toEqual(tnumConst(0x0807_0605_0403_0201n));
  });
});

describe('tnum soundness, exhaustive over 4-bit tnums (81 x 81 pairs)', () => {
  it.each(binary.map(([n, f, c]) => [n, f, c] as const))('%s holds every concrete result', (_n, f, c) => {
    for (const a of W4) {
      const ma = members(a);
      for (const b of W4) {
        const r = f(a, b);
        expect(r.value & r.mask).toBe(0n);
        for (const x of ma) for (const y of members(b)) if (!tnumContains(r, c(x, y))) {
          throw new Error(`${tnumStrn(a)} ${_n} ${tnumStrn(b)} = ${tnumStrn(r)} misses ${c(x, y)}`);
        }
      }
    }
  });

  it.each(['add', 'sub', 'and', 'or', 'xor'])('%s is the best tnum (as the kernel proves it optimal)', (name) => {
    const [, f, c] = binary.find(([n]) => n === name)!;
    for (const a of W4) for (const b of W4) {
      const all = members(a).flatMap((x) => members(b).map((y) => c(x, y)));
      expect(tnumEquals(f(a, b), best(all))).toBe(true);
    }
  });

  it('mul is exact on constants and the best tnum for most pairs', () => {
    let exact = 0;
    for (const a of W4) for (const b of W4) {
      const all = members(a).flatMap((x) => members(b).map((y) => (x * y) & M64));
      if (tnumEquals(tnumMul(a, b), best(all))) exact++;
      if (a.mask === 0n && b.mask === 0n) expect(tnumMul(a, b)).toEqual(tnumConst(a.value * b.value));
    }
    expect(exact).toBeGreaterThan(W4.length * W4.length * 0.5);
  });

  it('neg, shifts and casts hold every concrete result', () => {
    for (const a of W4) {
      const t: Tnum = { value: a.value << 60n, mask: a.mask << 60n }; // exercise the sign bit
      for (const u of [a, t]) {
        for (const x of members(u)) {
          ok(tnumContains(tnumNeg(u), -x & M64), 'tnumNeg');
          for (let s = 0; s < 64; s++) {
            ok(tnumContains(tnumLshift(u, s), (x << BigInt(s)) & M64), 'tnumLshift');
            ok(tnumContains(tnumRshift(u, s), x >> BigInt(s)), 'tnumRshift');
            ok(tnumContains(tnumArshift(u, s, 64), BigInt.asUintN(64, BigInt.asIntN(64, x) >> BigInt(s))), 'tnumArshift');
          }
          for (let s = 0; s < 32; s++) {
            const y = BigInt.asUintN(32, BigInt.asIntN(32, x) >> BigInt(s));
            ok(tnumContains(tnumArshift(u, s, 32), y), 'tnumArshift');
          }
          ok(tnumContains(tnumCast(u, 1), x & 0xffn), 'tnumCast');
        }
      }
    }
  });

  it('union holds both sides, intersect holds common members, overlap is false only when disjoint', () => {
    for (const a of W4) for (const b of W4) {
      const ma = members(a);
      const mb = new Set(members(b));
      const u = tnumUnion(a, b);
      for (const x of ma) ok(tnumContains(u, x), 'u, x');
      for (const y of mb) ok(tnumContains(u, y), 'u, y');
      const common = ma.filter((x) => mb.has(x));
      const i = tnumIntersect(a, b);
      for (const x of common) ok(tnumContains(i, x), 'i, x');
      expect(tnumOverlap(a, b)).toBe(common.length > 0);
      // tnum_in(a, b): b is a subset of a
      expect(tnumIn(a, b)).toBe([...mb].every((y) => tnumContains(a, y)));
    }
  });

  it('tnumRange() holds every value of its range (all ranges over 0..63)', () => {
    for (let lo = 0n; lo < 64n; lo++) for (let hi = lo; hi < 64n; hi++) {
      const t = tnumRange(lo, hi);
      for (let x = lo; x <= hi; x++) ok(tnumContains(t, x), 't, x');
    }
  });

  it('tnumIsAligned() agrees with every member', () => {
    for (const a of W4) for (const size of [0n, 1n, 2n, 4n, 8n]) {
      const all = members(a).every((x) => size === 0n || x % size === 0n);
      expect(tnumIsAligned(a, size)).toBe(all);
    }
  });

  it('tnumStep() is the next member above z (exhaustive over 5-bit tnums)', () => {
    for (const t of allTnums(5)) {
      const ms = members(t).sort((x, y) => (x < y ? -1 : 1));
      const tmin = ms[0]!;
      const tmax = ms[ms.length - 1]!;
      for (let z = 0n; z < 40n; z++) {
        const want = z >= tmax ? tmax : z < tmin ? tmin : ms.find((x) => x > z)!;
        expect(tnumStep(t, z)).toBe(want);
      }
    }
  });
});

describe('tnum soundness at 64 bits (fast-check)', () => {
  const arbTnum = fc
    .tuple(fc.bigInt({ min: 0n, max: M64 }), fc.bigInt({ min: 0n, max: M64 }), fc.integer({ min: 0, max: 3 }))
    .map(([v, m, sparse]) => {
      // sparse masks keep member sampling meaningful
      const mask = sparse === 0 ? m : sparse === 1 ? m & (m >> 7n) & (m >> 13n) : m & 0xffffn;
      return { value: v & ~mask & M64, mask };
    });
  const member = (t: Tnum, r: bigint): bigint => t.value | (r & t.mask);

  it('binary ops hold the results of sampled members', () => {
    fc.assert(
      fc.property(arbTnum, arbTnum, fc.array(fc.tuple(fc.bigInt({ min: 0n, max: M64 }), fc.bigInt({ min: 0n, max: M64 })), { minLength: 1, maxLength: 8 }), (a, b, rs) => {
        for (const [, f, c] of binary) {
          const r = f(a, b);
          for (const [ra, rb] of rs) if (!tnumContains(r, c(member(a, ra), member(b, rb)))) return false;
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });

  it('shifts, neg, union and step hold sampled members', () => {
    fc.assert(
      fc.property(arbTnum, arbTnum, fc.bigInt({ min: 0n, max: M64 }), fc.integer({ min: 0, max: 63 }), (a, b, r, s) => {
        const x = member(a, r);
        const y = member(b, r);
        const next = tnumStep(a, x);
        return (
          tnumContains(tnumLshift(a, s), (x << BigInt(s)) & M64) &&
          tnumContains(tnumRshift(a, s), x >> BigInt(s)) &&
          tnumContains(tnumArshift(a, s, 64), BigInt.asUintN(64, BigInt.asIntN(64, x) >> BigInt(s))) &&
          tnumContains(tnumArshift(a, s % 32, 32), BigInt.asUintN(32, BigInt.asIntN(32, x) >> BigInt(s % 32))) &&
          tnumContains(tnumNeg(a), -x & M64) &&
          tnumContains(tnumUnion(a, b), x) &&
          tnumContains(tnumUnion(a, b), y) &&
          tnumContains(a, next) &&
          (next > x || next === (a.value | a.mask))
        );
      }),
      { numRuns: 1000 },
    );
  });
});
