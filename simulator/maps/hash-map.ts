// BPF_MAP_TYPE_HASH (1), PERCPU_HASH (5), LRU_HASH (9), LRU_PERCPU_HASH (10).
//
// Iteration (get_next_key) is in insertion order; the kernel's is bucket order, which depends on its hash
// seed, so no test may rely on either. LRU maps evict the least recently used element (lookup and update
// count as uses) when full, instead of failing with -E2BIG: a strict LRU, where the kernel's is approximate
// (per-CPU free lists and reference bits); with one CPU and no concurrent updates they agree on which
// element goes first when no element was used twice.
import type { Region } from '../vm/index.ts';
import { checkFlags, Errno, hexKey, SimMap, UpdateFlag, type SimMapOptions } from './sim-map.ts';

interface Element {
  readonly key: Uint8Array;
  readonly regions: Region[];
  used: number;
}

export class HashMap extends SimMap {
  readonly #elements = new Map<string, Element>();
  readonly #perCpu: boolean;
  readonly lru: boolean;
  /** BPF_EXIST on an absent key inserts it (a devmap hash: dev_map_hash_update_elem does not check) */
  readonly #existInserts: boolean;
  #clock = 0;

  constructor(o: SimMapOptions & { readonly perCpu?: boolean; readonly lru?: boolean; readonly existInserts?: boolean }) {
    super(o);
    this.#perCpu = o.perCpu ?? false;
    this.lru = o.lru ?? false;
    this.#existInserts = o.existInserts ?? false;
  }

  override get perCpu(): boolean {
    return this.#perCpu;
  }

  get size(): number {
    return this.#elements.size;
  }

  lookup(key: Uint8Array, cpu: number): bigint {
    const e = this.#elements.get(hexKey(key));
    if (e === undefined) return 0n;
    e.used = ++this.#clock;
    return e.regions[this.#perCpu ? cpu : 0]!.address();
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    return this.#update(key, flags, (e, fresh) => {
      if (this.#perCpu) {
        if (fresh) e.regions.forEach((r) => r.bytes.fill(0));
        e.regions[cpu]!.bytes.set(value.subarray(0, this.valueSize));
      } else e.regions[0]!.bytes.set(value.subarray(0, this.valueSize));
    });
  }

  #update(key: Uint8Array, flags: number, write: (e: Element, fresh: boolean) => void): number {
    if (checkFlags(flags) !== 0) return -Errno.EINVAL;
    const h = hexKey(key);
    const old = this.#elements.get(h);
    const mode = flags & 3;
    if (old !== undefined) {
      if (mode === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      old.used = ++this.#clock;
      write(old, false);
      return 0;
    }
    if (mode === UpdateFlag.EXIST && !this.#existInserts) return -Errno.ENOENT;
    if (this.#elements.size >= this.maxEntries) {
      if (!this.lru) return -Errno.E2BIG;
      this.#evict();
    }
    const n = this.#perCpu ? this.cpus : 1;
    const e: Element = {
      key: key.slice(),
      regions: Array.from({ length: n }, (_, c) => this.newValue(this.#perCpu ? `${h}]@cpu[${c}` : h)),
      used: ++this.#clock,
    };
    this.#elements.set(h, e);
    write(e, true);
    return 0;
  }

  #evict(): void {
    let victim: [string, Element] | undefined;
    for (const entry of this.#elements) if (victim === undefined || entry[1].used < victim[1].used) victim = entry;
    if (victim !== undefined) this.#drop(victim[0], victim[1]);
  }

  #drop(h: string, e: Element): void {
    this.#elements.delete(h);
    for (const r of e.regions) this.memory.remove(r);
  }

  protected deleteKey(key: Uint8Array): number {
    const h = hexKey(key);
    const e = this.#elements.get(h);
    if (e === undefined) return -Errno.ENOENT;
    this.#drop(h, e);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const keys = [...this.#elements.values()];
    if (key === undefined) return keys[0]?.key.slice();
    const h = hexKey(key);
    const i = keys.findIndex((e) => hexKey(e.key) === h);
    if (i < 0) return keys[0]?.key.slice();
    return keys[i + 1]?.key.slice();
  }

  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    return this.#elements.get(hexKey(key))?.regions.map((r) => r.bytes);
  }

  protected updateAll(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    return this.#update(key, flags, (e) => e.regions.forEach((r, c) => r.bytes.set(values[c]!)));
  }
}
