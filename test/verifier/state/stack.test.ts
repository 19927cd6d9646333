import { describe, expect, it } from 'vitest';
import { constReg, ptrReg, StackState } from '../../../verifier/state/index.ts';

const types = (s: StackState, from: number, to: number): string[] => {
  const out: string[] = [];
  for (let o = from; o < to; o++) out.push(s.byteType(o));
  return out;
};

describe('StackState.writeVarOff()', () => {
  it('turns every byte the write may touch into misc and records the depth', () => {
    const s = new StackState();
    s.writeBytes(-16, 8, 'zero');
    expect(s.writeVarOff(-16, -4, false)).toBe(false);
    expect(types(s, -16, -4)).toEqual(Array(12).fill('misc'));
    expect(s.byteType(-4)).toBe('invalid');
    expect(s.depth).toBe(16);
  });

  it('keeps zero bytes and spilled zeros when zero is written, and says it relied on the zero', () => {
    const s = new StackState();
    s.writeBytes(-8, 8, 'zero');
    s.spill(-16, constReg(0n));
    expect(s.writeVarOff(-16, 0, true)).toBe(true);
    expect(types(s, -8, 0)).toEqual(Array(8).fill('zero'));
    expect(s.slotAt(-16)?.spilled).toEqual(constReg(0n));
  });

  it('scrubs a spilled pointer it may overwrite', () => {
    const s = new StackState();
    s.spill(-8, ptrReg('ctx'));
    s.writeVarOff(-4, -2, true);
    expect(s.slotAt(-8)?.spilled).toBeUndefined();
    expect(types(s, -8, 0)).toEqual(Array(8).fill('misc'));
  });
});
