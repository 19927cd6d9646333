import { describe, expect, it } from 'vitest';
import { kconfigValue, linuxKernelVersion } from '../../../loader/index.ts';

describe('kconfig externs', () => {
  it('linuxKernelVersion() is KERNEL_VERSION(a, b, min(c, 255))', () => {
    expect(linuxKernelVersion('6.18.44-fc-v657')).toBe((6 << 16) + (18 << 8) + 44);
    expect(linuxKernelVersion('5.4.300')).toBe((5 << 16) + (4 << 8) + 255);
    expect(linuxKernelVersion('6.1')).toBe((6 << 16) + (1 << 8));
    expect(() => linuxKernelVersion('nope')).toThrow(TypeError);
  });

  it('kconfigValue() encodes overrides as libbpf does: y/m/n, numbers, strings', () => {
    const v = (raw: string | number | boolean, size: number) => [...kconfigValue('CONFIG_X', size, { overrides: { CONFIG_X: raw } })!];
    expect(v('y', 1)).toEqual([1]);
    expect(v('m', 1)).toEqual([2]);
    expect(v('n', 1)).toEqual([0]);
    expect(v(250, 4)).toEqual([250, 0, 0, 0]);
    expect(v('0x10', 2)).toEqual([16, 0]);
    expect(v('"ab"', 4)).toEqual([97, 98, 0, 0]);
    expect(v(true, 1)).toEqual([1]);
    expect(kconfigValue('NOT_CONFIG', 4)).toBeUndefined();
  });
});
