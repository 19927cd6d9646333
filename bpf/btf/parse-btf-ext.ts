// parseBtfExt: the bytes of a `.BTF.ext` section (plus the object's parsed .BTF, for strings) -> BtfExt.
//
//   struct btf_ext_header {       0       2    3     4         8             12            16            20
//     __u16 magic;   0xeB9F       +-------+----+-----+---------+-------------+-------------+-------------+------
//     __u8  version; 1            | magic |ver |flags| hdr_len |func_info_off|func_info_len|line_info_off| ...
//     __u8  flags;   0            +-------+----+-----+---------+-------------+-------------+-------------+------
//     __u32 hdr_len;              20: line_info_len, 24: core_relo_off, 28: core_relo_len (absent if hdr_len 24)
//     __u32 func_info_off, func_info_len;
//     __u32 line_info_off, line_info_len;      offsets are relative to the end of the header
//     __u32 core_relo_off, core_relo_len;
//   };
//
// Each subsection:
//   +-------------+--------------------------------------------------------------+-----
//   | rec_size u32| sec_name_off u32 | num_info u32 | num_info x rec_size records | next section ...
//   +-------------+--------------------------------------------------------------+-----
// Records: bpf_func_info { insn_off, type_id }                        (8 bytes)
//          bpf_line_info { insn_off, file_name_off, line_off, line_col } (16 bytes)
//          bpf_core_relo { insn_off, type_id, access_str_off, kind }   (16 bytes)
// insn_off is in bytes; the model holds insn_off / 8 (see btf-ext.ts).
import type { Btf } from './btf.ts';
import {
  BTF_CORE_RELO_KINDS,
  BTF_EXT_RECORD_SIZE,
  type BtfCoreRelo,
  type BtfExt,
  type BtfExtInfo,
  type BtfFuncInfo,
  type BtfLineInfo,
} from './btf-ext.ts';
import { BTF_VERSION, byteOrderOfMagic } from './parse-btf.ts';

/** Header size without, and with, the CO-RE relocation fields. */
export const BTF_EXT_HEADER_SIZE_V1 = 24;
export const BTF_EXT_HEADER_SIZE = 32;

const hex = (n: number) => `0x${n.toString(16)}`;

interface RecordReader {
  view: DataView;
  le: boolean;
  /** Byte offset of the record within .BTF.ext. */
  at: number;
  /** Error-message prefix naming the record. */
  where: string;
  str(off: number, what: string): string;
  typeId(id: number): number;
  insnIndex(off: number): number;
}

/** Parses `.BTF.ext`; `btf` is the same object's .BTF (strings and type count). */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new RangeError(`.BTF.ext: ${bytes.length} bytes is too short for a header`);
  const order = byteOrderOfMagic(view);
  if (order === undefined) throw new SyntaxError(`.BTF.ext: bad magic ${hex(view.getUint16(0, true))}, expected 0xeb9f`);
  const le = order === 'little';
  const version = view.getUint8(2);
  if (version !== BTF_VERSION) throw new SyntaxError(`.BTF.ext: unsupported version ${version}`);
  const flags = view.getUint8(3);
  if (flags !== 0) throw new SyntaxError(`.BTF.ext: unsupported header flags ${hex(flags)}`);
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < BTF_EXT_HEADER_SIZE_V1) {
    throw new RangeError(`.BTF.ext: header length ${hdrLen} is below ${BTF_EXT_HEADER_SIZE_V1}`);
  }
  if (hdrLen > bytes.length) {
    throw new RangeError(`.BTF.ext: header length ${hdrLen} exceeds the section (${bytes.length} bytes)`);
  }

  const strings = btf.strings;
  const maxId = btf.types.length;
  const subsection = <R>(
    name: string,
    fieldAt: number,
    minRecord: number,
    decode: (r: RecordReader) => R,
  ): BtfExtInfo<R> => {
    const info: BtfExtInfo<R> = { recordSize: minRecord, sections: [] };
    if (fieldAt + 8 > hdrLen) return info; // short header: subsection absent
    const off = view.getUint32(fieldAt, le);
    const len = view.getUint32(fieldAt + 4, le);
    if (len === 0) return info;
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length) {
      throw new RangeError(
        `.BTF.ext: ${name} ${off}+${len} exceeds the ${bytes.length - hdrLen} bytes after the header`,
      );
    }
    if (off % 4 !== 0) throw new RangeError(`.BTF.ext: ${name} offset ${off} is not 4-byte aligned`);
    if (len < 4) throw new RangeError(`.BTF.ext: ${name} length ${len} is too short for the record size`);
    const recordSize = view.getUint32(start, le);
    if (recordSize < minRecord || recordSize % 4 !== 0) {
      throw new SyntaxError(`.BTF.ext: ${name} record size ${recordSize} is invalid (minimum ${minRecord}, multiple of 4)`);
    }
    info.recordSize = recordSize;
    let at = start + 4;
    while (at < end) {
      if (at + 8 > end) {
        throw new RangeError(`.BTF.ext: ${name} section header at byte ${hex(at)} is truncated (ends at ${hex(end)})`);
      }
      const nameOff = view.getUint32(at, le);
      const count = view.getUint32(at + 4, le);
      let section: string;
      try {
        section = strings.at(nameOff);
      } catch (e) {
        throw new RangeError(
          `.BTF.ext: ${name} section at byte ${hex(at)}: name offset ${nameOff} is outside the .BTF string table (${strings.size} bytes)`,
          { cause: e },
        );
      }
      if (at + 8 + count * recordSize > end) {
        throw new RangeError(
          `.BTF.ext: ${name} section ${section} at byte ${hex(at)}: ${count} records of ${recordSize} bytes ` +
            `overrun the subsection end at ${hex(end)}`,
        );
      }
      at += 8;
      const records: R[] = [];
      for (let i = 0; i < count; i++, at += recordSize) {
        const where = `.BTF.ext: ${name} section ${section} record ${i} at byte ${hex(at)}`;
        records.push(
          decode({
            view,
            le,
            at,
            where,
            str(o, what) {
              try {
                return strings.at(o);
              } catch (e) {
                throw new RangeError(
                  `${where}: ${what} offset ${o} is outside the .BTF string table (${strings.size} bytes)`,
                  { cause: e },
                );
              }
            },
            typeId(id) {
              if (id > maxId) throw new RangeError(`${where}: type id ${id} is past the last .BTF type ${maxId}`);
              return id;
            },
            insnIndex(o) {
              if (o % 8 !== 0) throw new RangeError(`${where}: insn_off ${o} is not a multiple of 8`);
              return o / 8;
            },
          }),
        );
      }
      info.sections.push({ section, records });
    }
    return info;
  };

  const funcInfo = subsection<BtfFuncInfo>('func_info', 8, BTF_EXT_RECORD_SIZE.funcInfo, (r) => ({
    insnIndex: r.insnIndex(r.view.getUint32(r.at, r.le)),
    typeId: r.typeId(r.view.getUint32(r.at + 4, r.le)),
  }));
  const lineInfo = subsection<BtfLineInfo>('line_info', 16, BTF_EXT_RECORD_SIZE.lineInfo, (r) => {
    const lineCol = r.view.getUint32(r.at + 12, r.le);
    return {
      insnIndex: r.insnIndex(r.view.getUint32(r.at, r.le)),
      fileName: r.str(r.view.getUint32(r.at + 4, r.le), 'file name'),
      lineText: r.str(r.view.getUint32(r.at + 8, r.le), 'line text'),
      line: lineCol >>> 10,
      column: lineCol & 0x3ff,
    };
  });
  const coreRelos = subsection<BtfCoreRelo>('core_relo', 24, BTF_EXT_RECORD_SIZE.coreRelos, (r) => {
    const kindNo = r.view.getUint32(r.at + 12, r.le);
    const kind = BTF_CORE_RELO_KINDS[kindNo];
    if (kind === undefined) throw new SyntaxError(`${r.where}: unknown CO-RE relocation kind ${kindNo}`);
    return {
      insnIndex: r.insnIndex(r.view.getUint32(r.at, r.le)),
      typeId: r.typeId(r.view.getUint32(r.at + 4, r.le)),
      accessStr: r.str(r.view.getUint32(r.at + 8, r.le), 'access string'),
      kind,
    };
  });
  return { byteOrder: order, funcInfo, lineInfo, coreRelos };
}
