// BPF_MAP_TYPE_ARRAY_OF_MAPS (12) and HASH_OF_MAPS (13): values are maps. A program's lookup gives the inner
// map's address (what a later bpf_map_lookup_elem takes as its map); programs cannot update them. From
// TypeScript, `setMap(key, map)` places an inner map (its shape must match the template's, as the kernel
// checks).
import type { Region } from '../vm/index.ts';
import { keysChanged } from './map-events.ts';
import { checkFlags, Errno, hexKey, SimMap, UpdateFlag, type SimMapOptions } from './sim-map.ts';

export class MapOfMaps extends SimMap {
  readonly #inner = new Map<string, { key: Uint8Array; map: SimMap }>();
  readonly isArray: boolean;
  /** an array of maps' inner maps by index: a program's lookup without a string per call */
  readonly #byIndex = new Map<number, SimMap>();

  constructor(o: SimMapOptions) {
    super(o);
    this.isArray = o.type === 12;
  }

  #index(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  /** Put `map` at `key` (undefined removes it); returns 0 or -errno as the kernel's update/delete would. */
  setMap(key: Uint8Array | number, map: SimMap | undefined, flags = 0): number {
    const k = this.key(key);
    if (checkFlags(flags) !== 0) return -Errno.EINVAL;
    if (this.isArray && this.#index(k) >= this.maxEntries) return -Errno.E2BIG;
    const h = hexKey(k);
    if (map === undefined) return this.deleteKey(k);
    const exists = this.#inner.has(h) || this.isArray;
    if ((flags & 3) === UpdateFlag.NOEXIST && this.#inner.has(h)) return -Errno.EEXIST;
    if ((flags & 3) === UpdateFlag.EXIST && !exists) return -Errno.ENOENT;
    if (!this.isArray && !this.#inner.has(h) && this.#inner.size >= this.maxEntries) return -Errno.E2BIG;
    this.#inner.set(h, { key: k.slice(), map });
    if (this.isArray) this.#byIndex.set(this.#index(k), map);
    keysChanged(this);
    return 0;
  }

  /** The inner map at `key`, if any. */
  inner(key: Uint8Array | number): SimMap | undefined {
    return this.#inner.get(hexKey(this.key(key)))?.map;
  }

  lookup(key: Uint8Array): bigint {
    return this.#inner.get(hexKey(key))?.map.handle.address() ?? 0n;
  }

  override lookupRegion(key: Uint8Array, offset: number, cpu: number): Region | undefined {
    if (!this.isArray || this.keySize !== 4) return super.lookupRegion(key, offset, cpu);
    const i = (key[offset]! | (key[offset + 1]! << 8) | (key[offset + 2]! << 16) | (key[offset + 3]! << 24)) >>> 0;
    return this.#byIndex.get(i)?.handle;
  }

  update(): number {
    return -Errno.EINVAL; // programs cannot update a map of maps
  }

  protected deleteKey(key: Uint8Array): number {
    if (this.isArray) this.#byIndex.delete(this.#index(key));
    if (!this.#inner.delete(hexKey(key))) return -Errno.ENOENT;
    keysChanged(this);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const keys = [...this.#inner.values()].map((e) => e.key);
    if (this.isArray) keys.sort((a, b) => this.#index(a) - this.#index(b));
    if (key === undefined) return keys[0]?.slice();
    const i = keys.findIndex((k) => hexKey(k) === hexKey(key));
    return i < 0 ? keys[0]?.slice() : keys[i + 1]?.slice();
  }

  /** Values are the inner maps' ids in the kernel; here, the inner map's name as bytes is not useful: none. */
  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    return this.#inner.has(hexKey(key)) ? [new Uint8Array(this.valueSize)] : undefined;
  }

  protected updateAll(): number {
    return -Errno.EINVAL; // use setMap()
  }
}
