import { describe, expect, it } from 'vitest';
import { addressBytes, formatAddress, formatPrefix, parseAddress, parsePrefix, prefixContains } from '../../../compiler/dsl/cidr.ts';

describe('cidr', () => {
  it('parsePrefix() reads IPv4 and IPv6 prefixes and bare addresses', () => {
    expect(parsePrefix('10.0.0.0/8')).toEqual({ family: 4, addr: 0x0a000000n, len: 8 });
    expect(parsePrefix('192.168.1.10')).toEqual({ family: 4, addr: 0xc0a8010an, len: 32 });
    expect(parsePrefix('2001:db8::/32')).toEqual({ family: 6, addr: 0x20010db8n << 96n, len: 32 });
    expect(parsePrefix('::ffff:10.0.0.1/128').addr).toBe((0xffffn << 32n) | 0x0a000001n);
  });

  it('parsePrefix() rejects set host bits, bad lengths and non-addresses with the reason', () => {
    expect(() => parsePrefix('10.0.0.1/8')).toThrow(/host bits are set \(did you mean 10.0.0.0\/8\?\)/);
    expect(() => parsePrefix('10.0.0.0/33')).toThrow(/prefix length must be 0 to 32/);
    expect(() => parsePrefix('10.0.0.256/32')).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => parsePrefix('01.0.0.0/8')).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => parsePrefix('1::2::3/64')).toThrow(/not an IPv4 or IPv6 address/);
  });

  it('prefixContains() holds for nested prefixes of one family only', () => {
    expect(prefixContains(parsePrefix('10.0.0.0/8'), parsePrefix('10.9.0.0/16'))).toBe(true);
    expect(prefixContains(parsePrefix('10.0.0.0/8'), parsePrefix('11.0.0.0/16'))).toBe(false);
    expect(prefixContains(parsePrefix('10.9.0.0/16'), parsePrefix('10.0.0.0/8'))).toBe(false);
    expect(prefixContains(parsePrefix('0.0.0.0/0'), parsePrefix('::/0'))).toBe(false);
  });

  it('formats addresses back, compressing the longest run of zero groups', () => {
    for (const s of ['10.1.2.3', '2001:db8::1', '::', '1:0:0:2::3', 'fd00:1::10']) {
      const a = parseAddress(s)!;
      expect(parseAddress(formatAddress(a.family, a.addr))).toEqual(a);
    }
    expect(formatPrefix(parsePrefix('2001:db8:100:bad::/64'))).toBe('2001:db8:100:bad::/64');
    expect(addressBytes(4, 0x0a000001n)).toEqual([10, 0, 0, 1]);
  });
});
