import { describe, expect, it } from 'vitest';
import { createRng, formatIpv6, formatMac, ipv4Bytes, ipv6Bytes, macBytes } from '../../../simulator/packet/index.ts';
import { hex, pythonAvailable, runPython } from './python.ts';

describe('addresses', () => {
  it('parses IPv6 text with ::, embedded IPv4 and full forms', () => {
    expect(hex(ipv6Bytes('::'))).toBe('0'.repeat(32));
    expect(hex(ipv6Bytes('::1'))).toBe('0'.repeat(31) + '1');
    expect(hex(ipv6Bytes('fe80::1:2'))).toBe('fe80' + '0'.repeat(20) + '00010002');
    expect(hex(ipv6Bytes('::ffff:10.0.0.1'))).toBe('0'.repeat(20) + 'ffff0a000001');
    expect(hex(ipv6Bytes('1:2:3:4:5:6:7:8'))).toBe('00010002000300040005000600070008');
    expect(hex(ipv6Bytes('64:ff9b::192.0.2.33'))).toBe('0064ff9b' + '0'.repeat(16) + 'c0000221');
  });

  it('rejects malformed addresses with the address in the message', () => {
    expect(() => ipv6Bytes('1:2:3:4:5:6:7')).toThrow(/'1:2:3:4:5:6:7': 7 groups/);
    expect(() => ipv6Bytes('1::2:3:4:5:6:7:8')).toThrow(/stands for no group/);
    expect(() => ipv6Bytes('g::')).toThrow(/bad group 'g'/);
    expect(() => ipv4Bytes('256.0.0.1')).toThrow(SyntaxError);
    expect(() => macBytes('00:11:22:33:44')).toThrow(SyntaxError);
    expect(() => ipv4Bytes([1, 2, 3])).toThrow(/3 bytes \(want 4\)/);
  });

  it('formats MACs and accepts dashes', () => {
    expect(formatMac(macBytes('AA-bb-0c-0D-e-ff'))).toBe('aa:bb:0c:0d:0e:ff');
  });

  it('formats IPv6 as RFC 5952 recommends', () => {
    expect(formatIpv6(ipv6Bytes('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(ipv6Bytes('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(ipv6Bytes('::ffff:1.2.3.4'))).toBe('::ffff:1.2.3.4');
  });

  it.runIf(pythonAvailable('ipv6 text against python'))('agrees with Python inet_ntop/inet_pton on random addresses with zero runs', () => {
    const rng = createRng(5);
    const addrs = Array.from({ length: 500 }, () => {
      const b = rng.bytes(16);
      for (let w = 0; w < 8; w++) if (rng.chance(0.5)) b[2 * w] = b[2 * w + 1] = 0;
      if (b.subarray(0, 12).every((x) => x === 0)) b[0] = 0x20; // Python (glibc) prints ::/96 in mixed notation
      return b;
    });
    const script = String.raw`
import sys, json, socket
print(json.dumps([socket.inet_ntop(socket.AF_INET6, bytes.fromhex(h)) for h in json.load(sys.stdin)]))`;
    const texts = runPython(script, addrs.map(hex)) as string[];
    expect(addrs.map((a) => formatIpv6(a))).toEqual(texts);
    expect(texts.map((t) => hex(ipv6Bytes(t)))).toEqual(addrs.map(hex));
  });
});
