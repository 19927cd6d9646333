import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyKeyBytes, portRangePrefixes } from '../../../compiler/cgen/index.ts';

describe('portRangePrefixes()', () => {
  it('covers exactly the range with aligned prefixes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const prefixes = portRangePrefixes(lo, hi);
        let next = lo;
        for (const p of prefixes) {
          const size = 2 ** (16 - p.bits);
          expect(p.value % size).toBe(0);
          expect(p.value).toBe(next);
          next += size;
        }
        expect(next).toBe(hi + 1);
        // at most two prefixes per bit level
        expect(prefixes.length).toBeLessThanOrEqual(30);
      }),
      { numRuns: 500 },
    );
  });

  it('gives one prefix to an aligned power-of-two range and a single port', () => {
    expect(portRangePrefixes(0, 65535)).toEqual([{ value: 0, bits: 0 }]);
    expect(portRangePrefixes(1024, 2047)).toEqual([{ value: 1024, bits: 6 }]);
    expect(portRangePrefixes(443, 443)).toEqual([{ value: 443, bits: 16 }]);
  });
});

describe('policyKeyBytes()', () => {
  it('lays out prefixlen, generation, local, remote little endian, then direction, protocol and the port big endian', () => {
    expect(policyKeyBytes({ local: 256, remote: 0x01000002, direction: 'egress', protocol: 6 }, 128, 443, 1)).toEqual([
      128, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 1, 1, 6, 0x01, 0xbb,
    ]);
  });
});
