// Codecs: TypeScript values <-> the bytes of map keys and values (little endian, as on every BPF target we
// load on). Numbers for u8..u32/s8..s32, bigint for 64-bit; structs from BTF become plain objects.
//
//   btfCodec(btf, id) for `struct flow { __u32 saddr; __u16 port; __u8 proto:4, flags:4; char tag[4]; }`
//     { saddr: 167772161, port: 80, proto: 6, flags: 0, tag: Uint8Array(4) }
import type { Btf } from '../../bpf/index.ts';

export interface Codec<T> {
  /** Bytes one value occupies. */
  readonly size: number;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

function intCodec(size: 1 | 2 | 4, signed: boolean): Codec<number> {
  return {
    size,
    encode(v) {
      const out = new Uint8Array(size);
      const view = new DataView(out.buffer);
      if (size === 1) view.setUint8(0, v & 0xff);
      else if (size === 2) view.setUint16(0, v & 0xffff, true);
      else view.setUint32(0, v >>> 0, true);
      return out;
    },
    decode(b) {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (size === 1) return signed ? view.getInt8(0) : view.getUint8(0);
      if (size === 2) return signed ? view.getInt16(0, true) : view.getUint16(0, true);
      return signed ? view.getInt32(0, true) : view.getUint32(0, true);
    },
  };
}

function int64Codec(signed: boolean): Codec<bigint> {
  return {
    size: 8,
    encode(v) {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
      return out;
    },
    decode(b) {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      return signed ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
    },
  };
}

export const u8 = intCodec(1, false);
export const u16 = intCodec(2, false);
export const u32 = intCodec(4, false);
export const s8 = intCodec(1, true);
export const s16 = intCodec(2, true);
export const s32 = intCodec(4, true);
export const u64 = int64Codec(false);
export const s64 = int64Codec(true);

/** Raw bytes of a fixed size (the default when nothing better is known). */
export function bytes(size: number): Codec<Uint8Array> {
  return {
    size,
    encode(v) {
      if (v.byteLength !== size) throw new RangeError(`expected ${size} bytes, got ${v.byteLength}`);
      return v;
    },
    decode(b) {
      return b.slice();
    },
  };
}

/**
 * Per-CPU values: one `inner` value per possible CPU, each padded to 8 bytes, as the kernel exchanges them
 * for per-CPU maps (see loader/sys/map.ts).
 */
export function perCpu<T>(inner: Codec<T>, cpus: number): Codec<T[]> {
  const stride = Math.ceil(inner.size / 8) * 8;
  return {
    size: stride * cpus,
    encode(values) {
      if (values.length !== cpus) throw new RangeError(`per-cpu value: ${values.length} values for ${cpus} cpus`);
      const out = new Uint8Array(stride * cpus);
      values.forEach((v, i) => out.set(inner.encode(v), i * stride));
      return out;
    },
    decode(b) {
      return Array.from({ length: cpus }, (_, i) => inner.decode(b.subarray(i * stride, i * stride + inner.size)));
    },
  };
}

/** A value decoded from BTF: numbers, bigints, byte arrays, arrays and objects. */
export type BtfValue = number | bigint | Uint8Array | BtfValue[] | { [member: string]: BtfValue };

/** A codec for BTF type `id` of `btf`: structs and unions as objects, arrays as arrays (char arrays as bytes). */
export function btfCodec(btf: Btf, id: number): Codec<BtfValue> {
  const size = btf.sizeOf(id);
  return {
    size,
    encode(value) {
      const out = new Uint8Array(size);
      write(btf, id, value, out, 0, 0);
      return out;
    },
    decode(b) {
      if (b.byteLength < size) throw new RangeError(`btf value: ${b.byteLength} bytes, the type has ${size}`);
      return read(btf, id, b, 0);
    },
  };
}

function read(btf: Btf, id: number, b: Uint8Array, depth: number): BtfValue {
  if (depth > 64) throw new RangeError('btf value: types nested too deeply');
  const t = btf.typeById(btf.resolve(id));
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'enum64': {
      const signed = t.kind === 'int' ? t.encoding === 'signed' : t.signed;
      if (t.size === 8) return signed ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
      if (t.size === 4) return signed ? view.getInt32(0, true) : view.getUint32(0, true);
      if (t.size === 2) return signed ? view.getInt16(0, true) : view.getUint16(0, true);
      if (t.size === 1) return signed ? view.getInt8(0) : view.getUint8(0);
      return b.slice(0, t.size);
    }
    case 'ptr':
      return view.getBigUint64(0, true);
    case 'float':
      return t.size === 8 ? view.getFloat64(0, true) : t.size === 4 ? view.getFloat32(0, true) : b.slice(0, t.size);
    case 'array': {
      const elem = btf.typeById(btf.resolve(t.type));
      const es = btf.sizeOf(t.type);
      if (elem.kind === 'int' && es === 1) return b.slice(0, t.nelems);
      return Array.from({ length: t.nelems }, (_, i) => read(btf, t.type, b.subarray(i * es), depth + 1));
    }
    case 'struct':
    case 'union': {
      const out: { [member: string]: BtfValue } = {};
      t.members.forEach((m, i) => {
        const name = m.name === '' ? `_${i}` : m.name;
        if (m.bitfieldSize > 0) {
          const byte = Math.floor(m.bitOffset / 8);
          let word = 0n;
          for (let k = 0; k < 8 && byte + k < b.byteLength; k++) word |= BigInt(b[byte + k]!) << BigInt(8 * k);
          out[name] = Number((word >> BigInt(m.bitOffset % 8)) & ((1n << BigInt(m.bitfieldSize)) - 1n));
          return;
        }
        const v = read(btf, m.type, b.subarray(m.bitOffset / 8), depth + 1);
        if (m.name === '' && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v)) Object.assign(out, v);
        else out[name] = v;
      });
      return out;
    }
    default:
      return b.slice(0, btf.sizeOf(id));
  }
}

function write(btf: Btf, id: number, value: BtfValue | undefined, out: Uint8Array, at: number, depth: number): void {
  if (value === undefined) return;
  if (depth > 64) throw new RangeError('btf value: types nested too deeply');
  const t = btf.typeById(btf.resolve(id));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const size = btf.sizeOf(id);
  if (value instanceof Uint8Array) {
    out.set(value.subarray(0, size), at);
    return;
  }
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'enum64':
    case 'ptr': {
      const n = BigInt.asUintN(size * 8, BigInt(value as number | bigint));
      for (let i = 0; i < size; i++) out[at + i] = Number((n >> BigInt(8 * i)) & 0xffn);
      return;
    }
    case 'float':
      if (size === 8) view.setFloat64(at, value as number, true);
      else if (size === 4) view.setFloat32(at, value as number, true);
      return;
    case 'array': {
      if (!Array.isArray(value)) throw new TypeError('btf value: an array type needs an array');
      const es = btf.sizeOf(t.type);
      value.slice(0, t.nelems).forEach((v, i) => write(btf, t.type, v, out, at + i * es, depth + 1));
      return;
    }
    case 'struct':
    case 'union': {
      if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`btf value: ${t.kind} ${t.name} needs an object`);
      const obj = value as { [member: string]: BtfValue };
      t.members.forEach((m, i) => {
        if (m.name === '') {
          write(btf, m.type, obj[`_${i}`] ?? obj, out, at + m.bitOffset / 8, depth + 1);
          return;
        }
        const v = obj[m.name];
        if (v === undefined) return;
        if (m.bitfieldSize > 0) {
          const byte = at + Math.floor(m.bitOffset / 8);
          const shift = BigInt(m.bitOffset % 8);
          const mask = ((1n << BigInt(m.bitfieldSize)) - 1n) << shift;
          let word = 0n;
          for (let k = 0; k < 8 && byte + k < out.byteLength; k++) word |= BigInt(out[byte + k]!) << BigInt(8 * k);
          word = (word & ~mask) | ((BigInt(v as number | bigint) << shift) & mask);
          for (let k = 0; k < 8 && byte + k < out.byteLength; k++) out[byte + k] = Number((word >> BigInt(8 * k)) & 0xffn);
          return;
        }
        write(btf, m.type, v, out, at + m.bitOffset / 8, depth + 1);
      });
      return;
    }
    default:
      throw new TypeError(`btf value: cannot encode a ${t.kind}`);
  }
}
