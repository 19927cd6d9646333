// Internal: reading signed integers from tokens with range checks, and llvm's signed hex spelling.
import type { Cursor, Token } from './lexer.ts';

/** llvm-objdump's spelling of a signed value: `0x1f`, `-0x1`, `0x0`. */
export const signedHex = (n: number | bigint): string =>
  n < 0 ? `-0x${(-BigInt(n)).toString(16)}` : `0x${n.toString(16)}`;

/** `0xffffffff` for -1: the bits of a 32-bit field as unsigned hex. */
export const unsignedHex32 = (n: number): string => `0x${(n >>> 0).toString(16)}`;

export interface IntegerRule {
  /** what the value is, without article, for errors: `offset`, `immediate` */
  readonly what: string;
  /** what an error says was expected when there is no number; default `what` with an article */
  readonly expected?: string;
  readonly min: bigint;
  readonly max: bigint;
  /**
   * The largest value a hex literal may have, when hex gives the field's bits (`0xffffffff` for -1 in a 32-bit
   * field) rather than a signed value; decimal literals must lie in min..max. Defaults to max.
   */
  readonly hexMax?: bigint;
  /** llvm-mc reads `010` as octal; the llvm syntax refuses it rather than guess */
  readonly refuseLeadingZero?: boolean;
}

/** `a, b or c` */
export const oneOf = (items: readonly string[]): string =>
  items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;

/** `an offset`, `a register` */
const withArticle = (what: string): string => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;

/**
 * Read `[+|-] number` and check it against `rule`; returns the value as a bigint and the first token (for errors).
 * The value is not wrapped: callers fold it into the field's width.
 */
export function readInteger(c: Cursor, rule: IntegerRule): { value: bigint; token: Token } {
  const first = c.peek();
  let negative = false;
  if (c.is('-') || c.is('+')) negative = c.next()!.text === '-';
  const t = c.peek();
  if (t?.kind !== 'number') c.fail(rule.expected ?? withArticle(rule.what), t);
  c.next();
  return { value: checkInteger(c, t, negative, rule, first!), token: first! };
}

/** Check a number token read by the caller; `negative` when a `-` came before it; `at` is where errors point. */
export function checkInteger(c: Cursor, t: Token, negative: boolean, rule: IntegerRule, at: Token = t): bigint {
  if (rule.refuseLeadingZero === true && /^0[0-9]/.test(t.text)) {
    throw c.error(`ambiguous number '${t.text}' (llvm-mc reads a leading 0 as octal): write it without the 0`, t);
  }
  const isHex = /^0x/i.test(t.text);
  const magnitude = BigInt(t.text);
  const value = negative ? -magnitude : magnitude;
  const max = isHex && !negative && rule.hexMax !== undefined ? rule.hexMax : rule.max;
  if (value < rule.min || value > max) {
    const shown = `${negative ? '-' : ''}${t.text}`;
    const range = isHex ? `${signedHex(rule.min)}..${signedHex(max)}` : `${rule.min}..${max}`;
    throw c.error(`${rule.what} ${shown} is out of range (${range})`, at);
  }
  return value;
}

/** Fold a value into a signed 32-bit number (for imm fields given as unsigned bits). */
export const toInt32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
/** Fold a value into a signed 16-bit number. */
export const toInt16 = (v: bigint): number => Number(BigInt.asIntN(16, v));

export const INT32_MIN = -0x8000_0000n;
export const INT32_MAX = 0x7fff_ffffn;
export const UINT32_MAX = 0xffff_ffffn;
export const INT16_MIN = -0x8000n;
export const INT16_MAX = 0x7fffn;
export const UINT16_MAX = 0xffffn;
export const INT64_MIN = -0x8000_0000_0000_0000n;
export const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
