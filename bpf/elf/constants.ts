// ELF constants used by the reader and writer (gABI, <elf.h>), and names for them.
//
// Only what a relocatable BPF object needs, plus the usual values a generic reader meets in the wild.

/** e_ident[EI_MAG0..EI_MAG3]: 0x7f 'E' 'L' 'F'. */
export const ELF_MAGIC: readonly number[] = [0x7f, 0x45, 0x4c, 0x46];

// e_ident indexes and values.
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_ABIVERSION = 8;
export const EI_NIDENT = 16;

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;

// e_type.
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

/** e_machine of BPF objects. */
export const EM_BPF = 247;

// Special section indexes (st_shndx, e_shstrndx).
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
export const SHN_HIRESERVE = 0xffff;

// sh_type.
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_LLVM_ADDRSIG = 0x6fff4c03;
export const SHT_LLVM_CALL_GRAPH_PROFILE = 0x6fff4c09;
export const SHT_GNU_HASH = 0x6ffffff6;
export const SHT_GNU_VERDEF = 0x6ffffffd;
export const SHT_GNU_VERNEED = 0x6ffffffe;
export const SHT_GNU_VERSYM = 0x6fffffff;

// sh_flags.
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;
export const SHF_INFO_LINK = 0x40;
export const SHF_LINK_ORDER = 0x80;
export const SHF_GROUP = 0x200;
export const SHF_TLS = 0x400;
export const SHF_COMPRESSED = 0x800;
export const SHF_EXCLUDE = 0x80000000;

// Symbol binding (st_info >> 4).
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

// Symbol type (st_info & 0xf).
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;

// Symbol visibility (st_other & 0x3).
export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;

const SECTION_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [SHT_NULL, 'SHT_NULL'],
  [SHT_PROGBITS, 'SHT_PROGBITS'],
  [SHT_SYMTAB, 'SHT_SYMTAB'],
  [SHT_STRTAB, 'SHT_STRTAB'],
  [SHT_RELA, 'SHT_RELA'],
  [SHT_HASH, 'SHT_HASH'],
  [SHT_DYNAMIC, 'SHT_DYNAMIC'],
  [SHT_NOTE, 'SHT_NOTE'],
  [SHT_NOBITS, 'SHT_NOBITS'],
  [SHT_REL, 'SHT_REL'],
  [SHT_DYNSYM, 'SHT_DYNSYM'],
  [SHT_INIT_ARRAY, 'SHT_INIT_ARRAY'],
  [SHT_FINI_ARRAY, 'SHT_FINI_ARRAY'],
  [SHT_GROUP, 'SHT_GROUP'],
  [SHT_SYMTAB_SHNDX, 'SHT_SYMTAB_SHNDX'],
  [SHT_LLVM_ADDRSIG, 'SHT_LLVM_ADDRSIG'],
  [SHT_LLVM_CALL_GRAPH_PROFILE, 'SHT_LLVM_CALL_GRAPH_PROFILE'],
  [SHT_GNU_HASH, 'SHT_GNU_HASH'],
  [SHT_GNU_VERDEF, 'SHT_GNU_verdef'],
  [SHT_GNU_VERNEED, 'SHT_GNU_verneed'],
  [SHT_GNU_VERSYM, 'SHT_GNU_versym'],
]);

const FILE_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [ET_NONE, 'ET_NONE'],
  [ET_REL, 'ET_REL'],
  [ET_EXEC, 'ET_EXEC'],
  [ET_DYN, 'ET_DYN'],
  [ET_CORE, 'ET_CORE'],
]);

const BIND_NAMES: readonly string[] = ['STB_LOCAL', 'STB_GLOBAL', 'STB_WEAK'];
const SYMBOL_TYPE_NAMES: readonly string[] = [
  'STT_NOTYPE',
  'STT_OBJECT',
  'STT_FUNC',
  'STT_SECTION',
  'STT_FILE',
  'STT_COMMON',
  'STT_TLS',
];
const VISIBILITY_NAMES: readonly string[] = ['STV_DEFAULT', 'STV_INTERNAL', 'STV_HIDDEN', 'STV_PROTECTED'];

const hexName = (n: number): string => `0x${n.toString(16)}`;

/** `SHT_PROGBITS`, or the value in hex when it has no name here. */
export const sectionTypeName = (type: number): string => SECTION_TYPE_NAMES.get(type) ?? hexName(type);
/** `ET_REL`, or the value in hex. */
export const fileTypeName = (type: number): string => FILE_TYPE_NAMES.get(type) ?? hexName(type);
/** `STB_GLOBAL`, or the value in hex. */
export const symbolBindName = (bind: number): string => BIND_NAMES[bind] ?? hexName(bind);
/** `STT_FUNC`, or the value in hex. */
export const symbolTypeName = (type: number): string => SYMBOL_TYPE_NAMES[type] ?? hexName(type);
/** `STV_HIDDEN`, or the value in hex. */
export const symbolVisibilityName = (visibility: number): string =>
  VISIBILITY_NAMES[visibility] ?? hexName(visibility);
