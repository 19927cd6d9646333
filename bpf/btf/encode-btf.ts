// encodeBtf: Btf -> the bytes of a `.BTF` section, in the canonical layout clang and libbpf write:
//
//   +------------------+------------------------+--------------------------+
//   | btf_header (24)  | types (type_off = 0)   | strings (str_off = type_len) |
//   +------------------+------------------------+--------------------------+
//
// (layouts of the header and kind data: see parse-btf.ts). The string section is the Btf's string table
// verbatim, followed by any type names it lacks, so for clang output encodeBtf(parseBtf(x)) is byte-identical.
import type { Btf } from './btf.ts';
import { BTF_KIND_NUMBER, btfTypeReferences, type BtfType } from './btf-type.ts';
import { BTF_HEADER_SIZE, BTF_MAGIC, BTF_VERSION } from './parse-btf.ts';
import type { BtfStringTable } from './string-table.ts';

const INT_ENCODING_BITS = { none: 0, signed: 1, char: 2, bool: 4 } as const;
const LINKAGE_NUMBER = { static: 0, global: 1, extern: 2 } as const;

/** Bytes of kind data following the 12-byte struct btf_type. */
function extraSize(t: BtfType): number {
  switch (t.kind) {
    case 'int':
    case 'var':
    case 'decl_tag':
      return 4;
    case 'array':
      return 12;
    case 'struct':
    case 'union':
      return 12 * t.members.length;
    case 'enum':
      return 8 * t.values.length;
    case 'enum64':
      return 12 * t.values.length;
    case 'func_proto':
      return 8 * t.params.length;
    case 'datasec':
      return 12 * t.vars.length;
    default:
      return 0;
  }
}

/** Every string a type's encoding refers to: its name, then member/enumerator/parameter names. */
function typeStrings(t: BtfType): string[] {
  switch (t.kind) {
    case 'struct':
    case 'union':
      return [t.name, ...t.members.map((m) => m.name)];
    case 'enum':
    case 'enum64':
      return [t.name, ...t.values.map((v) => v.name)];
    case 'func_proto':
      return [t.name, ...t.params.map((p) => p.name)];
    default:
      return [t.name];
  }
}

/**
 * Adds every name used by `btf`'s types to `strings` (in type order), so an encoding with this table
 * needs no further additions. encodeBtfAndExt uses it to build one table shared with .BTF.ext.
 */
export function internBtfStrings(btf: { readonly types: readonly BtfType[] }, strings: BtfStringTable): void {
  for (const t of btf.types) for (const s of typeStrings(t)) strings.add(s);
}

/**
 * Encodes `btf`. The string section is `strings` when given (names missing from it are added to it), else a
 * copy of `btf.strings` plus missing names; `btf` itself is never modified. Validates every field's range and
 * every type reference; errors name the type id.
 */
export function encodeBtf(btf: Btf, strings?: BtfStringTable): Uint8Array {
  const table = strings ?? btf.strings.clone();
  internBtfStrings(btf, table);
  const le = btf.byteOrder === 'little';
  let typeLen = 0;
  for (const t of btf.types) typeLen += 12 + extraSize(t);
  const strBytes = table.bytes();
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + strBytes.length);
  const view = new DataView(out.buffer);

  view.setUint16(0, BTF_MAGIC, le);
  view.setUint8(2, BTF_VERSION);
  view.setUint8(3, 0);
  view.setUint32(4, BTF_HEADER_SIZE, le);
  view.setUint32(8, 0, le);
  view.setUint32(12, typeLen, le);
  view.setUint32(16, typeLen, le);
  view.setUint32(20, strBytes.length, le);
  out.set(strBytes, BTF_HEADER_SIZE + typeLen);

  let at = BTF_HEADER_SIZE;
  btf.types.forEach((t, i) => {
    const id = i + 1;
    const where = `encodeBtf: type ${id} (${t.kind.toUpperCase()}${t.name === '' ? '' : ` '${t.name}'`})`;
    const u32 = (value: number, what: string) => {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new RangeError(`${where}: ${what} ${value} is not a u32`);
      }
      view.setUint32(at, value, le);
      at += 4;
    };
    const i32 = (value: number, what: string) => {
      if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
        throw new RangeError(`${where}: ${what} ${value} is not an s32`);
      }
      view.setInt32(at, value, le);
      at += 4;
    };
    const name = (s: string) => table.offsetOf(s) as number; // interned above
    const ref = (value: number, what: string) => {
      if (!Number.isInteger(value) || value < 0 || value > btf.types.length) {
        throw new RangeError(`${where}: ${what} refers to type ${value}, past the last type ${btf.types.length}`);
      }
      u32(value, what);
    };
    for (const r of btfTypeReferences(t)) {
      if (!Number.isInteger(r) || r < 0 || r > btf.types.length) {
        throw new RangeError(`${where}: refers to type ${r}, past the last type ${btf.types.length}`);
      }
    }

    let vlen = 0;
    let kflag = false;
    let sizeOrType = 0;
    switch (t.kind) {
      case 'struct':
      case 'union':
        vlen = t.members.length;
        kflag = t.kindFlag;
        sizeOrType = t.size;
        break;
      case 'enum':
      case 'enum64':
        vlen = t.values.length;
        kflag = t.signed;
        sizeOrType = t.size;
        break;
      case 'func_proto':
        vlen = t.params.length;
        sizeOrType = t.returnType;
        break;
      case 'datasec':
        vlen = t.vars.length;
        sizeOrType = t.size;
        break;
      case 'func':
        vlen = LINKAGE_NUMBER[t.linkage];
        sizeOrType = t.type;
        break;
      case 'fwd':
        kflag = t.fwdKind === 'union';
        break;
      case 'decl_tag':
      case 'type_tag':
        kflag = t.attribute;
        sizeOrType = t.type;
        break;
      case 'int':
      case 'float':
        sizeOrType = t.size;
        break;
      case 'array':
        break;
      default:
        sizeOrType = t.type;
    }
    if ((vlen as number | undefined) === undefined) throw new RangeError(`${where}: unknown linkage`);
    if (vlen > 0xffff) throw new RangeError(`${where}: ${vlen} entries exceed the vlen limit of 65535`);
    const kindNo = BTF_KIND_NUMBER[t.kind] as number | undefined;
    if (kindNo === undefined) throw new TypeError(`${where}: unknown kind`);
    u32(name(t.name), 'name offset');
    u32((((kflag ? 1 : 0) << 31) | (kindNo << 24) | vlen) >>> 0, 'info');
    u32(sizeOrType, t.kind === 'func_proto' ? 'return type' : 'size/type');

    switch (t.kind) {
      case 'int': {
        const enc = INT_ENCODING_BITS[t.encoding];
        if (enc === undefined) throw new RangeError(`${where}: unknown encoding ${String(t.encoding)}`);
        if (!(t.bitOffset >= 0 && t.bitOffset <= 0xff && t.bits >= 0 && t.bits <= 0xff)) {
          throw new RangeError(`${where}: bit offset ${t.bitOffset} / bits ${t.bits} do not fit in 8 bits`);
        }
        u32(((enc << 24) | (t.bitOffset << 16) | t.bits) >>> 0, 'int data');
        break;
      }
      case 'array':
        ref(t.type, 'element type');
        ref(t.indexType, 'index type');
        u32(t.nelems, 'nelems');
        break;
      case 'struct':
      case 'union':
        t.members.forEach((m, j) => {
          u32(name(m.name), `member ${j} name offset`);
          ref(m.type, `member ${j}`);
          if (t.kindFlag) {
            if (!(m.bitOffset >= 0 && m.bitOffset <= 0xffffff && m.bitfieldSize >= 0 && m.bitfieldSize <= 0xff)) {
              throw new RangeError(
                `${where}: member ${j} bit offset ${m.bitOffset} / bitfield size ${m.bitfieldSize} do not fit 24/8 bits`,
              );
            }
            u32(((m.bitfieldSize << 24) | m.bitOffset) >>> 0, `member ${j} offset`);
          } else {
            if (m.bitfieldSize !== 0) {
              throw new RangeError(`${where}: member ${j} has bitfield size ${m.bitfieldSize} but kindFlag is false`);
            }
            u32(m.bitOffset, `member ${j} bit offset`);
          }
        });
        break;
      case 'enum':
        t.values.forEach((v, j) => {
          u32(name(v.name), `enumerator ${j} name offset`);
          if (t.signed) i32(v.value, `enumerator ${j} value`);
          else u32(v.value, `enumerator ${j} value`);
        });
        break;
      case 'enum64':
        t.values.forEach((v, j) => {
          u32(name(v.name), `enumerator ${j} name offset`);
          const ok = t.signed ? BigInt.asIntN(64, v.value) === v.value : BigInt.asUintN(64, v.value) === v.value;
          if (!ok) throw new RangeError(`${where}: enumerator ${j} value ${v.value} does not fit 64 bits`);
          const raw = BigInt.asUintN(64, v.value);
          u32(Number(raw & 0xffffffffn), `enumerator ${j} low word`);
          u32(Number(raw >> 32n), `enumerator ${j} high word`);
        });
        break;
      case 'func_proto':
        t.params.forEach((p, j) => {
          u32(name(p.name), `parameter ${j} name offset`);
          ref(p.type, `parameter ${j}`);
        });
        break;
      case 'var':
        u32(LINKAGE_NUMBER[t.linkage], 'linkage');
        break;
      case 'datasec':
        t.vars.forEach((v, j) => {
          ref(v.type, `variable ${j}`);
          u32(v.offset, `variable ${j} offset`);
          u32(v.size, `variable ${j} size`);
        });
        break;
      case 'decl_tag':
        i32(t.componentIdx, 'component index');
        break;
      default:
        break;
    }
  });
  return out;
}
