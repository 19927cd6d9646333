// The simulated address space: tagged regions, so a pointer is a plain 64-bit value.
//
//   a pointer (64 bits)
//   +--------------------------------+--------------------------------+
//   |   region id (high 32 bits)     | 0x80000000 + offset (low 32)   |
//   +--------------------------------+--------------------------------+
//
// Offset 0 of a region sits in the middle of the low half, so a pointer a little below its region
// (`r10 - 520`, `data - 1`) still names that region in a fault instead of a neighbour. Id 0 is never a
// region: null and every small integer fault as "not a pointer". Each access is checked against the region's
// valid window [start, end) (a packet's data..data_end, the usable part of a stack frame), its permission
// (read-only regions such as .rodata) and, for contexts, an access rule (which fields may be read or written).
import type { MapHandle } from './map-handle.ts';

export type RegionKind =
  | 'ctx' // a program context (xdp_md, __sk_buff, or the conformance tests' memory)
  | 'packet' // packet data
  | 'stack' // one call frame's stack
  | 'map_value' // a map element's value
  | 'global' // global data: .rodata, .data, .bss
  | 'ringbuf' // a reserved ring buffer record
  | 'memory' // anything else a caller provides
  | 'map'; // a map itself: a handle with an address, no bytes

/** The low half of the address of offset 0 in every region. */
export const REGION_BASE = 0x8000_0000;

/** Why an access may not happen (a reason for the fault message), or undefined when it may. */
export type AccessRule = (offset: number, size: number, write: boolean) => string | undefined;

/**
 * The value a program's load of `size` bytes at `offset` gives, when it is not the bytes there: a context
 * field the kernel rewrites (convert_ctx_access), such as `xdp_md.data`, a 32-bit field whose load gives a
 * 64-bit packet pointer. Undefined reads the bytes. Sign-extending loads use the value as given.
 */
export type LoadHook = (offset: number, size: number) => bigint | undefined;

/**
 * The same value as the region's LoadHook, put in r`d` as its int32 halves (no BigInt): true when it did,
 * false to read the bytes. A region may have one beside its LoadHook, for the interpreter's loads.
 */
export type RegLoadHook = (offset: number, size: number, lo: Int32Array, hi: Int32Array, d: number) => boolean;

/**
 * A program's store of `size` bytes at `offset` (the value as its low and high 32-bit halves) that the kernel
 * rewrites instead of storing the bytes: true when the hook handled it (e.g. `__sk_buff.queue_mapping`,
 * whose stores of values >= 0xffff the kernel drops). False stores the bytes as usual.
 */
export type StoreHook = (offset: number, size: number, lo: number, hi: number) => boolean;

/**
 * A context's packet pointer fields, which the interpreter answers without calling the region's hooks: a
 * 4-byte load at offset `o` with `fields[o]` = POINTER_META, POINTER_DATA or POINTER_END gives the address of
 * `window[fields[o] - 1]` in `region` (data_meta, data, data_end), with LENGTH_FIELD the scalar
 * window[2] - window[1] (`__sk_buff.len`), with 0 the bytes (or the hooks). The window is the packet's
 * (PacketBuffer keeps it current); the hooks must give the same values.
 */
export interface PointerFields {
  readonly region: Region;
  /** data_meta, data, data_end: offsets in `region` */
  readonly window: Int32Array;
  /** per offset of the context: what a 4-byte load there gives (0: not a pointer field) */
  readonly fields: Uint8Array;
}

export const POINTER_META = 1;
export const POINTER_DATA = 2;
export const POINTER_END = 3;
export const LENGTH_FIELD = 4;

export interface RegionOptions {
  readonly name: string;
  readonly kind: RegionKind;
  /** the region's bytes (shared, not copied: writes by the program show up in them) */
  readonly bytes?: Uint8Array;
  /** when `bytes` is absent, a zeroed region of this size */
  readonly size?: number;
  /** false for read-only memory (.rodata, frozen maps); true by default */
  readonly writable?: boolean;
  /** the accessible window; the whole region by default */
  readonly start?: number;
  readonly end?: number;
  readonly access?: AccessRule;
  /**
   * The access rule's answer depends on (offset, size, write) alone (a context's rule, from bpf/'s table): the
   * region remembers each access the rule allowed, and the interpreter skips the rule for it afterwards.
   */
  readonly pureAccess?: boolean;
  /** synthesized values for some loads (context fields); see LoadHook */
  readonly load?: LoadHook;
  /** the LoadHook's values without BigInt (optional; needs `load`) */
  readonly loadReg?: RegLoadHook;
  /** stores the kernel rewrites (context fields); see StoreHook */
  readonly store?: StoreHook;
  /** the LoadHook's packet pointers as data (a context's; see PointerFields) */
  readonly pointers?: PointerFields;
  /** for kind 'map': the map this address stands for */
  readonly map?: MapHandle;
}

/** Region.allowed's bit for an access of `size` (1, 2, 4 or 8) bytes. */
export function allowedBit(size: number, write: boolean): number {
  return write ? size << 4 : size;
}

/** One region of simulated memory. Its fields are mutable so that helpers can move a packet's bounds. */
export class Region {
  readonly id: number;
  readonly name: string;
  readonly kind: RegionKind;
  bytes: Uint8Array;
  view: DataView;
  /** first accessible offset */
  start: number;
  /** one past the last accessible offset */
  end: number;
  readonly writable: boolean;
  readonly access: AccessRule | undefined;
  /**
   * With a pure access rule: per offset, the sizes of the reads (bits 0-3: 1, 2, 4, 8 bytes) and writes
   * (bits 4-7) the rule allowed so far (allowedBit); undefined for other regions.
   */
  allowed: Uint8Array | undefined;
  readonly load: LoadHook | undefined;
  readonly loadReg: RegLoadHook | undefined;
  readonly store: StoreHook | undefined;
  readonly pointers: PointerFields | undefined;
  /**
   * The interpreter's fast paths in one test each (the fields above never change): a load needs no access
   * rule and no LoadHook; a store, a writable region without an access rule or a StoreHook.
   */
  readonly plainLoad: boolean;
  readonly plainStore: boolean;
  readonly map: MapHandle | undefined;
  /** the lowest offset accessed so far (stack accounting) */
  lowWater: number;

  constructor(id: number, options: RegionOptions) {
    this.id = id;
    this.name = options.name;
    this.kind = options.kind;
    this.bytes = options.bytes ?? new Uint8Array(options.size ?? 0);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.start = options.start ?? 0;
    this.end = options.end ?? this.bytes.length;
    if (this.start < 0 || this.end > this.bytes.length || this.start > this.end) {
      throw new RangeError(`region ${this.name}: window [${this.start}, ${this.end}) is outside its ${this.bytes.length} bytes`);
    }
    this.writable = options.writable ?? true;
    this.access = options.access;
    this.allowed = options.pureAccess === true && options.access !== undefined ? new Uint8Array(this.bytes.length) : undefined;
    this.load = options.load;
    this.loadReg = options.loadReg;
    this.store = options.store;
    this.pointers = options.pointers;
    this.plainLoad = this.access === undefined && this.load === undefined;
    this.plainStore = this.writable && this.access === undefined && this.store === undefined;
    this.map = options.map;
    this.lowWater = this.end;
  }

  /** The address of `offset` (0 by default) in this region. */
  address(offset = 0): bigint {
    return (BigInt(this.id) << 32n) + BigInt(REGION_BASE + offset);
  }

  /** Replace the region's bytes (a packet that grew or shrank); the window becomes [start, end). */
  setBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.start = start;
    this.end = end;
    if (this.allowed !== undefined && this.allowed.length !== bytes.length) this.allowed = new Uint8Array(bytes.length);
  }

  /** Why an access of `size` bytes at `offset` is refused, or undefined when it is allowed. */
  check(offset: number, size: number, write: boolean): string | undefined {
    if (this.kind === 'map') return `${this.name} is a map, not memory`;
    if (offset < this.start || offset + size > this.end) {
      return `out of bounds: ${this.name} allows offsets ${this.start}..${this.end - 1}`;
    }
    if (write && !this.writable) return `${this.name} is read-only`;
    return this.access?.(offset, size, write);
  }

  toString(): string {
    return this.name;
  }
}

/** Where an address points: its region (if any) and the offset in it. */
export interface Location {
  readonly region: Region | undefined;
  readonly offset: number;
}

/** The regions one run (or a whole simulated collection) can reach. */
export class Memory {
  /** indexed by region id; index 0 is never used */
  readonly regions: (Region | undefined)[] = [undefined];

  /** Add a region; its id is never reused, so a stale pointer cannot alias a newer region. */
  add(options: RegionOptions): Region {
    const region = new Region(this.regions.length, options);
    this.regions.push(region);
    return region;
  }

  /** An address for a map handle (what `ld_imm64` with a map reference loads). */
  addMap(map: MapHandle): Region {
    return this.add({ name: `map ${map.name}`, kind: 'map', size: 0, writable: false, map });
  }

  /** Forget a region: later accesses through its addresses fault. */
  remove(region: Region): void {
    if (this.regions[region.id] === region) this.regions[region.id] = undefined;
  }

  /** The region and offset `address` points into (region undefined when none). */
  locate(address: bigint): Location {
    const a = BigInt.asUintN(64, address);
    const id = Number(a >> 32n);
    const region = id < this.regions.length ? this.regions[id] : undefined;
    return { region, offset: Number(a & 0xffff_ffffn) - REGION_BASE };
  }

  /** Why an access is refused (a message naming the region and offset), or undefined when allowed. */
  check(address: bigint, size: number, write: boolean): string | undefined {
    const { region, offset } = this.locate(address);
    if (region === undefined) return `invalid ${write ? 'write' : 'read'} of ${size} bytes at ${describeAddress(address)}`;
    const why = region.check(offset, size, write);
    return why === undefined ? undefined : `invalid ${write ? 'write' : 'read'} of ${size} bytes at ${region.name}${signed(offset)}: ${why}`;
  }

  /**
   * The `size` bytes at `address`, as a view into the region (for helpers). Throws a RangeError naming the
   * region when the access is refused (the VM turns it into a SimFault at the calling instruction).
   */
  bytes(address: bigint, size: number, write = false): Uint8Array {
    const why = this.check(address, size, write);
    if (why !== undefined) throw new RangeError(why);
    const { region, offset } = this.locate(address);
    return region!.bytes.subarray(offset, offset + size);
  }

  /** Read an unsigned little-endian value of 1, 2, 4 or 8 bytes. */
  read(address: bigint, size: 1 | 2 | 4 | 8): bigint {
    const b = this.bytes(address, size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  /** Write a little-endian value of 1, 2, 4 or 8 bytes. */
  write(address: bigint, size: 1 | 2 | 4 | 8, value: bigint | number): void {
    const b = this.bytes(address, size, true);
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < size; i++, v >>= 8n) b[i] = Number(v & 0xffn);
  }

  /** The NUL-terminated string at `address` (at most `max` bytes, each access checked). */
  cString(address: bigint, max = 4096): string {
    const { region, offset } = this.locate(address);
    let end = offset;
    while (end - offset < max) {
      const why = this.check(address + BigInt(end - offset), 1, false);
      if (why !== undefined) throw new RangeError(`unterminated string: ${why}`);
      if (region!.bytes[end] === 0) break;
      end++;
    }
    return new TextDecoder().decode(region!.bytes.subarray(offset, end));
  }
}

/** `ctx+16`, `stack[0]-8` */
export function signed(offset: number): string {
  return offset < 0 ? `${offset}` : `+${offset}`;
}

/** An address no region claims, described for people. */
export function describeAddress(address: bigint): string {
  const a = BigInt.asUintN(64, address);
  if (a === 0n) return 'address 0 (null)';
  if (a >> 32n === 0n) return `address 0x${a.toString(16)} (not a pointer)`;
  return `address 0x${a.toString(16)} (no region)`;
}
