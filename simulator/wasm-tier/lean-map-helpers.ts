// bpf_map_push_elem (87), bpf_map_pop_elem (88), bpf_map_peek_elem (89), bpf_spin_lock (93) and
// bpf_spin_unlock (94) of a run whose calls are not recorded, answered from the registers in linear memory
// as map-helpers.ts computes them, without the ordinary path's RunState round trip and BigInt addresses.
// Whenever a check could fail (not a queue or stack map, an argument outside its region's window, a
// read-only value, a lock held twice) it declines and the ordinary path runs, making the fault. Packet
// bytes are left to the ordinary path too (a batch keeps the frame being run elsewhere).
import { QueueStackMap } from '../maps/index.ts';
import { REGION_BASE, type Region } from '../vm/index.ts';
import { REGS } from './layout.ts';

const R = REGS >> 2;

/** The helper ids leanMapHelper() answers. */
export const LEAN_MAP_HELPERS: ReadonlySet<number> = new Set([87, 88, 89, 93, 94]);

/** The offset a plain() found. */
let at = 0;

/** The region of `size` bytes at register `reg`'s address, when a helper's access there cannot fault. */
function plain(i32: Int32Array, regions: readonly (Region | undefined)[], reg: number, size: number, write: boolean): Region | undefined {
  const h = i32[R + 2 * reg + 1]!;
  const r = h > 0 && h < regions.length ? regions[h] : undefined;
  if (r === undefined || r.kind === 'map' || r.kind === 'packet' || r.access !== undefined || (write && !r.writable)) return undefined;
  const o = (i32[R + 2 * reg]! ^ REGION_BASE) | 0;
  if (o < r.start || o + size > r.end) return undefined;
  at = o;
  return r;
}

function setR0(i32: Int32Array, n: number): void {
  i32[R] = n;
  i32[R + 1] = n < 0 ? -1 : 0;
}

/** Answer helper `id` (one of LEAN_MAP_HELPERS) from the registers in `i32`: true when done. */
export function leanMapHelper(id: number, i32: Int32Array, regions: readonly (Region | undefined)[]): boolean {
  if (id === 93 || id === 94) {
    const r = plain(i32, regions, 1, 4, true);
    if (r === undefined) return false;
    const b = r.bytes;
    const held = (b[at]! | b[at + 1]! | b[at + 2]! | b[at + 3]!) !== 0;
    // locking a held lock, unlocking a free one: the ordinary path's fault
    if (held === (id === 93)) return false;
    if (id === 93) b[at] = 1;
    else b.fill(0, at, at + 4);
    setR0(i32, 0);
    return true;
  }
  if (i32[R + 2] !== (REGION_BASE | 0)) return false;
  const h1 = i32[R + 3]!;
  const m = h1 > 0 && h1 < regions.length ? regions[h1]?.map : undefined;
  if (!(m instanceof QueueStackMap)) return false;
  const v = plain(i32, regions, 2, m.valueSize, id !== 87);
  if (v === undefined) return false;
  const bytes = v.bytes.subarray(at, at + m.valueSize);
  if (id === 87) {
    // flags above a byte are invalid (map-helpers.ts passes -1)
    const lo = i32[R + 6]!;
    const flags = i32[R + 7] !== 0 || lo >>> 0 > 0xff ? -1 : lo;
    setR0(i32, m.push(bytes, flags));
    return true;
  }
  setR0(i32, m.take(bytes, id === 88));
  return true;
}
