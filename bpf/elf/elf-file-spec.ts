// ElfFileSpec: the plain-data description of a relocatable object that writeElf() lays out and
// toElfSpec() extracts from an ElfFile. No file offsets, no string table offsets: two specs of the
// same object compare equal with a structural equality.
//
// Section numbering of the file writeElf() produces, which numeric references in a spec use:
//
//   0            SHT_NULL
//   1 .. n       spec.sections, in order
//   n+1 .. n+m   one SHT_REL / SHT_RELA section per spec.relocations entry, in order
//   n+m+1        .symtab
//   n+m+2        .strtab      (symbol names)
//   n+m+3        .shstrtab    (section names)
//   n+m+4        .symtab_shndx, only when a symbol's section index is SHN_LORESERVE (0xff00) or more
//
// A section reference is either a number (the header index in that numbering, or a reserved
// SHN_* value for a symbol's section) or a string: the name of exactly one section of the output,
// including the generated '.symtab', '.strtab', '.shstrtab', '.symtab_shndx' and relocation sections.

/** A section header index in the output numbering above, or the name of exactly one output section. */
export type ElfSectionRef = number | string;

export interface ElfSectionSpec {
  readonly name: string;
  /** sh_type. SHT_SYMTAB and SHT_SYMTAB_SHNDX are generated from `symbols`: not allowed here. */
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  /**
   * sh_link: a section reference. toElfSpec() gives a name (or the output index when names repeat)
   * where the section type says sh_link is a section index, the literal number otherwise.
   */
  readonly link: ElfSectionRef;
  /** sh_info: a section reference where SHF_INFO_LINK is set, else the literal number. */
  readonly info: ElfSectionRef;
  readonly addralign: number;
  readonly entsize: number;
  /** Contents; empty for SHT_NOBITS. */
  readonly data: Uint8Array;
  /** sh_size of an SHT_NOBITS section (other sections take data.length; give it only for SHT_NOBITS). */
  readonly size?: number;
}

export interface ElfSymbolSpec {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STB_LOCAL, STB_GLOBAL, STB_WEAK, ... (0..15). */
  readonly bind: number;
  /** STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE, ... (0..15). */
  readonly type: number;
  /** st_other as stored; its low 2 bits are the visibility (STV_*). */
  readonly other: number;
  /**
   * The defining section (a reference), or SHN_UNDEF (0), SHN_ABS, SHN_COMMON or another reserved
   * value. A section whose output index is SHN_LORESERVE or more must be referenced by name.
   */
  readonly section: ElfSectionRef;
}

export interface ElfRelocationSpec {
  /** r_offset in the target section. */
  readonly offset: number;
  /** Index into the spec's `symbols` (0 is the null symbol). */
  readonly symbol: number;
  /** R_BPF_* for BPF. */
  readonly type: number;
  /** r_addend; must be 0 unless the list is `rela`. */
  readonly addend: number;
}

export interface ElfRelocationsSpec {
  /** The relocation section's name: '.rel' + the target's name by convention. */
  readonly name: string;
  /** The section the entries apply to: a reference to one of spec.sections. */
  readonly target: ElfSectionRef;
  /** SHT_RELA (Elf64_Rela entries) rather than SHT_REL. */
  readonly rela: boolean;
  /** sh_flags of the relocation section (LLVM sets SHF_INFO_LINK). */
  readonly flags: number;
  /** Entries in the order they are written. */
  readonly entries: readonly ElfRelocationSpec[];
}

export interface ElfFileSpec {
  /** e_type; ET_REL when omitted. */
  readonly type?: number;
  /** e_flags; 0 when omitted. */
  readonly flags?: number;
  /** e_ident[EI_OSABI]; 0 when omitted. */
  readonly osabi?: number;
  /** e_ident[EI_ABIVERSION]; 0 when omitted. */
  readonly abiVersion?: number;
  /** e_entry; 0 when omitted. */
  readonly entry?: number;
  /** Sections other than the null section, the symbol/string tables and relocation sections. */
  readonly sections: readonly ElfSectionSpec[];
  /**
   * The symbol table, by index; element 0 must be the null symbol (an empty list means just that).
   * writeElf() writes locals first (stable), renumbering relocation symbol indexes to match.
   */
  readonly symbols: readonly ElfSymbolSpec[];
  /** One entry per relocation section. */
  readonly relocations: readonly ElfRelocationsSpec[];
}

/** The null symbol, element 0 of ElfFileSpec.symbols. */
export const NULL_SYMBOL: ElfSymbolSpec = Object.freeze({
  name: '',
  value: 0,
  size: 0,
  bind: 0,
  type: 0,
  other: 0,
  section: 0,
});
