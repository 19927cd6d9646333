// The simulator's maps: kernel semantics behind the VM's MapHandle, with element values held in Memory
// regions (kind 'map_value') so that a program's accesses through a looked-up pointer are checked.
import type { MapHandle, Memory, Region } from '../vm/index.ts';

/** errno values the map operations return (negated), as the kernel's do. */
export const Errno = { ENOENT: 2, E2BIG: 7, ENOMEM: 12, EBUSY: 16, EEXIST: 17, EINVAL: 22, EAGAIN: 11, ENOSPC: 28 } as const;

/** `BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST` (and `BPF_F_LOCK`, accepted and ignored). */
export const UpdateFlag = { ANY: 0, NOEXIST: 1, EXIST: 2, F_LOCK: 4 } as const;

/** A key or value from TypeScript: bytes, or a number written little endian in the map's key/value size. */
export type MapBytes = Uint8Array | number | bigint | readonly number[];

export interface SimMapOptions {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  /** the memory value regions live in */
  readonly memory: Memory;
  /** CPUs of per-CPU maps (1 by default) */
  readonly cpus?: number;
  /** false for read-only maps (.rodata) */
  readonly writable?: boolean;
}

/** Bytes of `size` from a TypeScript key or value. */
export function toBytes(v: MapBytes, size: number, what: string): Uint8Array {
  if (v instanceof Uint8Array || Array.isArray(v)) {
    const b = Uint8Array.from(v as ArrayLike<number>);
    if (b.length !== size) throw new RangeError(`${what}: expected ${size} bytes, got ${b.length}`);
    return b;
  }
  let n = BigInt.asUintN(Math.max(size, 1) * 8, BigInt(v as number | bigint));
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++, n >>= 8n) b[i] = Number(n & 0xffn);
  return b;
}

/** Little-endian unsigned value of bytes (up to 8). */
export function leValue(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = Math.min(b.length, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export function hexKey(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** A map the simulator runs: what helpers call (addresses, errno results) and what tests read and write. */
export abstract class SimMap implements MapHandle {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly memory: Memory;
  readonly cpus: number;
  readonly writable: boolean;
  /** the map's own address (what ld_imm64 of the map loads) */
  readonly handle: Region;

  constructor(o: SimMapOptions) {
    this.name = o.name;
    this.type = o.type;
    this.keySize = o.keySize;
    this.valueSize = o.valueSize;
    this.maxEntries = o.maxEntries;
    this.flags = o.flags ?? 0;
    this.memory = o.memory;
    this.cpus = o.cpus ?? 1;
    this.writable = o.writable ?? true;
    this.handle = o.memory.addMap(this);
  }

  /** Whether values are per CPU (lookups see the running CPU's copy; TypeScript sees all). */
  get perCpu(): boolean {
    return false;
  }

  // --- what the program's helpers call -------------------------------------------------------------------

  /** bpf_map_lookup_elem: the address of the value (the CPU's copy for per-CPU maps), 0 when absent. */
  abstract lookup(key: Uint8Array, cpu: number): bigint;

  /**
   * lookup() of the keySize bytes at `offset` of `key`, as the region whose offset 0 it points to (undefined
   * for 0): what a helper answering from registers needs, without BigInt. Maps override it to find the
   * element in place; this default goes through lookup(). Throws a RangeError when lookup() gives an address
   * that is not the start of a region (no map does).
   */
  lookupRegion(key: Uint8Array, offset: number, cpu: number): Region | undefined {
    const a = this.lookup(key.subarray(offset, offset + this.keySize), cpu);
    if (a === 0n) return undefined;
    const { region, offset: at } = this.memory.locate(a);
    if (region === undefined || at !== 0) throw new RangeError(`map ${this.name}: lookup gave 0x${a.toString(16)}, not the start of a region`);
    return region;
  }
  /** bpf_map_update_elem from a program: 0 or -errno (per-CPU maps: only `cpu`'s copy). */
  abstract update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number;
  /** bpf_map_delete_elem (and BPF_MAP_DELETE_ELEM from TypeScript): 0 or -errno (-ENOENT when absent). */
  delete(key: MapBytes): number {
    return this.deleteKey(this.key(key));
  }
  protected abstract deleteKey(key: Uint8Array): number;
  /** BPF_MAP_GET_NEXT_KEY: the key after `key` (the first when undefined or absent), undefined at the end. */
  abstract nextKey(key: Uint8Array | undefined): Uint8Array | undefined;
  /** The value bytes per CPU (one entry for plain maps), undefined when absent; views, not copies. */
  protected abstract valuesOf(key: Uint8Array): readonly Uint8Array[] | undefined;
  /** Set every CPU's copy (TypeScript updates): 0 or -errno. */
  protected abstract updateAll(key: Uint8Array, values: readonly Uint8Array[], flags: number): number;

  // --- what tests call -----------------------------------------------------------------------------------

  key(k: MapBytes): Uint8Array {
    return toBytes(k, this.keySize, `map ${this.name}: key`);
  }

  value(v: MapBytes): Uint8Array {
    return toBytes(v, this.valueSize, `map ${this.name}: value`);
  }

  /** The value bytes (a copy), undefined when absent. Per-CPU maps: the sum of the CPUs' values is `sum()`. */
  get(key: MapBytes, cpu = 0): Uint8Array | undefined {
    const vs = this.valuesOf(this.key(key));
    const v = vs?.[this.perCpu ? cpu : 0];
    return v === undefined ? undefined : v.slice();
  }

  /** The value as a little-endian number (values up to 8 bytes), undefined when absent. */
  getNumber(key: MapBytes, cpu = 0): bigint | undefined {
    const v = this.get(key, cpu);
    return v === undefined ? undefined : leValue(v);
  }

  /** Every CPU's value bytes (copies), undefined when absent. */
  getPerCpu(key: MapBytes): Uint8Array[] | undefined {
    return this.valuesOf(this.key(key))?.map((v) => v.slice());
  }

  /** The sum over CPUs of the value read as a little-endian number (counters), undefined when absent. */
  sum(key: MapBytes): bigint | undefined {
    const vs = this.valuesOf(this.key(key));
    return vs === undefined ? undefined : vs.reduce((a, v) => a + leValue(v), 0n);
  }

  /** Set a value from TypeScript (every CPU's copy for per-CPU maps; an array gives one per CPU). Throws on error. */
  set(key: MapBytes, value: MapBytes | readonly MapBytes[], flags = 0): void {
    const k = this.key(key);
    const values =
      Array.isArray(value) && this.perCpu && value.length > 0 && typeof value[0] !== 'number'
        ? (value as readonly MapBytes[]).map((v) => this.value(v))
        : Array.from({ length: this.perCpu ? this.cpus : 1 }, () => this.value(value as MapBytes));
    if (values.length !== (this.perCpu ? this.cpus : 1)) throw new RangeError(`map ${this.name}: expected ${this.cpus} per-CPU values`);
    const r = this.updateAll(k, values, flags);
    if (r !== 0) throw new RangeError(`map ${this.name}: update failed: ${errnoName(-r)}`);
  }

  /** Delete from TypeScript; false when absent (arrays: throws, as the kernel refuses with EINVAL). */
  remove(key: MapBytes): boolean {
    const r = this.delete(this.key(key));
    if (r === -Errno.ENOENT) return false;
    if (r !== 0) throw new RangeError(`map ${this.name}: delete failed: ${errnoName(-r)}`);
    return true;
  }

  /** Keys in get_next_key order. */
  keys(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    for (let k = this.nextKey(undefined); k !== undefined; k = this.nextKey(k)) {
      const h = hexKey(k);
      if (seen.has(h)) break;
      seen.add(h);
      out.push(k);
    }
    return out;
  }

  /** [key, value] pairs (value of CPU 0 for per-CPU maps; see entriesPerCpu). */
  entries(): [Uint8Array, Uint8Array][] {
    return this.keys().flatMap((k) => {
      const v = this.valuesOf(k)?.[0];
      return v === undefined ? [] : [[k, v.slice()] as [Uint8Array, Uint8Array]];
    });
  }

  /** [key, values per CPU] pairs. */
  entriesPerCpu(): [Uint8Array, Uint8Array[]][] {
    return this.keys().flatMap((k) => {
      const vs = this.valuesOf(k);
      return vs === undefined ? [] : [[k, vs.map((v) => v.slice())] as [Uint8Array, Uint8Array[]]];
    });
  }

  /** A value region in this map's memory. */
  protected newValue(label: string, bytes?: Uint8Array): Region {
    return this.memory.add({
      name: `${this.name}[${label}]`,
      kind: 'map_value',
      bytes: bytes ?? new Uint8Array(this.valueSize),
      writable: this.writable,
    });
  }
}

export function errnoName(n: number): string {
  const e = Object.entries(Errno).find(([, v]) => v === n);
  return e === undefined ? `errno ${n}` : `-${e[0]}`;
}

/** Whether `flags` is a valid update flag set; -EINVAL otherwise. */
export function checkFlags(flags: number): number {
  const f = flags & ~UpdateFlag.F_LOCK;
  return f > UpdateFlag.EXIST || flags < 0 ? -Errno.EINVAL : 0;
}
