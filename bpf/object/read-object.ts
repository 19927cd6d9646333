// ELF bytes → ObjectSpec, following libbpf's reading of clang's BPF objects.
//
// Relocations become symbolic references, and the instruction fields a relocation would patch are set to
// canonical values (call imm -1, lddw value 0), so a spec does not depend on how the file encoded them
// (section symbol plus addend, or the target's own symbol): reading, writing and reading again is stable.
import {
  readElf,
  SHN_UNDEF,
  STB_LOCAL,
  STT_FILE,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
  type ElfFile,
  type ElfRelocation,
  type ElfSection,
  type ElfSymbol,
} from '../elf/index.ts';
import { Btf, decodeBtfMaps, parseBtf, parseBtfExt, type BtfExt, type BtfMapDefinition } from '../btf/index.ts';
import { decode, slotOffsets, type Instruction } from '../isa/index.ts';
import { sectionInfo } from '../tables/index.ts';
import { ObjectFormatError } from './object-error.ts';
import { BTF_MAPS_SECTION, dataSectionKind, isLegacyMapSection, isProgramSection, TEXT_SECTION } from './sections.ts';
import type {
  CoreRelocation,
  DataSectionSpec,
  FunctionSpec,
  InstructionReference,
  LineInfo,
  MapSpec,
  ObjectSpec,
  ProgramSpec,
  Reference,
  VariableSpec,
} from './spec.ts';

/** struct bpf_map_def: type, key_size, value_size, max_entries, map_flags (u32 each). */
const LEGACY_MAP_DEF_MIN = 20;
const BPF_MAP_TYPE_PROG_ARRAY = 3;

/**
 * Read a BPF ELF object.
 *
 * @example
 * const spec = readObject(readFileSync('xdp.o'));
 * spec.programs.map((p) => p.name); // ['xdp_firewall']
 */
export function readObject(bytes: Uint8Array): ObjectSpec {
  const elf = readElf(bytes);
  return new ObjectReader(elf).read();
}

/** A function's place in its section while reading. */
interface FunctionLayout {
  readonly name: string;
  readonly section: ElfSection;
  readonly global: boolean;
  readonly startSlot: number;
  readonly endSlot: number;
  readonly instructions: Instruction[];
  /** section slot → index into `instructions` */
  readonly slotToIndex: Map<number, number>;
  readonly references: InstructionReference[];
  lineInfo: LineInfo[];
  coreRelocations: CoreRelocation[];
  btfTypeId?: number;
}

interface MapLayout {
  readonly section: ElfSection;
  /** byte offset of the definition in its section */
  readonly offset: number;
  readonly size: number;
  readonly name: string;
}

class ObjectReader {
  readonly #elf: ElfFile;
  readonly #btf: Btf | undefined;
  readonly #btfExt: BtfExt | undefined;
  readonly #functions: FunctionLayout[] = [];
  readonly #maps: MapSpec[] = [];
  readonly #mapLayouts: MapLayout[] = [];

  constructor(elf: ElfFile) {
    this.#elf = elf;
    const btfSection = elf.sectionByName('.BTF');
    this.#btf = btfSection ? wrap('section .BTF', () => parseBtf(btfSection.data), '.BTF: ') : undefined;
    const extSection = elf.sectionByName('.BTF.ext');
    const btf = this.#btf;
    this.#btfExt = extSection && btf ? wrap('section .BTF.ext', () => parseBtfExt(extSection.data, btf), '.BTF.ext: ') : undefined;
  }

  read(): ObjectSpec {
    const elf = this.#elf;
    for (const s of elf.sections) if (isProgramSection(s)) this.#readFunctions(s);
    this.#readBtfMaps();
    for (const s of elf.sections) if (isLegacyMapSection(s)) this.#readLegacyMaps(s);
    const data = elf.sections.flatMap((s) => {
      const kind = dataSectionKind(s);
      return kind ? [this.#readDataSection(s, kind)] : [];
    });
    for (const fn of this.#functions) this.#readRelocations(fn);
    this.#readBtfExt();

    // libbpf: functions in .text are subprograms. Objects with nothing but .text (PREVAIL's samples) have
    // their entry points there: then the .text functions nothing calls are the programs.
    const hasProgramSections = this.#functions.some((fn) => fn.section.name !== TEXT_SECTION);
    const called = new Set(
      this.#functions.flatMap((fn) => fn.references.flatMap((r) => (r.ref.kind === 'call' || r.ref.kind === 'func_addr' ? [r.ref.function] : []))),
    );
    const programs: ProgramSpec[] = this.#functions
      .filter((fn) => (hasProgramSections ? fn.section.name !== TEXT_SECTION : !called.has(fn.name)))
      .map((fn) => {
        const info = sectionInfo(fn.section.name);
        return {
          name: fn.name,
          section: fn.section.name,
          type: info?.progType.id,
          expectedAttachType: info?.attachType?.id,
          function: fn.name,
        };
      });
    const functions: FunctionSpec[] = this.#functions.map((fn) => ({
      name: fn.name,
      section: fn.section.name,
      global: fn.global,
      instructions: fn.instructions,
      references: fn.references,
      lineInfo: fn.lineInfo,
      coreRelocations: fn.coreRelocations,
      ...(fn.btfTypeId !== undefined ? { btfTypeId: fn.btfTypeId } : {}),
    }));
    const version = elf.sectionByName('version');
    return {
      programs,
      functions,
      maps: this.#maps,
      data,
      license: readLicense(elf.sectionByName('license')),
      ...(version && version.data.length >= 4
        ? { kernelVersion: new DataView(version.data.buffer, version.data.byteOffset).getUint32(0, true) }
        : {}),
      ...(this.#btf ? { btf: this.#btf } : {}),
    };
  }

  /** Split a program section into functions at its FUNC symbols (the whole section when it has none). */
  #readFunctions(section: ElfSection): void {
    const insns = wrap(`section ${section.name}`, () => decode(section.data));
    const slots = slotOffsets(insns);
    const totalSlots = section.data.length / 8;
    const starts = new Map<number, ElfSymbol>();
    for (const sym of this.#elf.symbolsInSection(section.index)) {
      if (sym.type !== STT_FUNC) continue;
      if (sym.value % 8 !== 0 || sym.value >= section.data.length) {
        throw new ObjectFormatError(`section ${section.name}: function ${sym.name} starts at 0x${sym.value.toString(16)}, not at an instruction`);
      }
      const prior = starts.get(sym.value / 8);
      if (prior === undefined || (prior.bind === STB_LOCAL && sym.bind !== STB_LOCAL)) starts.set(sym.value / 8, sym);
    }
    if (!starts.has(0)) {
      // Old objects name programs with a NOTYPE global symbol, or not at all.
      const named = this.#elf
        .symbolsAt(section.index, 0)
        .find((s) => s.type !== STT_SECTION && s.type !== STT_FILE && s.name !== '');
      starts.set(0, named ?? ({ name: section.name, bind: 1 } as ElfSymbol));
    }
    const ordered = [...starts.entries()].sort((a, b) => a[0] - b[0]);
    let insnIndex = 0;
    ordered.forEach(([startSlot, sym], i) => {
      const endSlot = ordered[i + 1]?.[0] ?? totalSlots;
      const fnInsns: Instruction[] = [];
      const slotToIndex = new Map<number, number>();
      while (insnIndex < insns.length && slots[insnIndex]! < endSlot) {
        slotToIndex.set(slots[insnIndex]!, fnInsns.length);
        fnInsns.push(insns[insnIndex]!);
        insnIndex++;
      }
      if (slots[insnIndex] !== endSlot) {
        const next = ordered[i + 1]?.[1].name ?? 'the section end';
        throw new ObjectFormatError(`section ${section.name}: ${next} starts inside the ld_imm64 at instruction ${endSlot - 1}`);
      }
      this.#functions.push({
        name: sym.name,
        section,
        global: sym.bind !== STB_LOCAL,
        startSlot,
        endSlot,
        instructions: fnInsns,
        slotToIndex,
        references: [],
        lineInfo: [],
        coreRelocations: [],
      });
    });
  }

  #readBtfMaps(): void {
    const section = this.#elf.sectionByName(BTF_MAPS_SECTION);
    if (section === undefined) return;
    const btf = this.#btf;
    if (btf === undefined) throw new ObjectFormatError(`section ${BTF_MAPS_SECTION}: BTF-defined maps need a .BTF section`);
    const datasecId = btf.findByName('datasec', BTF_MAPS_SECTION);
    const datasec = datasecId === undefined ? undefined : btf.typeById(datasecId);
    const placement = new Map<number, { offset: number; size: number }>();
    if (datasec?.kind === 'datasec') for (const v of datasec.vars) placement.set(v.type, { offset: v.offset, size: v.size });
    const maps = wrap(`section ${BTF_MAPS_SECTION}`, () => decodeBtfMaps(btf));
    for (const { name, varTypeId, definition } of maps) {
      // clang leaves DATASEC offsets for the linker to fill in: the map's symbol is the authority.
      const sym = this.#elf.symbolsInSection(section.index).find((s) => s.name === name);
      const place = sym ? { offset: sym.value, size: sym.size } : placement.get(varTypeId);
      if (place === undefined) throw new ObjectFormatError(`section ${BTF_MAPS_SECTION}: map ${name} has no symbol`);
      this.#mapLayouts.push({ section, offset: place.offset, size: place.size, name });
      this.#maps.push(btfMapSpec(name, definition));
    }
    this.#readMapInitialSlots(section);
  }

  /** `.values = { &inner, … }` in a map of maps or prog array: relocations inside the definition. */
  #readMapInitialSlots(section: ElfSection): void {
    const btf = this.#btf!;
    for (const rel of this.#elf.relocationsFor(section.index)) {
      const layout = this.#mapLayouts.find(
        (m) => m.section === section && rel.offset >= m.offset && rel.offset < m.offset + Math.max(m.size, 1),
      );
      const where = `section ${BTF_MAPS_SECTION}: relocation at 0x${rel.offset.toString(16)}`;
      if (layout === undefined) throw new ObjectFormatError(`${where} is outside every map definition`);
      const valuesOffset = valuesMemberOffset(btf, layout.name);
      if (valuesOffset === undefined) throw new ObjectFormatError(`${where}: map ${layout.name} has no values member`);
      const delta = rel.offset - layout.offset - valuesOffset;
      if (delta < 0 || delta % 8 !== 0) throw new ObjectFormatError(`${where} is not an element of ${layout.name}.values`);
      const sym = this.#elf.relocationSymbol(rel);
      const target = sym.name;
      // map of maps: the slots name maps; prog array: they name functions (programs)
      const isMap = this.#mapLayouts.some((m) => m.name === target && sym.section === m.section.index);
      const isFunction = sym.type === STT_FUNC && target !== '';
      if (target === '' || sym.type === STT_SECTION || (!isMap && !isFunction)) {
        throw new ObjectFormatError(`${where}: ${target || `section symbol #${sym.index}`} is neither a map nor a function`);
      }
      const i = this.#maps.findIndex((m) => m.name === layout.name);
      const map = this.#maps[i]!;
      this.#maps[i] = { ...map, initialSlots: [...(map.initialSlots ?? []), { index: delta / 8, target }] };
    }
  }

  #readLegacyMaps(section: ElfSection): void {
    const syms = this.#elf
      .symbolsInSection(section.index)
      .filter((s) => s.type !== STT_SECTION && s.type !== STT_FILE && s.name !== '');
    if (syms.length === 0) {
      if (section.size === 0) return;
      throw new ObjectFormatError(`section ${section.name}: map definitions without symbols`);
    }
    const evenSize = Math.floor(section.size / syms.length);
    const view = new DataView(section.data.buffer, section.data.byteOffset, section.data.byteLength);
    for (const sym of syms) {
      const size = sym.size > 0 ? sym.size : evenSize;
      const where = `section ${section.name}: map ${sym.name}`;
      if (size < LEGACY_MAP_DEF_MIN || size % 4 !== 0) {
        throw new ObjectFormatError(`${where}: definition of ${size} bytes (struct bpf_map_def needs at least ${LEGACY_MAP_DEF_MIN}, in 4-byte fields)`);
      }
      if (sym.value + size > section.data.length) throw new ObjectFormatError(`${where}: definition lies outside the section`);
      const words = Array.from({ length: size / 4 }, (_, i) => view.getUint32(sym.value + i * 4, true));
      const [type, keySize, valueSize, maxEntries, flags, ...extra] = words as [number, number, number, number, number, ...number[]];
      this.#mapLayouts.push({ section, offset: sym.value, size, name: sym.name });
      this.#maps.push({
        name: sym.name,
        section: section.name,
        source: 'legacy',
        type,
        keySize,
        valueSize,
        maxEntries,
        flags,
        pinning: 'none',
        ...(extra.length > 0 ? { legacyExtra: extra } : {}),
      });
    }
  }

  #readDataSection(section: ElfSection, kind: 'rodata' | 'data' | 'bss'): DataSectionSpec {
    // By name: clang leaves DATASEC offsets for the linker to fill in, so they do not tell variables apart.
    const btfVars = new Map<string, number>();
    const btf = this.#btf;
    const datasecId = btf?.findByName('datasec', section.name);
    if (btf && datasecId !== undefined) {
      const ds = btf.typeById(datasecId);
      if (ds.kind === 'datasec') for (const v of ds.vars) btfVars.set(btf.typeName(v.type), v.type);
    }
    const variables: VariableSpec[] = this.#elf
      .symbolsInSection(section.index)
      .filter((s) => s.type === STT_OBJECT || (s.type !== STT_SECTION && s.type !== STT_FILE && s.name !== ''))
      .map((s) => {
        const typeId = btfVars.get(s.name);
        return {
          name: s.name,
          offset: s.value,
          size: s.size,
          global: s.bind !== STB_LOCAL,
          ...(typeId !== undefined ? { btfTypeId: typeId } : {}),
        };
      });
    return {
      name: section.name,
      kind,
      size: section.size,
      data: kind === 'bss' ? new Uint8Array(section.size) : section.data.slice(),
      variables,
    };
  }

  #readRelocations(fn: FunctionLayout): void {
    const section = fn.section;
    for (const rel of this.#elf.relocationsFor(section.index)) {
      if (rel.offset % 8 !== 0) {
        throw new ObjectFormatError(`section ${section.name}: relocation at 0x${rel.offset.toString(16)} is not at an instruction`);
      }
      const slot = rel.offset / 8;
      if (slot < fn.startSlot || slot >= fn.endSlot) continue;
      const index = fn.slotToIndex.get(slot);
      const where = `section ${section.name}: instruction ${slot}`;
      if (index === undefined) throw new ObjectFormatError(`${where}: relocation in the second slot of an ld_imm64`);
      const insn = fn.instructions[index]!;
      const { ref, canonical } = this.#resolve(rel, insn, where);
      fn.instructions[index] = canonical;
      fn.references.push({ slot: slot - fn.startSlot, ref });
    }
    // Calls within one section need no relocation: they are PC-relative already.
    const referenced = new Set(fn.references.map((r) => r.slot + fn.startSlot));
    for (const [slot, index] of fn.slotToIndex) {
      const insn = fn.instructions[index]!;
      if (insn.kind !== 'call' || insn.target !== 'local' || referenced.has(slot)) continue;
      const target = slot + 1 + insn.imm;
      const callee = this.#functions.find((f) => f.section === fn.section && f.startSlot === target);
      if (callee === undefined) {
        throw new ObjectFormatError(`section ${section.name}: instruction ${slot}: call to instruction ${target}, which starts no function`);
      }
      fn.instructions[index] = { ...insn, imm: -1 };
      fn.references.push({ slot: slot - fn.startSlot, ref: { kind: 'call', function: callee.name } });
    }
    fn.references.sort((a, b) => a.slot - b.slot);
  }

  #resolve(rel: ElfRelocation, insn: Instruction, where: string): { ref: Reference; canonical: Instruction } {
    if (rel.symbol === 0) throw new ObjectFormatError(`${where}: relocation against the null symbol`);
    const sym = this.#elf.relocationSymbol(rel);
    const symName = sym.name !== '' ? sym.name : sym.section !== undefined ? this.#elf.section(sym.section).name : `#${sym.index}`;
    const fail = (why: string): never => {
      throw new ObjectFormatError(`${where}: relocation against ${symName} ${why}`);
    };
    const isLddw = insn.kind === 'lddw';
    const isCall = insn.kind === 'call';
    if (!isLddw && !isCall) fail(`applies to ${article(insn.kind)} instruction`);
    if (isCall && insn.target === 'helper') fail('applies to a helper call');
    const addend = isLddw ? Number(BigInt.asIntN(32, insn.value)) : isCall ? insn.imm : 0;

    if (sym.shndx === SHN_UNDEF) {
      if (isCall) return { ref: { kind: 'extern', name: sym.name, type: 'kfunc' }, canonical: { ...insn, imm: 0 } as Instruction };
      const type = this.#externKind(sym.name);
      return { ref: { kind: 'extern', name: sym.name, type }, canonical: { ...insn, value: 0n } as Instruction };
    }
    if (sym.section === undefined) return fail('to no section');
    const target = this.#elf.section(sym.section);
    if (isProgramSection(target)) {
      const byte = isCall ? sym.value + (addend + 1) * 8 : sym.value + addend;
      const callee = this.#functions.find((f) => f.section === target && f.startSlot * 8 === byte);
      if (callee === undefined) return fail(`points at 0x${byte.toString(16)} in ${target.name}, which starts no function`);
      if (isCall) {
        if (insn.target !== 'local') fail(`applies to a ${insn.target} call`);
        return { ref: { kind: 'call', function: callee.name }, canonical: { ...insn, imm: -1 } };
      }
      return { ref: { kind: 'func_addr', function: callee.name }, canonical: { ...insn, value: 0n } as Instruction };
    }
    if (!isLddw) return fail(`in ${target.name} applies to a call`);
    const canonical = { ...insn, value: 0n } as Instruction;
    const offset = (sym.type === STT_SECTION ? 0 : sym.value) + addend;
    const mapLayout = this.#mapLayouts.find((m) => m.section === target && m.offset === (sym.type === STT_SECTION ? addend : sym.value));
    if (mapLayout !== undefined) return { ref: { kind: 'map', map: mapLayout.name }, canonical };
    if (dataSectionKind(target) !== undefined) return { ref: { kind: 'map_value', map: target.name, offset }, canonical };
    return fail(`points into section ${target.name}, which holds no map, data or code`);
  }

  #externKind(name: string): 'ksym' | 'kconfig' {
    const btf = this.#btf;
    const id = btf?.findByName('datasec', '.kconfig');
    if (btf && id !== undefined) {
      const ds = btf.typeById(id);
      if (ds.kind === 'datasec' && ds.vars.some((v) => btf.typeName(v.type) === name)) return 'kconfig';
    }
    return 'ksym';
  }

  #readBtfExt(): void {
    const ext = this.#btfExt;
    if (ext === undefined) return;
    const locate = (section: string, slot: number, what: string): { fn: FunctionLayout; slot: number } | undefined => {
      const fn = this.#functions.find((f) => f.section.name === section && slot >= f.startSlot && slot < f.endSlot);
      if (fn === undefined) {
        if (this.#functions.some((f) => f.section.name === section)) {
          throw new ObjectFormatError(`section .BTF.ext: ${what} for ${section} instruction ${slot}, which is outside every function`);
        }
        return undefined; // info for a section we do not read as code
      }
      return { fn, slot: slot - fn.startSlot };
    };
    for (const sec of ext.funcInfo.sections) {
      for (const r of sec.records) {
        const at = locate(sec.section, r.insnIndex, 'func info');
        if (at && at.slot === 0) at.fn.btfTypeId = r.typeId;
      }
    }
    for (const sec of ext.lineInfo.sections) {
      for (const r of sec.records) {
        const at = locate(sec.section, r.insnIndex, 'line info');
        at?.fn.lineInfo.push({ slot: at.slot, file: r.fileName, line: r.line, column: r.column, text: r.lineText });
      }
    }
    for (const sec of ext.coreRelos.sections) {
      for (const r of sec.records) {
        const at = locate(sec.section, r.insnIndex, 'CO-RE relocation');
        at?.fn.coreRelocations.push({ slot: at.slot, typeId: r.typeId, accessString: r.accessStr, kind: r.kind });
      }
    }
  }
}

/** A MapSpec from a BTF map definition (`.maps`), with libbpf's defaults: what readObject gives and what the
 * compiler's object builder writes. */
export function btfMapSpec(name: string, d: BtfMapDefinition): MapSpec {
  const inner = d.inner ? btfMapSpec(`${name}.inner`, d.inner) : undefined;
  return {
    name,
    section: BTF_MAPS_SECTION,
    source: 'btf',
    type: d.type ?? 0,
    keySize: d.keySize ?? (d.type === BPF_MAP_TYPE_PROG_ARRAY ? 4 : 0),
    valueSize: d.valueSize ?? 0,
    maxEntries: d.maxEntries ?? 0,
    flags: d.flags ?? 0,
    pinning: d.pinning === 1 ? 'by_name' : 'none',
    ...(d.numaNode !== undefined ? { numaNode: d.numaNode } : {}),
    ...(d.mapExtra !== undefined ? { mapExtra: d.mapExtra } : {}),
    ...(d.keyTypeId !== undefined ? { keyTypeId: d.keyTypeId } : {}),
    ...(d.valueTypeId !== undefined ? { valueTypeId: d.valueTypeId } : {}),
    ...(inner ? { inner } : {}),
  };
}

/** Byte offset of the `values` member in the struct of `.maps` variable `name`. */
function valuesMemberOffset(btf: Btf, name: string): number | undefined {
  const varId = btf.types.findIndex((t) => t.kind === 'var' && t.name === name) + 1;
  if (varId === 0) return undefined;
  const v = btf.typeById(varId);
  if (v.kind !== 'var') return undefined;
  const st = btf.typeById(btf.resolve(v.type));
  if (st.kind !== 'struct') return undefined;
  const m = st.members.find((x) => x.name === 'values');
  return m === undefined ? undefined : m.bitOffset / 8;
}

function article(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

function readLicense(section: ElfSection | undefined): string {
  if (section === undefined) return '';
  const nul = section.data.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? section.data : section.data.subarray(0, nul));
}

/** Run `f`, prefixing any error with `context` (after dropping `redundant`, a prefix naming the same thing). */
function wrap<T>(context: string, f: () => T, redundant?: string): T {
  try {
    return f();
  } catch (e) {
    const message = (e as Error).message;
    const rest = redundant !== undefined && message.startsWith(redundant) ? message.slice(redundant.length) : message;
    throw new ObjectFormatError(`${context}: ${rest}`, { cause: e });
  }
}
