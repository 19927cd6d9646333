// bpf/elf: a generic ELF64 little-endian relocatable-object reader and writer for BPF (EM_BPF).
// No BPF semantics: instruction decoding, BTF and maps live in the layers built on it.
export * from './constants.ts';
export * from './relocation-types.ts';
export {
  ELF64_EHDR_SIZE,
  ELF64_SHDR_SIZE,
  ELF64_SYM_SIZE,
  ELF64_REL_SIZE,
  ELF64_RELA_SIZE,
} from './layout.ts';
export {
  ElfFile,
  type ElfFileParts,
  type ElfHeader,
  type ElfSection,
  type ElfSymbol,
  type ElfRelocation,
  type ElfRelocationSection,
} from './elf-file.ts';
export { readElf, type ReadElfOptions } from './read-elf.ts';
export {
  NULL_SYMBOL,
  type ElfFileSpec,
  type ElfSectionSpec,
  type ElfSymbolSpec,
  type ElfRelocationsSpec,
  type ElfRelocationSpec,
  type ElfSectionRef,
} from './elf-file-spec.ts';
export { toElfSpec } from './to-elf-spec.ts';
export { writeElf } from './write-elf.ts';
