import { describe, expect, it } from 'vitest';
import { kernelAtLeast, parseKernelVersion, UnsupportedFeatureError } from '../../../loader/index.ts';

describe('UnsupportedFeatureError', () => {
  it('names the feature, its minimum version and the kernel option', () => {
    const e = new UnsupportedFeatureError('program type lsm', '5.7', { config: 'CONFIG_BPF_LSM' });
    expect(e.message).toBe('program type lsm: not supported by this kernel (needs Linux 5.7 with CONFIG_BPF_LSM)');
    expect(e.minVersion).toBe('5.7');
  });

  it('kernelAtLeast() compares release strings numerically', () => {
    expect(parseKernelVersion('6.18.44-fc-v657')).toEqual([6, 18, 44]);
    expect(kernelAtLeast('6.18.44-fc', '6.9')).toBe(true);
    expect(kernelAtLeast('5.10.0', '5.8')).toBe(true);
    expect(kernelAtLeast('5.4.0', '5.8')).toBe(false);
    expect(kernelAtLeast('5.8', '5.8')).toBe(true);
  });
});
