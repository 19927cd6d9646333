// parseBtf: the bytes of a `.BTF` section -> Btf.
//
//   struct btf_header {          0          2     3     4          8          12         16         20        24
//     __u16 magic;   0xeB9F      +----------+-----+-----+----------+----------+----------+----------+---------+
//     __u8  version; 1           | magic    | ver |flags| hdr_len  | type_off | type_len | str_off  | str_len |
//     __u8  flags;   0           +----------+-----+-----+----------+----------+----------+----------+---------+
//     __u32 hdr_len;             then, at hdr_len + type_off: type_len bytes of types (btf_type + kind data)
//     __u32 type_off, type_len;        at hdr_len + str_off:  str_len bytes of NUL-terminated strings
//     __u32 str_off, str_len;
//   };                           offsets are relative to the end of the header (include/uapi/linux/btf.h)
//
// Kind-specific data after each 12-byte struct btf_type:
//   INT       u32: encoding << 24 | offset << 16 | bits          ARRAY  btf_array { type, index_type, nelems }
//   STRUCT,   vlen x btf_member { name_off, type, offset }      ENUM   vlen x btf_enum { name_off, s32/u32 val }
//   UNION     (offset = bitfield_size << 24 | bit_offset if kflag) ENUM64 vlen x { name_off, lo32, hi32 }
//   FUNC_PROTO vlen x btf_param { name_off, type }              VAR    u32 linkage
//   DATASEC   vlen x btf_var_secinfo { type, offset, size }     DECL_TAG s32 component_idx
//
// The byte order is taken from the magic. Anything the model cannot represent (reserved bits, vlen or
// kind_flag on kinds that do not use them, non-zero header flags or header extension) is rejected, as the
// kernel does, so encodeBtf(parseBtf(x)) never silently drops information.
import { Btf, type ByteOrder } from './btf.ts';
import {
  BTF_KIND_NAME,
  btfTypeReferences,
  type BtfFuncLinkage,
  type BtfIntEncoding,
  type BtfKind,
  type BtfType,
  type BtfVarLinkage,
} from './btf-type.ts';
import { BtfStringTable } from './string-table.ts';

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
/** sizeof(struct btf_header) */
export const BTF_HEADER_SIZE = 24;

const INFO_MASK = 0x9f00ffff;
const INT_ENCODINGS: Readonly<Record<number, BtfIntEncoding>> = { 0: 'none', 1: 'signed', 2: 'char', 4: 'bool' };
const FUNC_LINKAGES: readonly BtfFuncLinkage[] = ['static', 'global', 'extern'];
const VAR_LINKAGES: readonly BtfVarLinkage[] = ['static', 'global', 'extern'];
const USES_VLEN: ReadonlySet<BtfKind> = new Set(['struct', 'union', 'enum', 'enum64', 'func', 'func_proto', 'datasec']);
const USES_KIND_FLAG: ReadonlySet<BtfKind> = new Set(['struct', 'union', 'enum', 'enum64', 'fwd', 'decl_tag', 'type_tag']);

const hex = (n: number) => `0x${n.toString(16)}`;

/** Detects the byte order from a BTF or BTF.ext magic at byte 0; undefined if neither order matches. */
export function byteOrderOfMagic(view: DataView): ByteOrder | undefined {
  if (view.byteLength < 2) return undefined;
  if (view.getUint16(0, true) === BTF_MAGIC) return 'little';
  if (view.getUint16(0, false) === BTF_MAGIC) return 'big';
  return undefined;
}

/** Parses a `.BTF` section. Errors name the byte offset (within the section) and type id concerned. */
export function parseBtf(bytes: Uint8Array): Btf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new RangeError(`.BTF: ${bytes.length} bytes is too short for a header`);
  const order = byteOrderOfMagic(view);
  if (order === undefined) throw new SyntaxError(`.BTF: bad magic ${hex(view.getUint16(0, true))}, expected 0xeb9f`);
  const le = order === 'little';
  const version = view.getUint8(2);
  if (version !== BTF_VERSION) throw new SyntaxError(`.BTF: unsupported version ${version}`);
  const flags = view.getUint8(3);
  if (flags !== 0) throw new SyntaxError(`.BTF: unsupported header flags ${hex(flags)}`);
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < BTF_HEADER_SIZE) throw new RangeError(`.BTF: header length ${hdrLen} is below ${BTF_HEADER_SIZE}`);
  if (hdrLen > bytes.length) throw new RangeError(`.BTF: header length ${hdrLen} exceeds the section (${bytes.length} bytes)`);
  for (let i = BTF_HEADER_SIZE; i < hdrLen; i++) {
    if (bytes[i] !== 0) throw new SyntaxError(`.BTF: unsupported non-zero header extension at byte ${hex(i)}`);
  }
  const typeOff = view.getUint32(8, le);
  const typeLen = view.getUint32(12, le);
  const strOff = view.getUint32(16, le);
  const strLen = view.getUint32(20, le);
  const body = bytes.length - hdrLen;
  if (typeOff + typeLen > body) {
    throw new RangeError(`.BTF: type section ${typeOff}+${typeLen} exceeds the ${body} bytes after the header`);
  }
  if (strOff + strLen > body) {
    throw new RangeError(`.BTF: string section ${strOff}+${strLen} exceeds the ${body} bytes after the header`);
  }
  if (typeOff % 4 !== 0) throw new RangeError(`.BTF: type section offset ${typeOff} is not 4-byte aligned`);

  const strStart = hdrLen + strOff;
  const strings = BtfStringTable.fromBytes(bytes.subarray(strStart, strStart + strLen), '.BTF: string section');
  const types: BtfType[] = [];
  const typeOffsets: number[] = [];
  const start = hdrLen + typeOff;
  const end = start + typeLen;

  let at = start;
  while (at < end) {
    const id = types.length + 1;
    const where = `.BTF: type ${id} at byte ${hex(at)}`;
    const need = (n: number, what: string) => {
      if (at + n > end) {
        throw new RangeError(`${where}: ${what} needs ${n} bytes but the type section ends at byte ${hex(end)}`);
      }
    };
    const str = (off: number, what: string): string => {
      try {
        return strings.at(off);
      } catch (e) {
        throw new RangeError(`${where}: ${what} offset ${off} is outside the string table (${strings.size} bytes)`, {
          cause: e,
        });
      }
    };
    need(12, 'struct btf_type');
    const nameOff = view.getUint32(at, le);
    const info = view.getUint32(at + 4, le);
    const sizeOrType = view.getUint32(at + 8, le);
    const kindNo = (info >>> 24) & 0x1f;
    const kind = BTF_KIND_NAME[kindNo];
    if (kind === undefined) throw new SyntaxError(`${where}: unknown kind ${kindNo}`);
    const what = `${where} (${kind.toUpperCase()})`;
    if ((info & ~INFO_MASK) !== 0) throw new SyntaxError(`${what}: reserved info bits set (info ${hex(info >>> 0)})`);
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    if (vlen !== 0 && !USES_VLEN.has(kind)) throw new SyntaxError(`${what}: vlen ${vlen} must be 0`);
    if (kflag && !USES_KIND_FLAG.has(kind)) throw new SyntaxError(`${what}: kind_flag must be 0`);
    const name = str(nameOff, 'name');
    typeOffsets.push(at);
    at += 12;
    const items = (size: number) => {
      need(vlen * size, `vlen ${vlen} x ${size}-byte entries`);
      const first = at;
      at += vlen * size;
      return Array.from({ length: vlen }, (_, i) => first + i * size);
    };
    switch (kind) {
      case 'int': {
        need(4, 'int data');
        const data = view.getUint32(at, le);
        at += 4;
        if ((data & 0xf000ff00) !== 0) throw new SyntaxError(`${what}: reserved int data bits set (${hex(data >>> 0)})`);
        const encoding = INT_ENCODINGS[(data >>> 24) & 0xf];
        if (encoding === undefined) throw new SyntaxError(`${what}: unsupported int encoding ${(data >>> 24) & 0xf}`);
        types.push({ kind, name, size: sizeOrType, encoding, bitOffset: (data >>> 16) & 0xff, bits: data & 0xff });
        break;
      }
      case 'ptr':
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
        types.push({ kind, name, type: sizeOrType });
        break;
      case 'type_tag':
        types.push({ kind, name, type: sizeOrType, attribute: kflag });
        break;
      case 'array': {
        if (sizeOrType !== 0) throw new SyntaxError(`${what}: size/type field must be 0, is ${sizeOrType}`);
        need(12, 'struct btf_array');
        types.push({
          kind,
          name,
          type: view.getUint32(at, le),
          indexType: view.getUint32(at + 4, le),
          nelems: view.getUint32(at + 8, le),
        });
        at += 12;
        break;
      }
      case 'struct':
      case 'union': {
        const members = items(12).map((o, i) => {
          const offset = view.getUint32(o + 8, le);
          return {
            name: str(view.getUint32(o, le), `member ${i} name`),
            type: view.getUint32(o + 4, le),
            bitOffset: kflag ? offset & 0xffffff : offset,
            bitfieldSize: kflag ? offset >>> 24 : 0,
          };
        });
        types.push({ kind, name, size: sizeOrType, kindFlag: kflag, members });
        break;
      }
      case 'enum': {
        const values = items(8).map((o, i) => ({
          name: str(view.getUint32(o, le), `enumerator ${i} name`),
          value: kflag ? view.getInt32(o + 4, le) : view.getUint32(o + 4, le),
        }));
        types.push({ kind, name, size: sizeOrType, signed: kflag, values });
        break;
      }
      case 'enum64': {
        const values = items(12).map((o, i) => {
          const raw = (BigInt(view.getUint32(o + 8, le)) << 32n) | BigInt(view.getUint32(o + 4, le));
          return { name: str(view.getUint32(o, le), `enumerator ${i} name`), value: kflag ? BigInt.asIntN(64, raw) : raw };
        });
        types.push({ kind, name, size: sizeOrType, signed: kflag, values });
        break;
      }
      case 'fwd':
        if (sizeOrType !== 0) throw new SyntaxError(`${what}: size/type field must be 0, is ${sizeOrType}`);
        types.push({ kind, name, fwdKind: kflag ? 'union' : 'struct' });
        break;
      case 'func': {
        const linkage = FUNC_LINKAGES[vlen];
        if (linkage === undefined) throw new SyntaxError(`${what}: unknown linkage ${vlen}`);
        types.push({ kind, name, type: sizeOrType, linkage });
        break;
      }
      case 'func_proto': {
        const params = items(8).map((o, i) => ({
          name: str(view.getUint32(o, le), `parameter ${i} name`),
          type: view.getUint32(o + 4, le),
        }));
        types.push({ kind, name, returnType: sizeOrType, params });
        break;
      }
      case 'var': {
        need(4, 'struct btf_var');
        const l = view.getUint32(at, le);
        at += 4;
        const linkage = VAR_LINKAGES[l];
        if (linkage === undefined) throw new SyntaxError(`${what}: unknown linkage ${l}`);
        types.push({ kind, name, type: sizeOrType, linkage });
        break;
      }
      case 'datasec': {
        const vars = items(12).map((o) => ({
          type: view.getUint32(o, le),
          offset: view.getUint32(o + 4, le),
          size: view.getUint32(o + 8, le),
        }));
        types.push({ kind, name, size: sizeOrType, vars });
        break;
      }
      case 'float':
        types.push({ kind, name, size: sizeOrType });
        break;
      case 'decl_tag': {
        need(4, 'struct btf_decl_tag');
        types.push({ kind, name, type: sizeOrType, componentIdx: view.getInt32(at, le), attribute: kflag });
        at += 4;
        break;
      }
    }
  }

  // References are checked once every type is known (types may refer forward).
  types.forEach((t, i) => {
    for (const ref of btfTypeReferences(t)) {
      if (ref > types.length) {
        throw new RangeError(
          `.BTF: type ${i + 1} at byte ${hex(typeOffsets[i] ?? 0)} (${t.kind.toUpperCase()}): ` +
            `refers to type ${ref}, past the last type ${types.length}`,
        );
      }
    }
  });

  return new Btf(types, strings, order);
}
