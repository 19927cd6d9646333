// Internal: the section numbering of writeElf()'s output (see elf-file-spec.ts), shared with
// toElfSpec() so that numeric references agree.

export const SYMTAB_NAME = '.symtab';
export const STRTAB_NAME = '.strtab';
export const SHSTRTAB_NAME = '.shstrtab';
export const SYMTAB_SHNDX_NAME = '.symtab_shndx';

/** Names writeElf() generates; spec sections and relocation lists may not use them. */
export const GENERATED_NAMES: ReadonlySet<string> = new Set([
  SYMTAB_NAME,
  STRTAB_NAME,
  SHSTRTAB_NAME,
  SYMTAB_SHNDX_NAME,
]);

export interface OutputIndexes {
  /** Header index of spec.sections[0]. */
  readonly firstSection: 1;
  /** Header index of the section for spec.relocations[0]. */
  readonly firstRelocation: number;
  readonly symtab: number;
  readonly strtab: number;
  readonly shstrtab: number;
  /** Present only when needed; always last. */
  readonly symtabShndx: number;
}

/** Header indexes of the output for `sectionCount` spec sections and `relocationCount` relocation lists. */
export function outputIndexes(sectionCount: number, relocationCount: number): OutputIndexes {
  const firstRelocation = 1 + sectionCount;
  const symtab = firstRelocation + relocationCount;
  return {
    firstSection: 1,
    firstRelocation,
    symtab,
    strtab: symtab + 1,
    shstrtab: symtab + 2,
    symtabShndx: symtab + 3,
  };
}
