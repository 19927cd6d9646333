import { describe, expect, it } from 'vitest';
import { readElf, writeElf } from '../../../bpf/elf/index.ts';
import { fixtureSpec, isInvalidSample, readSample, sampleObjects } from './support.ts';

describe('ElfFile', () => {
  const file = readElf(writeElf(fixtureSpec()));
  const text = file.sectionByName('.text')!.index;

  it('finds sections by index and by name', () => {
    expect(file.section(text).name).toBe('.text');
    expect(file.sectionsByName('maps').map((s) => s.index)).toEqual([file.sectionByName('maps')?.index]);
    expect(file.sectionByName('nope')).toBeUndefined();
    expect(file.sectionsByName('nope')).toEqual([]);
    expect(() => file.section(99)).toThrow(
      new RangeError(`section index 99 is out of range (${file.sections.length} sections)`),
    );
    expect(() => file.symbol(-1)).toThrow(RangeError);
  });

  it('finds symbols in a section, at an offset, and containing an offset', () => {
    // By value, then symbol index: the section symbol (2) before prog (4).
    expect(file.symbolsInSection(text).map((s) => [s.name, s.value])).toEqual([
      ['', 0],
      ['prog', 0],
      ['sub', 32],
    ]);
    expect(file.symbolsAt(text, 32).map((s) => s.name)).toEqual(['sub']);
    expect(file.symbolsAt(text, 8)).toEqual([]);
    expect(file.symbolsContaining(text, 40).map((s) => s.name)).toEqual(['sub']);
    expect(file.symbolsContaining(text, 8).map((s) => s.name)).toEqual(['prog']);
    expect(file.symbolsInSection(file.sectionByName('.bss')!.index).map((s) => s.name)).toEqual(['counter']);
  });

  it('names section symbols after their section', () => {
    const names = file.relocationsFor(text).map((r) => file.symbolName(file.relocationSymbol(r)));
    expect(names).toEqual(['my_map', '.text']);
    expect(file.symbolName(file.symbol(0))).toBe('');
  });

  it('gives the relocations of a section sorted by offset, merging relocation sections in file order', () => {
    const spec = fixtureSpec();
    const [rel] = spec.relocations;
    const merged = readElf(
      writeElf({
        ...spec,
        relocations: [
          { ...rel!, entries: [...rel!.entries].reverse() },
          { ...rel!, name: '.rel.text.more', entries: [{ offset: 0, symbol: 5, type: 1, addend: 0 }] },
        ],
      }),
    );
    const t = merged.sectionByName('.text')!.index;
    const first = merged.sectionByName('.rel.text')!.index;
    const second = merged.sectionByName('.rel.text.more')!.index;
    expect(merged.relocationsFor(t).map((r) => [r.offset, r.relocationSection, r.index])).toEqual([
      [0, first, 1],
      [0, second, 0],
      [16, first, 0],
    ]);
    expect(merged.relocationsFor(merged.sectionByName('maps')!.index)).toEqual([]);
  });

  it('sorts the relocations of every corpus section and loses none', () => {
    for (const path of sampleObjects.filter((p) => !isInvalidSample(p))) {
      const f = readElf(readSample(path));
      let total = 0;
      const problems: string[] = [];
      for (const s of f.sections) {
        const rs = f.relocationsFor(s.index);
        total += rs.length;
        rs.forEach((r, i) => {
          if (r.target !== s.index) problems.push(`${s.name}: relocation for section ${r.target}`);
          const previous = rs[i - 1];
          if (previous !== undefined && r.offset < previous.offset) {
            problems.push(`${s.name}: offset ${r.offset} after ${previous.offset}`);
          }
        });
      }
      expect(problems, path).toEqual([]);
      expect(total, path).toBe(f.relocationSections.reduce((n, rs) => n + rs.entries.length, 0));
    }
  });
});
