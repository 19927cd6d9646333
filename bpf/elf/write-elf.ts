// writeElf(): lay out an ElfFileSpec as an ELF64 little-endian EM_BPF relocatable object.
//
// File layout (deterministic: the same spec always gives the same bytes):
//
//   +--------------------------+ 0
//   | Elf64_Ehdr               |
//   +--------------------------+ 0x40
//   | section data, in header  |   each at a multiple of min(sh_addralign, 0x1000) when that is a power of two;
//   | order (none for NOBITS)  |   .rel*: Elf64_Rel/Rela[], .symtab: Elf64_Sym[] (locals first)
//   +--------------------------+
//   | Elf64_Shdr[]             |   at a multiple of 8; numbering in elf-file-spec.ts
//   +--------------------------+
//
// String tables start with a NUL and hold each distinct name once, in first-use order.
import {
  EI_ABIVERSION,
  EI_CLASS,
  EI_DATA,
  EI_OSABI,
  EI_VERSION,
  ELF_MAGIC,
  ELFCLASS64,
  ELFDATA2LSB,
  EM_BPF,
  ET_REL,
  EV_CURRENT,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STB_LOCAL,
  sectionTypeName,
} from './constants.ts';
import { hex, isPowerOfTwo, withContext } from './diagnostics.ts';
import {
  NULL_SYMBOL,
  type ElfFileSpec,
  type ElfRelocationSpec,
  type ElfSectionRef,
  type ElfSymbolSpec,
} from './elf-file-spec.ts';
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
import {
  GENERATED_NAMES,
  outputIndexes,
  SHSTRTAB_NAME,
  STRTAB_NAME,
  SYMTAB_NAME,
  SYMTAB_SHNDX_NAME,
} from './output-layout.ts';
import { bpfRelocationMinimumSize, bpfRelocationTypeName } from './relocation-types.ts';

/** File offsets are aligned to sh_addralign (a power of two), but to no more than this. */
const MAX_FILE_ALIGNMENT = 0x1000;

/** A section header to write, with references resolved. */
interface OutSection {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  readonly data: Uint8Array;
  /** sh_size: data.length except for SHT_NOBITS. */
  readonly size: number;
}

const encoder = new TextEncoder();

// --- Field validation ---------------------------------------------------------------------------

function checkUint(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${field} must be an integer, got ${typeof value === 'number' ? value : typeof value}`);
  }
  if (value < 0 || value > max) throw new RangeError(`${field} ${value} is out of range (0 to ${hex(max)})`);
  return value;
}
const u8 = (v: unknown, field: string): number => checkUint(v, field, 0xff);
const u16 = (v: unknown, field: string): number => checkUint(v, field, 0xffff);
const u32 = (v: unknown, field: string): number => checkUint(v, field, 0xffffffff);
const u53 = (v: unknown, field: string): number => checkUint(v, field, Number.MAX_SAFE_INTEGER);

function checkName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string') throw new TypeError(`${field} must be a string, got ${typeof name}`);
  if (name.includes('\0')) throw new RangeError(`${field} ${JSON.stringify(name)} contains a nul character`);
  return name;
}

/** A string table: NUL first, then each distinct string once, in first-use order. */
class StringTableBuilder {
  private readonly offsets = new Map<string, number>([['', 0]]);
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;

  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const bytes = encoder.encode(s);
    const offset = this.size;
    this.parts.push(bytes, new Uint8Array(1));
    this.size += bytes.length + 1;
    this.offsets.set(s, offset);
    return offset;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

// --- writeElf -----------------------------------------------------------------------------------

/** Lays out `spec` as a relocatable object; throws a RangeError/TypeError naming the bad field. */
export function writeElf(spec: ElfFileSpec): Uint8Array {
  const header = withContext('elf header', () => ({
    type: u16(spec.type ?? ET_REL, 'type'),
    flags: u32(spec.flags ?? 0, 'flags'),
    osabi: u8(spec.osabi ?? 0, 'osabi'),
    abiVersion: u8(spec.abiVersion ?? 0, 'abiVersion'),
    entry: u53(spec.entry ?? 0, 'entry'),
  }));
  if (!Array.isArray(spec.sections) || !Array.isArray(spec.symbols) || !Array.isArray(spec.relocations)) {
    throw new TypeError('elf spec: sections, symbols and relocations must be arrays');
  }
  const n = spec.sections.length;
  const m = spec.relocations.length;
  const layout = outputIndexes(n, m);

  // Names of every output section except the null one, for string references.
  const names: string[] = [];
  spec.sections.forEach((s, i) =>
    names.push(withContext(`section ${i + 1}`, () => checkName((s as { name?: unknown }).name))),
  );
  spec.relocations.forEach((r, i) =>
    names.push(withContext(`relocations ${i}`, () => checkName((r as { name?: unknown }).name))),
  );
  names.forEach((name, i) => {
    if (GENERATED_NAMES.has(name)) {
      const what = i < n ? `section ${name}` : `relocations ${name}`;
      throw new RangeError(`${what}: the name is reserved for a section writeElf() generates`);
    }
  });
  names.push(SYMTAB_NAME, STRTAB_NAME, SHSTRTAB_NAME);
  const byName = new Map<string, number[]>();
  names.forEach((name, i) => {
    const list = byName.get(name);
    if (list === undefined) byName.set(name, [i + 1]);
    else list.push(i + 1);
  });
  const findName = (name: string): number => {
    const found = byName.get(name) ?? [];
    if (name === SYMTAB_SHNDX_NAME && found.length === 0) {
      throw new RangeError(`${SYMTAB_SHNDX_NAME} is generated only when needed and cannot be referenced`);
    }
    const [index, other] = found;
    if (index === undefined) throw new RangeError(`no section named ${JSON.stringify(name)}`);
    if (other !== undefined) {
      throw new RangeError(
        `section name ${JSON.stringify(name)} is ambiguous (sections ${found.join(', ')}): use an index`,
      );
    }
    return index;
  };
  /** sh_link / sh_info: a name, or any u32 taken literally. */
  const resolveField = (ref: ElfSectionRef, field: string): number =>
    withContext(field, () => (typeof ref === 'string' ? findName(ref) : u32(ref, 'value')));

  // --- Symbols: null first, locals, then the rest (stable) ----------------------------------------
  const symbolSpecs: readonly ElfSymbolSpec[] = spec.symbols.length === 0 ? [NULL_SYMBOL] : spec.symbols;
  const first = symbolSpecs[0];
  if (
    first === undefined ||
    first.name !== '' ||
    first.value !== 0 ||
    first.size !== 0 ||
    first.bind !== 0 ||
    first.type !== 0 ||
    first.other !== 0 ||
    first.section !== SHN_UNDEF
  ) {
    throw new RangeError('symbol 0: must be the null symbol (all fields 0, name empty, section SHN_UNDEF)');
  }
  const order: number[] = [0];
  symbolSpecs.forEach((s, i) => i > 0 && s.bind === STB_LOCAL && order.push(i));
  const firstNonLocal = order.length;
  symbolSpecs.forEach((s, i) => i > 0 && s.bind !== STB_LOCAL && order.push(i));
  const newSymbolIndex = new Array<number>(symbolSpecs.length);
  order.forEach((old, i) => (newSymbolIndex[old] = i));

  const strtab = new StringTableBuilder();
  const symtabData = new Uint8Array(symbolSpecs.length * ELF64_SYM_SIZE);
  const symView = new DataView(symtabData.buffer);
  const extendedIndexes = new Uint32Array(symbolSpecs.length);
  let needShndx = false;
  order.forEach((old, i) => {
    const s = symbolSpecs[old];
    if (s === undefined) return;
    const label = typeof s.name === 'string' && s.name !== '' ? `symbol ${old} (${s.name})` : `symbol ${old}`;
    withContext(label, () => {
      const nameOffset = strtab.add(checkName(s.name));
      const bind = checkUint(s.bind, 'bind', 0xf);
      const type = checkUint(s.type, 'type', 0xf);
      const section = withContext('section', () => {
        if (typeof s.section === 'string') return findName(s.section);
        const v = u16(s.section, 'value');
        if (v === SHN_XINDEX) throw new RangeError('SHN_XINDEX is written when needed: give the section by name');
        if (v !== SHN_UNDEF && v < SHN_LORESERVE && v > layout.shstrtab) {
          throw new RangeError(`index ${v} is out of range (${layout.shstrtab + 1} sections)`);
        }
        return v;
      });
      let shndx = section;
      // A section index in the reserved range can only come from a name: escape it.
      if (typeof s.section === 'string' && section >= SHN_LORESERVE) {
        shndx = SHN_XINDEX;
        extendedIndexes[i] = section;
        needShndx = true;
      }
      const o = i * ELF64_SYM_SIZE;
      symView.setUint32(o + SYM.name, nameOffset, true);
      symView.setUint8(o + SYM.info, (bind << 4) | type);
      symView.setUint8(o + SYM.other, u8(s.other, 'other'));
      symView.setUint16(o + SYM.shndx, shndx, true);
      symView.setBigUint64(o + SYM.value, BigInt(u53(s.value, 'value')), true);
      symView.setBigUint64(o + SYM.size, BigInt(u53(s.size, 'size')), true);
    });
  });
  if (needShndx) byName.set(SYMTAB_SHNDX_NAME, [layout.symtabShndx]);

  // --- Spec sections ------------------------------------------------------------------------------
  const out: OutSection[] = [];
  spec.sections.forEach((s, i) => {
    out.push(
      withContext(s.name === '' ? `section ${i + 1}` : `section ${s.name}`, (): OutSection => {
        const type = u32(s.type, 'type');
        if (type === SHT_SYMTAB || type === SHT_SYMTAB_SHNDX) {
          throw new RangeError(`type ${sectionTypeName(type)} is generated from the symbol list, not given as a section`);
        }
        if (!(s.data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
        let size = s.data.length;
        if (type === SHT_NOBITS) {
          if (s.data.length !== 0) throw new RangeError(`SHT_NOBITS section has ${hex(s.data.length)} bytes of data`);
          size = u53(s.size ?? 0, 'size');
        } else if (s.size !== undefined && s.size !== s.data.length) {
          throw new RangeError(`size ${hex(s.size)} differs from the data length ${hex(s.data.length)}`);
        }
        // gABI wants 0 or a power of two; other values are written as given (readElf() warns).
        const addralign = u53(s.addralign, 'addralign');
        return {
          name: s.name,
          type,
          flags: u53(s.flags, 'flags'),
          addr: u53(s.addr, 'addr'),
          link: resolveField(s.link, 'link'),
          info: resolveField(s.info, 'info'),
          addralign,
          entsize: u53(s.entsize, 'entsize'),
          data: s.data,
          size,
        };
      }),
    );
  });

  // --- Relocation sections ------------------------------------------------------------------------
  spec.relocations.forEach((rs) => {
    out.push(
      withContext(`relocations ${rs.name}`, (): OutSection => {
        const target = withContext('target', () => {
          const t = typeof rs.target === 'string' ? findName(rs.target) : u32(rs.target, 'index');
          if (t < layout.firstSection || t >= layout.firstRelocation) {
            throw new RangeError(`section ${t} is not one of the spec's sections (1 to ${n})`);
          }
          return t;
        });
        const targetSection = out[target - 1];
        if (targetSection === undefined) throw new RangeError(`target section ${target} is missing`);
        const rela = rs.rela === true;
        const entSize = rela ? ELF64_RELA_SIZE : ELF64_REL_SIZE;
        const entries: readonly ElfRelocationSpec[] = rs.entries;
        if (!Array.isArray(entries)) throw new TypeError('entries must be an array');
        const data = new Uint8Array(entries.length * entSize);
        const view = new DataView(data.buffer);
        entries.forEach((e, j) => {
          withContext(`relocation ${j}`, () => {
            const offset = u53(e.offset, 'offset');
            const type = u32(e.type, 'type');
            const symbol = checkUint(e.symbol, 'symbol index', 0xffffffff);
            if (symbol >= symbolSpecs.length) {
              throw new RangeError(`symbol index ${symbol} is out of range (${symbolSpecs.length} symbols)`);
            }
            const need = bpfRelocationMinimumSize(type);
            if (offset + need > targetSection.size) {
              throw new RangeError(
                `offset ${hex(offset)} (${bpfRelocationTypeName(type)}, ${need} bytes) lies outside section ${targetSection.name} (size ${hex(targetSection.size)})`,
              );
            }
            if (typeof e.addend !== 'number' || !Number.isSafeInteger(e.addend)) {
              throw new TypeError(`addend must be a safe integer, got ${String(e.addend)}`);
            }
            if (!rela && e.addend !== 0) throw new RangeError(`addend ${e.addend} cannot be stored in SHT_REL`);
            const o = j * entSize;
            view.setBigUint64(o + REL.offset, BigInt(offset), true);
            view.setBigUint64(o + REL.info, (BigInt(newSymbolIndex[symbol] ?? 0) << 32n) | BigInt(type), true);
            if (rela) view.setBigInt64(o + REL.addend, BigInt(e.addend), true);
          });
        });
        return {
          name: rs.name,
          type: rela ? SHT_RELA : SHT_REL,
          flags: u53(rs.flags, 'flags'),
          addr: 0,
          link: layout.symtab,
          info: target,
          addralign: 8,
          entsize: entSize,
          data,
          size: data.length,
        };
      }),
    );
  });

  // --- Generated tables ---------------------------------------------------------------------------
  const strtabData = strtab.bytes();
  out.push({
    name: SYMTAB_NAME,
    type: SHT_SYMTAB,
    flags: 0,
    addr: 0,
    link: layout.strtab,
    info: firstNonLocal,
    addralign: 8,
    entsize: ELF64_SYM_SIZE,
    data: symtabData,
    size: symtabData.length,
  });
  out.push({
    name: STRTAB_NAME,
    type: SHT_STRTAB,
    flags: 0,
    addr: 0,
    link: 0,
    info: 0,
    addralign: 1,
    entsize: 0,
    data: strtabData,
    size: strtabData.length,
  });
  const shstrtab = new StringTableBuilder();
  const nameOffsets = [0];
  const allNames = [...out.map((s) => s.name), SHSTRTAB_NAME, ...(needShndx ? [SYMTAB_SHNDX_NAME] : [])];
  for (const name of allNames) nameOffsets.push(shstrtab.add(name));
  const shstrtabData = shstrtab.bytes();
  out.push({
    name: SHSTRTAB_NAME,
    type: SHT_STRTAB,
    flags: 0,
    addr: 0,
    link: 0,
    info: 0,
    addralign: 1,
    entsize: 0,
    data: shstrtabData,
    size: shstrtabData.length,
  });
  if (needShndx) {
    const shndxData = new Uint8Array(extendedIndexes.buffer.slice(0));
    // Uint32Array is host-endian: rewrite little-endian explicitly.
    const v = new DataView(shndxData.buffer);
    extendedIndexes.forEach((x, i) => v.setUint32(i * 4, x, true));
    out.push({
      name: SYMTAB_SHNDX_NAME,
      type: SHT_SYMTAB_SHNDX,
      flags: 0,
      addr: 0,
      link: layout.symtab,
      info: 0,
      addralign: 4,
      entsize: 4,
      data: shndxData,
      size: shndxData.length,
    });
  }

  return layOut(header, out, layout.shstrtab, nameOffsets);
}

const alignUp = (n: number, a: number): number => (a <= 1 ? n : Math.ceil(n / a) * a);

function layOut(
  header: { type: number; flags: number; osabi: number; abiVersion: number; entry: number },
  sections: readonly OutSection[],
  shstrndx: number,
  nameOffsets: readonly number[],
): Uint8Array {
  const count = sections.length + 1;
  const offsets: number[] = [];
  let at = ELF64_EHDR_SIZE;
  for (const s of sections) {
    if (isPowerOfTwo(s.addralign)) at = alignUp(at, Math.min(s.addralign, MAX_FILE_ALIGNMENT));
    offsets.push(at);
    if (s.type !== SHT_NOBITS) at += s.data.length;
  }
  const shoff = alignUp(at, 8);
  const total = shoff + count * ELF64_SHDR_SIZE;
  if (!Number.isSafeInteger(total) || total > 0x7fffffff * 2) {
    throw new RangeError(`elf file: ${hex(total)} bytes is too large to write`);
  }
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);

  // Elf64_Ehdr
  bytes.set(ELF_MAGIC, 0);
  bytes[EI_CLASS] = ELFCLASS64;
  bytes[EI_DATA] = ELFDATA2LSB;
  bytes[EI_VERSION] = EV_CURRENT;
  bytes[EI_OSABI] = header.osabi;
  bytes[EI_ABIVERSION] = header.abiVersion;
  view.setUint16(EHDR.type, header.type, true);
  view.setUint16(EHDR.machine, EM_BPF, true);
  view.setUint32(EHDR.version, EV_CURRENT, true);
  view.setBigUint64(EHDR.entry, BigInt(header.entry), true);
  view.setBigUint64(EHDR.phoff, 0n, true);
  view.setBigUint64(EHDR.shoff, BigInt(shoff), true);
  view.setUint32(EHDR.flags, header.flags, true);
  view.setUint16(EHDR.ehsize, ELF64_EHDR_SIZE, true);
  view.setUint16(EHDR.phentsize, 0, true);
  view.setUint16(EHDR.phnum, 0, true);
  view.setUint16(EHDR.shentsize, ELF64_SHDR_SIZE, true);
  // Extended numbering: counts/indexes that do not fit go to section 0's sh_size / sh_link.
  view.setUint16(EHDR.shnum, count < SHN_LORESERVE ? count : 0, true);
  view.setUint16(EHDR.shstrndx, shstrndx < SHN_LORESERVE ? shstrndx : SHN_XINDEX, true);
  if (count >= SHN_LORESERVE) view.setBigUint64(shoff + SHDR.size, BigInt(count), true);
  if (shstrndx >= SHN_LORESERVE) view.setUint32(shoff + SHDR.link, shstrndx, true);

  sections.forEach((s, i) => {
    const offset = offsets[i] ?? 0;
    if (s.type !== SHT_NOBITS) bytes.set(s.data, offset);
    const o = shoff + (i + 1) * ELF64_SHDR_SIZE;
    view.setUint32(o + SHDR.name, nameOffsets[i + 1] ?? 0, true);
    view.setUint32(o + SHDR.type, s.type, true);
    view.setBigUint64(o + SHDR.flags, BigInt(s.flags), true);
    view.setBigUint64(o + SHDR.addr, BigInt(s.addr), true);
    view.setBigUint64(o + SHDR.offset, BigInt(offset), true);
    view.setBigUint64(o + SHDR.size, BigInt(s.size), true);
    view.setUint32(o + SHDR.link, s.link, true);
    view.setUint32(o + SHDR.info, s.info, true);
    view.setBigUint64(o + SHDR.addralign, BigInt(s.addralign), true);
    view.setBigUint64(o + SHDR.entsize, BigInt(s.entsize), true);
  });
  return bytes;
}
