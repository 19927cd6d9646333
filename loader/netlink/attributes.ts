// Netlink attributes (struct nlattr + value, padded to 4 bytes; see layout.ts), nested or flat.
import { NL_LAYOUTS, nlDecode, nlEncodeInto } from './layout.ts';

/** NLA_F_NESTED: the value is a list of attributes. */
export const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;
const HDR = NL_LAYOUTS.nlattr.size;

/** An attribute to send: raw bytes, or nested attributes. */
export interface NlAttr {
  readonly type: number;
  readonly value: Uint8Array | readonly NlAttr[];
}

const align4 = (n: number): number => (n + 3) & ~3;

function scalar(bytes: number, set: (dv: DataView) => void): Uint8Array {
  const b = new Uint8Array(bytes);
  set(new DataView(b.buffer));
  return b;
}

export const attr = {
  u8: (type: number, v: number): NlAttr => ({ type, value: Uint8Array.of(v) }),
  u16: (type: number, v: number): NlAttr => ({ type, value: scalar(2, (d) => d.setUint16(0, v, true)) }),
  u32: (type: number, v: number): NlAttr => ({ type, value: scalar(4, (d) => d.setUint32(0, v >>> 0, true)) }),
  s32: (type: number, v: number): NlAttr => ({ type, value: scalar(4, (d) => d.setInt32(0, v, true)) }),
  /** A NUL-terminated string. */
  str: (type: number, v: string): NlAttr => ({ type, value: new TextEncoder().encode(`${v}\0`) }),
  nested: (type: number, children: readonly NlAttr[]): NlAttr => ({ type, value: children }),
};

/** Bytes `attrs` occupy, padding included. */
export function attrsSize(attrs: readonly NlAttr[]): number {
  let n = 0;
  for (const a of attrs) n += align4(HDR + (a.value instanceof Uint8Array ? a.value.byteLength : attrsSize(a.value)));
  return n;
}

/** Writes `attrs` at `offset`; returns the offset after them. */
export function encodeAttrs(attrs: readonly NlAttr[], buf: Uint8Array, offset: number): number {
  let at = offset;
  for (const a of attrs) {
    const nested = !(a.value instanceof Uint8Array);
    const bodyLen = a.value instanceof Uint8Array ? a.value.byteLength : attrsSize(a.value);
    nlEncodeInto('nlattr', buf, at, { len: HDR + bodyLen, type: a.type | (nested ? NLA_F_NESTED : 0) });
    if (a.value instanceof Uint8Array) buf.set(a.value, at + HDR);
    else encodeAttrs(a.value, buf, at + HDR);
    at += align4(HDR + bodyLen);
  }
  return at;
}

/** Attributes of one level by type (flags stripped); the last one wins when a type repeats. */
export function parseAttrs(buf: Uint8Array, offset = 0, end = buf.byteLength): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let at = offset;
  while (at + HDR <= end) {
    const { len, type } = nlDecode('nlattr', buf, at) as { len: number; type: number };
    if (len < HDR || at + len > end) throw new RangeError(`netlink attribute at ${at}: length ${len} runs past ${end}`);
    out.set(type & NLA_TYPE_MASK, buf.subarray(at + HDR, at + len));
    at += align4(len);
  }
  return out;
}

export const read = {
  u8: (v: Uint8Array | undefined): number | undefined => (v === undefined || v.byteLength < 1 ? undefined : v[0]),
  u32: (v: Uint8Array | undefined): number | undefined =>
    v === undefined || v.byteLength < 4 ? undefined : new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true),
  str: (v: Uint8Array | undefined): string | undefined => {
    if (v === undefined) return undefined;
    const nul = v.indexOf(0);
    return new TextDecoder().decode(nul < 0 ? v : v.subarray(0, nul));
  },
};
