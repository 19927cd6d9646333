// Byte layouts of the ELF64 structures this module reads and writes (little-endian only), after
// <elf.h> / the System V gABI. Offsets are in bytes from the start of the structure.
//
// Elf64_Ehdr (64 bytes), at file offset 0:
//
//    0               4     5     6     7     8        9               16
//   +---------------+-----+-----+-----+-----+--------+---------------+
//   | 7f 'E' 'L' 'F'|class|data |vers |osabi|abiver  | pad[7]        |  e_ident[16]
//   +-------+-------+-----+-----+-----+-----+--------+---------------+
//   16      18      20              24                              32
//   |e_type |e_mach | e_version     | e_entry (u64)                 |
//   +-------+-------+---------------+-------------------------------+
//   32                              40                              48
//   | e_phoff (u64)                 | e_shoff (u64)                 |
//   +---------------+-------+-------+-------+-------+-------+-------+
//   48              52      54      56      58      60      62      64
//   | e_flags (u32) |ehsize |phentsz| phnum |shentsz| shnum |shstrndx|
//   +---------------+-------+-------+-------+-------+-------+-------+
//
//   e_shnum == 0 with e_shoff != 0: the count is section 0's sh_size.
//   e_shstrndx == SHN_XINDEX: the index is section 0's sh_link.
//
// Elf64_Shdr (64 bytes), e_shnum of them at e_shoff:
//
//    0               4               8                              16
//   | sh_name (u32) | sh_type (u32) | sh_flags (u64)                |
//   16                              24                              32
//   | sh_addr (u64)                 | sh_offset (u64)               |
//   32                              40              44              48
//   | sh_size (u64)                 | sh_link (u32) | sh_info (u32) |
//   48                              56                              64
//   | sh_addralign (u64)            | sh_entsize (u64)              |
//
// Elf64_Sym (24 bytes), the entries of an SHT_SYMTAB section:
//
//    0               4     5     6       8                          16                         24
//   | st_name (u32) |info |other|shndx  | st_value (u64)           | st_size (u64)            |
//   st_info = bind << 4 | type; st_other & 3 = visibility.
//   st_shndx == SHN_XINDEX: the section index is entry i (u32) of the SHT_SYMTAB_SHNDX section.
//
// Elf64_Rel (16 bytes) and Elf64_Rela (24 bytes), the entries of SHT_REL / SHT_RELA sections:
//
//    0                              8                              16                         24
//   | r_offset (u64)               | r_info (u64)                 | r_addend (i64, Rela only) |
//   r_info = symbol index << 32 | type.

export const ELF64_EHDR_SIZE = 64;
export const ELF64_SHDR_SIZE = 64;
export const ELF64_SYM_SIZE = 24;
export const ELF64_REL_SIZE = 16;
export const ELF64_RELA_SIZE = 24;

/** Field offsets in Elf64_Ehdr. */
export const EHDR = {
  ident: 0,
  type: 16,
  machine: 18,
  version: 20,
  entry: 24,
  phoff: 32,
  shoff: 40,
  flags: 48,
  ehsize: 52,
  phentsize: 54,
  phnum: 56,
  shentsize: 58,
  shnum: 60,
  shstrndx: 62,
} as const;

/** Field offsets in Elf64_Shdr. */
export const SHDR = {
  name: 0,
  type: 4,
  flags: 8,
  addr: 16,
  offset: 24,
  size: 32,
  link: 40,
  info: 44,
  addralign: 48,
  entsize: 56,
} as const;

/** Field offsets in Elf64_Sym. */
export const SYM = { name: 0, info: 4, other: 5, shndx: 6, value: 8, size: 16 } as const;

/** Field offsets in Elf64_Rel / Elf64_Rela. */
export const REL = { offset: 0, info: 8, addend: 16 } as const;
