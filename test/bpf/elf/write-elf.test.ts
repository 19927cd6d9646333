import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ElfFile,
  type ElfFileSpec,
  type ElfSectionSpec,
  readElf,
  SHN_ABS,
  SHN_LORESERVE,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_REL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_LOCAL,
  toElfSpec,
  writeElf,
} from '../../../bpf/elf/index.ts';
import { available } from '../../support/require.ts';
import {
  digestSpec,
  fixtureSpec,
  isInvalidSample,
  llvmReadelf19,
  type ReadelfJson,
  readelfJson,
  readelfText,
  readSample,
  sampleName,
  sampleObjects,
} from './support.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tsbpf-elf-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes `bytes` to a scratch file for the llvm tools. */
function scratchFile(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name.replaceAll('/', '_'));
  writeFileSync(path, bytes);
  return path;
}

const validObjects = sampleObjects.filter((p) => !isInvalidSample(p));

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e instanceof RangeError || e instanceof TypeError, String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('writeElf() round trip on the ebpf-samples corpus', () => {
  it.each(validObjects.map(sampleName))('read → write → read of %s gives an equal spec', (name) => {
    const original = readElf(readSample(validObjects.find((p) => sampleName(p) === name) ?? ''));
    const spec = toElfSpec(original);
    const written = writeElf(spec);
    const reread = readElf(written);
    expect(reread.warnings).toEqual([]);
    const again = toElfSpec(reread);
    expect(digestSpec(again)).toEqual(digestSpec(spec));
    // Section contents byte for byte, and the output is a fixed point of read → write.
    again.sections.forEach((s, i) => {
      expect(Buffer.compare(s.data, spec.sections[i]?.data ?? new Uint8Array())).toBe(0);
    });
    expect(Buffer.compare(writeElf(again), written)).toBe(0);
  });

  /** llvm-readelf's view of an object, keyed by names instead of indexes. */
  function byName(ref: ReadelfJson) {
    const sectionName = new Map(ref.Sections.map(({ Section: s }) => [s.Index, s.Name.Name]));
    const generated = (type: number) => type === SHT_STRTAB || type === SHT_SYMTAB;
    return {
      sections: ref.Sections.filter(({ Section: s }) => s.Index !== 0 && !generated(s.Type.Value))
        .map(({ Section: s }) => ({
          name: s.Name.Name,
          type: s.Type.Value,
          flags: s.Flags.Value,
          size: s.Size,
          align: s.AddressAlignment,
          entsize: s.EntrySize,
          // REL: the target by name
          info: s.Type.Value === SHT_REL ? sectionName.get(s.Info) : s.Info,
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      symbols: (ref.Symbols ?? []).map(({ Symbol: s }) => ({
        name: s.Name.Name,
        value: s.Value,
        size: s.Size,
        bind: s.Binding.Value,
        type: s.Type.Value,
        other: s.Other.Value,
        section:
          s.Section.Value > 0 && s.Section.Value < SHN_LORESERVE ? sectionName.get(s.Section.Value) : s.Section.Value,
      })),
      relocations: Object.fromEntries(
        (ref.Relocations ?? []).map((rs) => [
          sectionName.get(rs.SectionIndex),
          rs.Relocs.map(({ Relocation: r }) => [r.Offset, r.Type.Value, r.Symbol.Value, r.Symbol.Name]),
        ]),
      ),
    };
  }

  describe.runIf(available('writeElf() vs llvm-readelf-19', llvmReadelf19))('checked by llvm-readelf-19', () => {
    it.each(validObjects.map(sampleName))('the rewritten %s has the same sections, symbols and relocations', (name) => {
      const path = validObjects.find((p) => sampleName(p) === name) ?? '';
      const rewritten = scratchFile(name, writeElf(toElfSpec(readElf(readSample(path)))));
      expect(readelfText(rewritten, '-S', '-s', '-r').stderr).toBe('');
      expect(byName(readelfJson(rewritten))).toEqual(byName(readelfJson(path)));
    });
  });
});

describe('writeElf() on a hand-built spec', () => {
  it('writes locals first, sets sh_info to the first non-local, and renumbers relocation symbols', () => {
    const file = readElf(writeElf(fixtureSpec()));
    expect(file.warnings).toEqual([]);
    expect(file.symbols.map((s) => s.name)).toEqual([
      '',
      'fixture.c',
      '',
      'sub',
      'prog',
      'my_map',
      '_license',
      'counter',
    ]);
    const symtab = file.section(file.symbolTable ?? -1);
    expect(symtab.info).toBe(4);
    expect(file.symbols.slice(0, 4).every((s) => s.bind === STB_LOCAL)).toBe(true);
    const text = file.sectionByName('.text')?.index ?? -1;
    const relocated = file.relocationsFor(text).map((r) => {
      const sym = file.relocationSymbol(r);
      return [r.offset, r.type, sym.name, sym.section];
    });
    expect(relocated).toEqual([
      [0, 1, 'my_map', file.sectionByName('maps')?.index],
      [16, 10, '', text],
    ]);
  });

  it('keeps field values: NOBITS size, visibility, ABS section, flags, alignment', () => {
    const file = readElf(writeElf(fixtureSpec()));
    const bss = file.sectionByName('.bss');
    expect(bss).toMatchObject({ type: SHT_NOBITS, size: 16, addralign: 8, flags: 3 });
    expect(bss?.data.length).toBe(0);
    expect(file.symbols.find((s) => s.name === 'sub')).toMatchObject({ visibility: 2, other: 2, value: 32, size: 16 });
    expect(file.symbols.find((s) => s.name === 'fixture.c')).toMatchObject({ shndx: SHN_ABS, section: undefined });
    expect(file.sectionByName('.rel.text')).toMatchObject({ type: SHT_REL, flags: 0x40, entsize: 16, addralign: 8 });
    for (const s of file.sections) if (s.addralign > 1 && s.data.length > 0) expect(s.offset % s.addralign).toBe(0);
  });

  it('is deterministic', () => {
    expect(Buffer.compare(writeElf(fixtureSpec()), writeElf(fixtureSpec()))).toBe(0);
  });

  it('round-trips a spec already in canonical form exactly', () => {
    const canonical = toElfSpec(readElf(writeElf(fixtureSpec())));
    expect(toElfSpec(readElf(writeElf(canonical)))).toEqual(canonical);
  });

  it('writes utf-8 names', () => {
    const spec = fixtureSpec();
    const extra = { ...spec.sections[1]!, name: 'maps/ü' };
    const file = readElf(writeElf({ ...spec, sections: [...spec.sections, extra] }));
    expect(file.sectionByName('maps/ü')?.data.length).toBe(20);
  });

  it.runIf(available('writeElf() fixture vs llvm-readelf-19', llvmReadelf19))(
    'produces an object llvm-readelf-19 reads without warnings',
    () => {
      const path = scratchFile('fixture.o', writeElf(fixtureSpec()));
      const { stdout, stderr } = readelfText(path, '-S', '-s', '-r');
      expect(stderr).toBe('');
      expect(stdout).toMatch(/R_BPF_64_64\s+0+\s+my_map/);
      expect(stdout).toMatch(/R_BPF_64_32\s+0+\s+\.text/);
      expect(stdout).toMatch(/\.bss\s+NOBITS/);
    },
  );
});

describe('writeElf() with more than SHN_LORESERVE sections', () => {
  const count = SHN_LORESERVE + 16;
  const filler: ElfSectionSpec = {
    name: 'filler',
    type: 1,
    flags: 0,
    addr: 0,
    link: 0,
    info: 0,
    addralign: 1,
    entsize: 0,
    data: new Uint8Array(0),
  };
  const spec: ElfFileSpec = {
    sections: [
      ...Array.from({ length: count - 1 }, () => filler),
      { ...filler, name: 'last', data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
    ],
    symbols: [
      { name: '', value: 0, size: 0, bind: 0, type: 0, other: 0, section: 0 },
      { name: 'in_last', value: 4, size: 4, bind: 1, type: 1, other: 0, section: 'last' },
    ],
    relocations: [
      { name: '.rellast', target: 'last', rela: false, flags: 0, entries: [{ offset: 0, symbol: 1, type: 2, addend: 0 }] },
    ],
  };
  const bytes = writeElf(spec);

  it('uses the extended numbering escapes in the header and SHT_SYMTAB_SHNDX for symbols', () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint16(60, true)).toBe(0); // e_shnum
    expect(view.getUint16(62, true)).toBe(SHN_XINDEX); // e_shstrndx
    const file = readElf(bytes);
    expect(file.header.shnum).toBe(count + 6); // null, .rellast, .symtab, .strtab, .shstrtab, .symtab_shndx
    expect(file.section(file.header.shstrndx).name).toBe('.shstrtab');
    const sym = file.symbols[1];
    expect(sym).toMatchObject({ name: 'in_last', shndx: SHN_XINDEX, section: count });
    expect(file.symbolsAt(count, 4).map((s) => s.name)).toEqual(['in_last']);
    expect(file.relocationsFor(count).map((r) => r.symbol)).toEqual([1]);
    expect(file.symbolIndexTable).toBe(count + 5);
  });

  it('round-trips through toElfSpec()', () => {
    const file = readElf(bytes);
    const again = toElfSpec(file);
    expect(again.sections).toHaveLength(count);
    expect(again.symbols[1]?.section).toBe('last');
    expect(Buffer.compare(writeElf(again), bytes)).toBe(0);
  });

  it.runIf(available('writeElf() extended numbering vs llvm-readelf-19', llvmReadelf19))(
    'is read the same by llvm-readelf-19',
    () => {
      const ref = readelfJson(scratchFile('many.o', bytes));
      expect(ref.Sections).toHaveLength(count + 6);
      const sym = ref.Symbols?.[1]?.Symbol;
      expect(sym?.Name.Name).toBe('in_last');
      expect(sym?.Section.Value).toBe(count);
    },
  );
});

describe('writeElf() rejects a bad spec with a clear error', () => {
  const base = fixtureSpec();
  const withSection = (i: number, patch: Partial<ElfSectionSpec>): ElfFileSpec => ({
    ...base,
    sections: base.sections.map((s, j) => (j === i ? { ...s, ...patch } : s)),
  });
  const [rel] = base.relocations;
  if (rel === undefined) throw new Error('fixture has no relocations');
  const withEntry = (patch: object): ElfFileSpec => ({
    ...base,
    relocations: [{ ...rel, entries: [{ ...rel.entries[0]!, ...patch }] }],
  });

  it('a name reserved for a generated section', () => {
    expect(messageOf(() => writeElf(withSection(1, { name: '.strtab' })))).toBe(
      'section .strtab: the name is reserved for a section writeElf() generates',
    );
  });

  it('a reference to a missing or ambiguous section name', () => {
    expect(messageOf(() => writeElf(withSection(1, { link: 'nope' })))).toBe(
      'section maps: link: no section named "nope"',
    );
    expect(messageOf(() => writeElf(withSection(2, { name: 'maps' })))).toBe(
      'symbol 5 (my_map): section: section name "maps" is ambiguous (sections 2, 3): use an index',
    );
  });

  it('a relocation target that is not a spec section', () => {
    expect(
      messageOf(() => writeElf({ ...base, relocations: [{ ...rel, target: '.symtab' }] })),
    ).toBe(`relocations .rel.text: target: section ${base.sections.length + 2} is not one of the spec's sections (1 to 4)`);
  });

  it('a relocation symbol index out of range', () => {
    expect(messageOf(() => writeElf(withEntry({ symbol: 8 })))).toBe(
      'relocations .rel.text: relocation 0: symbol index 8 is out of range (8 symbols)',
    );
  });

  it('a relocation offset outside its target', () => {
    expect(messageOf(() => writeElf(withEntry({ offset: 0x2c })))).toBe(
      'relocations .rel.text: relocation 0: offset 0x2c (R_BPF_64_64, 8 bytes) lies outside section .text (size 0x30)',
    );
  });

  it('an addend in an SHT_REL section', () => {
    expect(messageOf(() => writeElf(withEntry({ addend: 4 })))).toBe(
      'relocations .rel.text: relocation 0: addend 4 cannot be stored in SHT_REL',
    );
  });

  it('NOBITS data, a size that differs from the data, and a symbol table given as a section', () => {
    expect(messageOf(() => writeElf(withSection(3, { data: new Uint8Array(4) })))).toBe(
      'section .bss: SHT_NOBITS section has 0x4 bytes of data',
    );
    expect(messageOf(() => writeElf(withSection(1, { size: 4 })))).toBe(
      'section maps: size 0x4 differs from the data length 0x14',
    );
    expect(messageOf(() => writeElf(withSection(1, { type: SHT_SYMTAB })))).toBe(
      'section maps: type SHT_SYMTAB is generated from the symbol list, not given as a section',
    );
  });

  it('a first symbol that is not the null symbol', () => {
    expect(messageOf(() => writeElf({ ...base, symbols: base.symbols.slice(1) }))).toBe(
      'symbol 0: must be the null symbol (all fields 0, name empty, section SHN_UNDEF)',
    );
  });

  it('bad field values', () => {
    expect(messageOf(() => writeElf(withSection(1, { name: 'a\0b' })))).toBe(
      'section 2: name "a\\u0000b" contains a nul character',
    );
    expect(messageOf(() => writeElf(withSection(1, { flags: -1 })))).toBe(
      'section maps: flags -1 is out of range (0 to 0x1fffffffffffff)',
    );
    expect(messageOf(() => writeElf(withSection(1, { addralign: 1.5 })))).toBe(
      'section maps: addralign must be an integer, got 1.5',
    );
    expect(messageOf(() => writeElf({ ...base, flags: 2 ** 32 }))).toBe(
      'elf header: flags 4294967296 is out of range (0 to 0xffffffff)',
    );
    const symbols = base.symbols.map((s, i) => (i === 2 ? { ...s, bind: 16 } : s));
    expect(messageOf(() => writeElf({ ...base, symbols }))).toBe('symbol 2 (prog): bind 16 is out of range (0 to 0xf)');
    const badSection = base.symbols.map((s, i) => (i === 2 ? { ...s, section: 99 } : s));
    expect(messageOf(() => writeElf({ ...base, symbols: badSection }))).toBe(
      'symbol 2 (prog): section: index 99 is out of range (9 sections)',
    );
    const xindex = base.symbols.map((s, i) => (i === 2 ? { ...s, section: SHN_XINDEX } : s));
    expect(messageOf(() => writeElf({ ...base, symbols: xindex }))).toBe(
      'symbol 2 (prog): section: SHN_XINDEX is written when needed: give the section by name',
    );
  });

  it('still reads what it writes after every rejection test (the base spec is valid)', () => {
    expect(readElf(writeElf(base))).toBeInstanceOf(ElfFile);
  });
});
