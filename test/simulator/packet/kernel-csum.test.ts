import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CsumFlag,
  csumAdd,
  csumDiff,
  csumFold,
  csumPartial,
  csumReplace2,
  csumReplace4,
  csumReplaceByDiff,
  csumUpdate,
  internetChecksum,
  ipv4Bytes,
  ipv6Bytes,
  l3CsumReplace,
  l4CsumReplace,
  packet,
  parsePacket,
} from '../../../simulator/packet/index.ts';
import { unhex } from './python.ts';

const le16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const le32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const put16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v & 0xff;
  b[at + 1] = v >> 8;
};

describe('kernel checksum arithmetic', () => {
  // Recorded from bpf_csum_diff on Linux 6.18 (x86-64) by the kernel test in csum-kernel.test.ts.
  it.each([
    ['12345678', '', 0, 0x5397],
    ['', '12345678', 0, 0xac68],
    ['12345678', '9abcdef0', 0, 0x0111],
    ['', 'ffffffffffffffff', 0, 0xffff],
    ['', 'ffffffff00000000', 1, 0x0001],
    ['', '00000001', 0xffffffff, 0x0100],
    ['00000001', '', 0xffffffff, 0xfeff],
    ['', '', 0x12345678, 0x68ac],
    ['', '', 0x1234567890n, 0xace6],
    ['', '0000000000000000', 0, 0],
    ['0000', '', 0, 0],
    ['12345678', '12345678', 0, 0xffff],
    ['', '123456', 0, 0x3468],
    ['123456', '', 0, 0xcb97],
    ['', '12', 0, 0x12],
  ] as const)('csumDiff(%s, %s, seed %s) is %d as the kernel returns', (from, to, seed, want) => {
    expect(csumDiff(unhex(from), unhex(to), seed)).toBe(want);
  });

  it('keeps the pre-6.13 semantics on request: -EINVAL for odd sizes, unfolded 32-bit sums', () => {
    expect(csumDiff(unhex('1234'), new Uint8Array(0), 0, { semantics: 'legacy' })).toBe(-22);
    expect(csumDiff(new Uint8Array(256), new Uint8Array(260), 0, { semantics: 'legacy' })).toBe(-22);
    expect(csumDiff(new Uint8Array(0), unhex('12345678'), 0, { semantics: 'legacy' })).toBe(0x78563412);
    expect(csumDiff(unhex('12345678'), new Uint8Array(0), 0, { semantics: 'legacy' })).toBe(~0x78563412 >>> 0);
  });

  it('csumPartial adds little-endian words with end-around carry, zero only for all zeros', () => {
    expect(csumPartial(unhex('ffffffffffffffff'))).toBe(0xffffffff);
    expect(csumPartial(unhex('ffffffff00000000'), 1)).toBe(1);
    expect(csumPartial(new Uint8Array(12))).toBe(0);
    expect(csumAdd(0xffffffff, 1)).toBe(1);
    expect(csumFold(0)).toBe(0xffff);
    expect(csumFold(0xffffffff)).toBe(0);
  });

  it('csumReplace4/2 and csumDiff + csumReplaceByDiff keep an IPv4 header checksum valid (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 0xffff }), (src, dst, id) => {
        const h = packet.ipv4({ src: '10.0.0.1', dst, id }).build().slice(0, 20);
        const by4 = h.slice();
        const word = le32(by4, 12);
        by4.set(src, 12);
        put16(by4, 10, csumReplace4(le16(h, 10), word, le32(by4, 12)));
        expect(internetChecksum(by4)).toBe(0);

        const by2 = h.slice();
        by2[4] = 0x12;
        by2[5] = 0x34;
        put16(by2, 10, csumReplace2(le16(h, 10), le16(h, 4), le16(by2, 4)));
        expect(internetChecksum(by2)).toBe(0);

        const byDiff = h.slice();
        byDiff.set(src, 12);
        const diff = csumDiff(h.subarray(12, 16), byDiff.subarray(12, 16), 0);
        put16(byDiff, 10, csumReplaceByDiff(le16(h, 10), diff));
        expect(internetChecksum(byDiff)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('l4CsumReplace with BPF_F_PSEUDO_HDR follows an IPv6 address rewrite (NAT64-style)', () => {
    const before = packet.eth().ipv6({ src: 'fd00::1' }).tcp().payload('data').build();
    const after = before.slice();
    after.set(ipv6Bytes('2001:db8::42'), 14 + 8);
    const diff = csumDiff(before.subarray(22, 38), after.subarray(22, 38), 0);
    const r = l4CsumReplace(le16(after, 54 + 16), 0, diff, { flags: CsumFlag.PSEUDO_HDR | CsumFlag.IPV6, offset: 70 });
    expect(r.ret).toBe(0);
    put16(after, 70, r.field);
    expect(parsePacket(after).tcp?.valid).toBe(true);
  });

  it('l3/l4CsumReplace return -EINVAL and -EFAULT as the helpers do', () => {
    expect(l3CsumReplace(0, 1, 2, { flags: 3, offset: 0 }).ret).toBe(-22);
    expect(l3CsumReplace(0, 1, 2, { flags: 0x10, offset: 0 }).ret).toBe(-22);
    expect(l3CsumReplace(0, 1, 2, { flags: 0, offset: 0 }).ret).toBe(-22);
    expect(l3CsumReplace(0, 1, 2, { flags: 2, offset: 1 }).ret).toBe(-14);
    expect(l4CsumReplace(0, 1, 2, { flags: 0x100, offset: 0 }).ret).toBe(-22);
    expect(l4CsumReplace(0, 1, 2, { flags: 4, offset: 0x10000 }).ret).toBe(-14);
  });

  it('l4CsumReplace with BPF_F_MARK_MANGLED_0 leaves a zero UDP checksum and never writes zero', () => {
    expect(l4CsumReplace(0, 0x01020304, 0x05060708, { flags: 4 | CsumFlag.MARK_MANGLED_0, offset: 40 })).toEqual({ ret: 0, field: 0, csum: 0 });
    // A change that would make the checksum zero writes 0xffff instead.
    expect(csumReplace4(0xffff, 0, 0xffff)).toBe(0);
    expect(l4CsumReplace(0xffff, 0, 0xffff, { flags: 4, offset: 40 }).field).toBe(0);
    expect(l4CsumReplace(0xffff, 0, 0xffff, { flags: 4 | CsumFlag.MARK_MANGLED_0, offset: 40 }).field).toBe(0xffff);
    // BPF_F_MARK_ENFORCE updates a zero checksum all the same.
    expect(l4CsumReplace(0, 0, 1, { flags: 4 | CsumFlag.MARK_MANGLED_0 | CsumFlag.MARK_ENFORCE, offset: 40 }).field).not.toBe(0);
  });

  it('l4CsumReplace keeps skb->csum of a CHECKSUM_COMPLETE skb in step for pseudo-header changes only', () => {
    const skb = { ipSummed: 'complete', csum: 0x1234 } as const;
    const from = le32(ipv4Bytes('10.0.0.1'), 0);
    const to = le32(ipv4Bytes('10.0.0.9'), 0);
    expect(l4CsumReplace(0x5555, from, to, { flags: 4, offset: 40, skb }).csum).toBe(0x1234);
    const r = l4CsumReplace(0x5555, from, to, { flags: 4 | CsumFlag.PSEUDO_HDR, offset: 40, skb });
    expect(r.csum).toBe(~csumAdd(csumAdd(~0x1234 >>> 0, ~from >>> 0), to) >>> 0);
    const partial = l4CsumReplace(0x5555, from, to, { flags: 4, offset: 40, skb: { ipSummed: 'partial', csum: 0 } });
    expect(partial.field).toBe(0x5555);
  });

  it('csumUpdate adds to skb->csum only for CHECKSUM_COMPLETE', () => {
    expect(csumUpdate({ ipSummed: 'complete', csum: 0xffffffff }, 2)).toEqual({ ret: 2, csum: 2 });
    expect(csumUpdate({ ipSummed: 'none', csum: 5 }, 2)).toEqual({ ret: -524, csum: 5 });
  });
});
