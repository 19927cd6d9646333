// ObjectSpec → ELF bytes, laid out as clang lays out a BPF object, so that libbpf (bpftool) loads it and
// readObject() gives back an equal spec.
//
// References become relocations against symbols: calls and function addresses against the callee's FUNC
// symbol, maps against the map's OBJECT symbol, global data against its section's SECTION symbol with the
// offset in the instruction (REL relocations keep their addend in the patched field).
import {
  encodeBtf,
  encodeBtfAndExt,
  emptyBtfExt,
  type Btf,
  type BtfExt,
  type BtfExtSection,
} from '../btf/index.ts';
import {
  NULL_SYMBOL,
  R_BPF_64_32,
  R_BPF_64_64,
  R_BPF_64_ABS64,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_INFO_LINK,
  SHF_WRITE,
  SHN_UNDEF,
  SHT_NOBITS,
  SHT_PROGBITS,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  writeElf,
  type ElfRelocationSpec,
  type ElfRelocationsSpec,
  type ElfSectionSpec,
  type ElfSymbolSpec,
} from '../elf/index.ts';
import { encode, lddwHalves, slotIndex, slotOffsets, type Instruction } from '../isa/index.ts';
import { ObjectFormatError } from './object-error.ts';
import { BTF_MAPS_SECTION, TEXT_SECTION } from './sections.ts';
import type { FunctionSpec, MapSpec, ObjectSpec } from './spec.ts';

/** Write an ObjectSpec as an ELF relocatable object. */
export function writeObject(spec: ObjectSpec): Uint8Array {
  return new ObjectWriter(spec).write();
}

interface PlacedFunction {
  readonly fn: FunctionSpec;
  readonly section: string;
  readonly startSlot: number;
  readonly slots: number;
}

class ObjectWriter {
  readonly #spec: ObjectSpec;
  readonly #sections: ElfSectionSpec[] = [];
  readonly #symbols: ElfSymbolSpec[] = [NULL_SYMBOL];
  readonly #symbolIndex = new Map<string, number>();
  readonly #relocations = new Map<string, ElfRelocationSpec[]>();
  readonly #placed = new Map<string, PlacedFunction>();
  /** work that needs every symbol to exist first */
  readonly #deferred: (() => void)[] = [];

  constructor(spec: ObjectSpec) {
    this.#spec = spec;
  }

  write(): Uint8Array {
    const spec = this.#spec;
    const code = this.#layoutCode();
    // contents come once relocations have patched the instructions
    for (const name of code.keys()) this.#addSection(name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, new Uint8Array(0), 8);
    this.#writeBtfMaps();
    this.#writeLegacyMaps();
    for (const d of spec.data) {
      const flags = SHF_ALLOC | (d.kind === 'rodata' ? 0 : SHF_WRITE);
      if (d.kind === 'bss') this.#addSection(d.name, SHT_NOBITS, flags, new Uint8Array(0), 8, d.size);
      else this.#addSection(d.name, SHT_PROGBITS, flags, d.data, 8);
      for (const v of d.variables) {
        this.#addSymbol(v.name, { value: v.offset, size: v.size, bind: v.global ? STB_GLOBAL : STB_LOCAL, type: STT_OBJECT, section: d.name });
      }
    }
    if (spec.license !== '') {
      const license = new TextEncoder().encode(`${spec.license}\0`);
      this.#addSection('license', SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, license, 1);
      this.#addSymbol('_license', { value: 0, size: license.length, bind: STB_GLOBAL, type: STT_OBJECT, section: 'license' });
    }
    if (spec.kernelVersion !== undefined) {
      const version = new Uint8Array(4);
      new DataView(version.buffer).setUint32(0, spec.kernelVersion, true);
      this.#addSection('version', SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, version, 4);
    }
    this.#writeFunctionSymbols();
    this.#writeCodeRelocations(code);
    this.#writeBtf();
    const relocations: ElfRelocationsSpec[] = [...this.#relocations.entries()].map(([target, entries]) => ({
      name: `.rel${target}`,
      target,
      rela: false,
      flags: SHF_INFO_LINK,
      entries,
    }));
    return writeElf({ sections: this.#sections, symbols: this.#symbols, relocations });
  }

  /** Concatenate each section's functions, in spec order; instructions are patched later. */
  #layoutCode(): Map<string, Instruction[]> {
    const code = new Map<string, Instruction[]>();
    const order = [...new Set(this.#spec.functions.map((f) => f.section))].sort(
      (a, b) => Number(b === TEXT_SECTION) - Number(a === TEXT_SECTION),
    );
    for (const section of order) code.set(section, []);
    for (const fn of this.#spec.functions) {
      if (this.#placed.has(fn.name)) throw new ObjectFormatError(`function ${fn.name} is defined twice`);
      if (fn.instructions.length === 0) throw new ObjectFormatError(`function ${fn.name} has no instructions`);
      const insns = code.get(fn.section)!;
      const startSlot = slotOffsets(insns).at(-1)!;
      const slots = slotOffsets(fn.instructions).at(-1)!;
      this.#placed.set(fn.name, { fn, section: fn.section, startSlot, slots });
      insns.push(...fn.instructions);
    }
    return code;
  }

  #writeFunctionSymbols(): void {
    for (const { fn, section, startSlot, slots } of this.#placed.values()) {
      this.#addSymbol(fn.name, {
        value: startSlot * 8,
        size: slots * 8,
        bind: fn.global ? STB_GLOBAL : STB_LOCAL,
        type: STT_FUNC,
        section,
      });
    }
  }

  #writeCodeRelocations(code: Map<string, Instruction[]>): void {
    for (const [section, insns] of code) {
      const patched = [...insns];
      const indexOfSlot = slotIndex(insns);
      for (const { fn, startSlot } of [...this.#placed.values()].filter((p) => p.section === section)) {
        for (const { slot, ref } of fn.references) {
          const sectionSlot = startSlot + slot;
          const i = indexOfSlot.get(sectionSlot);
          const where = `function ${fn.name}: instruction ${slot}`;
          if (i === undefined || i >= insns.length) throw new ObjectFormatError(`${where}: reference to no instruction`);
          const insn = patched[i]!;
          let symbol: number;
          let type = R_BPF_64_64;
          switch (ref.kind) {
            case 'call':
            case 'func_addr': {
              const callee = this.#placed.get(ref.function);
              if (callee === undefined) throw new ObjectFormatError(`${where}: ${ref.kind} to unknown function ${ref.function}`);
              if (ref.kind === 'call') type = R_BPF_64_32;
              if (callee.fn.global && ref.kind === 'call') {
                symbol = this.#symbolIndex.get(ref.function)!;
                break;
              }
              // As clang does (and libbpf requires for static functions): the section symbol plus an addend,
              // `(S + A) / 8 - 1` for a call and `S + A` for a function address.
              symbol = this.#sectionSymbol(callee.section, where);
              if (insn.kind === 'call') patched[i] = { ...insn, imm: callee.startSlot - 1 };
              else if (insn.kind === 'lddw') patched[i] = { ...insn, value: BigInt(callee.startSlot * 8) };
              break;
            }
            case 'map':
              symbol = this.#requireSymbol(ref.map, where);
              break;
            case 'map_value': {
              symbol = this.#sectionSymbol(ref.map, where);
              if (insn.kind !== 'lddw') throw new ObjectFormatError(`${where}: map_value reference on a ${insn.kind} instruction`);
              patched[i] = { ...insn, value: BigInt(lddwHalves(BigInt(ref.offset)).lo >>> 0) };
              break;
            }
            case 'extern':
              symbol = this.#externSymbol(ref.name);
              if (ref.type === 'kfunc') type = R_BPF_64_32;
              break;
          }
          this.#relocate(section, { offset: sectionSlot * 8, symbol, type, addend: 0 });
        }
      }
      const s = this.#sections.find((x) => x.name === section)!;
      this.#sections[this.#sections.indexOf(s)] = { ...s, data: encode(patched) };
    }
  }

  #writeBtfMaps(): void {
    const maps = this.#spec.maps.filter((m) => m.source === 'btf');
    if (maps.length === 0) return;
    const btf = this.#spec.btf;
    if (btf === undefined) throw new ObjectFormatError(`section ${BTF_MAPS_SECTION}: BTF-defined maps need BTF`);
    let offset = 0;
    const placed: { map: MapSpec; offset: number; size: number }[] = [];
    for (const map of maps) {
      const varId = btf.types.findIndex((t) => t.kind === 'var' && t.name === map.name) + 1;
      if (varId === 0) throw new ObjectFormatError(`map ${map.name}: no BTF variable of that name`);
      const v = btf.typeById(varId);
      // `values` is a flexible array: the initial slots extend the definition past its BTF size.
      const slots = map.initialSlots ?? [];
      const btfSize = v.kind === 'var' ? btf.sizeOf(v.type) : 0;
      const size = slots.length === 0 ? btfSize : Math.max(btfSize, valuesOffset(btf, map.name) + 8 * (Math.max(...slots.map((x) => x.index)) + 1));
      placed.push({ map, offset, size });
      offset += Math.ceil(size / 8) * 8;
    }
    this.#addSection(BTF_MAPS_SECTION, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, new Uint8Array(offset), 8);
    for (const { map, offset: at, size } of placed) {
      this.#addSymbol(map.name, { value: at, size, bind: STB_GLOBAL, type: STT_OBJECT, section: BTF_MAPS_SECTION });
    }
    // Initial slots point at maps or programs defined later: relocate once every symbol exists.
    this.#deferred.push(() => {
      for (const { map, offset: at } of placed) {
        if (!map.initialSlots?.length) continue;
        const valuesAt = valuesOffset(btf, map.name);
        for (const { index, target } of map.initialSlots) {
          const symbol = this.#requireSymbol(target, `map ${map.name}: values[${index}]`);
          this.#relocate(BTF_MAPS_SECTION, { offset: at + valuesAt + index * 8, symbol, type: R_BPF_64_ABS64, addend: 0 });
        }
      }
    });
  }

  #writeLegacyMaps(): void {
    const bySection = new Map<string, MapSpec[]>();
    for (const m of this.#spec.maps.filter((x) => x.source === 'legacy')) {
      bySection.set(m.section, [...(bySection.get(m.section) ?? []), m]);
    }
    for (const [section, maps] of bySection) {
      const words = maps.map((m) => [m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, ...(m.legacyExtra ?? [])]);
      const data = new Uint8Array(words.reduce((n, w) => n + w.length * 4, 0));
      const view = new DataView(data.buffer);
      this.#addSection(section, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, data, 4);
      let at = 0;
      maps.forEach((m, i) => {
        const start = at;
        for (const w of words[i]!) {
          view.setUint32(at, w >>> 0, true);
          at += 4;
        }
        this.#addSymbol(m.name, { value: start, size: at - start, bind: STB_GLOBAL, type: STT_OBJECT, section });
      });
    }
  }

  #writeBtf(): void {
    for (const f of this.#deferred.splice(0)) f();
    const btf = this.#spec.btf;
    if (btf === undefined) return;
    const ext = this.#btfExt();
    if (ext === undefined) {
      this.#addSection('.BTF', SHT_PROGBITS, 0, encodeBtf(btf), 4);
      return;
    }
    const encoded = encodeBtfAndExt(btf, ext);
    this.#addSection('.BTF', SHT_PROGBITS, 0, encoded.btf, 4);
    this.#addSection('.BTF.ext', SHT_PROGBITS, 0, encoded.btfExt, 4);
  }

  /** BTF.ext from the functions' func info, line info and CO-RE relocations; undefined when they have none. */
  #btfExt(): BtfExt | undefined {
    const ext = emptyBtfExt();
    const group = <R>(list: BtfExtSection<R>[], section: string, records: R[]): void => {
      if (records.length === 0) return;
      const s = list.find((x) => x.section === section);
      if (s) s.records.push(...records);
      else list.push({ section, records });
    };
    for (const { fn, section, startSlot } of this.#placed.values()) {
      if (fn.btfTypeId !== undefined) group(ext.funcInfo.sections, section, [{ insnIndex: startSlot, typeId: fn.btfTypeId }]);
      group(
        ext.lineInfo.sections,
        section,
        fn.lineInfo.map((l) => ({ insnIndex: startSlot + l.slot, fileName: l.file, lineText: l.text, line: l.line, column: l.column })),
      );
      group(
        ext.coreRelos.sections,
        section,
        fn.coreRelocations.map((c) => ({
          insnIndex: startSlot + c.slot,
          typeId: c.typeId,
          accessStr: c.accessString,
          kind: c.kind as BtfExt['coreRelos']['sections'][number]['records'][number]['kind'],
        })),
      );
    }
    const empty = ext.funcInfo.sections.length + ext.lineInfo.sections.length + ext.coreRelos.sections.length === 0;
    return empty ? undefined : ext;
  }

  #addSection(name: string, type: number, flags: number, data: Uint8Array, addralign: number, size?: number): void {
    if (this.#sections.some((s) => s.name === name)) throw new ObjectFormatError(`section ${name} is written twice`);
    this.#sections.push({
      name,
      type,
      flags,
      addr: 0,
      link: 0,
      info: 0,
      addralign,
      entsize: 0,
      data,
      ...(size !== undefined ? { size } : {}),
    });
    if (type === SHT_PROGBITS || type === SHT_NOBITS) {
      this.#symbols.push({ name: '', value: 0, size: 0, bind: STB_LOCAL, type: STT_SECTION, other: 0, section: name });
      this.#symbolIndex.set(`section:${name}`, this.#symbols.length - 1);
    }
  }

  #addSymbol(name: string, sym: Omit<ElfSymbolSpec, 'name' | 'other'>): void {
    this.#symbols.push({ name, other: 0, ...sym });
    if (!this.#symbolIndex.has(name)) this.#symbolIndex.set(name, this.#symbols.length - 1);
  }

  #requireSymbol(name: string, where: string): number {
    const i = this.#symbolIndex.get(name);
    if (i === undefined) throw new ObjectFormatError(`${where}: reference to unknown map or function ${name}`);
    return i;
  }

  #sectionSymbol(section: string, where: string): number {
    const i = this.#symbolIndex.get(`section:${section}`);
    if (i === undefined) throw new ObjectFormatError(`${where}: reference to unknown data section ${section}`);
    return i;
  }

  #externSymbol(name: string): number {
    const key = `extern:${name}`;
    let i = this.#symbolIndex.get(key);
    if (i === undefined) {
      this.#symbols.push({ name, value: 0, size: 0, bind: STB_GLOBAL, type: STT_NOTYPE, other: 0, section: SHN_UNDEF });
      i = this.#symbols.length - 1;
      this.#symbolIndex.set(key, i);
    }
    return i;
  }

  #relocate(section: string, entry: ElfRelocationSpec): void {
    const list = this.#relocations.get(section);
    if (list) list.push(entry);
    else this.#relocations.set(section, [entry]);
  }
}

function valuesOffset(btf: Btf, mapName: string): number {
  const varId = btf.types.findIndex((t) => t.kind === 'var' && t.name === mapName) + 1;
  const v = btf.typeById(varId);
  const st = v.kind === 'var' ? btf.typeById(btf.resolve(v.type)) : undefined;
  const m = st?.kind === 'struct' ? st.members.find((x) => x.name === 'values') : undefined;
  if (m === undefined) throw new ObjectFormatError(`map ${mapName}: initial values need a values member`);
  return m.bitOffset / 8;
}
