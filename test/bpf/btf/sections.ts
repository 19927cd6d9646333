// Test helper: a minimal ELF64 section-header walk, just enough to pull `.BTF` and `.BTF.ext` out of an
// object file. The real ELF reader lives in bpf/elf; this one exists so bpf/btf tests do not depend on it.
//
//   Elf64_Ehdr: e_ident[16] ... e_shoff @0x28 (u64), e_shentsize @0x3a (u16), e_shnum @0x3c, e_shstrndx @0x3e
//   Elf64_Shdr (64 bytes): sh_name @0 (u32), sh_type @4, sh_offset @0x18 (u64), sh_size @0x20 (u64)
import { readFileSync } from 'node:fs';

/** Every named section of an ELF64 file, as copies of its bytes (SHT_NOBITS sections are empty). */
export function elfSections(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46) throw new Error('not an ELF file');
  if (bytes[4] !== 2) throw new Error('not ELF64');
  const le = bytes[5] === 1;
  const shoff = Number(view.getBigUint64(0x28, le));
  const shentsize = view.getUint16(0x3a, le);
  const shnum = view.getUint16(0x3c, le);
  const shstrndx = view.getUint16(0x3e, le);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: view.getUint32(at, le),
      type: view.getUint32(at + 4, le),
      offset: Number(view.getBigUint64(at + 0x18, le)),
      size: Number(view.getBigUint64(at + 0x20, le)),
    };
  };
  const strtab = header(shstrndx);
  const nameAt = (off: number): string => {
    let end = strtab.offset + off;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(strtab.offset + off, end));
  };
  const out = new Map<string, Uint8Array>();
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    const data = h.type === 8 ? new Uint8Array(0) : new Uint8Array(bytes.subarray(h.offset, h.offset + h.size));
    out.set(nameAt(h.name), data);
  }
  return out;
}

/** `.BTF` and `.BTF.ext` of an object file, when present. */
export function btfSections(path: string): { btf?: Uint8Array; ext?: Uint8Array } {
  const sections = elfSections(readFileSync(path));
  const out: { btf?: Uint8Array; ext?: Uint8Array } = {};
  const btf = sections.get('.BTF');
  const ext = sections.get('.BTF.ext');
  if (btf) out.btf = btf;
  if (ext) out.ext = ext;
  return out;
}
