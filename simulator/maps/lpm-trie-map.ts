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

/** The first `len` bits of `data` match those of `other`. */
function matches(a: Uint8Array, b: Uint8Array, len: number): boolean {
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = len & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full]! & mask) === (b[full]! & mask);
}

export class LpmTrieMap extends SimMap {
  readonly #prefixes = new Map<string, Prefix>();
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

  #match(key: Uint8Array): Prefix | undefined {
    const len = Math.min(prefixLen(key), this.maxPrefixLen);
    const data = key.subarray(4);
    let best: Prefix | undefined;
    for (const p of this.#prefixes.values()) {
      if (p.len > len || (best !== undefined && p.len <= best.len)) continue;
      if (matches(p.key.subarray(4), data, p.len)) best = p;
    }
    return best;
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
    return 0;
  }

  protected deleteKey(key: Uint8Array): number {
    const c = this.#canonical(key);
    if (c === undefined) return -Errno.EINVAL;
    const p = this.#prefixes.get(c.h);
    if (p === undefined) return -Errno.ENOENT;
    this.#prefixes.delete(c.h);
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
