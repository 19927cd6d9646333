// BPF_MAP_TYPE_LPM_TRIE (11): keys are `struct bpf_lpm_trie_key { __u32 prefixlen; __u8 data[]; }`; a lookup
// finds the longest stored prefix matching the key's data (its own prefixlen caps the match); updates and
// deletes name an exact prefix. The map must be created with BPF_F_NO_PREALLOC (the kernel refuses
// otherwise); we accept either. get_next_key: longer prefixes first, then by data (the kernel's post-order
// walk also yields more specific prefixes before the ones containing them).
import type { Region } from '../vm/index.ts';
import { checkFlags, Errno, hexKey, SimMap, UpdateFlag, type SimMapOptions } from './sim-map.ts';

interface Prefix {
  readonly key: Uint8Array;
  readonly len: number;
  readonly region: Region;
}

function prefixLen(key: Uint8Array): number {
  return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
}

export class LpmTrieMap extends SimMap {
  readonly #prefixes = new Map<string, Prefix>();
  /** how many stored prefixes have each length, and those lengths longest first (rebuilt after a change) */
  readonly #lengthCounts = new Map<number, number>();
  #sortedLengths: number[] | undefined;
  readonly maxPrefixLen: number;

  constructor(o: SimMapOptions) {
    super(o);
    if (o.keySize < 5) throw new RangeError(`map ${o.name}: an LPM trie key needs at least 5 bytes, got ${o.keySize}`);
    this.maxPrefixLen = (o.keySize - 4) * 8;
  }

  /** The canonical form of a prefix: its length and its data with the bits past the length cleared. */
  #canonical(key: Uint8Array): { h: string; len: number; key: Uint8Array } | undefined {
    const len = prefixLen(key);
    if (len > this.maxPrefixLen) return undefined;
    const k = key.slice();
    for (let bit = len; bit < this.maxPrefixLen; bit++) k[4 + (bit >> 3)]! &= ~(0x80 >> (bit & 7));
    return { h: hexKey(k), len, key: k };
  }

  /**
   * The longest stored prefix containing `key`: one hash lookup per prefix length in use, longest first, so a
   * lookup costs the same with 10 entries or 400,000 (policies keep whole CIDR tables here).
   */
  #match(key: Uint8Array): Prefix | undefined {
    const len = Math.min(prefixLen(key), this.maxPrefixLen);
    for (const l of this.#lengthsDescending()) {
      if (l > len) continue;
      const probe = key.slice(0, this.keySize);
      new DataView(probe.buffer).setUint32(0, l, true);
      const c = this.#canonical(probe);
      const p = c === undefined ? undefined : this.#prefixes.get(c.h);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  #lengthsDescending(): number[] {
    this.#sortedLengths ??= [...this.#lengthCounts.keys()].sort((a, b) => b - a);
    return this.#sortedLengths;
  }

  #countLength(len: number, delta: 1 | -1): void {
    const n = (this.#lengthCounts.get(len) ?? 0) + delta;
    if (n === 0) this.#lengthCounts.delete(len);
    else this.#lengthCounts.set(len, n);
    this.#sortedLengths = undefined;
  }

  lookup(key: Uint8Array): bigint {
    return this.#match(key)?.region.address() ?? 0n;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (checkFlags(flags) !== 0) return -Errno.EINVAL;
    const c = this.#canonical(key);
    if (c === undefined) return -Errno.EINVAL;
    const old = this.#prefixes.get(c.h);
    const mode = flags & 3;
    if (old !== undefined) {
      if (mode === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      old.region.bytes.set(value.subarray(0, this.valueSize));
      return 0;
    }
    if (mode === UpdateFlag.EXIST) return -Errno.ENOENT;
    if (this.#prefixes.size >= this.maxEntries) return -Errno.ENOSPC;
    const region = this.newValue(`${c.len}/${hexKey(c.key.subarray(4))}`);
    region.bytes.set(value.subarray(0, this.valueSize));
    this.#prefixes.set(c.h, { key: c.key, len: c.len, region });
    this.#countLength(c.len, 1);
    return 0;
  }

  protected deleteKey(key: Uint8Array): number {
    const c = this.#canonical(key);
    if (c === undefined) return -Errno.EINVAL;
    const p = this.#prefixes.get(c.h);
    if (p === undefined) return -Errno.ENOENT;
    this.#prefixes.delete(c.h);
    this.#countLength(p.len, -1);
    this.memory.remove(p.region);
    return 0;
  }

  #ordered(): Prefix[] {
    return [...this.#prefixes.values()].sort((a, b) => b.len - a.len || hexKey(a.key).localeCompare(hexKey(b.key)));
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const all = this.#ordered();
    if (key === undefined) return all[0]?.key.slice();
    const c = this.#canonical(key);
    const i = c === undefined ? -1 : all.findIndex((p) => hexKey(p.key) === c.h);
    if (i < 0) return all[0]?.key.slice();
    return all[i + 1]?.key.slice();
  }

  /** The value of the longest prefix matching `key` (a TypeScript lookup), undefined when none matches. */
  match(key: Uint8Array): Uint8Array | undefined {
    return this.#match(key)?.region.bytes.slice();
  }

  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    const c = this.#canonical(key);
    const p = c === undefined ? undefined : this.#prefixes.get(c.h);
    return p === undefined ? undefined : [p.region.bytes];
  }

  protected updateAll(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    return this.update(key, values[0]!, flags);
  }
}
