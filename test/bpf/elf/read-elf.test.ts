import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ELF64_SHDR_SIZE,
  ElfFile,
  EM_BPF,
  ET_CORE,
  ET_EXEC,
  readElf,
  SHN_ABS,
  SHN_XINDEX,
  SHT_NOBITS,
  STT_SECTION,
  toElfSpec,
  writeElf,
} from '../../../bpf/elf/index.ts';
import { available } from '../../support/require.ts';
import {
  fixtureSpec,
  isClearElfError,
  isInvalidSample,
  llvmReadelf19,
  Patcher,
  readelfJson,
  readSample,
  sampleName,
  sampleObjects,
} from './support.ts';

// Elf64_Shdr field offsets used by the corruptions below.
const SH_NAME = 0;
const SH_TYPE = 4;
const SH_OFFSET = 24;
const SH_SIZE = 32;
const SH_LINK = 40;
const SH_ENTSIZE = 56;

/** readElf(), with anything but a clear diagnostic rethrown as a test failure. */
function readOrDiagnose(bytes: Uint8Array): ElfFile | RangeError | TypeError {
  try {
    return readElf(bytes);
  } catch (e) {
    if (isClearElfError(e)) return e;
    throw new Error(`readElf() threw something other than a clear diagnostic: ${String(e)}`, { cause: e });
  }
}

/** Message of the error `fn` throws (failing when it does not throw). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isClearElfError(e), `not a clear error: ${String(e)}`).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const fixture = (): Uint8Array => writeElf(fixtureSpec());

/** The fixture with its parsed form, for locating sections to corrupt. */
function fixtureWithLayout(): { patch: Patcher; file: ElfFile; index: (name: string) => number } {
  const bytes = fixture();
  const file = readElf(bytes);
  const index = (name: string): number => {
    const s = file.sectionByName(name);
    if (s === undefined) throw new Error(`fixture has no ${name}`);
    return s.index;
  };
  return { patch: new Patcher(bytes), file, index };
}

describe('readElf() on the ebpf-samples corpus', () => {
  it('has objects to read', () => {
    expect(sampleObjects.length).toBeGreaterThan(100);
  });

  it('reads every object, or rejects it with a clear error (allowed under invalid/ only)', () => {
    const rejected: string[] = [];
    for (const path of sampleObjects) {
      const result = readOrDiagnose(readSample(path));
      if (result instanceof ElfFile) continue;
      rejected.push(`${sampleName(path)}: ${result.message}`);
      expect(isInvalidSample(path), `${sampleName(path)} was rejected: ${result.message}`).toBe(true);
    }
    console.info(`readElf() rejected ${rejected.length} of ${sampleObjects.length} objects:\n  ${rejected.join('\n  ')}`);
  });

  it('gives every section of a valid object its bytes, and NOBITS sections no bytes but their size', () => {
    for (const path of sampleObjects.filter((p) => !isInvalidSample(p))) {
      const bytes = readSample(path);
      const file = readElf(bytes);
      for (const s of file.sections) {
        if (s.type === SHT_NOBITS || s.index === 0) {
          expect(s.data.length).toBe(0);
        } else {
          expect(s.data.length).toBe(s.size);
          expect(s.data.byteOffset - file.bytes.byteOffset).toBe(s.offset);
        }
      }
    }
  });

  describe.runIf(available('readElf() vs llvm-readelf-19', llvmReadelf19))('checked by llvm-readelf-19', () => {
    const valid = sampleObjects.filter((p) => !isInvalidSample(p));
    it.each(valid.map(sampleName))('agrees on the sections, symbols and relocations of %s', (ctx) => {
      const path = valid.find((p) => sampleName(p) === ctx) ?? '';
      const file = readElf(readSample(path));
      const ref = readelfJson(path);

      expect(
        file.sections.map((s) => [
          s.index,
          s.name,
          s.type,
          s.flags,
          s.addr,
          s.offset,
          s.size,
          s.link,
          s.info,
          s.addralign,
          s.entsize,
        ]),
        ctx,
      ).toEqual(
        ref.Sections.map(({ Section: s }) => [
          s.Index,
          s.Name.Name,
          s.Type.Value,
          s.Flags.Value,
          s.Address,
          s.Offset,
          s.Size,
          s.Link,
          s.Info,
          s.AddressAlignment,
          s.EntrySize,
        ]),
      );

      // llvm-readelf names section symbols after their section; the string table holds ''.
      expect(
        file.symbols.map((s) => [
          s.type === STT_SECTION && s.name === '' ? `<section ${s.section}>` : s.name,
          s.nameOffset,
          s.value,
          s.size,
          s.bind,
          s.type,
          s.other,
          s.shndx === SHN_XINDEX ? s.section : s.shndx,
        ]),
        ctx,
      ).toEqual(
        (ref.Symbols ?? []).map(({ Symbol: s }) => [
          s.Type.Value === STT_SECTION && s.Name.Value === 0 ? `<section ${s.Section.Value}>` : s.Name.Name,
          s.Name.Value,
          s.Value,
          s.Size,
          s.Binding.Value,
          s.Type.Value,
          s.Other.Value,
          s.Section.Value,
        ]),
      );

      expect(
        file.relocationSections.map((rs) => [rs.index, rs.entries.map((e) => [e.offset, e.type, e.symbol])]),
        ctx,
      ).toEqual(
        (ref.Relocations ?? []).map((rs) => [
          rs.SectionIndex,
          rs.Relocs.map(({ Relocation: r }) => [r.Offset, r.Type.Value, r.Symbol.Value]),
        ]),
      );
    });
  });
});

describe('readElf() on truncated and random input', () => {
  const small = sampleObjects.find((p) => sampleName(p) === 'build/badhelpercall.o');
  const withRelocations = sampleObjects.find((p) => sampleName(p) === 'linux/sockex1_kern.o');

  it.each([small, withRelocations].filter((p): p is string => p !== undefined).map(sampleName))(
    'rejects %s truncated at every 7th byte with a clear error',
    (name) => {
      const bytes = readSample(sampleObjects.find((p) => sampleName(p) === name) ?? '');
      let parsed = 0;
      for (let cut = 0; cut < bytes.length; cut += 7) {
        const result = readOrDiagnose(bytes.subarray(0, cut));
        if (result instanceof ElfFile) parsed++;
      }
      // The section header table is at the end of the file: no strict prefix is a complete object.
      expect(parsed).toBe(0);
    },
  );

  it('rejects the fixture truncated at every byte with a clear error', () => {
    const bytes = fixture();
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(readOrDiagnose(bytes.subarray(0, cut))).not.toBeInstanceOf(ElfFile);
    }
  });

  it('reads names that share one long tail in time linear in the string table', () => {
    // 20000 symbols pointing at different offsets of one 256 KiB name: a reader that scans or decodes
    // each name separately does ~2.5e9 bytes of work.
    const count = 20000;
    const abs = { value: 0, size: 0, bind: 0, type: 0, other: 0, section: SHN_ABS };
    const bytes = writeElf({
      sections: [],
      symbols: [
        { ...abs, name: '', section: 0 },
        { ...abs, name: 'a'.repeat(256 * 1024) },
        ...Array.from({ length: count }, () => ({ ...abs, name: 'x' })),
      ],
      relocations: [],
    });
    const symtab = readElf(bytes).section(readElf(bytes).symbolTable ?? 0);
    const patch = new Patcher(bytes);
    for (let i = 2; i < count + 2; i++) patch.u32(symtab.offset + i * 24, 1 + i * 10);
    const started = performance.now();
    const file = readElf(patch.bytes);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(file.symbols[count + 1]?.name.length).toBe(256 * 1024 - (count + 1) * 10);
  });

  it('rejects random bytes with a clear error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        readOrDiagnose(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects random bytes behind a valid ELF64 BPF identification with a clear error', () => {
    const ident = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, EM_BPF, 0, 1, 0, 0, 0];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (tail) => {
        readOrDiagnose(new Uint8Array([...ident, ...tail]));
      }),
      { numRuns: 2000 },
    );
  });

  const mutations = (length: number) =>
    fc.array(fc.tuple(fc.nat(length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });

  /** Reads a mutated object; what reads must also survive the queries and a rewrite. */
  function readMutated(base: Uint8Array, changes: readonly [number, number][]): void {
    const bytes = new Uint8Array(base);
    for (const [at, value] of changes) bytes[at] = value;
    const result = readOrDiagnose(bytes);
    if (!(result instanceof ElfFile)) return;
    for (const s of result.sections) {
      const relocations = result.relocationsFor(s.index);
      relocations.forEach((r, i) => i > 0 && expect(r.offset).toBeGreaterThanOrEqual(relocations[i - 1]?.offset ?? 0));
      result.symbolsInSection(s.index);
    }
    let written: Uint8Array;
    try {
      written = writeElf(toElfSpec(result));
    } catch (e) {
      expect(e instanceof RangeError || e instanceof TypeError, String(e)).toBe(true);
      expect((e as Error).message).toMatch(/^(elf header|section|symbol|relocations)\b/);
      return;
    }
    expect(readOrDiagnose(written)).toBeInstanceOf(ElfFile);
  }

  it('reads byte-mutated copies of the fixture, or rejects them with a clear error', () => {
    const base = fixture();
    fc.assert(
      fc.property(mutations(base.length), (changes) => readMutated(base, changes)),
      { numRuns: 3000 },
    );
  });

  it.runIf(withRelocations !== undefined)(
    'reads byte-mutated copies of a corpus object, or rejects them with a clear error',
    () => {
      const base = readSample(withRelocations ?? '');
      // Aim half of the mutations at the section headers, symbol table and relocations (the file's tail).
      const tail = Math.floor(base.length / 2);
      const tailMutations = fc.array(
        fc.tuple(fc.integer({ min: tail, max: base.length - 1 }), fc.integer({ min: 0, max: 255 })),
        { minLength: 1, maxLength: 6 },
      );
      fc.assert(
        fc.property(fc.oneof(mutations(base.length), tailMutations), (changes) => readMutated(base, changes)),
        { numRuns: 1500 },
      );
    },
  );
});

describe('readElf() diagnoses targeted corruptions', () => {
  it('reads the uncorrupted fixture', () => {
    const file = readElf(fixture());
    expect(file.warnings).toEqual([]);
    expect(file.isRelocatable).toBe(true);
  });

  it('reads an object that starts inside a larger buffer', () => {
    const bytes = fixture();
    const padded = new Uint8Array(bytes.length + 11);
    padded.set(bytes, 3);
    const file = readElf(padded.subarray(3, 3 + bytes.length));
    expect(toElfSpec(file)).toEqual(toElfSpec(readElf(bytes)));
    expect(file.sectionByName('.text')?.data[0]).toBe(0x18);
  });

  it('rejects a bad magic', () => {
    const { patch } = fixtureWithLayout();
    expect(() => readElf(patch.u8(3, 0x47).bytes)).toThrow(
      new TypeError('elf header: bad magic 7f 45 4c 47, expected 7f 45 4c 46 (\\x7fELF): not an elf file'),
    );
  });

  it('rejects an empty file and a truncated header', () => {
    expect(messageOf(() => readElf(new Uint8Array(0)))).toBe(
      'elf header: file is truncated (0x0 bytes, an Elf64_Ehdr needs 0x40)',
    );
    expect(messageOf(() => readElf(fixture().subarray(0, 20)))).toBe(
      'elf header: file is truncated (0x14 bytes, an Elf64_Ehdr needs 0x40)',
    );
  });

  it('rejects ELFCLASS32, big-endian and a bad version', () => {
    const { patch } = fixtureWithLayout();
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u8(4, 1).bytes))).toBe(
      'elf header: class 1 (ELFCLASS32) is not supported, expected 2 (ELFCLASS64)',
    );
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u8(5, 2).bytes))).toBe(
      'elf header: data encoding 2 (ELFDATA2MSB, big-endian) is not supported, expected 1 (ELFDATA2LSB)',
    );
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u32(20, 2).bytes))).toBe(
      'elf header: version 2, expected 1 (EV_CURRENT)',
    );
  });

  it('rejects a machine other than EM_BPF with a TypeError', () => {
    const { patch } = fixtureWithLayout();
    expect(() => readElf(patch.u16(18, 62).bytes)).toThrow(
      new TypeError('elf header: machine 62 is not bpf, expected 247 (EM_BPF)'),
    );
  });

  it('accepts ET_EXEC with a warning, unless a relocatable object is required, and rejects ET_CORE', () => {
    const exec = new Patcher(fixture()).u16(16, ET_EXEC).bytes;
    const file = readElf(exec);
    expect(file.isRelocatable).toBe(false);
    expect(file.warnings).toContain('elf header: type 2 (ET_EXEC) is not a relocatable object');
    expect(messageOf(() => readElf(exec, { requireRelocatable: true }))).toBe(
      'elf header: type 2 (ET_EXEC) is not supported, expected 1 (ET_REL)',
    );
    expect(messageOf(() => readElf(new Patcher(fixture()).u16(16, ET_CORE).bytes))).toBe(
      'elf header: type 4 (ET_CORE) is not supported, expected 1 (ET_REL)',
    );
  });

  it('ignores program headers, with a warning', () => {
    const file = readElf(new Patcher(fixture()).u64(32, 0xdeadbeefn).u16(54, 56).u16(56, 3).bytes);
    expect(file.warnings).toContain('elf header: 3 program headers ignored');
  });

  it('prefixes messages with options.name and chains the unprefixed error as cause', () => {
    try {
      readElf(new Patcher(fixture()).u16(18, 62).bytes, { name: 'prog.o' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toBe('prog.o: elf header: machine 62 is not bpf, expected 247 (EM_BPF)');
      expect(((e as Error).cause as Error).message).toBe('elf header: machine 62 is not bpf, expected 247 (EM_BPF)');
    }
  });

  it('rejects input that is not a Uint8Array with a TypeError', () => {
    expect(() => readElf('not bytes' as unknown as Uint8Array)).toThrow(
      new TypeError('readElf: expected a Uint8Array, got string'),
    );
  });

  it('rejects a section header table outside the file', () => {
    const { patch } = fixtureWithLayout();
    const size = patch.bytes.length;
    expect(messageOf(() => readElf(patch.u64(40, size - 8).bytes))).toBe(
      `section header table: offset 0x${(size - 8).toString(16)} lies outside the file (size 0x${size.toString(16)})`,
    );
  });

  it('rejects a section count past the end of the file, and a huge extended count, without hanging', () => {
    const { patch } = fixtureWithLayout();
    const size = patch.bytes.length;
    const shoff = patch.shoff;
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u16(60, 0xfff0).bytes))).toBe(
      `section header table (offset 0x${shoff.toString(16)}, 65520 entries of 0x40 bytes) lies outside the file (size 0x${size.toString(16)})`,
    );
    // e_shnum == 0: the count comes from section 0's sh_size.
    const huge = new Patcher(patch.bytes).u16(60, 0).u64(patch.shdr(0, SH_SIZE), 2n ** 60n).bytes;
    expect(messageOf(() => readElf(huge))).toMatch(
      /^section header table \(offset 0x[0-9a-f]+, 1152921504606846976 entries of 0x40 bytes\) lies outside the file/,
    );
  });

  it('rejects a wrong section header entry size', () => {
    expect(messageOf(() => readElf(new Patcher(fixture()).u16(58, 40).bytes))).toBe(
      'elf header: section header entry size 0x28, expected 0x40 (sizeof Elf64_Shdr)',
    );
  });

  it('rejects a section name string table index out of range, and one that is not a string table', () => {
    const { patch, file, index } = fixtureWithLayout();
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u16(62, 99).bytes))).toBe(
      `elf header: section name string table index 99 is out of range (${file.sections.length} sections)`,
    );
    const text = index('.text');
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u16(62, text).bytes))).toBe(
      `section name string table (section ${text}): type SHT_PROGBITS is not SHT_STRTAB`,
    );
  });

  it('follows SHN_XINDEX in e_shstrndx to section 0 sh_link', () => {
    const { patch, file } = fixtureWithLayout();
    const escaped = patch.u16(62, SHN_XINDEX).u32(patch.shdr(0, SH_LINK), file.header.shstrndx).bytes;
    expect(readElf(escaped).sections.map((s) => s.name)).toEqual(file.sections.map((s) => s.name));
  });

  it('rejects section data outside the file, naming the section', () => {
    const { patch, index } = fixtureWithLayout();
    const size = patch.bytes.length;
    const at = patch.shdr(index('.text'), SH_OFFSET);
    expect(() => readElf(patch.u64(at, size - 16).bytes)).toThrow(
      new RangeError(
        `section .text: data (offset 0x${(size - 16).toString(16)}, size 0x30) lies outside the file (size 0x${size.toString(16)})`,
      ),
    );
  });

  it('rejects a section size that overflows 64 bits past the file end', () => {
    const { patch, index } = fixtureWithLayout();
    const text = patch.u64(patch.shdr(index('.text'), SH_SIZE), 0xffffffffffffffffn).bytes;
    expect(messageOf(() => readElf(text))).toMatch(
      /^section \.text: data \(offset 0x40, size 0xffffffffffffffff\) lies outside the file/,
    );
  });

  it('rejects overlapping sections and a section overlapping the ELF header', () => {
    const { patch, file, index } = fixtureWithLayout();
    const textOffset = file.section(index('.text')).offset;
    const overlap = new Patcher(patch.bytes).u64(patch.shdr(index('maps'), SH_OFFSET), textOffset + 8).bytes;
    expect(messageOf(() => readElf(overlap))).toBe(
      `section maps: data (offset 0x${(textOffset + 8).toString(16)}, size 0x14) overlaps section .text (offset 0x${textOffset.toString(16)}, size 0x30)`,
    );
    const header = new Patcher(patch.bytes).u64(patch.shdr(index('maps'), SH_OFFSET), 0x10).bytes;
    expect(messageOf(() => readElf(header))).toBe(
      'section maps: data (offset 0x10, size 0x14) overlaps the elf header (offset 0x0, size 0x40)',
    );
  });

  it('rejects a section name offset outside the section name string table', () => {
    const { patch, file, index } = fixtureWithLayout();
    const shstrtab = file.section(file.header.shstrndx);
    const text = index('.text');
    const bad = patch.u32(patch.shdr(text, SH_NAME), 0x1000).bytes;
    expect(messageOf(() => readElf(bad))).toBe(
      `section ${text}: name offset 0x1000 lies outside the string table in section ${shstrtab.index} (size 0x${shstrtab.size.toString(16)})`,
    );
  });

  it('rejects a string that is not nul-terminated', () => {
    const { patch, file } = fixtureWithLayout();
    const strtab = file.section(file.symbolStringTable ?? 0);
    const last = strtab.offset + strtab.size - 1;
    expect(messageOf(() => readElf(patch.u8(last, 0x41).bytes))).toMatch(
      /^section \.symtab: symbol \d+: name at offset 0x[0-9a-f]+ of the string table in section \.strtab is not nul-terminated$/,
    );
  });

  it('rejects a symbol table entry size other than sizeof(Elf64_Sym)', () => {
    const { patch, index } = fixtureWithLayout();
    expect(() => readElf(patch.u64(patch.shdr(index('.symtab'), SH_ENTSIZE), 8).bytes)).toThrow(
      new RangeError('section .symtab: entry size 0x8, expected 0x18 (sizeof Elf64_Sym)'),
    );
  });

  it('rejects a symbol table whose linked section is not a string table', () => {
    const { patch, index } = fixtureWithLayout();
    const bad = patch.u32(patch.shdr(index('.symtab'), SH_LINK), index('maps')).bytes;
    expect(messageOf(() => readElf(bad))).toBe(
      'section .symtab: linked section maps has type SHT_PROGBITS, expected SHT_STRTAB',
    );
  });

  it('rejects a symbol whose section index is out of range, and chains the cause', () => {
    const { patch, file, index } = fixtureWithLayout();
    const symtab = file.section(index('.symtab'));
    const sym = file.symbols.findIndex((s) => s.name === 'my_map');
    try {
      readElf(patch.u16(symtab.offset + sym * 24 + 6, 0x200).bytes);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toBe(
        `section .symtab: symbol ${sym} (my_map): section index 512 is out of range (${file.sections.length} sections)`,
      );
      expect((e as Error).cause).toBeInstanceOf(RangeError);
    }
  });

  it('rejects SHN_XINDEX in a symbol without an SHT_SYMTAB_SHNDX section', () => {
    const { patch, file, index } = fixtureWithLayout();
    const symtab = file.section(index('.symtab'));
    const sym = file.symbols.findIndex((s) => s.name === 'my_map');
    expect(messageOf(() => readElf(patch.u16(symtab.offset + sym * 24 + 6, SHN_XINDEX).bytes))).toBe(
      `section .symtab: symbol ${sym} (my_map): st_shndx is SHN_XINDEX but no SHT_SYMTAB_SHNDX section links to the symbol table`,
    );
  });

  it('rejects a relocation whose symbol index is out of range, naming the relocation section and offset', () => {
    const { patch, file, index } = fixtureWithLayout();
    const rel = file.section(index('.rel.text'));
    // Entry 1: r_info = symbol << 32 | R_BPF_64_32.
    const bad = patch.u64(rel.offset + 16 + 8, (99n << 32n) | 10n).bytes;
    expect(() => readElf(bad)).toThrow(
      new RangeError(
        `section .rel.text: relocation 1 at offset 0x10: symbol index 99 is out of range (${file.symbols.length} symbols)`,
      ),
    );
  });

  it('rejects a relocation offset outside its target section, naming the relocation section and offset', () => {
    const { patch, file, index } = fixtureWithLayout();
    const rel = file.section(index('.rel.text'));
    expect(() => readElf(new Patcher(patch.bytes).u64(rel.offset + 16, 0x30).bytes)).toThrow(
      new RangeError(
        'section .rel.text: relocation 1: offset 0x30 (R_BPF_64_32, 4 bytes) lies outside section .text (size 0x30)',
      ),
    );
    // An 8-byte relocation that starts inside but ends outside.
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u64(rel.offset, 0x2c).bytes))).toBe(
      'section .rel.text: relocation 0: offset 0x2c (R_BPF_64_64, 8 bytes) lies outside section .text (size 0x30)',
    );
  });

  it('rejects a relocation section with a bad target, symbol table link or entry size', () => {
    const { patch, file, index } = fixtureWithLayout();
    const rel = index('.rel.text');
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u32(patch.shdr(rel, 44), 77).bytes))).toBe(
      `section .rel.text: target section index 77 is out of range (1 to ${file.sections.length - 1})`,
    );
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u32(patch.shdr(rel, SH_LINK), index('maps')).bytes))).toBe(
      `section .rel.text: linked section ${index('maps')} is not the symbol table (it is section ${index('.symtab')})`,
    );
    expect(messageOf(() => readElf(new Patcher(patch.bytes).u64(patch.shdr(rel, SH_ENTSIZE), 24).bytes))).toBe(
      'section .rel.text: entry size 0x18, expected 0x10 (sizeof Elf64_Rel)',
    );
  });

  it('parses SHT_RELA entries with their addends', () => {
    const spec = fixtureSpec();
    const [rel] = spec.relocations;
    const file = readElf(
      writeElf({
        ...spec,
        relocations: [
          { ...rel!, name: '.rela.text', rela: true, entries: rel!.entries.map((e) => ({ ...e, addend: -8 })) },
        ],
      }),
    );
    const [rs] = file.relocationSections;
    expect(rs?.rela).toBe(true);
    expect(rs?.entries.map((e) => e.addend)).toEqual([-8, -8]);
  });

  it('rejects a second SHT_SYMTAB section', () => {
    const { patch, index } = fixtureWithLayout();
    expect(messageOf(() => readElf(patch.u32(patch.shdr(index('.strtab'), SH_TYPE), 2).bytes))).toMatch(
      /^section \.(sym|str)tab: /,
    );
  });

  it('needs no more than the section header table for a table-only object', () => {
    const file = readElf(writeElf({ sections: [], symbols: [], relocations: [] }));
    expect(file.sections.map((s) => s.name)).toEqual(['', '.symtab', '.strtab', '.shstrtab']);
    expect(file.symbols).toHaveLength(1);
    expect(ELF64_SHDR_SIZE).toBe(64);
  });
});
