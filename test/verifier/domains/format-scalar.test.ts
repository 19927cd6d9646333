import { describe, expect, it } from 'vitest';
import {
  formatScalar,
  formatScalarRanges,
  formatSnum,
  formatUnum,
  knownScalar,
  regBoundsSync,
  unknownScalar,
} from '../../../verifier/domains/index.ts';
import { scalarOfSet } from './concrete.ts';

describe('formatScalar() prints as the kernel verifier log does', () => {
  it('prints constants alone, decimal within [S16_MIN, S16_MAX] and hex beyond', () => {
    expect(formatScalar(knownScalar(0n))).toBe('0');
    expect(formatScalar(knownScalar(-1n))).toBe('-1');
    expect(formatScalar(knownScalar(32767n))).toBe('32767');
    expect(formatScalar(knownScalar(-32768n))).toBe('-32768');
    expect(formatScalar(knownScalar(32768n))).toBe('0x8000');
    expect(formatScalar(knownScalar(0x1_0000_0020n))).toBe('0x100000020');
    expect(formatScalar(knownScalar(0xffff_ffffn))).toBe('0xffffffff');
    expect(formatScalar(knownScalar(-256n))).toBe('-256');
    expect(formatScalar(knownScalar(-0x8001n))).toBe('0xffffffffffff7fff');
  });

  it('prints an unknown scalar as scalar() and adds id and the precision mark', () => {
    const s = unknownScalar();
    expect(formatScalar(s)).toBe('scalar()');
    s.id = 3;
    s.precise = true;
    expect(formatScalar(s)).toBe('Pscalar(id=3)');
    expect(formatScalar({ ...knownScalar(5n), precise: true })).toBe('P5');
    const linked = { ...unknownScalar(), id: 1, addConst: 64 as const, off: 16 };
    expect(formatScalar(linked)).toBe('scalar(id=1+16)');
    expect(formatScalar({ ...linked, off: 0 })).toBe('scalar(id=1+0)');
    // an offset without its flag is not printed
    expect(formatScalar({ ...linked, addConst: false })).toBe('scalar(id=1)');
  });

  it('joins equal bounds of the same sign and omits the extremes', () => {
    const s = scalarOfSet([0n, 255n]);
    s.varOff = { value: 0n, mask: 0xffn };
    expect(formatScalar(s)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
  });

  it('never joins a negative bound with a positive one', () => {
    const s = unknownScalar();
    s.smin = -128n;
    s.smax = 127n;
    regBoundsSync(s);
    expect(formatScalar(s)).toBe('scalar(smin=smin32=-128,smax=smax32=127)');
  });

  it('prints a large s32 bound as its u32 pattern in hex', () => {
    const s = unknownScalar();
    s.s32min = -0x169f083;
    expect(formatScalarRanges(s)).toEqual(['smin32=0xfe960f7d']);
    expect(formatSnum(-0x8000n)).toBe('-32768');
    expect(formatSnum(-0x8001n)).toBe('0xffffffffffff7fff');
    expect(formatUnum(65535n)).toBe('65535');
    expect(formatUnum(65536n)).toBe('0x10000');
  });

  it('prints the state of a w-register sign extension as this kernel does', () => {
    const s = unknownScalar();
    s.s32min = -128;
    s.s32max = 127;
    s.varOff = { value: 0n, mask: 0xffff_ffffn };
    regBoundsSync(s);
    expect(formatScalar(s)).toBe('scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff))');
  });
});
