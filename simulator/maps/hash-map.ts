// BPF_MAP_TYPE_HASH (1), PERCPU_HASH (5), LRU_HASH (9), LRU_PERCPU_HASH (10).
//
// Iteration (get_next_key) is in insertion order; the kernel's is bucket order, which depends on its hash
// seed, so no test may rely on either. LRU maps evict the least recently used element (lookup and update
// count as uses) when full, instead of failing with -E2BIG: a strict LRU, where the kernel's is approximate
// (per-CPU free lists and reference bits); with one CPU and no concurrent updates they agree on which
// element goes first when no element was used twice.
//
// Elements are found by a hash of the key bytes (key-bytes.ts) and a byte comparison, in place: a program's
// lookup allocates nothing. Two lists thread the elements: insertion order (get_next_key) and, for LRU maps,
// recency (the oldest is evicted: O(1) instead of a scan).
import type { Region } from '../vm/index.ts';
import { hashBytes, sameBytes } from './key-bytes.ts';
import { keysChanged, removeValue } from './map-events.ts';
import { checkFlags, Errno, hexKey, SimMap, UpdateFlag, type SimMapOptions } from './sim-map.ts';

interface Element {
  readonly key: Uint8Array;
  readonly hash: number;
  readonly regions: Region[];
  /** the next element whose key has the same hash */
  chain: Element | undefined;
  /** insertion order */
  prev: Element | undefined;
  next: Element | undefined;
  /** recency order (LRU maps only) */
  older: Element | undefined;
  newer: Element | undefined;
}

export class HashMap extends SimMap {
  /** hash → the first element of its chain */
  readonly #buckets = new Map<number, Element>();
  #size = 0;
  #first: Element | undefined;
  #last: Element | undefined;
  #oldest: Element | undefined;
  #newest: Element | undefined;
  readonly #perCpu: boolean;
  readonly lru: boolean;
  /** BPF_EXIST on an absent key inserts it (a devmap hash: dev_map_hash_update_elem does not check) */
  readonly #existInserts: boolean;

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
    return this.#size;
  }

  /** The element whose key is the keySize bytes at `offset` of `b`. */
  #find(b: Uint8Array, offset: number): Element | undefined {
    const size = this.keySize;
    let e = this.#buckets.get(hashBytes(b, offset, size));
    while (e !== undefined && !sameBytes(e.key, b, offset, size)) e = e.chain;
    return e;
  }

  override lookupRegion(key: Uint8Array, offset: number, cpu: number): Region | undefined {
    const e = this.#find(key, offset);
    if (e === undefined) return undefined;
    if (this.lru) this.#touch(e);
    return e.regions[this.#perCpu ? cpu : 0];
  }

  lookup(key: Uint8Array, cpu: number): bigint {
    return this.lookupRegion(key, 0, cpu)?.address() ?? 0n;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    const e = this.#element(key, flags);
    if (typeof e === 'number') return e;
    const v = value.length === this.valueSize ? value : value.subarray(0, this.valueSize);
    if (this.#perCpu) {
      if (this.#fresh) for (const r of e.regions) r.bytes.fill(0);
      e.regions[cpu]!.bytes.set(v);
    } else e.regions[0]!.bytes.set(v);
    return 0;
  }

  /** whether the last #element() inserted its element */
  #fresh = false;

  /**
   * The element an update of `key` with `flags` writes: the existing one (a use, for LRU) or a new one (its
   * values zeroed; an LRU map evicts the oldest when full), or -errno.
   */
  #element(key: Uint8Array, flags: number): Element | number {
    if (checkFlags(flags) !== 0) return -Errno.EINVAL;
    const old = this.#find(key, 0);
    const mode = flags & 3;
    this.#fresh = false;
    if (old !== undefined) {
      if (mode === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      if (this.lru) this.#touch(old);
      return old;
    }
    if (mode === UpdateFlag.EXIST && !this.#existInserts) return -Errno.ENOENT;
    if (this.#size >= this.maxEntries) {
      if (!this.lru) return -Errno.E2BIG;
      if (this.#oldest !== undefined) this.#drop(this.#oldest);
    }
    const n = this.#perCpu ? this.cpus : 1;
    const h = hexKey(key.subarray(0, this.keySize));
    const hash = hashBytes(key, 0, this.keySize);
    const e: Element = {
      key: key.slice(0, this.keySize),
      hash,
      regions: Array.from({ length: n }, (_, c) => this.newValue(this.#perCpu ? `${h}]@cpu[${c}` : h)),
      chain: this.#buckets.get(hash),
      prev: this.#last,
      next: undefined,
      older: undefined,
      newer: undefined,
    };
    this.#buckets.set(hash, e);
    if (this.#last === undefined) this.#first = e;
    else this.#last.next = e;
    this.#last = e;
    if (this.lru) this.#toNewest(e);
    this.#size++;
    this.#fresh = true;
    keysChanged(this);
    return e;
  }

  /** A use of `e` (LRU): it becomes the newest. */
  #touch(e: Element): void {
    if (e === this.#newest) return;
    this.#unlinkRecency(e);
    this.#toNewest(e);
  }

  #toNewest(e: Element): void {
    e.older = this.#newest;
    e.newer = undefined;
    if (this.#newest === undefined) this.#oldest = e;
    else this.#newest.newer = e;
    this.#newest = e;
  }

  #unlinkRecency(e: Element): void {
    if (e.older === undefined) this.#oldest = e.newer;
    else e.older.newer = e.newer;
    if (e.newer === undefined) this.#newest = e.older;
    else e.newer.older = e.older;
    e.older = e.newer = undefined;
  }

  #drop(e: Element): void {
    let head = this.#buckets.get(e.hash);
    if (head === e) {
      if (e.chain === undefined) this.#buckets.delete(e.hash);
      else this.#buckets.set(e.hash, e.chain);
    } else {
      while (head !== undefined && head.chain !== e) head = head.chain;
      if (head !== undefined) head.chain = e.chain;
    }
    if (e.prev === undefined) this.#first = e.next;
    else e.prev.next = e.next;
    if (e.next === undefined) this.#last = e.prev;
    else e.next.prev = e.prev;
    if (this.lru) this.#unlinkRecency(e);
    this.#size--;
    for (const r of e.regions) removeValue(this.memory, r);
    keysChanged(this);
  }

  protected deleteKey(key: Uint8Array): number {
    const e = this.#find(key, 0);
    if (e === undefined) return -Errno.ENOENT;
    this.#drop(e);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    if (key === undefined) return this.#first?.key.slice();
    const e = this.#find(key, 0);
    if (e === undefined) return this.#first?.key.slice();
    return e.next?.key.slice();
  }

  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    return this.#find(key, 0)?.regions.map((r) => r.bytes);
  }

  protected updateAll(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    const e = this.#element(key, flags);
    if (typeof e === 'number') return e;
    e.regions.forEach((r, c) => r.bytes.set(values[c]!));
    return 0;
  }
}
