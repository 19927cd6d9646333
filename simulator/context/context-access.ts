// The access rule of a context region, from bpf/'s ctxAccess table, remembered per (offset, size, read or
// write): every load of a context field goes through it, and the table's answer depends on nothing else.
import { ctxAccess, type ProgTypeName } from '../../bpf/index.ts';
import type { AccessRule, Region } from '../vm/index.ts';

/** offsets remembered (every context struct is smaller) */
const MEMO_OFFSETS = 1024;

/** progType → (offset, size, write) key → the reason an access is refused, null when it is allowed (an array: contexts are small) */
const memo = new Map<ProgTypeName, (string | null | undefined)[]>();

/** The access rule of `progType`'s context (one per program type, shared by its contexts). */
export function contextAccess(progType: ProgTypeName): AccessRule {
  let seen = memo.get(progType);
  if (seen === undefined) {
    seen = new Array<string | null | undefined>(MEMO_OFFSETS * 32); // preallocated: fast elements, not a dictionary
    memo.set(progType, seen);
  }
  const answers = seen;
  const ask = (offset: number, size: number, write: boolean): string | undefined => {
    const r = ctxAccess(progType, offset, size, write ? 'write' : 'read');
    return r === undefined || r.ok ? undefined : r.reason;
  };
  return (offset, size, write) => {
    if (offset < 0 || offset >= MEMO_OFFSETS || size > 15) return ask(offset, size, write);
    const key = (offset * 16 + size) * 2 + (write ? 1 : 0);
    let why = answers[key];
    if (why === undefined) {
      why = ask(offset, size, write) ?? null;
      answers[key] = why;
    }
    return why ?? undefined;
  };
}

/** r`d` = the address of `offset` in `region`, as Region.address() gives it (without BigInt). */
export function setPointer(lo: Int32Array, hi: Int32Array, d: number, region: Region, offset: number): void {
  lo[d] = (0x8000_0000 + offset) | 0;
  hi[d] = region.id;
}
