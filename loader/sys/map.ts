// Map commands: BPF_MAP_CREATE, BPF_MAP_{LOOKUP,UPDATE,DELETE}_ELEM, BPF_MAP_GET_NEXT_KEY,
// BPF_MAP_FREEZE. Keys and values are raw bytes; sizes are checked here, because the kernel reads
// key_size/value_size bytes from whatever address it is given.
//
// Per-CPU maps (percpu hash/array, LRU percpu hash, percpu cgroup storage) exchange one value per
// possible CPU, each padded to 8 bytes:
//
//   +---------------------------+---------------------------+-----+
//   | cpu 0 value | pad to 8    | cpu 1 value | pad to 8    | ... |   nr_cpus * round_up(value_size, 8)
//   +---------------------------+---------------------------+-----+
import { readFileSync } from 'node:fs';
import { encode, mapCreateAttr, mapElemAttr } from './attrs.ts';
import { BpfSyscallError, Errno } from './errors.ts';
import { Fd } from './fd.ts';
import { mapGetInfo } from './info.ts';
import { fdNumber, invoke, objName, tryInvoke } from './invoke.ts';

/** BPF_MAP_CREATE arguments; numbers are the kernel's (enum bpf_map_type, BPF_F_* flags). */
export interface MapCreateOptions {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  /** At most 15 bytes of [A-Za-z0-9_.] are kept (the kernel's char[16]). */
  readonly name?: string;
  readonly innerMapFd?: Fd | number;
  readonly numaNode?: number;
  readonly ifindex?: number;
  readonly btfFd?: Fd | number;
  readonly btfKeyTypeId?: number;
  readonly btfValueTypeId?: number;
  readonly btfVmlinuxValueTypeId?: number;
  readonly mapExtra?: number | bigint;
}

/** BPF_MAP_UPDATE_ELEM flags. */
export const MapUpdateFlag = { ANY: 0, NOEXIST: 1, EXIST: 2, LOCK: 4 } as const;

interface MapShape {
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
}

/** Shapes of the maps this process has open, so lookups can size their buffers. */
const shapes = new WeakMap<Fd, MapShape>();

/** BPF_MAP_TYPE_PERCPU_HASH (5), PERCPU_ARRAY (6), LRU_PERCPU_HASH (10), PERCPU_CGROUP_STORAGE (21). */
const PER_CPU_TYPES: ReadonlySet<number> = new Set([5, 6, 10, 21]);

let possible: number | undefined;

/** Number of possible CPUs (/sys/devices/system/cpu/possible), the count per-CPU maps use. */
export function possibleCpus(): number {
  if (possible === undefined) {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    let n = 0;
    for (const part of text.split(',')) {
      const [lo, hi] = part.split('-').map(Number);
      if (lo === undefined || Number.isNaN(lo)) throw new SyntaxError(`possible cpus: cannot parse "${text}"`);
      n += hi === undefined ? 1 : hi - lo + 1;
    }
    possible = n;
  }
  return possible;
}

/** Bytes one lookup/update value occupies for a map of `type` with `valueSize`. */
export function mapValueBufferSize(type: number, valueSize: number): number {
  return PER_CPU_TYPES.has(type) ? possibleCpus() * Math.ceil(valueSize / 8) * 8 : valueSize;
}

/**
 * Creates a map.
 *
 * @example
 * using counters = mapCreate({ type: 2, keySize: 4, valueSize: 8, maxEntries: 1, name: 'counters' });
 */
export function mapCreate(options: MapCreateOptions): Fd {
  const name = objName(options.name);
  const attr = encode(mapCreateAttr, {
    map_type: options.type,
    key_size: options.keySize,
    value_size: options.valueSize,
    max_entries: options.maxEntries,
    map_flags: options.flags,
    inner_map_fd: options.innerMapFd === undefined ? undefined : fdNumber(options.innerMapFd),
    numa_node: options.numaNode,
    map_name: name,
    map_ifindex: options.ifindex,
    btf_fd: options.btfFd === undefined ? undefined : fdNumber(options.btfFd),
    btf_key_type_id: options.btfKeyTypeId,
    btf_value_type_id: options.btfValueTypeId,
    btf_vmlinux_value_type_id: options.btfVmlinuxValueTypeId,
    map_extra: options.mapExtra,
  });
  const fd = invoke('BPF_MAP_CREATE', attr, name === undefined ? 'map create' : `map create ${name}`);
  const handle = new Fd(fd, name === undefined ? 'map' : `map ${name}`);
  shapes.set(handle, { type: options.type, name: name ?? '', keySize: options.keySize, valueSize: options.valueSize });
  return handle;
}

function shapeOf(fd: Fd): MapShape {
  let shape = shapes.get(fd);
  if (!shape) {
    const info = mapGetInfo(fd);
    shape = { type: info.type, name: info.name, keySize: info.keySize, valueSize: info.valueSize };
    shapes.set(fd, shape);
  }
  return shape;
}

function context(op: string, shape: MapShape): string {
  return shape.name === '' ? `map ${op}` : `map ${op} ${shape.name}`;
}

function checkKey(op: string, shape: MapShape, key: Uint8Array): void {
  if (key.byteLength !== shape.keySize) {
    throw new RangeError(`${context(op, shape)}: key is ${key.byteLength} bytes, the map's key size is ${shape.keySize}`);
  }
}

/** The value stored under `key`, or undefined when there is none. Per-CPU maps: all CPUs' values. */
export function mapLookup(fd: Fd, key: Uint8Array, flags = 0): Uint8Array | undefined {
  const shape = shapeOf(fd);
  checkKey('lookup', shape, key);
  const value = new Uint8Array(mapValueBufferSize(shape.type, shape.valueSize));
  const attr = encode(mapElemAttr, { map_fd: fd.value, key, value, flags });
  const ret = tryInvoke('BPF_MAP_LOOKUP_ELEM', attr);
  if (ret === -Errno.ENOENT) return undefined;
  if (ret < 0) throw new BpfSyscallError({ command: 'BPF_MAP_LOOKUP_ELEM', errno: -ret, context: context('lookup', shape) });
  return value;
}

/** Stores `value` under `key`; `flags` is a MapUpdateFlag (ANY by default). */
export function mapUpdate(fd: Fd, key: Uint8Array, value: Uint8Array, flags = 0): void {
  const shape = shapeOf(fd);
  checkKey('update', shape, key);
  const size = mapValueBufferSize(shape.type, shape.valueSize);
  if (value.byteLength !== size) {
    const what = PER_CPU_TYPES.has(shape.type) ? ` (${possibleCpus()} cpus * round_up(${shape.valueSize}, 8))` : '';
    throw new RangeError(`${context('update', shape)}: value is ${value.byteLength} bytes, expected ${size}${what}`);
  }
  invoke('BPF_MAP_UPDATE_ELEM', encode(mapElemAttr, { map_fd: fd.value, key, value, flags }), context('update', shape));
}

/** Deletes `key`; false when it was not there. */
export function mapDelete(fd: Fd, key: Uint8Array): boolean {
  const shape = shapeOf(fd);
  checkKey('delete', shape, key);
  const ret = tryInvoke('BPF_MAP_DELETE_ELEM', encode(mapElemAttr, { map_fd: fd.value, key }));
  if (ret === -Errno.ENOENT) return false;
  if (ret < 0) throw new BpfSyscallError({ command: 'BPF_MAP_DELETE_ELEM', errno: -ret, context: context('delete', shape) });
  return true;
}

/** The key after `key` (the first key when `key` is undefined), or undefined at the end. */
export function mapGetNextKey(fd: Fd, key: Uint8Array | undefined): Uint8Array | undefined {
  const shape = shapeOf(fd);
  if (key !== undefined) checkKey('get next key', shape, key);
  const next = new Uint8Array(shape.keySize);
  const attr = encode(mapElemAttr, { map_fd: fd.value, key: key ?? null, next_key: next });
  const ret = tryInvoke('BPF_MAP_GET_NEXT_KEY', attr);
  if (ret === -Errno.ENOENT) return undefined;
  if (ret < 0) {
    throw new BpfSyscallError({ command: 'BPF_MAP_GET_NEXT_KEY', errno: -ret, context: context('get next key', shape) });
  }
  return next;
}

/** Makes the map read-only for user space (programs may still write it unless BPF_F_RDONLY_PROG). */
export function mapFreeze(fd: Fd): void {
  const shape = shapeOf(fd);
  invoke('BPF_MAP_FREEZE', encode(mapElemAttr, { map_fd: fd.value }), context('freeze', shape));
}
