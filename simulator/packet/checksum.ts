// The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of the data
// taken as big-endian 16-bit words (an odd trailing byte is padded with a zero), with the IPv4 and IPv6
// pseudo-headers that TCP, UDP and ICMPv6 cover (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1).
//
//   IPv4 pseudo-header (12 bytes)          IPv6 pseudo-header (40 bytes)
//   +--------+--------+--------+--------+  +-----------------------------------+
//   |          source address           |  |   source address (16 bytes)       |
//   +--------+--------+--------+--------+  +-----------------------------------+
//   |        destination address        |  |   destination address (16 bytes)  |
//   +--------+--------+--------+--------+  +-----------------------------------+
//   |  zero  |protocol|  upper length   |  |   upper-layer length (32 bits)    |
//   +--------+--------+--------+--------+  +--------------------------+--------+
//                                          |        zero (24 bits)    |next hdr|
//                                          +--------------------------+--------+

/** Folds a sum of 16-bit words (any non-negative integer below 2^53) to 16 bits with end-around carry. */
export function fold16(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * The ones' complement sum of `bytes` as big-endian 16-bit words, added to `seed`, folded to 16 bits and
 * not complemented. `start` must be even for the words to line up with the packet's.
 *
 * @example
 * sum16(Uint8Array.of(0x45, 0x00, 0x00, 0x1c)) // 0x451c
 */
export function sum16(bytes: Uint8Array, seed = 0, start = 0, end = bytes.length): number {
  let sum = seed;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return fold16(sum);
}

/**
 * The Internet checksum of `bytes` (the value to store in a checksum field, big-endian), over `seed` (a
 * folded sum such as a pseudo-header's). A packet whose checksum field holds it sums to 0xffff.
 *
 * @example
 * internetChecksum(ipv4Header) // 0xb1e6 for the RFC 1071 example header
 */
export function internetChecksum(bytes: Uint8Array, seed = 0, start = 0, end = bytes.length): number {
  return ~sum16(bytes, seed, start, end) & 0xffff;
}

/** Folded sum of the IPv4 (4-byte addresses) or IPv6 (16-byte addresses) pseudo-header. */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  if (src.length !== dst.length || (src.length !== 4 && src.length !== 16)) {
    throw new RangeError(`pseudo-header: addresses of ${src.length} and ${dst.length} bytes (want 4 or 16 each)`);
  }
  const sum = sum16(src) + sum16(dst) + protocol + (length >>> 16) + (length & 0xffff);
  return fold16(sum);
}

/** The TCP/UDP/ICMPv6 checksum of `segment` (with its checksum field zeroed) under the pseudo-header. */
export function transportChecksum(src: Uint8Array, dst: Uint8Array, protocol: number, segment: Uint8Array): number {
  return internetChecksum(segment, pseudoHeaderSum(src, dst, protocol, segment.length));
}
