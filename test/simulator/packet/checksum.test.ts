import { describe, expect, it } from 'vitest';
import { createRng, internetChecksum, pseudoHeaderSum, sum16, transportChecksum } from '../../../simulator/packet/index.ts';
import { hex, pythonAvailable, runPython, unhex } from './python.ts';

/** A deliberately naive second implementation: byte pairs into a 32-bit accumulator, folded once at the end. */
function naiveChecksum(bytes: Uint8Array): number {
  let acc = 0;
  for (let i = 0; i < bytes.length; i += 2) acc += bytes[i]! * 256 + (bytes[i + 1] ?? 0);
  while (acc > 0xffff) acc = (acc >>> 16) + (acc & 0xffff);
  return 0xffff - acc;
}

describe('internet checksum', () => {
  it('sums the RFC 1071 example to 0xddf2', () => {
    expect(sum16(unhex('0001f203f4f5f6f7'))).toBe(0xddf2);
    expect(internetChecksum(unhex('0001f203f4f5f6f7'))).toBe(0x220d);
  });

  it('computes the checksum of a textbook IPv4 header', () => {
    expect(internetChecksum(unhex('45000073000040004011 0000 c0a80001c0a800c7'))).toBe(0xb861);
    expect(internetChecksum(unhex('45000073000040004011 b861 c0a80001c0a800c7'))).toBe(0);
  });

  it('agrees with a naive implementation on odd and even lengths', () => {
    const rng = createRng(7);
    for (let i = 0; i < 2000; i++) {
      const b = rng.bytes(rng.int(0, 300));
      expect(internetChecksum(b)).toBe(naiveChecksum(b));
    }
    expect(internetChecksum(new Uint8Array(0))).toBe(0xffff);
  });

  it('sums a sub-range with a seed as the whole would', () => {
    const rng = createRng(8);
    const b = rng.bytes(100);
    expect(sum16(b, sum16(b, 0, 0, 40), 40, 100)).toBe(sum16(b));
  });

  it('rejects pseudo-headers with mismatched addresses', () => {
    expect(() => pseudoHeaderSum(new Uint8Array(4), new Uint8Array(16), 6, 0)).toThrow(RangeError);
  });

  it.runIf(pythonAvailable('checksums against python'))('agrees with Python on data and IPv4/IPv6 pseudo-headers', () => {
    const rng = createRng(9);
    const cases = Array.from({ length: 300 }, (_, i) => {
      const v6 = i % 2 === 1;
      return { src: rng.bytes(v6 ? 16 : 4), dst: rng.bytes(v6 ? 16 : 4), proto: rng.pick([6, 17, 58]), seg: rng.bytes(rng.int(0, 200)) };
    });
    const script = String.raw`
import sys, json, struct, socket
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
out = []
for c in json.load(sys.stdin):
    src, dst, seg = bytes.fromhex(c['src']), bytes.fromhex(c['dst']), bytes.fromhex(c['seg'])
    if len(src) == 4:
        ph = socket.inet_aton(socket.inet_ntoa(src)) + socket.inet_aton(socket.inet_ntoa(dst)) + struct.pack('!BBH', 0, c['proto'], len(seg))
    else:
        a, b = (socket.inet_pton(socket.AF_INET6, socket.inet_ntop(socket.AF_INET6, x)) for x in (src, dst))
        ph = a + b + struct.pack('!I3xB', len(seg), c['proto'])
    out.append([csum(seg), csum(ph + seg)])
print(json.dumps(out))`;
    const expected = runPython(script, cases.map((c) => ({ src: hex(c.src), dst: hex(c.dst), proto: c.proto, seg: hex(c.seg) })));
    expect(cases.map((c) => [internetChecksum(c.seg), transportChecksum(c.src, c.dst, c.proto, c.seg)])).toEqual(expected);
  });
});
