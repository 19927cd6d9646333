import { describe, expect, it } from 'vitest';
import { readElf, SHN_ABS, SHT_LLVM_ADDRSIG, toElfSpec, writeElf, type ElfFileSpec } from '../../../bpf/elf/index.ts';
import { fixtureSpec, isInvalidSample, Patcher, readSample, sampleName, sampleObjects } from './support.ts';

describe('toElfSpec()', () => {
  it('leaves out the null section, symbol and string tables and relocation sections', () => {
    const spec = toElfSpec(readElf(writeElf(fixtureSpec())));
    expect(spec.sections.map((s) => s.name)).toEqual(['.text', 'maps', 'license', '.bss']);
    expect(spec.relocations.map((r) => [r.name, r.target, r.rela, r.flags])).toEqual([
      ['.rel.text', '.text', false, 0x40],
    ]);
    expect(spec.symbols[0]).toEqual({ name: '', value: 0, size: 0, bind: 0, type: 0, other: 0, section: 0 });
    expect(spec.symbols.find((s) => s.name === 'fixture.c')?.section).toBe(SHN_ABS);
    expect(spec.symbols.find((s) => s.name === 'my_map')?.section).toBe('maps');
    expect(spec.sections.find((s) => s.name === '.bss')?.size).toBe(16);
    expect(spec).toMatchObject({ type: 1, flags: 0, osabi: 0, abiVersion: 0, entry: 0 });
  });

  it('keeps symbol indexes, so relocation entries refer to the same symbols', () => {
    const file = readElf(writeElf(fixtureSpec()));
    const spec = toElfSpec(file);
    for (const [i, rs] of file.relocationSections.entries()) {
      expect(spec.relocations[i]?.entries.map((e) => spec.symbols[e.symbol]?.name)).toEqual(
        rs.entries.map((e) => file.symbol(e.symbol).name),
      );
    }
  });

  it('drops the shared .strtab of LLVM objects and refers to the generated tables by name', () => {
    const path = sampleObjects.find((p) => sampleName(p) === 'build/badhelpercall.o');
    if (path === undefined) throw new Error('corpus object build/badhelpercall.o is missing');
    const file = readElf(readSample(path));
    expect(file.symbolStringTable).toBe(file.header.shstrndx);
    const spec = toElfSpec(file);
    expect(spec.sections.map((s) => s.name)).not.toContain('.strtab');
    const addrsig = spec.sections.find((s) => s.type === SHT_LLVM_ADDRSIG);
    expect(addrsig?.link).toBe('.symtab');
  });

  it('refers to sections by output index where names repeat', () => {
    const base = fixtureSpec();
    const dup = { ...base.sections[1]!, name: 'dup' };
    const spec: ElfFileSpec = {
      ...base,
      sections: [...base.sections, dup, { ...dup, data: new Uint8Array(32) }],
      symbols: [...base.symbols, { name: 'in_dup', value: 24, size: 8, bind: 1, type: 1, other: 0, section: 6 }],
      relocations: [
        ...base.relocations,
        { name: '.reldup', target: 6, rela: false, flags: 0, entries: [{ offset: 24, symbol: 8, type: 2, addend: 0 }] },
      ],
    };
    const again = toElfSpec(readElf(writeElf(spec)));
    expect(again.symbols.find((s) => s.name === 'in_dup')?.section).toBe(6);
    expect(again.relocations.find((r) => r.name === '.reldup')?.target).toBe(6);
    expect(again.sections[5]?.data.length).toBe(32);
  });

  it('copies section data instead of aliasing the file', () => {
    const bytes = writeElf(fixtureSpec());
    const file = readElf(bytes);
    const spec = toElfSpec(file);
    const text = spec.sections[0]!;
    text.data.fill(0xee);
    expect(file.sectionByName('.text')?.data[0]).toBe(0x18);
    expect(Object.getPrototypeOf(text.data)).toBe(Uint8Array.prototype);
  });

  it('gives plain Uint8Array data for Buffer input', () => {
    const path = sampleObjects.find((p) => !isInvalidSample(p));
    const file = readElf(Buffer.from(readSample(path ?? '')));
    expect(Object.getPrototypeOf(file.sections[1]?.data)).toBe(Uint8Array.prototype);
  });

  it('rejects relocations that apply to the symbol table', () => {
    const bytes = writeElf(fixtureSpec());
    const file = readElf(bytes);
    const patch = new Patcher(bytes);
    const rel = file.sectionByName('.rel.text')!.index;
    const corrupted = readElf(patch.u32(patch.shdr(rel, 44), file.symbolTable ?? 0).bytes);
    expect(() => toElfSpec(corrupted)).toThrow(
      new RangeError(
        'section .rel.text: relocations that apply to section .symtab (a symbol, string or relocation table) cannot be rewritten',
      ),
    );
  });
});
