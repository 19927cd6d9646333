// A kernel map seen from TypeScript with typed keys and values.
//
//   using counters = KernelMap.open(coll.maps.get('counters')!, { key: u32, value: u64 });
//   counters.set(0, 10n);
//   for (const [k, v] of counters.entries()) console.log(k, v);
//
// Per-CPU maps (percpu hash/array, LRU percpu hash, percpu cgroup storage) take and give one value per
// possible CPU, as an array. `lookupBatch()` uses BPF_MAP_LOOKUP_BATCH (5.6+) where the map type has it and
// falls back to get_next_key iteration otherwise. Without codecs, keys and values are raw bytes; with BTF
// (the object's, and the map's key/value type ids) they are decoded as numbers and objects.
import { readFileSync } from 'node:fs';
import type { Btf, MapSpec } from '../../bpf/index.ts';
import { decode, encode, mapBatchAttr } from '../sys/attrs.ts';
import {
  BpfSyscallError,
  Errno,
  Fd,
  mapDelete,
  mapGetInfo,
  mapGetNextKey,
  mapLookup,
  mapUpdate,
  mapValueBufferSize,
  objGet,
  objGetFdById,
  possibleCpus,
  type MapInfo,
} from '../sys/index.ts';
import { tryInvoke } from '../sys/invoke.ts';
import { btfCodec, bytes, perCpu, type Codec } from './codec.ts';

/** BPF_MAP_TYPE_PERCPU_HASH (5), PERCPU_ARRAY (6), LRU_PERCPU_HASH (10), PERCPU_CGROUP_STORAGE (21). */
export const PER_CPU_MAP_TYPES: ReadonlySet<number> = new Set([5, 6, 10, 21]);

export interface KernelMapOptions<K, V> {
  /** codec for keys; raw bytes (or BTF) by default */
  readonly key?: Codec<K>;
  /** codec for one value (one CPU's value for per-CPU maps); raw bytes (or BTF) by default */
  readonly value?: Codec<V>;
  /** BTF describing the key and value (an ObjectSpec's), with their type ids */
  readonly btf?: Btf;
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
}

export class KernelMap<K = unknown, V = unknown> implements Disposable {
  readonly fd: Fd;
  readonly info: MapInfo;
  readonly keyCodec: Codec<K>;
  readonly valueCodec: Codec<V>;

  /**
   * Wraps a map: an Fd (duplicated: the KernelMap owns its own descriptor), a raw fd number, or a bpffs pin
   * path. Per-CPU maps get an array-of-CPUs value codec around `options.value`.
   */
  static open<K = unknown, V = unknown>(source: Fd | number | string, options: KernelMapOptions<K, unknown> = {}): KernelMap<K, V> {
    const fd = typeof source === 'string' ? objGet(source) : objGetFdById('map', mapGetInfo(source).id);
    try {
      if (!isMapFd(fd)) throw new TypeError(`${typeof source === 'string' ? source : 'fd'}: not a map`);
      const info = mapGetInfo(fd);
      const key = (options.key ?? codecFor(options.btf, options.keyTypeId, info.keySize)) as Codec<K>;
      const one = options.value ?? codecFor(options.btf, options.valueTypeId, info.valueSize);
      const value = (PER_CPU_MAP_TYPES.has(info.type) ? perCpu(one, possibleCpus()) : one) as Codec<V>;
      if (key.size !== info.keySize) throw new RangeError(`map ${info.name}: key codec is ${key.size} bytes, the map's keys ${info.keySize}`);
      if (value.size !== mapValueBufferSize(info.type, info.valueSize)) {
        throw new RangeError(`map ${info.name}: value codec is ${value.size} bytes, the map's values ${mapValueBufferSize(info.type, info.valueSize)}`);
      }
      return new KernelMap(fd, info, key, value);
    } catch (e) {
      fd.close();
      throw e;
    }
  }

  /** A map of a loaded collection, with codecs from the object's BTF when the map has key/value types. */
  static fromSpec(fd: Fd, spec: { readonly btf?: Btf | undefined; readonly map: MapSpec }): KernelMap<unknown, unknown> {
    const { btf, map } = spec;
    return KernelMap.open(fd, {
      ...(btf !== undefined ? { btf } : {}),
      ...(map.keyTypeId !== undefined ? { keyTypeId: map.keyTypeId } : {}),
      ...(map.valueTypeId !== undefined ? { valueTypeId: map.valueTypeId } : {}),
    });
  }

  private constructor(fd: Fd, info: MapInfo, key: Codec<K>, value: Codec<V>) {
    this.fd = fd;
    this.info = info;
    this.keyCodec = key;
    this.valueCodec = value;
  }

  get name(): string {
    return this.info.name;
  }

  get perCpu(): boolean {
    return PER_CPU_MAP_TYPES.has(this.info.type);
  }

  get(key: K): V | undefined {
    const v = mapLookup(this.fd, this.keyCodec.encode(key));
    return v === undefined ? undefined : this.valueCodec.decode(v);
  }

  /** `flags`: MapUpdateFlag (ANY, NOEXIST, EXIST). */
  set(key: K, value: V, flags = 0): void {
    mapUpdate(this.fd, this.keyCodec.encode(key), this.valueCodec.encode(value), flags);
  }

  /** false when the key was not there. */
  delete(key: K): boolean {
    return mapDelete(this.fd, this.keyCodec.encode(key));
  }

  *#rawKeys(): Generator<Uint8Array> {
    let key: Uint8Array | undefined;
    for (let guard = 0; guard <= this.info.maxEntries + 1; guard++) {
      const next = mapGetNextKey(this.fd, key);
      if (next === undefined) return;
      yield next;
      key = next;
    }
  }

  /** Keys in the kernel's order (BPF_MAP_GET_NEXT_KEY). */
  *keys(): Generator<K> {
    for (const k of this.#rawKeys()) yield this.keyCodec.decode(k);
  }

  /** [key, value] pairs; keys deleted while iterating are skipped. */
  *entries(): Generator<[K, V]> {
    for (const k of this.#rawKeys()) {
      const v = mapLookup(this.fd, k);
      if (v !== undefined) yield [this.keyCodec.decode(k), this.valueCodec.decode(v)];
    }
  }

  [Symbol.iterator](): Generator<[K, V]> {
    return this.entries();
  }

  /**
   * Every entry with BPF_MAP_LOOKUP_BATCH, `chunk` at a time; `undefined` when the kernel or map type has no
   * batch operations (then use entries()).
   */
  lookupBatch(chunk = 256): [K, V][] | undefined {
    const keySize = this.info.keySize;
    const valueSize = mapValueBufferSize(this.info.type, this.info.valueSize);
    const out: [K, V][] = [];
    const token = Math.max(keySize, 8);
    let inBatch: Uint8Array | null = null;
    for (;;) {
      const keys = new Uint8Array(keySize * chunk);
      const values = new Uint8Array(valueSize * chunk);
      const outBatch = new Uint8Array(token);
      const attr = encode(mapBatchAttr, {
        in_batch: inBatch,
        out_batch: outBatch,
        keys,
        values,
        count: chunk,
        map_fd: this.fd.value,
      });
      const ret = tryInvoke('BPF_MAP_LOOKUP_BATCH', attr);
      const count = decode(mapBatchAttr, attr).count;
      if (ret < 0 && ret !== -Errno.ENOENT) {
        if (out.length === 0 && inBatch === null && ([Errno.EINVAL, Errno.ENOTSUPP, Errno.EOPNOTSUPP] as number[]).includes(-ret)) return undefined;
        throw new BpfSyscallError({ command: 'BPF_MAP_LOOKUP_BATCH', errno: -ret, context: `map lookup batch ${this.info.name}` });
      }
      for (let i = 0; i < count; i++) {
        out.push([
          this.keyCodec.decode(keys.subarray(i * keySize, (i + 1) * keySize)),
          this.valueCodec.decode(values.subarray(i * valueSize, (i + 1) * valueSize)),
        ]);
      }
      if (ret === -Errno.ENOENT) return out;
      inBatch = outBatch;
    }
  }

  close(): void {
    this.fd.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Whether `fd` refers to a map (its /proc/self/fdinfo has `map_type:`; BPF_OBJ_GET_INFO_BY_FD cannot tell). */
export function isMapFd(fd: Fd): boolean {
  try {
    return /^map_type:/m.test(readFileSync(`/proc/self/fdinfo/${fd.value}`, 'utf8'));
  } catch {
    return true; // no procfs: trust the caller
  }
}

function codecFor(btf: Btf | undefined, typeId: number | undefined, size: number): Codec<unknown> {
  if (btf !== undefined && typeId !== undefined && typeId !== 0) {
    try {
      const c = btfCodec(btf, typeId);
      if (c.size === size) return c;
    } catch {
      // fall back to raw bytes
    }
  }
  return bytes(size);
}
