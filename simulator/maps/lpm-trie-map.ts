// BPF_MAP_TYPE_LPM_TRIE (11): keys are `struct bpf_lpm_trie_key { __u32 prefixlen; __u8 data[]; }`; a lookup
// finds the longest stored prefix matching the key's data (its own prefixlen caps the match); updates and
// deletes name an exact prefix. The map must be created with BPF_F_NO_PREALLOC (the kernel refuses
// otherwise); we accept either. get_next_key: longer prefixes first, then by data (the kernel's post-order
// walk also yields more specific prefixes before the ones containing them).
import type { Region } from '../vm/index.ts';
import { checkFlags, Errno, hexKey, SimMap, UpdateFlag, type SimMapOptions } from './sim-map.ts';
import { hashBytes } from './key-bytes.ts';
import { keysChanged, removeValue } from './map-events.ts';

/** Lookups an LPM map remembers (a power of two): by a hash of the whole key, one per slot. */
const MEMO_SLOTS = 64;

interface Prefix {
  readonly key: Uint8Array;
  readonly len: number;
  readonly region: Region;
  /** the next prefix in the same bucket */
  chain: Prefix | undefined;
}

function prefixLen(key: Uint8Array, offset = 0): number {
  return (key[offset]! | (key[offset + 1]! << 8) | (key[offset + 2]! << 16) | (key[offset + 3]! << 24)) >>> 0;
}

/** A hash of the first `len` bits of the data at `offset` (the bits past `len` ignored), and of `len`. */
function hashPrefix(len: number, b: Uint8Array, offset: number): number {
  let h = Math.imul(0x811c9dc5 ^ len, 0x01000193);
  const full = len >> 3;
  for (let i = 0; i < full; i++) h = Math.imul(h ^ b[offset + i]!, 0x01000193);
  const rest = len & 7;
  if (rest !== 0) h = Math.imul(h ^ (b[offset + full]! & (0xff00 >> rest) & 0xff), 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fff_ffff;
}

/** Whether prefix `p` is `len` bits long and its data is the first `len` bits of the data at `offset` of `b`. */
function samePrefix(p: Prefix, len: number, b: Uint8Array, offset: number): boolean {
  if (p.len !== len) return false;
  const k = p.key;
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (k[4 + i] !== b[offset + i]) return false;
  const rest = len & 7;
  return rest === 0 || k[4 + full] === (b[offset + full]! & (0xff00 >> rest) & 0xff);
}

export class LpmTrieMap extends SimMap {
  /** hash of (length, data) → the first prefix of its bucket: a lookup probes once per length, in place */
  readonly #buckets = new Map<number, Prefix>();
  #size = 0;
  /** how many stored prefixes have each length, and those lengths longest first (rebuilt after a change) */
  readonly #lengthCounts = new Map<number, number>();
  #sortedLengths: number[] | undefined;
  readonly maxPrefixLen: number;
  /**
   * Remembered lookups of whole keys (a program looks up the same few keys again and again; a match probes
   * once per prefix length): per slot the key's hash + 1 (0: empty), its bytes, and the prefix it matched
   * (null: none). Forgotten whenever a prefix comes or goes; a value's bytes changing leaves its prefix.
   */
  readonly #memoHash = new Int32Array(MEMO_SLOTS);
  readonly #memoKeys: Uint8Array;
  readonly #memoMatch: (Prefix | null)[] = new Array<Prefix | null>(MEMO_SLOTS).fill(null);

  constructor(o: SimMapOptions) {
    super(o);
    if (o.keySize < 5) throw new RangeError(`map ${o.name}: an LPM trie key needs at least 5 bytes, got ${o.keySize}`);
    this.maxPrefixLen = (o.keySize - 4) * 8;
    this.#memoKeys = new Uint8Array(MEMO_SLOTS * o.keySize);
  }

  /** #match of the keySize bytes at `offset` of `key`, remembered (see #memoHash). */
  #matchMemo(key: Uint8Array, offset: number): Prefix | undefined {
    const size = this.keySize;
    const h = hashBytes(key, offset, size);
    const slot = h & (MEMO_SLOTS - 1);
    const keys = this.#memoKeys;
    if (this.#memoHash[slot] === h + 1) {
      const at = slot * size;
      let i = 0;
      while (i < size && keys[at + i] === key[offset + i]) i++;
      if (i === size) return this.#memoMatch[slot] ?? undefined;
    }
    const p = this.#match(key, offset);
    this.#memoHash[slot] = h + 1;
    for (let i = 0; i < size; i++) keys[slot * size + i] = key[offset + i]!;
    this.#memoMatch[slot] = p ?? null;
    return p;
  }

  /** Forget the remembered lookups (a prefix came or went). */
  #forget(): void {
    this.#memoHash.fill(0);
    this.#memoMatch.fill(null);
  }

  /** The canonical form of a prefix: its length and its data with the bits past the length cleared. */
  #canonical(key: Uint8Array): { len: number; key: Uint8Array } | undefined {
    const len = prefixLen(key);
    if (len > this.maxPrefixLen) return undefined;
    const k = key.slice(0, this.keySize);
    for (let bit = len; bit < this.maxPrefixLen; bit++) k[4 + (bit >> 3)]! &= ~(0x80 >> (bit & 7));
    return { len, key: k };
  }

  /** The stored prefix of `len` bits equal to the first `len` bits of the data at `offset` of `b`. */
  #find(len: number, b: Uint8Array, offset: number): Prefix | undefined {
    let p = this.#buckets.get(hashPrefix(len, b, offset));
    while (p !== undefined && !samePrefix(p, len, b, offset)) p = p.chain;
    return p;
  }

  /**
   * The longest stored prefix containing the key at `offset` of `key`: one hash probe per prefix length in
   * use, longest first, so a lookup costs the same with 10 entries or 400,000 (policies keep whole CIDR
   * tables here), and allocates nothing.
   */
  #match(key: Uint8Array, offset = 0): Prefix | undefined {
    const len = Math.min(prefixLen(key, offset), this.maxPrefixLen);
    const lengths = this.#lengthsDescending();
    for (let i = 0; i < lengths.length; i++) {
      const l = lengths[i]!;
      if (l > len) continue;
      const p = this.#find(l, key, offset + 4);
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

  override lookupRegion(key: Uint8Array, offset: number): Region | undefined {
    return this.#matchMemo(key, offset)?.region;
  }

  lookup(key: Uint8Array): bigint {
    return this.#match(key)?.region.address() ?? 0n;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (checkFlags(flags) !== 0) return -Errno.EINVAL;
    const c = this.#canonical(key);
    if (c === undefined) return -Errno.EINVAL;
    const old = this.#find(c.len, c.key, 4);
    const mode = flags & 3;
    if (old !== undefined) {
      if (mode === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      old.region.bytes.set(value.subarray(0, this.valueSize));
      return 0;
    }
    if (mode === UpdateFlag.EXIST) return -Errno.ENOENT;
    if (this.#size >= this.maxEntries) return -Errno.ENOSPC;
    const region = this.newValue(`${c.len}/${hexKey(c.key.subarray(4))}`);
    region.bytes.set(value.subarray(0, this.valueSize));
    const hash = hashPrefix(c.len, c.key, 4);
    this.#buckets.set(hash, { key: c.key, len: c.len, region, chain: this.#buckets.get(hash) });
    this.#size++;
    this.#countLength(c.len, 1);
    this.#forget();
    keysChanged(this);
    return 0;
  }

  protected deleteKey(key: Uint8Array): number {
    const c = this.#canonical(key);
    if (c === undefined) return -Errno.EINVAL;
    const p = this.#find(c.len, c.key, 4);
    if (p === undefined) return -Errno.ENOENT;
    const hash = hashPrefix(c.len, c.key, 4);
    let head = this.#buckets.get(hash);
    if (head === p) {
      if (p.chain === undefined) this.#buckets.delete(hash);
      else this.#buckets.set(hash, p.chain);
    } else {
      while (head !== undefined && head.chain !== p) head = head.chain;
      if (head !== undefined) head.chain = p.chain;
    }
    this.#size--;
    this.#countLength(p.len, -1);
    this.#forget();
    removeValue(this.memory, p.region);
    keysChanged(this);
    return 0;
  }

  #ordered(): Prefix[] {
    const all: Prefix[] = [];
    for (const head of this.#buckets.values()) {
      for (let p: Prefix | undefined = head; p !== undefined; p = p.chain) all.push(p);
    }
    return all.sort((a, b) => b.len - a.len || hexKey(a.key).localeCompare(hexKey(b.key)));
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const all = this.#ordered();
    if (key === undefined) return all[0]?.key.slice();
    const c = this.#canonical(key);
    const i = c === undefined ? -1 : all.findIndex((p) => p.len === c.len && hexKey(p.key) === hexKey(c.key));
    if (i < 0) return all[0]?.key.slice();
    return all[i + 1]?.key.slice();
  }

  /** The value of the longest prefix matching `key` (a TypeScript lookup), undefined when none matches. */
  match(key: Uint8Array): Uint8Array | undefined {
    return this.#match(key)?.region.bytes.slice();
  }

  protected valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined {
    const c = this.#canonical(key);
    const p = c === undefined ? undefined : this.#find(c.len, c.key, 4);
    return p === undefined ? undefined : [p.region.bytes];
  }

  protected updateAll(key: Uint8Array, values: readonly Uint8Array[], flags: number): number {
    return this.update(key, values[0]!, flags);
  }
}
