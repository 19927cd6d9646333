// readElf(): parse an ELF64 little-endian BPF object (layouts in layout.ts) into an ElfFile.
//
// Every range is checked before it is read: malformed input gives a RangeError or TypeError whose
// message starts with its context (`section .text: data (offset 0x40, size 0x1000) lies outside the
// file (size 0x200)`), never a DataView exception, and every loop is bounded by the file size.
// No BPF semantics: instructions, BTF and maps are for the layers above.
import { ByteReader } from './byte-reader.ts';
import {
  EI_ABIVERSION,
  EI_CLASS,
  EI_DATA,
  EI_OSABI,
  EI_VERSION,
  ELF_MAGIC,
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EM_BPF,
  ET_DYN,
  ET_EXEC,
  ET_REL,
  EV_CURRENT,
  fileTypeName,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STB_LOCAL,
  sectionTypeName,
} from './constants.ts';
import { hex, isPowerOfTwo, safeNumber, sectionLabel, withContext } from './diagnostics.ts';
import {
  ElfFile,
  type ElfHeader,
  type ElfRelocation,
  type ElfRelocationSection,
  type ElfSection,
  type ElfSymbol,
} from './elf-file.ts';
import {
  EHDR,
  ELF64_EHDR_SIZE,
  ELF64_REL_SIZE,
  ELF64_RELA_SIZE,
  ELF64_SHDR_SIZE,
  ELF64_SYM_SIZE,
  REL,
  SHDR,
  SYM,
} from './layout.ts';
import { bpfRelocationMinimumSize, bpfRelocationTypeName } from './relocation-types.ts';

export interface ReadElfOptions {
  /** Prepended to error messages as context, e.g. the file name: `prog.o: section .text: ...`. */
  readonly name?: string;
  /** Reject ET_EXEC and ET_DYN files instead of accepting them with a warning. */
  readonly requireRelocatable?: boolean;
}

/** Parses `bytes` as an ELF64 little-endian EM_BPF object; throws a RangeError/TypeError on malformed input. */
export function readElf(bytes: Uint8Array, options: ReadElfOptions = {}): ElfFile {
  if (!(bytes instanceof Uint8Array)) {
    const got = bytes === null ? 'null' : typeof bytes === 'object' ? (bytes as object).constructor?.name : typeof bytes;
    throw new TypeError(`readElf: expected a Uint8Array, got ${got ?? 'an object'}`);
  }
  // A plain Uint8Array view, so that section views are not Buffers (whose slice() does not copy).
  const plain =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parse = (): ElfFile => new Parser(plain, options.requireRelocatable === true).parse();
  return options.name === undefined ? parse() : withContext(options.name, parse);
}

/** An Elf64_Shdr as stored, before names and range checks. */
interface RawSectionHeader {
  readonly name: number;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: bigint;
  readonly size: bigint;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
}

/** A byte range of the file, for the overlap check. */
interface Span {
  readonly start: bigint;
  readonly end: bigint;
  /** `section .text` for sections, else a description. */
  readonly what: string;
  readonly isSection: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextDecoder('latin1');

/**
 * Decodes NUL-terminated strings of one string table, with a cache per offset.
 *
 * Linear in the table size however many names point into it (names may share tails, so a crafted
 * table could otherwise make every lookup scan and decode most of it): the end of each string comes
 * from a next-NUL index built once, and an ASCII table is decoded once and sliced. Only names in a
 * table with non-ASCII bytes are decoded one by one.
 */
class StringTable {
  private readonly cache = new Map<number, string>();
  /** nextNul[i]: index of the first NUL at or after i, or -1. */
  private nextNul: Int32Array | undefined;
  /** The whole table as a string when it is all ASCII, null when it is not, undefined before the check. */
  private text: string | null | undefined;

  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {}

  private endOf(offset: number): number {
    if (this.nextNul === undefined) {
      const next = new Int32Array(this.data.length);
      let at = -1;
      for (let i = this.data.length - 1; i >= 0; i--) {
        if (this.data[i] === 0) at = i;
        next[i] = at;
      }
      this.nextNul = next;
    }
    return this.nextNul[offset] ?? -1;
  }

  get(offset: number): string {
    const cached = this.cache.get(offset);
    if (cached !== undefined) return cached;
    if (offset === 0 && this.data.length === 0) return '';
    if (offset >= this.data.length) {
      throw new RangeError(
        `name offset ${hex(offset)} lies outside the string table in ${this.what} (size ${hex(this.data.length)})`,
      );
    }
    const end = this.endOf(offset);
    if (end < 0) {
      throw new RangeError(`name at offset ${hex(offset)} of the string table in ${this.what} is not nul-terminated`);
    }
    if (this.text === undefined) {
      this.text = this.data.every((b) => b < 0x80) ? ascii.decode(this.data) : null;
    }
    let s: string;
    if (this.text !== null) {
      s = this.text.slice(offset, end);
    } else {
      try {
        s = utf8.decode(this.data.subarray(offset, end));
      } catch (e) {
        throw new TypeError(`name at offset ${hex(offset)} of the string table in ${this.what} is not valid utf-8`, {
          cause: e,
        });
      }
    }
    this.cache.set(offset, s);
    return s;
  }
}

class Parser {
  private readonly r: ByteReader;
  private readonly len: bigint;
  private readonly warnings: string[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly requireRelocatable: boolean,
  ) {
    this.r = new ByteReader(bytes);
    this.len = BigInt(bytes.length);
  }

  parse(): ElfFile {
    const header = this.readHeader();
    const raw = this.readSectionHeaders(header);
    const sections = this.readSections(header, raw);
    this.checkOverlaps(header, sections);

    const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
    const [symtab, second] = symtabs;
    if (symtab !== undefined && second !== undefined) {
      throw new RangeError(`${sectionLabel(second)}: a second SHT_SYMTAB section (the first is ${sectionLabel(symtab)})`);
    }
    const symbolPart =
      symtab === undefined ? undefined : withContext(sectionLabel(symtab), () => this.readSymbols(symtab, sections));
    const symbols = symbolPart?.symbols ?? [];
    const relocationSections = this.readRelocations(header, sections, symtab, symbols);

    return new ElfFile({
      bytes: this.bytes,
      header,
      sections,
      symbolTable: symtab?.index,
      symbolStringTable: symtab?.link,
      symbolIndexTable: symbolPart?.indexTable,
      symbols,
      relocationSections,
      warnings: this.warnings,
    });
  }

  // --- Elf64_Ehdr -------------------------------------------------------------------------------

  private readHeader(): { -readonly [K in keyof ElfHeader]: ElfHeader[K] } {
    const { bytes, r } = this;
    const magic = bytes.subarray(0, 4);
    if (!ELF_MAGIC.every((b, i) => i >= magic.length || magic[i] === b)) {
      const got = [...magic].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new TypeError(`elf header: bad magic ${got}, expected 7f 45 4c 46 (\\x7fELF): not an elf file`);
    }
    if (bytes.length < ELF64_EHDR_SIZE) {
      throw new RangeError(
        `elf header: file is truncated (${hex(bytes.length)} bytes, an Elf64_Ehdr needs ${hex(ELF64_EHDR_SIZE)})`,
      );
    }
    const cls = r.u8(EI_CLASS);
    if (cls !== ELFCLASS64) {
      const name = cls === ELFCLASS32 ? ' (ELFCLASS32)' : '';
      throw new TypeError(`elf header: class ${cls}${name} is not supported, expected ${ELFCLASS64} (ELFCLASS64)`);
    }
    const data = r.u8(EI_DATA);
    if (data !== ELFDATA2LSB) {
      const name = data === ELFDATA2MSB ? ' (ELFDATA2MSB, big-endian)' : '';
      throw new TypeError(
        `elf header: data encoding ${data}${name} is not supported, expected ${ELFDATA2LSB} (ELFDATA2LSB)`,
      );
    }
    const identVersion = r.u8(EI_VERSION);
    if (identVersion !== EV_CURRENT) {
      throw new TypeError(`elf header: ident version ${identVersion}, expected ${EV_CURRENT} (EV_CURRENT)`);
    }
    const machine = r.u16(EHDR.machine);
    if (machine !== EM_BPF) {
      throw new TypeError(`elf header: machine ${machine} is not bpf, expected ${EM_BPF} (EM_BPF)`);
    }
    const type = r.u16(EHDR.type);
    if (type !== ET_REL) {
      if ((type !== ET_EXEC && type !== ET_DYN) || this.requireRelocatable) {
        throw new TypeError(
          `elf header: type ${type} (${fileTypeName(type)}) is not supported, expected ${ET_REL} (ET_REL)`,
        );
      }
      this.warnings.push(`elf header: type ${type} (${fileTypeName(type)}) is not a relocatable object`);
    }
    const version = r.u32(EHDR.version);
    if (version !== EV_CURRENT) {
      throw new TypeError(`elf header: version ${version}, expected ${EV_CURRENT} (EV_CURRENT)`);
    }
    const ehsize = r.u16(EHDR.ehsize);
    if (ehsize !== ELF64_EHDR_SIZE) {
      this.warnings.push(`elf header: e_ehsize is ${hex(ehsize)}, expected ${hex(ELF64_EHDR_SIZE)}`);
    }
    const phnum = r.u16(EHDR.phnum);
    if (phnum !== 0) this.warnings.push(`elf header: ${phnum} program headers ignored`);
    return withContext('elf header', () => ({
      osabi: r.u8(EI_OSABI),
      abiVersion: r.u8(EI_ABIVERSION),
      type,
      machine,
      version,
      entry: safeNumber(r.u64(EHDR.entry), 'e_entry'),
      phoff: safeNumber(r.u64(EHDR.phoff), 'e_phoff'),
      shoff: safeNumber(r.u64(EHDR.shoff), 'e_shoff'),
      flags: r.u32(EHDR.flags),
      ehsize,
      phentsize: r.u16(EHDR.phentsize),
      phnum,
      shentsize: r.u16(EHDR.shentsize),
      // Resolved by readSectionHeaders().
      shnum: r.u16(EHDR.shnum),
      shstrndx: r.u16(EHDR.shstrndx),
    }));
  }

  // --- Elf64_Shdr table ---------------------------------------------------------------------------

  private readSectionHeaders(header: { -readonly [K in keyof ElfHeader]: ElfHeader[K] }): RawSectionHeader[] {
    const { r, len } = this;
    const shoff = BigInt(header.shoff);
    if (shoff === 0n) {
      if (header.shnum !== 0) {
        throw new RangeError(`elf header: e_shnum is ${header.shnum} but there is no section header table (e_shoff 0)`);
      }
      if (header.shstrndx !== SHN_UNDEF) {
        throw new RangeError(`elf header: e_shstrndx is ${header.shstrndx} but there is no section header table`);
      }
      return [];
    }
    if (header.shentsize !== ELF64_SHDR_SIZE) {
      throw new RangeError(
        `elf header: section header entry size ${hex(header.shentsize)}, expected ${hex(ELF64_SHDR_SIZE)} (sizeof Elf64_Shdr)`,
      );
    }
    if (shoff + BigInt(ELF64_SHDR_SIZE) > len) {
      throw new RangeError(`section header table: offset ${hex(shoff)} lies outside the file (size ${hex(len)})`);
    }
    const at = Number(shoff);
    let count = BigInt(header.shnum);
    if (count === 0n) {
      // e_shnum == 0: the count is section 0's sh_size (gABI "extended section numbering").
      count = r.u64(at + SHDR.size);
      if (count === 0n) {
        throw new RangeError('section header table: e_shnum is 0 and section 0 holds no extended count (sh_size 0)');
      }
    }
    if (shoff + count * BigInt(ELF64_SHDR_SIZE) > len) {
      throw new RangeError(
        `section header table (offset ${hex(shoff)}, ${count} entries of ${hex(ELF64_SHDR_SIZE)} bytes) lies outside the file (size ${hex(len)})`,
      );
    }
    const n = Number(count);
    // e_shstrndx == SHN_XINDEX: the index is section 0's sh_link.
    const shstrndx = header.shstrndx === SHN_XINDEX ? r.u32(at + SHDR.link) : header.shstrndx;
    if (shstrndx >= n) {
      throw new RangeError(`elf header: section name string table index ${shstrndx} is out of range (${n} sections)`);
    }
    header.shnum = n;
    header.shstrndx = shstrndx;

    const raw: RawSectionHeader[] = [];
    for (let i = 0; i < n; i++) {
      const o = at + i * ELF64_SHDR_SIZE;
      raw.push({
        name: r.u32(o + SHDR.name),
        type: r.u32(o + SHDR.type),
        flags: r.u64(o + SHDR.flags),
        addr: r.u64(o + SHDR.addr),
        offset: r.u64(o + SHDR.offset),
        size: r.u64(o + SHDR.size),
        link: r.u32(o + SHDR.link),
        info: r.u32(o + SHDR.info),
        addralign: r.u64(o + SHDR.addralign),
        entsize: r.u64(o + SHDR.entsize),
      });
    }
    return raw;
  }

  /** Checks that [offset, offset + size) lies in the file and returns its view. */
  private dataOf(h: RawSectionHeader): Uint8Array {
    if (h.offset + h.size > this.len) {
      throw new RangeError(
        `data (offset ${hex(h.offset)}, size ${hex(h.size)}) lies outside the file (size ${hex(this.len)})`,
      );
    }
    return this.bytes.subarray(Number(h.offset), Number(h.offset + h.size));
  }

  private readSections(header: ElfHeader, raw: readonly RawSectionHeader[]): ElfSection[] {
    let names: StringTable | undefined;
    const shstrndx = header.shstrndx;
    const shstr = raw[shstrndx];
    if (shstrndx !== SHN_UNDEF && shstr !== undefined) {
      const data = withContext(`section name string table (section ${shstrndx})`, () => {
        if (shstr.type !== SHT_STRTAB) {
          throw new TypeError(`type ${sectionTypeName(shstr.type)} is not SHT_STRTAB`);
        }
        return this.dataOf(shstr);
      });
      names = new StringTable(data, `section ${shstrndx}`);
    }
    const sections: ElfSection[] = [];
    raw.forEach((h, index) => {
      const name = withContext(`section ${index}`, () => {
        if (names !== undefined) return names.get(h.name);
        if (h.name !== 0) {
          throw new RangeError(`name offset ${hex(h.name)} but the file has no section name string table`);
        }
        return '';
      });
      sections.push(withContext(sectionLabel({ index, name }), () => this.readSection(index, name, h)));
    });
    return sections;
  }

  private readSection(index: number, name: string, h: RawSectionHeader): ElfSection {
    const hasData = h.type !== SHT_NOBITS && h.type !== SHT_NULL;
    const data = hasData ? this.dataOf(h) : new Uint8Array(0);
    const addralign = safeNumber(h.addralign, 'addralign');
    if (addralign > 1 && !isPowerOfTwo(addralign)) {
      this.warnings.push(`${sectionLabel({ index, name })}: addralign ${hex(addralign)} is not a power of two`);
    }
    if (index === 0 && h.type !== SHT_NULL) {
      this.warnings.push(`section 0: type ${sectionTypeName(h.type)}, expected SHT_NULL`);
    }
    return {
      index,
      name,
      nameOffset: h.name,
      type: h.type,
      flags: safeNumber(h.flags, 'flags'),
      addr: safeNumber(h.addr, 'addr'),
      offset: safeNumber(h.offset, 'offset'),
      size: safeNumber(h.size, 'size'),
      link: h.link,
      info: h.info,
      addralign,
      entsize: safeNumber(h.entsize, 'entsize'),
      data,
    };
  }

  /** Section contents must not overlap each other, the ELF header or the section header table. */
  private checkOverlaps(header: ElfHeader, sections: readonly ElfSection[]): void {
    const spans: Span[] = [
      { start: 0n, end: BigInt(ELF64_EHDR_SIZE), what: 'the elf header', isSection: false },
    ];
    if (header.shoff !== 0) {
      const start = BigInt(header.shoff);
      spans.push({
        start,
        end: start + BigInt(header.shnum * ELF64_SHDR_SIZE),
        what: 'the section header table',
        isSection: false,
      });
    }
    for (const s of sections) {
      if (s.data.length === 0) continue;
      const start = BigInt(s.offset);
      spans.push({ start, end: start + BigInt(s.size), what: sectionLabel(s), isSection: true });
    }
    spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
    const range = (s: Span): string => `(offset ${hex(s.start)}, size ${hex(s.end - s.start)})`;
    let widest: Span | undefined;
    for (const span of spans) {
      if (widest !== undefined && span.start < widest.end) {
        const [first, other] = span.isSection ? [span, widest] : [widest, span];
        const lead = first.isSection ? `${first.what}: data ${range(first)}` : `${first.what} ${range(first)}`;
        throw new RangeError(`${lead} overlaps ${other.what} ${range(other)}`);
      }
      if (widest === undefined || span.end > widest.end) widest = span;
    }
  }

  // --- Elf64_Sym table ----------------------------------------------------------------------------

  private readSymbols(
    symtab: ElfSection,
    sections: readonly ElfSection[],
  ): { symbols: ElfSymbol[]; indexTable: number | undefined } {
    if (symtab.entsize !== ELF64_SYM_SIZE) {
      throw new RangeError(`entry size ${hex(symtab.entsize)}, expected ${hex(ELF64_SYM_SIZE)} (sizeof Elf64_Sym)`);
    }
    if (symtab.size % ELF64_SYM_SIZE !== 0) {
      throw new RangeError(`size ${hex(symtab.size)} is not a multiple of the entry size ${hex(ELF64_SYM_SIZE)}`);
    }
    const count = symtab.size / ELF64_SYM_SIZE;
    const strSection = sections[symtab.link];
    if (symtab.link === SHN_UNDEF || strSection === undefined) {
      throw new RangeError(`linked string table index ${symtab.link} is out of range (1 to ${sections.length - 1})`);
    }
    if (strSection.type !== SHT_STRTAB) {
      throw new TypeError(
        `linked ${sectionLabel(strSection)} has type ${sectionTypeName(strSection.type)}, expected SHT_STRTAB`,
      );
    }
    if (symtab.info > count) {
      throw new RangeError(`first non-local symbol index ${symtab.info} exceeds the symbol count ${count}`);
    }
    const strings = new StringTable(strSection.data, sectionLabel(strSection));

    // SHT_SYMTAB_SHNDX: one u32 per symbol, used where st_shndx is SHN_XINDEX.
    const indexTables = sections.filter((s) => s.type === SHT_SYMTAB_SHNDX && s.link === symtab.index);
    const [indexTable, secondTable] = indexTables;
    if (indexTable !== undefined && secondTable !== undefined) {
      throw new RangeError(
        `two SHT_SYMTAB_SHNDX sections link to it (${sectionLabel(indexTable)} and ${sectionLabel(secondTable)})`,
      );
    }

    const r = new ByteReader(symtab.data);
    const indexReader = indexTable === undefined ? undefined : new ByteReader(indexTable.data);
    const symbols: ElfSymbol[] = [];
    let orderWarned = false;
    for (let i = 0; i < count; i++) {
      const o = i * ELF64_SYM_SIZE;
      const nameOffset = r.u32(o + SYM.name);
      const name = withContext(`symbol ${i}`, () => strings.get(nameOffset));
      const label = name === '' ? `symbol ${i}` : `symbol ${i} (${name})`;
      symbols.push(
        withContext(label, () => {
          const info = r.u8(o + SYM.info);
          const other = r.u8(o + SYM.other);
          const shndx = r.u16(o + SYM.shndx);
          let section: number | undefined;
          if (shndx === SHN_XINDEX) {
            if (indexTable === undefined) {
              throw new RangeError('st_shndx is SHN_XINDEX but no SHT_SYMTAB_SHNDX section links to the symbol table');
            }
            if ((i + 1) * 4 > indexTable.data.length) {
              throw new RangeError(
                `st_shndx is SHN_XINDEX but ${sectionLabel(indexTable)} (size ${hex(indexTable.data.length)}) has no entry ${i}`,
              );
            }
            section = indexReader?.u32(i * 4);
            if (section === SHN_UNDEF) section = undefined;
          } else if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE) {
            section = shndx;
          }
          if (section !== undefined && section >= sections.length) {
            throw new RangeError(`section index ${section} is out of range (${sections.length} sections)`);
          }
          const bind = info >> 4;
          if (!orderWarned && i > 0 && (bind === STB_LOCAL) !== i < symtab.info) {
            orderWarned = true;
            this.warnings.push(
              `${sectionLabel(symtab)}: ${label} is ${bind === STB_LOCAL ? 'local' : 'non-local'} but sh_info (first non-local index) is ${symtab.info}`,
            );
          }
          return {
            index: i,
            name,
            nameOffset,
            value: safeNumber(r.u64(o + SYM.value), 'value'),
            size: safeNumber(r.u64(o + SYM.size), 'size'),
            bind,
            type: info & 0xf,
            visibility: other & 0x3,
            other,
            shndx,
            section,
          };
        }),
      );
    }
    const zero = symbols[0];
    if (
      zero !== undefined &&
      (zero.nameOffset !== 0 ||
        zero.value !== 0 ||
        zero.size !== 0 ||
        zero.bind !== 0 ||
        zero.type !== 0 ||
        zero.other !== 0 ||
        zero.shndx !== 0)
    ) {
      this.warnings.push(`${sectionLabel(symtab)}: symbol 0 is not the null symbol`);
    }
    return { symbols, indexTable: indexTable?.index };
  }

  // --- Elf64_Rel / Elf64_Rela ---------------------------------------------------------------------

  private readRelocations(
    header: ElfHeader,
    sections: readonly ElfSection[],
    symtab: ElfSection | undefined,
    symbols: readonly ElfSymbol[],
  ): ElfRelocationSection[] {
    const out: ElfRelocationSection[] = [];
    for (const s of sections) {
      if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
      const parsed = withContext(sectionLabel(s), () => this.readRelocationSection(header, s, sections, symtab, symbols));
      if (parsed !== undefined) out.push(parsed);
    }
    return out;
  }

  private readRelocationSection(
    header: ElfHeader,
    s: ElfSection,
    sections: readonly ElfSection[],
    symtab: ElfSection | undefined,
    symbols: readonly ElfSymbol[],
  ): ElfRelocationSection | undefined {
    const rela = s.type === SHT_RELA;
    const entSize = rela ? ELF64_RELA_SIZE : ELF64_REL_SIZE;
    if (s.entsize !== entSize) {
      throw new RangeError(
        `entry size ${hex(s.entsize)}, expected ${hex(entSize)} (sizeof Elf64_${rela ? 'Rela' : 'Rel'})`,
      );
    }
    if (s.size % entSize !== 0) {
      throw new RangeError(`size ${hex(s.size)} is not a multiple of the entry size ${hex(entSize)}`);
    }
    const label = sectionLabel(s);
    if (symtab === undefined || s.link !== symtab.index) {
      const linked = sections[s.link];
      if (linked?.type === SHT_DYNSYM) {
        this.warnings.push(`${label}: relocations against the dynamic symbol table are not parsed`);
        return undefined;
      }
      const expected = symtab === undefined ? 'the file has none' : `it is section ${symtab.index}`;
      throw new RangeError(`linked section ${s.link} is not the symbol table (${expected})`);
    }
    const target = sections[s.info];
    if (s.info === 0 || target === undefined) {
      if (s.info === 0 && header.type !== ET_REL) {
        this.warnings.push(`${label}: dynamic relocations (sh_info 0) are not parsed`);
        return undefined;
      }
      throw new RangeError(`target section index ${s.info} is out of range (1 to ${sections.length - 1})`);
    }
    const r = new ByteReader(s.data);
    const count = s.size / entSize;
    const entries: ElfRelocation[] = [];
    const targetSize = BigInt(target.size);
    for (let j = 0; j < count; j++) {
      const o = j * entSize;
      const offset = r.u64(o + REL.offset);
      const info = r.u64(o + REL.info);
      const symbol = Number(info >> 32n);
      const type = Number(info & 0xffffffffn);
      const need = bpfRelocationMinimumSize(type);
      if (offset + BigInt(need) > targetSize) {
        throw new RangeError(
          `relocation ${j}: offset ${hex(offset)} (${bpfRelocationTypeName(type)}, ${need} bytes) lies outside ${sectionLabel(target)} (size ${hex(targetSize)})`,
        );
      }
      if (symbol >= symbols.length) {
        throw new RangeError(
          `relocation ${j} at offset ${hex(offset)}: symbol index ${symbol} is out of range (${symbols.length} symbols)`,
        );
      }
      const addend = rela
        ? withContext(`relocation ${j} at offset ${hex(offset)}`, () => safeNumber(r.i64(o + REL.addend), 'addend'))
        : 0;
      entries.push({ index: j, relocationSection: s.index, target: target.index, offset: Number(offset), symbol, type, addend });
    }
    return { index: s.index, name: s.name, target: target.index, symbolTable: s.link, rela, entries };
  }
}
