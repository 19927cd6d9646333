// BPF_MAP_TYPE_QUEUE (22) and BPF_MAP_TYPE_STACK (23): no keys (key_size 0), max_entries values.
// bpf_map_push_elem appends; when full it fails with -E2BIG, or with BPF_EXIST drops the oldest value first
// (both kinds: the kernel advances the tail). pop and peek take the oldest value (queue) or the newest
// (stack); on an empty map they zero the destination and return -ENOENT. Lookup/update/delete by key and
// get_next_key are refused (-EINVAL), as kernel/bpf/queue_stack_maps.c does.
import { Errno, SimMap, UpdateFlag, type MapBytes, type SimMapOptions } from './sim-map.ts';

/** Ring bytes before the values: +0 the oldest value's slot, +4 the value count (i32, little endian). */
export const RING_HEADER = 16;
/** The slots a ring starts with (it grows to max_entries as values come). */
const FIRST_CAPACITY = 8;

export class QueueStackMap extends SimMap {
  /**
   * The values, oldest first from slot `head`, in a ring of `#capacity` slots of valueSize bytes after a
   * RING_HEADER (head, count): one buffer the fast tier can take into its linear memory (placeRing) and then
   * push and pop in without JavaScript.
   */
  #ring: Uint8Array;
  /** the ring's head and count (i32 views of its header) */
  #header: Int32Array;
  #capacity: number;
  readonly lifo: boolean;

  constructor(o: SimMapOptions & { readonly lifo: boolean }) {
    if (o.keySize !== 0) throw new RangeError(`map ${o.name}: queue and stack maps have key size 0, got ${o.keySize}`);
    if (o.valueSize === 0 || o.maxEntries === 0) throw new RangeError(`map ${o.name}: value size and max_entries must be non-zero`);
    super(o);
    this.lifo = o.lifo;
    this.#capacity = Math.min(o.maxEntries, FIRST_CAPACITY);
    this.#ring = new Uint8Array(RING_HEADER + this.#capacity * o.valueSize);
    this.#header = new Int32Array(this.#ring.buffer, 0, 2);
  }

  get size(): number {
    return this.#header[1]!;
  }

  /** The ring's bytes once it holds max_entries slots (RING_HEADER + maxEntries * valueSize of them). */
  get ringSize(): number {
    return RING_HEADER + this.maxEntries * this.valueSize;
  }

  /** The ring's bytes (their buffer is where they live: placeRing). */
  get ring(): Uint8Array {
    return this.#ring;
  }

  /**
   * Move the ring into `to` (ringSize bytes, 4-aligned: the fast tier's linear memory), its values from slot 0,
   * for good: it holds max_entries slots there and never moves again.
   */
  placeRing(to: Uint8Array): void {
    if (to.length !== this.ringSize || to.byteOffset % 4 !== 0) throw new RangeError(`map ${this.name}: a ring needs ${this.ringSize} bytes, 4-aligned`);
    this.#moveRing(to, this.maxEntries);
  }

  /** The ring as `capacity` slots in `to`, the values from slot 0. */
  #moveRing(to: Uint8Array, capacity: number): void {
    const vs = this.valueSize;
    const count = this.size;
    for (let i = 0; i < count; i++) {
      const from = this.#slotAt(i);
      to.set(this.#ring.subarray(from, from + vs), RING_HEADER + i * vs);
    }
    this.#ring = to;
    this.#header = new Int32Array(to.buffer, to.byteOffset, 2);
    this.#header[0] = 0;
    this.#header[1] = count;
    this.#capacity = capacity;
  }

  /** the byte offset in the ring of the `i`-th oldest value */
  #slotAt(i: number): number {
    let slot = this.#header[0]! + i;
    if (slot >= this.#capacity) slot -= this.#capacity;
    return RING_HEADER + slot * this.valueSize;
  }

  /** bpf_map_push_elem: 0 or -errno. */
  push(value: Uint8Array, flags: number): number {
    return this.pushFrom(value, 0, flags);
  }

  /** push() of the valueSize bytes at `at` of `from`. */
  pushFrom(from: Uint8Array, at: number, flags: number): number {
    if ((flags & UpdateFlag.NOEXIST) !== 0 || flags > UpdateFlag.EXIST || flags < 0) return -Errno.EINVAL;
    const h = this.#header;
    if (h[1]! >= this.maxEntries) {
      if (flags !== UpdateFlag.EXIST) return -Errno.E2BIG;
      // the oldest value goes (both kinds: the kernel advances the tail)
      h[0] = h[0]! + 1 === this.#capacity ? 0 : h[0]! + 1;
      h[1] = h[1]! - 1;
    } else if (h[1] === this.#capacity) {
      const grown = Math.min(this.maxEntries, 2 * this.#capacity);
      this.#moveRing(new Uint8Array(RING_HEADER + grown * this.valueSize), grown);
    }
    const to = this.#slotAt(this.#header[1]!);
    const ring = this.#ring;
    for (let i = 0; i < this.valueSize; i++) ring[to + i] = from[at + i]!;
    this.#header[1] = this.#header[1]! + 1;
    return 0;
  }

  /** bpf_map_pop_elem / bpf_map_peek_elem into `to`: 0, or -ENOENT (and `to` zeroed) when empty. */
  take(to: Uint8Array, remove: boolean): number {
    return this.takeInto(to, 0, remove);
  }

  /** take() into the valueSize bytes at `at` of `to`. */
  takeInto(to: Uint8Array, at: number, remove: boolean): number {
    const vs = this.valueSize;
    const h = this.#header;
    const count = h[1]!;
    if (count === 0) {
      to.fill(0, at, at + vs);
      return -Errno.ENOENT;
    }
    const from = this.#slotAt(this.lifo ? count - 1 : 0);
    const ring = this.#ring;
    for (let i = 0; i < vs; i++) to[at + i] = ring[from + i]!;
    if (remove) {
      if (!this.lifo) h[0] = h[0]! + 1 === this.#capacity ? 0 : h[0]! + 1;
      h[1] = count - 1;
    }
    return 0;
  }

  /** From TypeScript: push a value (throws when full unless `overwrite`). */
  pushValue(value: MapBytes, overwrite = false): void {
    const r = this.push(this.value(value), overwrite ? UpdateFlag.EXIST : UpdateFlag.ANY);
    if (r !== 0) throw new RangeError(`map ${this.name}: push failed: the map is full (max_entries ${this.maxEntries})`);
  }

  /** From TypeScript: pop the next value (undefined when empty). */
  popValue(): Uint8Array | undefined {
    const to = new Uint8Array(this.valueSize);
    return this.take(to, true) === 0 ? to : undefined;
  }

  /** From TypeScript: the next value without removing it. */
  peekValue(): Uint8Array | undefined {
    const to = new Uint8Array(this.valueSize);
    return this.take(to, false) === 0 ? to : undefined;
  }

  /** The values in the order pops would return them (copies). */
  values(): Uint8Array[] {
    const v: Uint8Array[] = [];
    for (let i = 0; i < this.size; i++) {
      const from = this.#slotAt(i);
      v.push(this.#ring.slice(from, from + this.valueSize));
    }
    return this.lifo ? v.reverse() : v;
  }

  lookup(): bigint {
    return 0n;
  }

  update(): number {
    return -Errno.EINVAL;
  }

  protected deleteKey(): number {
    return -Errno.EINVAL;
  }

  nextKey(): Uint8Array | undefined {
    return undefined;
  }

  protected valuesOf(): readonly Uint8Array[] | undefined {
    return undefined;
  }

  protected updateAll(): number {
    return -Errno.EINVAL;
  }
}
