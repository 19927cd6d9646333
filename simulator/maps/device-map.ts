// The XDP redirect targets indexed by a u32 key: BPF_MAP_TYPE_DEVMAP (14: value = ifindex [, prog fd]),
// BPF_MAP_TYPE_CPUMAP (16: value = queue size [, prog fd]) and BPF_MAP_TYPE_XSKMAP (17: value = socket).
// Array semantics with empty slots, as kernel/bpf/devmap.c, cpumap.c and net/xdp/xskmap.c: update with
// flags > BPF_EXIST is -EINVAL, an index past max_entries -E2BIG, BPF_NOEXIST -EEXIST (xskmap: only when the
// slot is filled; BPF_EXIST on an empty xskmap slot is -ENOENT); delete empties a slot and returns 0 (an index
// past the end: -EINVAL); get_next_key walks every index, filled or not. A cpumap entry with queue size 0 is
// refused (-EINVAL). Programs only read entries (lookup gives a read-only value) and redirect through them.
import type { Region } from '../vm/index.ts';
import { Errno, SimMap, UpdateFlag, type SimMapOptions } from './sim-map.ts';
import { removeValue } from './map-events.ts';

export const DEVMAP = 14;
export const CPUMAP = 16;
export const XSKMAP = 17;

export class DeviceMap extends SimMap {
  readonly #slots: (Region | undefined)[];

  constructor(o: SimMapOptions) {
    if (o.keySize !== 4) throw new RangeError(`map ${o.name}: key size must be 4, got ${o.keySize}`);
    super({ ...o, writable: false });
    this.#slots = new Array<Region | undefined>(o.maxEntries).fill(undefined);
  }

  #index(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  /** The entry's value bytes at `index` (undefined when empty): the ifindex, CPU queue size or socket. */
  entry(index: number): Uint8Array | undefined {
    return this.#slots[index]?.bytes;
  }

  lookup(key: Uint8Array): bigint {
    return this.#slots[this.#index(key)]?.address() ?? 0n;
  }

  update(): number {
    return -Errno.EINVAL; // programs cannot fill redirect maps
  }

  protected deleteKey(key: Uint8Array): number {
    const i = this.#index(key);
    if (i >= this.maxEntries) return -Errno.EINVAL;
    const r = this.#slots[i];
    if (r !== undefined) removeValue(this.memory, r);
    this.#slots[i] = undefined;
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const k = key === undefined ? this.maxEntries : this.#index(key);
    const i = k >= this.maxEntries ? 0 : k + 1;
    if (i >= this.maxEntries) return undefined;
    return Uint8Array.of(i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24);
  }

  override keys(): Uint8Array[] {
    return super.keys().filter((k) => this.#slots[this.#index(k)] !== undefined);
  }

  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    const r = this.#slots[this.#index(key)];
    return r === undefined ? undefined : [r.bytes];
  }

  protected updateAll(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    if (flags > UpdateFlag.EXIST || flags < 0) return -Errno.EINVAL;
    const i = this.#index(key);
    if (i >= this.maxEntries) return -Errno.E2BIG;
    const old = this.#slots[i];
    if (this.type === XSKMAP) {
      if (old !== undefined && flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      if (old === undefined && flags === UpdateFlag.EXIST) return -Errno.ENOENT;
    } else if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    const v = values[0]!;
    if (this.type === CPUMAP && (v[0]! | v[1]! | v[2]! | v[3]!) === 0) return -Errno.EINVAL;
    if (old !== undefined) removeValue(this.memory, old);
    this.#slots[i] = this.newValue(String(i), v.slice());
    return 0;
  }
}
