// The kernel's checksum arithmetic, as the BPF helpers bpf_csum_diff (28), bpf_l3_csum_replace (10) and
// bpf_l4_csum_replace (11) use it on a little-endian host (x86-64), in pure functions.
//
// Values are what a BPF program sees: a 16-bit checksum field or a 32-bit word *loaded from the packet*
// (little-endian loads of big-endian bytes), and __wsum partial sums as the kernel keeps them. Ones'
// complement arithmetic commutes with byte swapping, so the results store back into the packet the same
// way they were loaded.
//
// Sources mirrored (include/net/checksum.h, net/core/utils.c, net/core/filter.c, arch/x86/lib):
//   csum_add(a, b)        a + b with the carry added back (32 bits)
//   csum_fold(s)          ~(s folded to 16 bits)
//   csum_partial(p, n, s) 32-bit ones' complement sum of little-endian words plus s
//   csum_from32to16(s)    s folded to 16 bits, not complemented (bpf_csum_diff since Linux 6.13)

const U32 = 0x1_0000_0000;

/** u32 or u64 helper argument to a non-negative number below 2^32 (the kernel's truncation). */
function u32(value: number | bigint): number {
  return typeof value === 'bigint' ? Number(BigInt.asUintN(32, value)) : value >>> 0;
}

/** csum_add: 32-bit addition with end-around carry. */
export function csumAdd(a: number, b: number): number {
  const s = (a >>> 0) + (b >>> 0);
  return s >= U32 ? s - U32 + 1 : s;
}

/** csum_sub: csum_add(a, ~b). */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: the 32-bit partial sum folded to 16 bits and complemented (the value a checksum field holds). */
export function csumFold(csum: number): number {
  let s = csum >>> 0;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum_from32to16: the 32-bit partial sum folded to 16 bits, not complemented. */
export function csumFrom32to16(csum: number): number {
  const s = csum >>> 0;
  const t = (s & 0xffff) + (s >>> 16);
  return t > 0xffff ? t - 0xffff : t;
}

/**
 * csum_partial as x86-64 computes it: `seed` plus the bytes as little-endian 32-bit words (a short tail
 * is zero-padded), summed with end-around carry. Zero only when everything summed is zero.
 */
export function csumPartial(bytes: Uint8Array, seed: number | bigint = 0): number {
  let sum = u32(seed);
  const n = bytes.length;
  let i = 0;
  // Accumulate exactly (below 2^53) and fold every so often; the result is the same class mod 2^32 - 1.
  for (; i + 3 < n; i += 4) {
    sum += (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    if (sum >= 2 ** 52) sum = (sum % U32) + Math.floor(sum / U32);
  }
  let tail = 0;
  for (let k = 0; i + k < n; k++) tail += bytes[i + k]! * 2 ** (8 * k);
  sum += tail;
  while (sum >= U32) sum = (sum % U32) + Math.floor(sum / U32);
  return sum;
}

export interface CsumDiffOptions {
  /**
   * `'linux-6.13'` (default; this machine's kernel and later): no size checks, the result folded to 16 bits.
   * `'legacy'` (Linux 4.6 to 6.12 on x86-64): sizes must be multiples of 4 and at most 512 bytes together,
   * else -EINVAL (-22); the result is the unfolded 32-bit sum of ~from and to.
   */
  readonly semantics?: 'linux-6.13' | 'legacy';
}

const EINVAL = 22;
const EFAULT = 14;
const ENOTSUPP = 524;

/**
 * bpf_csum_diff(from, from_size, to, to_size, seed): the checksum difference of replacing `from` by `to`,
 * on top of `seed`; the helper's return value (an s64; -22 for -EINVAL).
 *
 * @example
 * csumDiff(Uint8Array.of(0x12, 0x34, 0x56, 0x78), new Uint8Array(0), 0) // 0x5397
 */
export function csumDiff(from: Uint8Array, to: Uint8Array, seed: number | bigint = 0, options: CsumDiffOptions = {}): number {
  const s = u32(seed);
  if (options.semantics === 'legacy') {
    if (((from.length | to.length) & 3) !== 0 || from.length + to.length > 512) return -EINVAL;
    const diff = new Uint8Array(from.length + to.length);
    for (let i = 0; i < from.length; i++) diff[i] = ~from[i]! & 0xff;
    diff.set(to, from.length);
    return csumPartial(diff, s);
  }
  let ret: number;
  if (to.length === 0) ret = ~csumPartial(from, ~s >>> 0) >>> 0;
  else if (from.length === 0) ret = csumPartial(to, s);
  else ret = csumSub(csumPartial(to, s), csumPartial(from, 0));
  return csumFrom32to16(ret);
}

/** csum_replace4: the new 16-bit checksum field after a 32-bit word changed from `from` to `to`. */
export function csumReplace4(field: number, from: number | bigint, to: number | bigint): number {
  const tmp = csumSub(~(field & 0xffff) >>> 0, u32(from));
  return csumFold(csumAdd(tmp, u32(to)));
}

function csum16Add(a: number, b: number): number {
  const r = (a + b) & 0xffff;
  return r < b ? r + 1 : r;
}

/** csum_replace2 (RFC 1624 eqn. 3): the new checksum field after a 16-bit word changed from `from` to `to`. */
export function csumReplace2(field: number, from: number | bigint, to: number | bigint): number {
  const old = u32(from) & 0xffff;
  const neu = u32(to) & 0xffff;
  return ~csum16Add(csum16Add(~field & 0xffff, ~old & 0xffff), neu) & 0xffff;
}

/** csum_replace_by_diff: the new checksum field after data changed by `diff` (a bpf_csum_diff result). */
export function csumReplaceByDiff(field: number, diff: number | bigint): number {
  return csumFold(csumAdd(u32(diff), ~(field & 0xffff) >>> 0));
}

export const CsumFlag = {
  /** BPF_F_HDR_FIELD_MASK: the size of the changed field (0 = `to` is a diff, 2, 4). */
  HDR_FIELD_MASK: 0xf,
  PSEUDO_HDR: 1 << 4,
  MARK_MANGLED_0: 1 << 5,
  MARK_ENFORCE: 1 << 6,
  IPV6: 1 << 7,
} as const;

/** What the kernel knows about an skb's checksum (skb->ip_summed, skb->csum). */
export interface SkbCsumState {
  readonly ipSummed: 'none' | 'unnecessary' | 'complete' | 'partial';
  /** skb->csum, a __wsum; meaningful for `complete`. */
  readonly csum: number;
}

export interface CsumReplaceResult {
  /** The helper's return value: 0, -EINVAL (-22) or -EFAULT (-14). */
  readonly ret: number;
  /** The checksum field afterwards (as loaded: little-endian). */
  readonly field: number;
  /** skb->csum afterwards. */
  readonly csum: number;
}

function flagsOf(flags: number | bigint): bigint {
  return BigInt.asUintN(64, BigInt(flags));
}

/**
 * bpf_l3_csum_replace(skb, offset, from, to, flags) on the 16-bit field at `offset` holding `field`. The
 * caller reads and writes the field (and reports -EFAULT when it is out of the packet).
 */
export function l3CsumReplace(
  field: number,
  from: number | bigint,
  to: number | bigint,
  options: { readonly flags: number | bigint; readonly offset: number },
): { readonly ret: number; readonly field: number } {
  const flags = flagsOf(options.flags);
  if ((flags & ~0xfn) !== 0n) return { ret: -EINVAL, field };
  if (options.offset > 0xffff || (options.offset & 1) !== 0) return { ret: -EFAULT, field };
  switch (flags & 0xfn) {
    case 0n:
      if (BigInt(from) !== 0n) return { ret: -EINVAL, field };
      return { ret: 0, field: csumReplaceByDiff(field, to) };
    case 2n:
      return { ret: 0, field: csumReplace2(field, from, to) };
    case 4n:
      return { ret: 0, field: csumReplace4(field, from, to) };
    default:
      return { ret: -EINVAL, field };
  }
}

/**
 * bpf_l4_csum_replace(skb, offset, from, to, flags): like l3CsumReplace, plus the pseudo-header flag (which
 * also keeps a CHECKSUM_COMPLETE skb->csum in step, and for CHECKSUM_PARTIAL updates only pseudo-header
 * changes), BPF_F_MARK_MANGLED_0 (a zero UDP checksum stays zero, a result of zero becomes 0xffff) and
 * BPF_F_IPV6 (no skb->csum update for a diff).
 */
export function l4CsumReplace(
  field: number,
  from: number | bigint,
  to: number | bigint,
  options: { readonly flags: number | bigint; readonly offset: number; readonly skb?: SkbCsumState },
): CsumReplaceResult {
  const skb = options.skb ?? { ipSummed: 'none', csum: 0 };
  const flags = flagsOf(options.flags);
  const fail = (ret: number): CsumReplaceResult => ({ ret, field, csum: skb.csum });
  if ((flags & ~0xffn) !== 0n) return fail(-EINVAL);
  if (options.offset > 0xffff || (options.offset & 1) !== 0) return fail(-EFAULT);
  const pseudo = (flags & 0x10n) !== 0n;
  const mmzero = (flags & 0x20n) !== 0n;
  const enforce = (flags & 0x40n) !== 0n;
  const ipv6 = (flags & 0x80n) !== 0n;
  if (mmzero && !enforce && field === 0) return { ret: 0, field, csum: skb.csum };
  let out = field;
  let csum = skb.csum >>> 0;
  const partial = skb.ipSummed === 'partial';
  const complete = skb.ipSummed === 'complete';
  const replace4 = (f: number, t: number): void => {
    if (!partial) {
      out = csumReplace4(field, f, t);
      if (complete && pseudo) csum = ~csumAdd(csumSub(~csum >>> 0, f), t) >>> 0;
    } else if (pseudo) {
      out = ~csumFold(csumAdd(csumSub(field, f), t)) & 0xffff;
    }
  };
  switch (flags & 0xfn) {
    case 0n: {
      if (BigInt(from) !== 0n) return fail(-EINVAL);
      const diff = u32(to);
      if (!partial) {
        out = csumReplaceByDiff(field, diff);
        if (complete && pseudo && !ipv6) csum = ~csumSub(diff, csum) >>> 0;
      } else if (pseudo) {
        out = ~csumFold(csumAdd(field, diff)) & 0xffff;
      }
      break;
    }
    case 2n:
      replace4(u32(from) & 0xffff, u32(to) & 0xffff);
      break;
    case 4n:
      replace4(u32(from), u32(to));
      break;
    default:
      return fail(-EINVAL);
  }
  if (mmzero && out === 0) out = 0xffff;
  return { ret: 0, field: out, csum };
}

/**
 * bpf_csum_update(skb, csum) (helper 40): adds `csum` to skb->csum of a CHECKSUM_COMPLETE skb and returns
 * the new value; any other skb gets -ENOTSUPP (-524) and keeps its csum.
 */
export function csumUpdate(skb: SkbCsumState, csum: number | bigint): { readonly ret: number; readonly csum: number } {
  if (skb.ipSummed !== 'complete') return { ret: -ENOTSUPP, csum: skb.csum };
  const next = csumAdd(skb.csum, u32(csum));
  return { ret: next, csum: next };
}
