// BPF_MAP_TYPE_QUEUE (22) and BPF_MAP_TYPE_STACK (23): no keys (key_size 0), max_entries values.
// bpf_map_push_elem appends; when full it fails with -E2BIG, or with BPF_EXIST drops the oldest value first
// (both kinds: the kernel advances the tail). pop and peek take the oldest value (queue) or the newest
// (stack); on an empty map they zero the destination and return -ENOENT. Lookup/update/delete by key and
// get_next_key are refused (-EINVAL), as kernel/bpf/queue_stack_maps.c does.
import { Errno, SimMap, UpdateFlag, type MapBytes, type SimMapOptions } from './sim-map.ts';

export class QueueStackMap extends SimMap {
  /** oldest first */
  readonly #values: Uint8Array[] = [];
  readonly lifo: boolean;

  constructor(o: SimMapOptions & { readonly lifo: boolean }) {
    if (o.keySize !== 0) throw new RangeError(`map ${o.name}: queue and stack maps have key size 0, got ${o.keySize}`);
    if (o.valueSize === 0 || o.maxEntries === 0) throw new RangeError(`map ${o.name}: value size and max_entries must be non-zero`);
    super(o);
    this.lifo = o.lifo;
  }

  get size(): number {
    return this.#values.length;
  }

  /** bpf_map_push_elem: 0 or -errno. */
  push(value: Uint8Array, flags: number): number {
    if ((flags & UpdateFlag.NOEXIST) !== 0 || flags > UpdateFlag.EXIST || flags < 0) return -Errno.EINVAL;
    if (this.#values.length >= this.maxEntries) {
      if (flags !== UpdateFlag.EXIST) return -Errno.E2BIG;
      this.#values.shift();
    }
    this.#values.push(value.slice(0, this.valueSize));
    return 0;
  }

  /** bpf_map_pop_elem / bpf_map_peek_elem into `to`: 0, or -ENOENT (and `to` zeroed) when empty. */
  take(to: Uint8Array, remove: boolean): number {
    if (this.#values.length === 0) {
      to.fill(0);
      return -Errno.ENOENT;
    }
    const v = remove ? (this.lifo ? this.#values.pop()! : this.#values.shift()!) : this.#values[this.lifo ? this.#values.length - 1 : 0]!;
    to.set(v);
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
    const v = this.#values.map((x) => x.slice());
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
