// bpf_map_push_elem (87), bpf_map_pop_elem (88), bpf_map_peek_elem (89), bpf_spin_lock (93) and
// bpf_spin_unlock (94) of a run whose calls are not recorded, answered from the registers in linear memory
// as map-helpers.ts computes them, without the ordinary path's RunState round trip and BigInt addresses.
// Whenever a check could fail (not a queue or stack map, an argument outside its region's window, a
// read-only value, a lock held twice) it declines and the ordinary path runs, making the fault. Packet
// bytes are left to the ordinary path too (a batch keeps the frame being run elsewhere).
//
// A queue or stack map seen here gets its ring moved into linear memory (RingArena: the runtime's map arena)
// and described in MAPS (layout.ts D_KIND_QUEUE/D_KIND_STACK), so that its later pushes, pops and peeks are
// answered by the wasm code itself (inline-queue-ops.ts).
import { QueueStackMap } from '../maps/index.ts';
import { REGION_BASE, type Region } from '../vm/index.ts';
import * as layout from './layout.ts';

const { D_FIRST, D_ID, D_KIND, D_KIND_QUEUE, D_KIND_STACK, D_MAX, D_STRIDE, MAP_ENTRIES, MAP_ENTRY_SIZE, MAPS, REGS } = layout;
const R = REGS >> 2;

/** Whether leanMapHelper() answers helper `id` (87, 88, 89, 93, 94; compared, not a Set lookup per call). */
export function isLeanMapHelper(id: number): boolean {
  return (id >= 87 && id <= 89) || id === 93 || id === 94;
}

/** Where a ring moves into linear memory: `size` bytes there for good, 8-aligned, or undefined when full. */
export interface RingArena {
  readonly wasm: { readonly buffer: ArrayBufferLike };
  arena(size: number): Uint8Array | undefined;
}

/** Rings larger than this stay where they are (the map arena is shared with every map value). */
const MAX_RING = 0x10000;

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

/**
 * Answer helper `id` (one of LEAN_MAP_HELPERS) from the registers in `i32`: true when done. A queue or stack
 * map's ring moves into `rt`'s linear memory on the way.
 */
export function leanMapHelper(id: number, i32: Int32Array, regions: readonly (Region | undefined)[], rt?: RingArena): boolean {
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
  if (rt !== undefined) describeRing(i32, rt, m, h1);
  const v = plain(i32, regions, 2, m.valueSize, id !== 87);
  if (v === undefined) return false;
  if (id === 87) {
    // flags above a byte are invalid (map-helpers.ts passes -1)
    const lo = i32[R + 6]!;
    const flags = i32[R + 7] !== 0 || lo >>> 0 > 0xff ? -1 : lo;
    setR0(i32, m.pushFrom(v.bytes, at, flags));
    return true;
  }
  setR0(i32, m.takeInto(v.bytes, at, id === 88));
  return true;
}

/** Queue or stack map `m` (handle region id `h`): its ring in `rt`'s linear memory, described in MAPS. */
function describeRing(i32: Int32Array, rt: RingArena, m: QueueStackMap, h: number): void {
  const d = (MAPS + (h & (MAP_ENTRIES - 1)) * MAP_ENTRY_SIZE) >> 2;
  if (i32[d + (D_ID >> 2)] === h) return;
  if (m.ring.buffer !== rt.wasm.buffer) {
    if (m.ringSize > MAX_RING) return;
    const to = rt.arena(m.ringSize);
    if (to === undefined) return;
    m.placeRing(to);
  }
  i32[d + (D_FIRST >> 2)] = m.ring.byteOffset;
  i32[d + (D_MAX >> 2)] = m.maxEntries;
  i32[d + (D_STRIDE >> 2)] = m.valueSize;
  i32[d + (D_KIND >> 2)] = m.lifo ? D_KIND_STACK : D_KIND_QUEUE;
  i32[d + (D_ID >> 2)] = h;
}

