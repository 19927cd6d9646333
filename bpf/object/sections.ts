// Which ELF sections hold what, by libbpf's conventions.
import { SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS, type ElfSection } from '../elf/index.ts';

export const TEXT_SECTION = '.text';
export const BTF_MAPS_SECTION = '.maps';

export function isProgramSection(s: ElfSection): boolean {
  return s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0 && s.size > 0;
}

/** Legacy `struct bpf_map_def` maps: `maps` (libbpf, iproute2, cilium) or `maps/NAME` (old samples). */
export function isLegacyMapSection(s: ElfSection): boolean {
  return /^maps(\/|$)/.test(s.name);
}

/** `.rodata`, `.data`, `.bss` and their `.NAME` variants (`.rodata.str1.1`, `.data.custom`). */
export function dataSectionKind(s: ElfSection): 'rodata' | 'data' | 'bss' | undefined {
  if ((s.flags & SHF_ALLOC) === 0 || (s.flags & SHF_EXECINSTR) !== 0) return undefined;
  if (s.type !== SHT_PROGBITS && s.type !== SHT_NOBITS) return undefined;
  const m = /^\.(rodata|data|bss)(\..*)?$/.exec(s.name);
  return m ? (m[1] as 'rodata' | 'data' | 'bss') : undefined;
}
