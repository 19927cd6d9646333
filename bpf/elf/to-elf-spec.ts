// toElfSpec(): the plain-data ElfFileSpec of a parsed object, ready for writeElf().
//
// The symbol table, its string table, the section name string table, SHT_SYMTAB_SHNDX and the
// parsed relocation sections become `symbols` and `relocations`; every other section is kept with a
// copy of its data. Symbol indexes are unchanged (the null symbol stays at 0).
import {
  SHF_INFO_LINK,
  SHF_LINK_ORDER,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNAMIC,
  SHT_DYNSYM,
  SHT_GNU_HASH,
  SHT_GNU_VERDEF,
  SHT_GNU_VERNEED,
  SHT_GNU_VERSYM,
  SHT_GROUP,
  SHT_HASH,
  SHT_LLVM_ADDRSIG,
  SHT_LLVM_CALL_GRAPH_PROFILE,
  SHT_NOBITS,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from './constants.ts';
import { sectionLabel } from './diagnostics.ts';
import type { ElfFile } from './elf-file.ts';
import {
  NULL_SYMBOL,
  type ElfFileSpec,
  type ElfRelocationsSpec,
  type ElfSectionRef,
  type ElfSectionSpec,
  type ElfSymbolSpec,
} from './elf-file-spec.ts';
import {
  GENERATED_NAMES,
  outputIndexes,
  SHSTRTAB_NAME,
  STRTAB_NAME,
  SYMTAB_NAME,
  SYMTAB_SHNDX_NAME,
} from './output-layout.ts';

/** Section types whose sh_link is a section header index (gABI, GNU and LLVM extensions). */
const LINK_IS_INDEX: ReadonlySet<number> = new Set([
  SHT_SYMTAB,
  SHT_DYNSYM,
  SHT_REL,
  SHT_RELA,
  SHT_HASH,
  SHT_GNU_HASH,
  SHT_DYNAMIC,
  SHT_GROUP,
  SHT_SYMTAB_SHNDX,
  SHT_GNU_VERDEF,
  SHT_GNU_VERNEED,
  SHT_GNU_VERSYM,
  SHT_LLVM_ADDRSIG,
  SHT_LLVM_CALL_GRAPH_PROFILE,
]);

const linkIsIndex = (type: number, flags: number): boolean =>
  LINK_IS_INDEX.has(type) || (flags & SHF_LINK_ORDER) !== 0;
const infoIsIndex = (type: number, flags: number): boolean =>
  type === SHT_REL || type === SHT_RELA || (flags & SHF_INFO_LINK) !== 0;

/** The ElfFileSpec that writeElf() turns back into an equivalent object. */
export function toElfSpec(file: ElfFile): ElfFileSpec {
  // File index -> name of the section writeElf() generates in its place.
  const generated = new Map<number, string>();
  if (file.symbolTable !== undefined) generated.set(file.symbolTable, SYMTAB_NAME);
  if (file.symbolStringTable !== undefined) generated.set(file.symbolStringTable, STRTAB_NAME);
  if (file.symbolIndexTable !== undefined) generated.set(file.symbolIndexTable, SYMTAB_SHNDX_NAME);
  const shstrndx = file.header.shstrndx;
  if (shstrndx !== SHN_UNDEF && !generated.has(shstrndx)) generated.set(shstrndx, SHSTRTAB_NAME);

  const relocationIndexes = new Set(file.relocationSections.map((rs) => rs.index));
  const kept = file.sections.filter((s) => s.index !== 0 && !generated.has(s.index) && !relocationIndexes.has(s.index));
  const layout = outputIndexes(kept.length, file.relocationSections.length);

  // File index -> output index, and how many output sections carry each name.
  const outputIndex = new Map<number, number>();
  const nameCount = new Map<string, number>();
  const countName = (name: string): void => void nameCount.set(name, (nameCount.get(name) ?? 0) + 1);
  kept.forEach((s, i) => {
    outputIndex.set(s.index, layout.firstSection + i);
    countName(s.name);
  });
  file.relocationSections.forEach((rs, i) => {
    outputIndex.set(rs.index, layout.firstRelocation + i);
    countName(rs.name);
  });
  for (const name of GENERATED_NAMES) countName(name);

  /** A reference to file section `index`: its name when that is unique in the output, else its output index. */
  const ref = (index: number): ElfSectionRef => {
    const gen = generated.get(index);
    if (gen !== undefined) return gen;
    const out = outputIndex.get(index);
    const s = file.sections[index];
    if (out === undefined || s === undefined) return index; // 0, or not a section: keep the literal value
    return nameCount.get(s.name) === 1 ? s.name : out;
  };

  const sections = kept.map((s): ElfSectionSpec => {
    const spec: ElfSectionSpec = {
      name: s.name,
      type: s.type,
      flags: s.flags,
      addr: s.addr,
      link: linkIsIndex(s.type, s.flags) ? ref(s.link) : s.link,
      info: infoIsIndex(s.type, s.flags) ? ref(s.info) : s.info,
      addralign: s.addralign,
      entsize: s.entsize,
      data: new Uint8Array(s.data), // a copy: the spec does not alias the file
    };
    return s.type === SHT_NOBITS ? { ...spec, size: s.size } : spec;
  });

  const symbols =
    file.symbols.length === 0
      ? [NULL_SYMBOL]
      : file.symbols.map(
          (sym): ElfSymbolSpec => ({
            name: sym.name,
            value: sym.value,
            size: sym.size,
            bind: sym.bind,
            type: sym.type,
            other: sym.other,
            section: sym.section !== undefined ? ref(sym.section) : sym.shndx === SHN_XINDEX ? SHN_UNDEF : sym.shndx,
          }),
        );

  const relocations = file.relocationSections.map((rs): ElfRelocationsSpec => {
    if (generated.has(rs.target) || relocationIndexes.has(rs.target)) {
      const target = file.sections[rs.target];
      const what = target === undefined ? `section ${rs.target}` : sectionLabel(target);
      throw new RangeError(
        `${sectionLabel({ index: rs.index, name: rs.name })}: relocations that apply to ${what} (a symbol, string or relocation table) cannot be rewritten`,
      );
    }
    return {
      name: rs.name,
      target: ref(rs.target),
      rela: rs.rela,
      flags: file.sections[rs.index]?.flags ?? 0,
      entries: rs.entries.map((e) => ({ offset: e.offset, symbol: e.symbol, type: e.type, addend: e.addend })),
    };
  });

  return {
    type: file.header.type,
    flags: file.header.flags,
    osabi: file.header.osabi,
    abiVersion: file.header.abiVersion,
    entry: file.header.entry,
    sections,
    symbols,
    relocations,
  };
}
