// Maglev consistent hashing (Eisenbud et al., NSDI'16): a lookup table of prime size M in which every entry
// names a backend, built so that backends own near-equal shares (M/N each, or in proportion to their weights)
// and removing one backend reassigns few entries beyond the ones it owned.
//
// Each backend gets a permutation of 0..M-1 from two hashes of its name:
//   offset = h1 mod M,  skip = h2 mod (M - 1) + 1,  permutation[j] = (offset + j·skip) mod M
// (skip is in 1..M-1 and M is prime, so the sequence visits every slot). Backends then take turns claiming
// the next free slot of their permutation until the table is full.
//
// Weights: in round r (r = 0, 1, …) backend i takes a turn when ⌊(r+1)·wᵢ/w_max⌋ > ⌊r·wᵢ/w_max⌋, so over R
// rounds it takes ⌊R·wᵢ/w_max⌋ turns: shares proportional to weights. Weight 0 (a drained backend) never
// takes a turn and owns no entry.
//
// The hash (documented in docs/services.md; it must be the same wherever the table is built):
//   hᵢ(name) = fmix32(FNV-1a-32 over the bytes [seed as 4 bytes little endian, i, UTF-8 of name]),
// i = 1 for h1 and 2 for h2, FNV-1a-32 with offset basis 0x811c9dc5 and prime 0x01000193, and fmix32 the
// MurmurHash3 32-bit finaliser (x ^= x>>>16; x *= 0x85ebca6b; x ^= x>>>13; x *= 0xc2b2ae35; x ^= x>>>16),
// which spreads FNV's weak low bits before the modulo.

/** Cilium's default table size (prime) */
export const DEFAULT_MAGLEV_SIZE = 16381;
/** the sizes this module accepts (Cilium supports primes 251 … 131071) */
export const MIN_MAGLEV_SIZE = 251;
export const MAX_MAGLEV_SIZE = 131071;
/** the seed when none is given */
export const DEFAULT_MAGLEV_SEED = 0x6d61676c; // 'magl'

export interface MaglevBackend {
  /** what the permutation is hashed from: unique per backend (for example "10.0.1.5:8080") */
  readonly name: string;
  /** relative weight, a non-negative integer (default 1); 0 owns no entry */
  readonly weight?: number;
}

export interface MaglevOptions {
  /** table size, a prime in 251 … 131071 (default 16381) */
  readonly size?: number;
  /** 32-bit seed of both hashes (default DEFAULT_MAGLEV_SEED) */
  readonly seed?: number;
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

const encoder = new TextEncoder();

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** hash number `which` (1 or 2) of `name` under `seed`, as described at the top of this file */
export function maglevHash(name: string, seed: number, which: 1 | 2): number {
  let h = 0x811c9dc5;
  const step = (byte: number): void => {
    h = Math.imul(h ^ byte, 0x01000193);
  };
  for (let i = 0; i < 4; i++) step((seed >>> (8 * i)) & 0xff);
  step(which);
  for (const b of encoder.encode(name)) step(b);
  return fmix32(h >>> 0);
}

/**
 * The Maglev lookup table: entry j is the index (into `backends`) of the backend that owns slot j, or -1
 * for every slot when no backend has a positive weight.
 */
export function buildMaglevTable(backends: readonly MaglevBackend[], options: MaglevOptions = {}): Int32Array {
  const size = options.size ?? DEFAULT_MAGLEV_SIZE;
  const seed = (options.seed ?? DEFAULT_MAGLEV_SEED) >>> 0;
  if (!isPrime(size) || size < MIN_MAGLEV_SIZE || size > MAX_MAGLEV_SIZE) {
    throw new RangeError(`maglev table size ${size}: expected a prime in ${MIN_MAGLEV_SIZE} … ${MAX_MAGLEV_SIZE}`);
  }
  const names = new Set<string>();
  for (const b of backends) {
    if (names.has(b.name)) throw new RangeError(`maglev backend ${b.name}: listed twice`);
    names.add(b.name);
    const w = b.weight ?? 1;
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError(`maglev backend ${b.name}: weight ${w} is not a non-negative integer`);
  }
  const table = new Int32Array(size).fill(-1);
  const live = backends.map((b, index) => ({ index, weight: b.weight ?? 1, name: b.name })).filter((b) => b.weight > 0);
  if (live.length === 0) return table;
  const maxWeight = Math.max(...live.map((b) => b.weight));
  const n = live.length;
  const offset = new Uint32Array(n);
  const skip = new Uint32Array(n);
  const next = new Uint32Array(n); // how far along its permutation each backend is
  for (let i = 0; i < n; i++) {
    offset[i] = maglevHash(live[i]!.name, seed, 1) % size;
    skip[i] = (maglevHash(live[i]!.name, seed, 2) % (size - 1)) + 1;
  }
  let filled = 0;
  for (let round = 0; filled < size; round++) {
    for (let i = 0; i < n && filled < size; i++) {
      const w = live[i]!.weight;
      // integer arithmetic: w·round stays below 2^53 for any realistic weight and table
      if (w !== maxWeight && Math.floor(((round + 1) * w) / maxWeight) === Math.floor((round * w) / maxWeight)) continue;
      let slot = (offset[i]! + next[i]! * skip[i]!) % size;
      while (table[slot] !== -1) {
        next[i]!++;
        slot = (offset[i]! + next[i]! * skip[i]!) % size;
      }
      table[slot] = live[i]!.index;
      next[i]!++;
      filled++;
    }
  }
  return table;
}

/** how many entries each backend owns (indexed like `backends`) */
export function maglevShares(table: Int32Array, backendCount: number): number[] {
  const counts = new Array<number>(backendCount).fill(0);
  for (const owner of table) if (owner >= 0) counts[owner]!++;
  return counts;
}

/**
 * The fraction of entries whose owner changes when backend `removed` leaves (owners compared by name),
 * divided by the ideal 1/N: 1 means only the removed backend's entries moved.
 */
export function maglevDisruption(backends: readonly MaglevBackend[], removed: number, options: MaglevOptions = {}): number {
  const before = buildMaglevTable(backends, options);
  const rest = backends.filter((_, i) => i !== removed);
  const after = buildMaglevTable(rest, options);
  let changed = 0;
  for (let j = 0; j < before.length; j++) {
    if (backends[before[j]!]?.name !== rest[after[j]!]?.name) changed++;
  }
  const live = backends.filter((b) => (b.weight ?? 1) > 0).length;
  return changed / before.length / (1 / live);
}
