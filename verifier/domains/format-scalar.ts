// A scalar printed as the kernel's verifier log prints register state (kernel/bpf/log.c `print_reg_state`,
// `print_scalar_ranges`, `verbose_snum`/`verbose_unum`, Linux 6.18).
//
//   0, -1, 0x100000000               a constant (decimal within [S16_MIN, S16_MAX], else %#llx of the u64)
//   scalar()                          nothing known
//   scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
//
// Bounds at their type's extreme are omitted; a bound equal to a later one of the same signedness class
// (s/u, 64/32 alternate) is printed once as `a=b=value`, never mixing negative and positive values.
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, toU64, type ScalarState } from './scalar.ts';
import { tnumIsConst, tnumIsUnknown, tnumStrn } from './tnum.ts';

// UNUM_MAX_DECIMAL, SNUM_MIN_DECIMAL, SNUM_MAX_DECIMAL
const isUnumDecimal = (n: bigint): boolean => n <= 0xffffn;
const isSnumDecimal = (n: bigint): boolean => n >= -0x8000n && n <= 0x7fffn;

/** Mirrors `verbose_snum`: decimal in [S16_MIN, S16_MAX], otherwise `%#llx` of the 64-bit pattern. */
export function formatSnum(n: bigint): string {
  return isSnumDecimal(n) ? n.toString() : `0x${toU64(n).toString(16)}`;
}

/** Mirrors `verbose_unum`: decimal up to U16_MAX, otherwise `%#llx`. */
export function formatUnum(n: bigint): string {
  return isUnumDecimal(n) ? n.toString() : `0x${n.toString(16)}`;
}

interface MinMax {
  readonly name: string;
  /** the u64 the kernel stores in the table (a signed value as its two's complement) */
  readonly val: bigint;
  omit: boolean;
}

/** Mirrors `print_scalar_ranges`: the comma-separated bounds, without var_off. */
export function formatScalarRanges(reg: ScalarState): string[] {
  const s32 = (v: number): bigint => (isSnumDecimal(BigInt(v)) ? toU64(BigInt(v)) : BigInt(v >>> 0));
  const minmaxs: MinMax[] = [
    { name: 'smin', val: toU64(reg.smin), omit: reg.smin === S64_MIN },
    { name: 'smax', val: toU64(reg.smax), omit: reg.smax === S64_MAX },
    { name: 'umin', val: reg.umin, omit: reg.umin === 0n },
    { name: 'umax', val: reg.umax, omit: reg.umax === U64_MAX },
    { name: 'smin32', val: s32(reg.s32min), omit: reg.s32min === S32_MIN },
    { name: 'smax32', val: s32(reg.s32max), omit: reg.s32max === S32_MAX },
    { name: 'umin32', val: BigInt(reg.u32min >>> 0), omit: reg.u32min === 0 },
    { name: 'umax32', val: BigInt(reg.u32max >>> 0), omit: reg.u32max === U32_MAX },
  ];
  const out: string[] = [];
  const negative = (m: MinMax): boolean => m.name[0] === 's' && BigInt.asIntN(64, m.val) < 0n;
  for (let i = 0; i < minmaxs.length; i++) {
    const m1 = minmaxs[i]!;
    if (m1.omit) continue;
    const neg1 = negative(m1);
    let text = `${m1.name}=`;
    for (let j = i + 2; j < minmaxs.length; j += 2) {
      const m2 = minmaxs[j]!;
      if (m2.omit || m2.val !== m1.val) continue;
      // don't mix negatives with positives
      if (negative(m2) !== neg1) continue;
      m2.omit = true;
      text += `${m2.name}=`;
    }
    text += m1.name[0] === 's' ? formatSnum(BigInt.asIntN(64, m1.val)) : formatUnum(m1.val);
    out.push(text);
  }
  return out;
}

/**
 * Mirrors `print_reg_state` for a SCALAR_VALUE: `P` when precise, the constant alone when var_off is
 * constant, else `scalar(...)` with the id, the bounds and var_off (unless completely unknown).
 *
 * @example
 * formatScalar(knownScalar(-1n)) // '-1'
 * formatScalar(unknownScalar()) // 'scalar()'
 */
export function formatScalar(reg: ScalarState): string {
  const p = reg.precise ? 'P' : '';
  if (tnumIsConst(reg.varOff)) return `${p}${formatSnum(BigInt.asIntN(64, reg.varOff.value))}`;
  const parts: string[] = [];
  // a scalar linked by `rX += K` prints its K after the id (`%+d` of reg->off)
  if (reg.id !== 0) parts.push(`id=${reg.id}${!reg.addConst ? '' : reg.off < 0 ? `${reg.off}` : `+${reg.off}`}`);
  parts.push(...formatScalarRanges(reg));
  if (!tnumIsUnknown(reg.varOff)) parts.push(`var_off=${tnumStrn(reg.varOff)}`);
  return `${p}scalar(${parts.join(',')})`;
}
