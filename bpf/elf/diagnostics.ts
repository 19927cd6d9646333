// Internal: error helpers shared by the reader and writer (not re-exported).

/** `0x1f` for 31; bigint-safe. */
export const hex = (n: number | bigint): string => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/**
 * Runs `fn`; a RangeError/TypeError/SyntaxError it throws is rethrown as the same kind with
 * `context: ` prepended and the original as `cause`. Other errors (bugs) pass through untouched.
 */
export function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${context}: ${e.message}`, { cause: e });
    if (e instanceof TypeError) throw new TypeError(`${context}: ${e.message}`, { cause: e });
    if (e instanceof SyntaxError) throw new SyntaxError(`${context}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** A u64 field as a number, or a RangeError naming the field when it exceeds 2^53 - 1. */
export function safeNumber(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${field} ${hex(value)} does not fit in 2^53 - 1, which this reader does not support`);
  }
  return Number(value);
}

/** Whether `n` is a power of two (1, 2, 4, ...). */
export const isPowerOfTwo = (n: number): boolean =>
  Number.isSafeInteger(n) && n > 0 && (BigInt(n) & (BigInt(n) - 1n)) === 0n;

/** `section .text`, or `section 3` for an unnamed section. */
export const sectionLabel = (s: { readonly index: number; readonly name: string }): string =>
  s.name === '' ? `section ${s.index}` : `section ${s.name}`;
