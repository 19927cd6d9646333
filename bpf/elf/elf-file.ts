// The parsed form of an ELF64 object: what readElf() returns. Indexes are the file's own
// (section header index, symbol table index); `data` views alias the bytes given to readElf().
import { ET_REL, STT_SECTION } from './constants.ts';

/** Elf64_Ehdr fields (see layout.ts). */
export interface ElfHeader {
  readonly osabi: number;
  readonly abiVersion: number;
  /** e_type: ET_REL, or ET_EXEC / ET_DYN (accepted, with a warning). */
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly entry: number;
  readonly phoff: number;
  readonly shoff: number;
  /** e_flags. */
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shentsize: number;
  /** The section count, after the e_shnum == 0 escape. */
  readonly shnum: number;
  /** The section name string table index, after the SHN_XINDEX escape (0: none). */
  readonly shstrndx: number;
}

/** One Elf64_Shdr and its contents. */
export interface ElfSection {
  /** Section header index. */
  readonly index: number;
  readonly name: string;
  /** sh_name: offset of the name in the section name string table. */
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  /** sh_size; for SHT_NOBITS it is kept although `data` is empty. */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section's bytes (a view into the file); empty for SHT_NOBITS and SHT_NULL. */
  readonly data: Uint8Array;
}

/** One Elf64_Sym of the SHT_SYMTAB section. */
export interface ElfSymbol {
  /** Symbol table index (0 is the null symbol). */
  readonly index: number;
  /** The name from the linked string table ('' for section symbols: use the section's name). */
  readonly name: string;
  readonly nameOffset: number;
  readonly value: number;
  readonly size: number;
  /** st_info >> 4: STB_LOCAL, STB_GLOBAL, STB_WEAK, ... */
  readonly bind: number;
  /** st_info & 0xf: STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE, ... */
  readonly type: number;
  /** st_other & 3: STV_DEFAULT, STV_HIDDEN, ... */
  readonly visibility: number;
  /** st_other as stored. */
  readonly other: number;
  /** st_shndx as stored: a section index, SHN_UNDEF, SHN_ABS, SHN_COMMON or SHN_XINDEX. */
  readonly shndx: number;
  /**
   * The index of the section that defines the symbol (SHN_XINDEX resolved through SHT_SYMTAB_SHNDX);
   * undefined for SHN_UNDEF, SHN_ABS, SHN_COMMON and other reserved indexes.
   */
  readonly section: number | undefined;
}

/** One Elf64_Rel or Elf64_Rela entry. */
export interface ElfRelocation {
  /** Entry index within its relocation section. */
  readonly index: number;
  /** Header index of the SHT_REL / SHT_RELA section holding the entry. */
  readonly relocationSection: number;
  /** Header index of the section the entry applies to (the relocation section's sh_info). */
  readonly target: number;
  /** r_offset: byte offset in the target section. */
  readonly offset: number;
  /** r_info >> 32: symbol table index. */
  readonly symbol: number;
  /** r_info & 0xffffffff: R_BPF_* for BPF objects. */
  readonly type: number;
  /** r_addend; 0 for SHT_REL. */
  readonly addend: number;
}

/** An SHT_REL / SHT_RELA section, parsed. */
export interface ElfRelocationSection {
  /** Header index of the relocation section. */
  readonly index: number;
  readonly name: string;
  /** Header index of the section it applies to (sh_info). */
  readonly target: number;
  /** Header index of the symbol table (sh_link). */
  readonly symbolTable: number;
  /** SHT_RELA rather than SHT_REL. */
  readonly rela: boolean;
  /** Entries in file order. */
  readonly entries: readonly ElfRelocation[];
}

/** What the reader builds an ElfFile from. */
export interface ElfFileParts {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  readonly symbolTable: number | undefined;
  readonly symbolStringTable: number | undefined;
  readonly symbolIndexTable: number | undefined;
  readonly symbols: readonly ElfSymbol[];
  readonly relocationSections: readonly ElfRelocationSection[];
  readonly warnings: readonly string[];
}

/** A parsed ELF64 BPF object. Build one with readElf(). */
export class ElfFile {
  /** The bytes given to readElf(); section `data` views alias them. */
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  /** All sections by header index, including the null section 0. */
  readonly sections: readonly ElfSection[];
  /** Header index of the SHT_SYMTAB section, if any. */
  readonly symbolTable: number | undefined;
  /** Header index of the symbol table's string table (its sh_link), if any. */
  readonly symbolStringTable: number | undefined;
  /** Header index of the SHT_SYMTAB_SHNDX section, if any. */
  readonly symbolIndexTable: number | undefined;
  /** All symbols by symbol table index, including the null symbol 0 (empty without a symbol table). */
  readonly symbols: readonly ElfSymbol[];
  /** SHT_REL / SHT_RELA sections, in header order. */
  readonly relocationSections: readonly ElfRelocationSection[];
  /** Oddities that do not stop reading: a non-relocatable type, locals after globals, ignored program headers. */
  readonly warnings: readonly string[];

  private byName: Map<string, ElfSection[]> | undefined;
  private bySection: Map<number, ElfSymbol[]> | undefined;
  private relocationsByTarget: Map<number, ElfRelocation[]> | undefined;

  constructor(parts: ElfFileParts) {
    this.bytes = parts.bytes;
    this.header = parts.header;
    this.sections = parts.sections;
    this.symbolTable = parts.symbolTable;
    this.symbolStringTable = parts.symbolStringTable;
    this.symbolIndexTable = parts.symbolIndexTable;
    this.symbols = parts.symbols;
    this.relocationSections = parts.relocationSections;
    this.warnings = parts.warnings;
  }

  /** Whether e_type is ET_REL (readElf() also accepts ET_EXEC and ET_DYN). */
  get isRelocatable(): boolean {
    return this.header.type === ET_REL;
  }

  /** The section with header index `index`; a RangeError when there is none. */
  section(index: number): ElfSection {
    const s = Number.isInteger(index) ? this.sections[index] : undefined;
    if (s === undefined) {
      throw new RangeError(`section index ${index} is out of range (${this.sections.length} sections)`);
    }
    return s;
  }

  /** The first section (lowest index) named `name`. */
  sectionByName(name: string): ElfSection | undefined {
    return this.sectionsByName(name)[0];
  }

  /** Every section named `name`, by increasing index. */
  sectionsByName(name: string): readonly ElfSection[] {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (const s of this.sections) {
        const list = this.byName.get(s.name);
        if (list === undefined) this.byName.set(s.name, [s]);
        else list.push(s);
      }
    }
    return this.byName.get(name) ?? [];
  }

  /** Symbols defined in section `index`, by increasing value then symbol index. */
  symbolsInSection(index: number): readonly ElfSymbol[] {
    if (this.bySection === undefined) {
      this.bySection = new Map();
      for (const sym of this.symbols) {
        if (sym.section === undefined || sym.index === 0) continue;
        const list = this.bySection.get(sym.section);
        if (list === undefined) this.bySection.set(sym.section, [sym]);
        else list.push(sym);
      }
      for (const list of this.bySection.values()) list.sort((a, b) => a.value - b.value || a.index - b.index);
    }
    return this.bySection.get(index) ?? [];
  }

  /** Symbols defined in section `index` whose value is exactly `offset`, by symbol index. */
  symbolsAt(index: number, offset: number): readonly ElfSymbol[] {
    return this.symbolsInSection(index).filter((s) => s.value === offset);
  }

  /** Symbols defined in section `index` whose [value, value + size) range contains `offset`. */
  symbolsContaining(index: number, offset: number): readonly ElfSymbol[] {
    return this.symbolsInSection(index).filter((s) => s.value <= offset && offset < s.value + s.size);
  }

  /** The symbol with table index `index`; a RangeError when there is none. */
  symbol(index: number): ElfSymbol {
    const s = Number.isInteger(index) ? this.symbols[index] : undefined;
    if (s === undefined) {
      throw new RangeError(`symbol index ${index} is out of range (${this.symbols.length} symbols)`);
    }
    return s;
  }

  /**
   * The relocations that apply to section `index`, from every SHT_REL/SHT_RELA section targeting it,
   * sorted by offset (ties keep file order).
   */
  relocationsFor(index: number): readonly ElfRelocation[] {
    if (this.relocationsByTarget === undefined) {
      this.relocationsByTarget = new Map();
      for (const rs of this.relocationSections) {
        const list = this.relocationsByTarget.get(rs.target);
        if (list === undefined) this.relocationsByTarget.set(rs.target, [...rs.entries]);
        else list.push(...rs.entries);
      }
      // Array.prototype.sort is stable: equal offsets keep section then entry order.
      for (const list of this.relocationsByTarget.values()) list.sort((a, b) => a.offset - b.offset);
    }
    return this.relocationsByTarget.get(index) ?? [];
  }

  /**
   * The symbol's name, or for an unnamed STT_SECTION symbol the name of its section (as llvm-readelf
   * shows it): what a relocation against a section symbol points at.
   */
  symbolName(symbol: ElfSymbol): string {
    if (symbol.name !== '' || symbol.type !== STT_SECTION || symbol.section === undefined) return symbol.name;
    return this.sections[symbol.section]?.name ?? '';
  }

  /** The symbol a relocation refers to (the null symbol for index 0). */
  relocationSymbol(relocation: ElfRelocation): ElfSymbol {
    return this.symbol(relocation.symbol);
  }
}
