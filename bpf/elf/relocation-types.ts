// BPF relocation types (r_info & 0xffffffff), as LLVM's BPF backend and libbpf define them
// (llvm/BinaryFormat/ELFRelocs/BPF.def, Documentation/bpf/llvm_reloc.rst).

/** No relocation; LLVM emits it in .BTF.ext of older objects. */
export const R_BPF_NONE = 0;
/** ld_imm64 (or an 8-byte data word in older objects): the 64-bit immediate takes S + A. */
export const R_BPF_64_64 = 1;
/** 8-byte data word takes S + A (DWARF, .BTF.ext in newer objects). */
export const R_BPF_64_ABS64 = 2;
/** 4-byte data word takes S + A. */
export const R_BPF_64_ABS32 = 3;
/** Like R_BPF_64_ABS32 but not resolved by the runtime dynamic loader (.BTF, .BTF.ext). */
export const R_BPF_64_NODYLD32 = 4;
/** Call instruction: imm takes (S + A) / 8 - 1; also 4-byte data in older DWARF. */
export const R_BPF_64_32 = 10;

/** Names of the BPF relocation types, keyed by value. */
export const BPF_RELOCATION_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [R_BPF_NONE, 'R_BPF_NONE'],
  [R_BPF_64_64, 'R_BPF_64_64'],
  [R_BPF_64_ABS64, 'R_BPF_64_ABS64'],
  [R_BPF_64_ABS32, 'R_BPF_64_ABS32'],
  [R_BPF_64_NODYLD32, 'R_BPF_64_NODYLD32'],
  [R_BPF_64_32, 'R_BPF_64_32'],
]);

/** `R_BPF_64_64`, or `type 0x63` for a type with no name. */
export function bpfRelocationTypeName(type: number): string {
  return BPF_RELOCATION_TYPE_NAMES.get(type) ?? `type 0x${type.toString(16)}`;
}

/**
 * The fewest bytes, starting at r_offset, that a relocation of this type patches in any section kind
 * it is used in (data words and instructions alike): the reader and writer require them to lie inside
 * the target section. Unknown types and R_BPF_NONE need the byte at r_offset only.
 *
 * R_BPF_64_64 patches 16 bytes in an ld_imm64 but 8 in a data word; R_BPF_64_32 patches the imm of
 * an 8-byte call but 4 bytes of DWARF data: whether the wider form fits is the instruction layer's check.
 */
export function bpfRelocationMinimumSize(type: number): number {
  switch (type) {
    case R_BPF_64_64:
    case R_BPF_64_ABS64:
      return 8;
    case R_BPF_64_ABS32:
    case R_BPF_64_NODYLD32:
    case R_BPF_64_32:
      return 4;
    default:
      return 1;
  }
}
