// The BTF.ext model: per-ELF-section function info, line info and CO-RE relocations for the instructions of
// a BPF object (struct btf_ext_header and friends, tools/lib/bpf/libbpf_internal.h and include/uapi/linux/bpf.h).
//
// Instruction positions: on disk, `insn_off` is a byte offset into the ELF section; in this model it is
// `insnIndex`, the 8-byte instruction slot index (insn_off / 8, the kernel's and llvm-objdump's numbering;
// an ld_imm64 occupies two slots). Encoding multiplies by 8 again.
//
// Strings (section names, file names, line texts, CO-RE access strings) are resolved through the .BTF string
// table; encoding looks them up in it again (see encodeBtfExt / encodeBtfAndExt).
import type { ByteOrder } from './btf.ts';

/** enum bpf_core_relo_kind, in order: the index of a name is its on-disk number. */
export const BTF_CORE_RELO_KINDS = [
  'field_byte_offset',
  'field_byte_size',
  'field_exists',
  'field_signed',
  'field_lshift_u64',
  'field_rshift_u64',
  'type_id_local',
  'type_id_target',
  'type_exists',
  'type_size',
  'enumval_exists',
  'enumval_value',
  'type_matches',
] as const;

export type BtfCoreReloKind = (typeof BTF_CORE_RELO_KINDS)[number];

/** struct bpf_func_info: the FUNC type (`typeId`) of the function starting at instruction `insnIndex`. */
export interface BtfFuncInfo {
  insnIndex: number;
  typeId: number;
}

/**
 * struct bpf_line_info: instruction `insnIndex` comes from `fileName`:`line`:`column`, whose source text is
 * `lineText`. On disk line_col = line << 10 | column (column < 1024, line < 2^22).
 */
export interface BtfLineInfo {
  insnIndex: number;
  fileName: string;
  lineText: string;
  line: number;
  column: number;
}

/**
 * struct bpf_core_relo: the instruction at `insnIndex` needs relocating against local type `typeId` along
 * the access path `accessStr` (e.g. "0:1:2"; for enumval kinds the enumerator index).
 */
export interface BtfCoreRelo {
  insnIndex: number;
  typeId: number;
  accessStr: string;
  kind: BtfCoreReloKind;
}

/** The records for one ELF section (struct btf_ext_info_sec: sec_name_off, num_info, data). */
export interface BtfExtSection<R> {
  section: string;
  records: R[];
}

/**
 * One .BTF.ext subsection: a record size (the first u32) and per-section records. `recordSize` may exceed
 * the known record (forward compatibility): the extra bytes are ignored when parsing and written as zeros.
 */
export interface BtfExtInfo<R> {
  recordSize: number;
  sections: BtfExtSection<R>[];
}

export interface BtfExt {
  byteOrder: ByteOrder;
  funcInfo: BtfExtInfo<BtfFuncInfo>;
  lineInfo: BtfExtInfo<BtfLineInfo>;
  /** Empty when the header is the short (24-byte) form without core_relo_off/len. */
  coreRelos: BtfExtInfo<BtfCoreRelo>;
}

/** Minimum (and clang's) record sizes: bpf_func_info 8, bpf_line_info 16, bpf_core_relo 16. */
export const BTF_EXT_RECORD_SIZE = { funcInfo: 8, lineInfo: 16, coreRelos: 16 } as const;

/** An empty BtfExt with the standard record sizes, to fill in. */
export function emptyBtfExt(byteOrder: ByteOrder = 'little'): BtfExt {
  return {
    byteOrder,
    funcInfo: { recordSize: BTF_EXT_RECORD_SIZE.funcInfo, sections: [] },
    lineInfo: { recordSize: BTF_EXT_RECORD_SIZE.lineInfo, sections: [] },
    coreRelos: { recordSize: BTF_EXT_RECORD_SIZE.coreRelos, sections: [] },
  };
}
