// BPF_MAP_TYPE_ARRAY (2) and BPF_MAP_TYPE_PERCPU_ARRAY (6): preallocated, zeroed, every index exists.
import type { Region } from '../vm/index.ts';
import { checkFlags, Errno, SimMap, UpdateFlag, type SimMapOptions } from './sim-map.ts';

export class ArrayMap extends SimMap {
  /** regions[index][cpu] */
  readonly regions: Region[][];
  readonly #perCpu: boolean;

  constructor(o: SimMapOptions & { readonly perCpu?: boolean; readonly initial?: Uint8Array }) {
    super(o);
    if (o.keySize !== 4) throw new RangeError(`map ${o.name}: array key size must be 4, got ${o.keySize}`);
    this.#perCpu = o.perCpu ?? false;
    const n = this.#perCpu ? this.cpus : 1;
    this.regions = Array.from({ length: this.maxEntries }, (_, i) =>
      Array.from({ length: n }, (_, c) => {
        const r = this.newValue(this.#perCpu ? `${i}]@cpu[${c}` : `${i}`);
        if (i === 0 && o.initial !== undefined) r.bytes.set(o.initial.subarray(0, this.valueSize));
        return r;
      }),
    );
  }

  override get perCpu(): boolean {
    return this.#perCpu;
  }

  #index(key: Uint8Array): number {
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  /** The value region of element `index` (CPU `cpu`), for global data. */
  region(index = 0, cpu = 0): Region {
    return this.regions[index]![this.#perCpu ? cpu : 0]!;
  }

  override lookupRegion(key: Uint8Array, offset: number, cpu: number): Region | undefined {
    const i = (key[offset]! | (key[offset + 1]! << 8) | (key[offset + 2]! << 16) | (key[offset + 3]! << 24)) >>> 0;
    return i < this.maxEntries ? this.regions[i]![this.#perCpu ? cpu : 0] : undefined;
  }

  lookup(key: Uint8Array, cpu: number): bigint {
    const i = this.#index(key);
    if (i >= this.maxEntries) return 0n;
    return this.region(i, cpu).address();
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    const e = this.#check(key, flags);
    if (e !== 0) return e;
    this.region(this.#index(key), cpu).bytes.set(value.subarray(0, this.valueSize));
    return 0;
  }

  #check(key: Uint8Array, flags: number): number {
    if (checkFlags(flags) !== 0) return -Errno.EINVAL;
    if (this.#index(key) >= this.maxEntries) return -Errno.E2BIG;
    if ((flags & 3) === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    return 0;
  }

  protected deleteKey(): number {
    return -Errno.EINVAL;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let i = key === undefined ? 0 : this.#index(key) + 1;
    if (key !== undefined && this.#index(key) >= this.maxEntries) i = 0;
    if (i >= this.maxEntries) return undefined;
    return Uint8Array.of(i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24);
  }

  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    const i = this.#index(key);
    return i < this.maxEntries ? this.regions[i]!.map((r) => r.bytes) : undefined;
  }

  protected updateAll(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    const e = this.#check(key, flags);
    if (e !== 0) return e;
    this.regions[this.#index(key)]!.forEach((r, c) => r.bytes.set(values[c]!));
    return 0;
  }
}
