// encodeBtfExt: BtfExt -> the bytes of a `.BTF.ext` section, in clang's layout: the 32-byte header, then
// func_info, line_info and core_relo subsections back to back (offsets 0, func_len, func_len + line_len;
// an empty subsection has length 0 and no record-size word). Layouts: see parse-btf-ext.ts.
//
// Strings are looked up, never added, in the .BTF string table the caller passes: adding a string after
// .BTF was encoded would leave the two sections inconsistent. Intern them first with internBtfExtStrings,
// or use encodeBtfAndExt, which does both in the right order.
import { Btf } from './btf.ts';
import {
  BTF_CORE_RELO_KINDS,
  BTF_EXT_RECORD_SIZE,
  type BtfExt,
  type BtfExtInfo,
} from './btf-ext.ts';
import { encodeBtf, internBtfStrings } from './encode-btf.ts';
import { BTF_MAGIC, BTF_VERSION } from './parse-btf.ts';
import { BTF_EXT_HEADER_SIZE } from './parse-btf-ext.ts';
import type { BtfStringTable } from './string-table.ts';

/** Every string `ext` refers to, in encoding order. */
function extStrings(ext: BtfExt): string[] {
  const out: string[] = [];
  for (const s of ext.funcInfo.sections) out.push(s.section);
  for (const s of ext.lineInfo.sections) {
    out.push(s.section);
    for (const r of s.records) out.push(r.fileName, r.lineText);
  }
  for (const s of ext.coreRelos.sections) {
    out.push(s.section);
    for (const r of s.records) out.push(r.accessStr);
  }
  return out;
}

/** Adds every string `ext` refers to (section and file names, line texts, access strings) to `strings`. */
export function internBtfExtStrings(ext: BtfExt, strings: BtfStringTable): void {
  for (const s of extStrings(ext)) strings.add(s);
}

/**
 * Encodes `ext`. String offsets come from `strings` (or `strings.strings` for a Btf), which must already hold
 * every string; RangeError naming the missing string otherwise.
 */
export function encodeBtfExt(ext: BtfExt, strings: BtfStringTable | Btf): Uint8Array {
  const table = strings instanceof Btf ? strings.strings : strings;
  const le = ext.byteOrder === 'little';
  const subsections = [
    { name: 'func_info', info: ext.funcInfo as BtfExtInfo<unknown>, min: BTF_EXT_RECORD_SIZE.funcInfo },
    { name: 'line_info', info: ext.lineInfo as BtfExtInfo<unknown>, min: BTF_EXT_RECORD_SIZE.lineInfo },
    { name: 'core_relo', info: ext.coreRelos as BtfExtInfo<unknown>, min: BTF_EXT_RECORD_SIZE.coreRelos },
  ];
  const lengths = subsections.map(({ name, info, min }) => {
    if (info.sections.length === 0) return 0;
    if (!Number.isInteger(info.recordSize) || info.recordSize < min || info.recordSize % 4 !== 0) {
      throw new RangeError(`encodeBtfExt: ${name} record size ${info.recordSize} is invalid (minimum ${min}, multiple of 4)`);
    }
    let len = 4;
    for (const s of info.sections) len += 8 + s.records.length * info.recordSize;
    return len;
  });
  const total = lengths.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(BTF_EXT_HEADER_SIZE + total);
  const view = new DataView(out.buffer);
  view.setUint16(0, BTF_MAGIC, le);
  view.setUint8(2, BTF_VERSION);
  view.setUint8(3, 0);
  view.setUint32(4, BTF_EXT_HEADER_SIZE, le);
  let off = 0;
  lengths.forEach((len, i) => {
    view.setUint32(8 + i * 8, off, le);
    view.setUint32(12 + i * 8, len, le);
    off += len;
  });

  let at = BTF_EXT_HEADER_SIZE;
  const u32 = (value: number, where: string, what: string) => {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`${where}: ${what} ${value} is not a u32`);
    }
    view.setUint32(at, value, le);
    at += 4;
  };
  const str = (s: string, where: string, what: string) => {
    const o = table.offsetOf(s);
    if (o === undefined) {
      throw new RangeError(`${where}: ${what} ${JSON.stringify(s)} is not in the .BTF string table (intern it first)`);
    }
    u32(o, where, `${what} offset`);
  };
  const insnOff = (index: number, where: string) => {
    if (!Number.isInteger(index) || index < 0 || index * 8 > 0xffffffff) {
      throw new RangeError(`${where}: instruction index ${index} is out of range`);
    }
    u32(index * 8, where, 'insn_off');
  };

  const writeInfo = <R>(name: string, info: BtfExtInfo<R>, write: (r: R, where: string) => void) => {
    if (info.sections.length === 0) return;
    u32(info.recordSize, `encodeBtfExt: ${name}`, 'record size');
    for (const s of info.sections) {
      const secWhere = `encodeBtfExt: ${name} section ${s.section}`;
      str(s.section, secWhere, 'section name');
      u32(s.records.length, secWhere, 'record count');
      s.records.forEach((r, i) => {
        const next = at + info.recordSize; // bytes beyond the known record stay zero
        write(r, `${secWhere} record ${i}`);
        at = next;
      });
    }
  };
  writeInfo('func_info', ext.funcInfo, (r, where) => {
    insnOff(r.insnIndex, where);
    u32(r.typeId, where, 'type id');
  });
  writeInfo('line_info', ext.lineInfo, (r, where) => {
    insnOff(r.insnIndex, where);
    str(r.fileName, where, 'file name');
    str(r.lineText, where, 'line text');
    if (!Number.isInteger(r.line) || r.line < 0 || r.line >= 1 << 22) {
      throw new RangeError(`${where}: line ${r.line} does not fit 22 bits`);
    }
    if (!Number.isInteger(r.column) || r.column < 0 || r.column >= 1 << 10) {
      throw new RangeError(`${where}: column ${r.column} does not fit 10 bits`);
    }
    u32(((r.line << 10) | r.column) >>> 0, where, 'line_col');
  });
  writeInfo('core_relo', ext.coreRelos, (r, where) => {
    insnOff(r.insnIndex, where);
    u32(r.typeId, where, 'type id');
    str(r.accessStr, where, 'access string');
    const kind = BTF_CORE_RELO_KINDS.indexOf(r.kind);
    if (kind < 0) throw new RangeError(`${where}: unknown CO-RE relocation kind ${String(r.kind)}`);
    u32(kind, where, 'kind');
  });
  return out;
}

/**
 * Encodes a .BTF and its .BTF.ext with one shared string table: a copy of `btf.strings`, plus the type
 * names and the .BTF.ext strings it lacks. For parsed input nothing is added and both outputs match the
 * originals; neither `btf` nor `ext` is modified.
 */
export function encodeBtfAndExt(btf: Btf, ext: BtfExt): { btf: Uint8Array; btfExt: Uint8Array } {
  const strings = btf.strings.clone();
  internBtfStrings(btf, strings);
  internBtfExtStrings(ext, strings);
  return { btf: encodeBtf(btf, strings), btfExt: encodeBtfExt(ext, strings) };
}
