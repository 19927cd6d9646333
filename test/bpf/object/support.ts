// Shared helpers for the bpf/object tests: the objects (ebpf-samples corpus and test/fixtures), what makes an
// error a diagnosis rather than a crash, fixture mutation through bpf/elf, and the independent oracles
// (llvm-objdump-19, llvm-readelf-19, bpftool) parsed into plain data.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { corpusDir, filesBelow, repoRoot } from '../../corpora.ts';
import type { Facility } from '../../support/require.ts';
import { readElf, toElfSpec, writeElf, type ElfFileSpec } from '../../../bpf/elf/index.ts';
import type { Instruction } from '../../../bpf/isa/index.ts';
import { ObjectFormatError, readObject, type FunctionSpec, type ObjectSpec, type Reference } from '../../../bpf/object/index.ts';

// --- The objects ---------------------------------------------------------------------------------------------

export const samplesDir = corpusDir('ebpf-samples');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/** Every object the suite reads: the corpus (`ebpf-samples/...`) then the fixtures (`fixtures/...`). */
export interface ObjectFile {
  readonly name: string;
  readonly path: string;
}

export const sampleObjects: readonly ObjectFile[] = filesBelow(samplesDir, '.o').map((path) => ({
  name: `ebpf-samples/${relative(samplesDir, path)}`,
  path,
}));
export const fixtureObjects: readonly ObjectFile[] = filesBelow(fixturesDir, '.o').map((path) => ({
  name: `fixtures/${basename(path)}`,
  path,
}));
export const allObjects: readonly ObjectFile[] = [...sampleObjects, ...fixtureObjects];

export const readBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
export const fixturePath = (name: string): string => join(fixturesDir, `${name}.o`);
export const fixtureBytes = (name: string): Uint8Array => readBytes(fixturePath(name));
export const fixtureSource = (name: string): string => readFileSync(join(fixturesDir, `${name}.c`), 'utf8');
export const fixtureNames: readonly string[] = fixtureObjects.map((o) => basename(o.path, '.o'));

let readable: readonly (ObjectFile & { readonly spec: ObjectSpec })[] | undefined;

/** Every object readObject() reads, with its spec (which objects fail is read-object.test.ts's business). */
export function readableObjects(): readonly (ObjectFile & { readonly spec: ObjectSpec })[] {
  readable ??= allObjects.flatMap((o) => {
    try {
      return [{ ...o, spec: readObject(readBytes(o.path)) }];
    } catch {
      return [];
    }
  });
  return readable;
}

// --- Errors --------------------------------------------------------------------------------------------------

/** Messages a JS engine produces: an error carrying one of these is a crash, not a diagnosis. */
const ENGINE_MESSAGE =
  /DataView|out of bounds|outside the bounds|Cannot read|Cannot convert|undefined|is not a function|is not iterable|Invalid (typed )?array|Maximum call stack|BigInt|NaN/;

/**
 * Where a diagnosis may start: the ELF layer's `elf header: …` and `section …` (including `section header table`
 * and `section name string table`), the object layer's `section X: …`.
 */
const CONTEXT = /^(elf header|section|relocations?)/;

/** Why `e` is not a clear diagnosis of a bad object ('' when it is one). */
export function unclearError(e: unknown): string {
  if (!(e instanceof ObjectFormatError || e instanceof RangeError || e instanceof TypeError)) {
    return `not an ObjectFormatError/RangeError/TypeError: ${String(e)}`;
  }
  const m = e.message;
  if (!CONTEXT.test(m)) return `message does not start with its context: ${m}`;
  if (ENGINE_MESSAGE.test(m)) return `an engine message: ${m}`;
  if (m.endsWith('.')) return `message ends with a period: ${m}`;
  return '';
}

/** The error `fn` throws (a test failure when it throws none). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`threw a non-error: ${String(e)}`);
  }
  throw new Error('expected an error, got none');
}

// --- Mutating fixtures ---------------------------------------------------------------------------------------

/** A deeply writable copy of a readonly spec type (typed arrays stay as they are). */
export type Mutable<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? Mutable<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Mutable<T[K]> }
      : T;

export type MutableElfSpec = Mutable<ElfFileSpec>;

/** The ELF spec of `bytes`, as a deep copy that tests may edit in place. */
export function elfSpecOf(bytes: Uint8Array): MutableElfSpec {
  return structuredClone(toElfSpec(readElf(bytes))) as MutableElfSpec;
}

/** Fixture `name` read through toElfSpec(), edited by `edit`, and written again with writeElf(). */
export function mutateFixture(name: string, edit: (spec: MutableElfSpec) => void): Uint8Array {
  const spec = elfSpecOf(fixtureBytes(name));
  edit(spec);
  return writeElf(spec);
}

export function sectionOf(spec: MutableElfSpec, name: string): Mutable<ElfFileSpec['sections'][number]> {
  const s = spec.sections.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no section ${name}`);
  return s;
}

export function relocationsOf(spec: MutableElfSpec, target: string): Mutable<ElfFileSpec['relocations'][number]> {
  const r = spec.relocations.find((x) => x.target === target);
  if (r === undefined) throw new Error(`no relocations for ${target}`);
  return r;
}

export function symbolIndex(spec: MutableElfSpec, pred: (s: ElfFileSpec['symbols'][number]) => boolean): number {
  const i = spec.symbols.findIndex(pred);
  if (i < 0) throw new Error('no such symbol');
  return i;
}

/** Drops sections (and the relocation sections that apply to them). */
export function dropSections(spec: MutableElfSpec, ...names: string[]): void {
  spec.sections = spec.sections.filter((s) => !names.includes(s.name));
  spec.relocations = spec.relocations.filter((r) => !names.includes(String(r.target)));
  for (const sym of spec.symbols) if (typeof sym.section === 'string' && names.includes(sym.section)) sym.section = 0;
}

// --- Spec consistency ----------------------------------------------------------------------------------------

/** What is wrong with a spec's internal references ([] when every name resolves). */
export function specProblems(spec: ObjectSpec): string[] {
  const problems: string[] = [];
  const fnNames = new Set(spec.functions.map((f) => f.name));
  const mapNames = new Set(spec.maps.map((m) => m.name));
  const dataNames = new Set(spec.data.map((d) => d.name));
  if (fnNames.size !== spec.functions.length) problems.push('function names repeat');
  if (mapNames.size !== spec.maps.length) problems.push('map names repeat');
  for (const p of spec.programs) if (!fnNames.has(p.function)) problems.push(`program ${p.name}: no function ${p.function}`);
  for (const fn of spec.functions) {
    const slots = fn.instructions.reduce((n, i) => n + (i.kind === 'lddw' ? 2 : 1), 0);
    const starts = new Set<number>();
    fn.instructions.reduce((slot, i) => (starts.add(slot), slot + (i.kind === 'lddw' ? 2 : 1)), 0);
    for (const { slot, ref } of fn.references) {
      const where = `function ${fn.name}: slot ${slot}`;
      if (!starts.has(slot)) problems.push(`${where}: no instruction starts there`);
      if ((ref.kind === 'call' || ref.kind === 'func_addr') && !fnNames.has(ref.function)) problems.push(`${where}: no function ${ref.function}`);
      if (ref.kind === 'map' && !mapNames.has(ref.map)) problems.push(`${where}: no map ${ref.map}`);
      if (ref.kind === 'map_value' && !dataNames.has(ref.map) && !mapNames.has(ref.map)) problems.push(`${where}: no data section ${ref.map}`);
    }
    for (const l of fn.lineInfo) if (l.slot >= slots) problems.push(`function ${fn.name}: line info at slot ${l.slot} of ${slots}`);
  }
  for (const m of spec.maps) {
    for (const { index, target } of m.initialSlots ?? []) {
      if (!mapNames.has(target) && !fnNames.has(target)) problems.push(`map ${m.name}: values[${index}] = ${JSON.stringify(target)}, no map or function`);
    }
  }
  return problems;
}

// --- Oracles -------------------------------------------------------------------------------------------------

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Like run(), for several files at once: the tools go on past a file they cannot read (its output is absent). */
function runMany(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return r.stdout;
}

/**
 * Paths whose tool outputs are fetched together, one run per tool, the first time any of them is asked for:
 * starting llvm-objdump-19 once per object costs more than the tests themselves.
 */
const batch = new Set<string>();
export function prefetch(paths: readonly string[]): void {
  for (const p of paths) batch.add(p);
}

/**
 * Memoizes `parse(path, text)` of a tool's output for one file. Paths in the batch are run together: `many`
 * gives the command line for several paths, `split` cuts its output into each path's text.
 */
function perPath<T>(
  one: (path: string) => string,
  many: (paths: string[]) => Map<string, string>,
  parse: (path: string, text: string) => T,
): (path: string) => T {
  const texts = new Map<string, string>();
  const parsed = new Map<string, T>();
  return (path) => {
    const done = parsed.get(path);
    if (done !== undefined) return done;
    if (!texts.has(path)) {
      const pending = batch.has(path) ? [...batch].filter((p) => !texts.has(p) && !parsed.has(p)) : [];
      if (pending.length > 1) for (const [p, text] of many(pending)) texts.set(p, text);
      if (!texts.has(path)) texts.set(path, one(path));
    }
    const value = parse(path, texts.get(path)!);
    texts.delete(path);
    parsed.set(path, value);
    return value;
  };
}

/** Cuts the output of a tool run on several files at its `PATH:\tfile format …` lines. */
function splitByFile(text: string, paths: readonly string[]): Map<string, string> {
  const wanted = new Set(paths);
  const out = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    if (current !== undefined) out.set(current, lines.join('\n'));
  };
  for (const line of text.split('\n')) {
    const m = /^(.*):\tfile format /.exec(line);
    if (m && wanted.has(m[1]!)) {
      flush();
      current = m[1]!;
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}

export const llvmReadelf19: Facility = (() => {
  try {
    execFileSync('llvm-readelf-19', ['--version'], { stdio: 'ignore' });
    return { ok: true, reason: '' };
  } catch {
    return { ok: false, reason: 'llvm-readelf-19 is not available' };
  }
})();

/** One instruction line of `llvm-objdump-19 -dr`: its slot, raw bytes and the relocations printed under it. */
export interface DumpedInsn {
  readonly slot: number;
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly relocations: { readonly offset: number; readonly type: string; readonly symbol: string }[];
}

/** A `<name>:` block of `llvm-objdump-19 -dr`. */
export interface DumpedFunction {
  readonly section: string;
  readonly name: string;
  /** byte address of the header, in its section */
  readonly address: number;
  readonly insns: DumpedInsn[];
}

/** `llvm-objdump-19 -dr path`, parsed into functions (symbol headers) and instruction lines. */
export const objdump = perPath(
  (path) => run('llvm-objdump-19', ['-dr', path]),
  (paths) => splitByFile(runMany('llvm-objdump-19', ['-dr', ...paths]), paths),
  (_, text): DumpedFunction[] => {
    const out: DumpedFunction[] = [];
    let section = '';
    let fn: DumpedFunction | undefined;
    for (const line of text.split('\n')) {
      let m: RegExpExecArray | null;
      if ((m = /^\s+(\d+):\t([0-9a-f]{2}(?: [0-9a-f]{2})*)(?:\t(.*))?$/.exec(line))) {
        if (fn === undefined) throw new Error(`instruction outside a function: ${line}`);
        const bytes = new Uint8Array(m[2]!.split(' ').map((b) => parseInt(b, 16)));
        fn.insns.push({ slot: Number(m[1]), bytes, text: m[3] ?? '', relocations: [] });
      } else if ((m = /^\t\t([0-9a-f]{16}):\s+(R_BPF_\w+)\t(.*)$/.exec(line))) {
        const last = fn?.insns.at(-1);
        if (last === undefined) throw new Error(`relocation outside a function: ${line}`);
        last.relocations.push({ offset: parseInt(m[1]!, 16), type: m[2]!, symbol: m[3]! });
      } else if ((m = /^([0-9a-f]{16}) <(.*)>:$/.exec(line))) {
        fn = { section, name: m[2]!, address: parseInt(m[1]!, 16), insns: [] };
        out.push(fn);
      } else if ((m = /^Disassembly of section (.*):$/.exec(line))) {
        section = m[1]!;
        fn = undefined;
      }
    }
    return out;
  },
);

/** The parts of `llvm-readelf-19 --elf-output-style=JSON -S -s` the tests use. */
export interface ReadelfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly size: number;
  readonly info: number;
}
export interface ReadelfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly bind: number;
  /** STT_* */
  readonly type: number;
  readonly section: string;
}
export interface ReadelfRelocation {
  readonly section: string;
  readonly offset: number;
  readonly type: number;
  readonly symbol: string;
}
export interface Readelf {
  readonly sections: ReadelfSection[];
  readonly symbols: ReadelfSymbol[];
  readonly relocations: ReadelfRelocation[];
}

interface ReadelfJson {
  readonly Sections: readonly {
    readonly Section: {
      readonly Index: number;
      readonly Name: { readonly Name: string };
      readonly Type: { readonly Value: number };
      readonly Flags: { readonly Value: number };
      readonly Size: number;
      readonly Info: number;
    };
  }[];
  readonly Symbols?: readonly {
    readonly Symbol: {
      readonly Name: { readonly Name: string };
      readonly Value: number;
      readonly Size: number;
      readonly Binding: { readonly Value: number };
      readonly Type: { readonly Value: number };
      readonly Section: { readonly Name: string };
    };
  }[];
  readonly Relocations?: readonly {
    readonly SectionIndex: number;
    readonly Relocs: readonly {
      readonly Relocation: { readonly Offset: number; readonly Type: { readonly Value: number }; readonly Symbol: { readonly Name: string } };
    }[];
  }[];
}

const READELF_ARGS = ['--elf-output-style=JSON', '-S', '-s', '-r'];

/** `llvm-readelf-19 -S -s -r path` (JSON). */
export const readelf = perPath(
  (path) => run('llvm-readelf-19', [...READELF_ARGS, path]),
  (paths) => {
    const all = JSON.parse(runMany('llvm-readelf-19', [...READELF_ARGS, ...paths])) as (ReadelfJson & { FileSummary: { File: string } })[];
    return new Map(all.map((one) => [one.FileSummary.File, JSON.stringify([one])]));
  },
  (_, text): Readelf => {
    const json = (JSON.parse(text) as ReadelfJson[])[0]!;
    const sections = json.Sections.map(({ Section: s }) => ({
      index: s.Index,
      name: s.Name.Name,
      type: s.Type.Value,
      flags: s.Flags.Value,
      size: s.Size,
      info: s.Info,
    }));
    const symbols = (json.Symbols ?? []).map(({ Symbol: s }) => ({
      name: s.Name.Name,
      value: s.Value,
      size: s.Size,
      bind: s.Binding.Value,
      type: s.Type.Value,
      section: s.Section.Name,
    }));
    const relocations = (json.Relocations ?? []).flatMap((rs) => {
      const target = sections[sections.find((s) => s.index === rs.SectionIndex)!.info]!.name;
      return rs.Relocs.map(({ Relocation: r }) => ({ section: target, offset: r.Offset, type: r.Type.Value, symbol: r.Symbol.Name }));
    });
    return { sections, symbols, relocations };
  },
);

/** The allocated, non-code sections of an object (data, maps, license): what objdumpContents() dumps. */
const dataLike = (path: string): string[] =>
  readelf(path)
    .sections.filter((s) => (s.flags & 0x2) !== 0 && (s.flags & 0x4) === 0 && s.type === 1)
    .map((s) => s.name);

const contents = perPath(
  (path) => run('llvm-objdump-19', ['-s', ...dataLike(path).flatMap((name) => ['-j', name]), path]),
  (paths) => {
    const names = [...new Set(paths.flatMap(dataLike))];
    return splitByFile(runMany('llvm-objdump-19', ['-s', ...names.flatMap((name) => ['-j', name]), ...paths]), paths);
  },
  (_, text): Map<string, Uint8Array> => {
    const out = new Map<string, number[]>();
    let current: number[] | undefined;
    for (const line of text.split('\n')) {
      const header = /^Contents of section (.*):$/.exec(line);
      if (header) {
        current = [];
        out.set(header[1]!, current);
        continue;
      }
      const m = /^ ([0-9a-f]{4,}) ((?:[0-9a-f]{2,8} ?)+) /.exec(line);
      if (current === undefined || !m) continue;
      for (const word of m[2]!.trim().split(' ')) for (let i = 0; i < word.length; i += 2) current.push(parseInt(word.slice(i, i + 2), 16));
    }
    return new Map([...out].map(([name, bytes]) => [name, new Uint8Array(bytes)]));
  },
);

/** Contents of an allocated, non-code PROGBITS section as `llvm-objdump-19 -s -j NAME` prints them. */
export function objdumpContents(path: string, section: string): Uint8Array {
  const bytes = contents(path).get(section);
  if (bytes === undefined) throw new Error(`llvm-objdump-19 -s shows no section ${section} in ${path}`);
  return bytes;
}

/** One type of `bpftool -j btf dump file`. */
export interface BpftoolType {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
  readonly type_id?: number;
  readonly size?: number;
  readonly nr_elems?: number;
  readonly members?: readonly { readonly name: string; readonly type_id: number; readonly bits_offset: number }[];
  readonly vars?: readonly { readonly type_id: number; readonly offset: number; readonly size: number }[];
  readonly linkage?: string;
}

/** `bpftool -j btf dump file path`, by type id. */
export const bpftoolTypes = perPath(
  (path) => run('bpftool', ['-j', 'btf', 'dump', 'file', path]),
  () => new Map(), // bpftool reads one file a run (and is quick about it)
  (_, text): Map<number, BpftoolType> => {
    const { types } = JSON.parse(text) as { types: BpftoolType[] };
    return new Map(types.map((t) => [t.id, t]));
  },
);

/** A map definition as libbpf reads it from the BTF bpftool prints (parse_btf_map_def), independently of ours. */
export interface BtfMapFacts {
  readonly name: string;
  readonly type: number;
  readonly keySize: number | undefined;
  readonly valueSize: number | undefined;
  readonly maxEntries: number;
  readonly flags: number;
  readonly pinning: number;
  /** byte offset of `values` in the definition, when it has one */
  readonly valuesOffset?: number;
  readonly inner?: BtfMapFacts;
}

const MODIFIERS = new Set(['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG']);

function skipMods(types: Map<number, BpftoolType>, id: number): BpftoolType {
  let t = types.get(id)!;
  while (MODIFIERS.has(t.kind)) t = types.get(t.type_id!)!;
  return t;
}

function sizeOf(types: Map<number, BpftoolType>, id: number): number {
  const t = skipMods(types, id);
  switch (t.kind) {
    case 'PTR':
      return 8;
    case 'ARRAY':
      return t.nr_elems! * sizeOf(types, t.type_id!);
    case 'VAR':
      return sizeOf(types, t.type_id!);
    default:
      if (t.size === undefined) throw new Error(`no size for ${t.kind} ${t.id}`);
      return t.size;
  }
}

function mapFacts(types: Map<number, BpftoolType>, name: string, structId: number): BtfMapFacts {
  const st = skipMods(types, structId);
  const facts: { -readonly [K in keyof BtfMapFacts]: BtfMapFacts[K] } = {
    name,
    type: 0,
    keySize: undefined,
    valueSize: undefined,
    maxEntries: 0,
    flags: 0,
    pinning: 0,
  };
  const uint = (id: number): number => skipMods(types, skipMods(types, id).type_id!).nr_elems!;
  for (const m of st.members ?? []) {
    switch (m.name) {
      case 'type':
        facts.type = uint(m.type_id);
        break;
      case 'max_entries':
        facts.maxEntries = uint(m.type_id);
        break;
      case 'map_flags':
        facts.flags = uint(m.type_id);
        break;
      case 'pinning':
        facts.pinning = uint(m.type_id);
        break;
      case 'key_size':
        facts.keySize = uint(m.type_id);
        break;
      case 'value_size':
        facts.valueSize = uint(m.type_id);
        break;
      case 'key':
        facts.keySize = sizeOf(types, skipMods(types, m.type_id).type_id!);
        break;
      case 'value':
        facts.valueSize = sizeOf(types, skipMods(types, m.type_id).type_id!);
        break;
      case 'values': {
        // libbpf: the value of a map of maps or prog array is a 4-byte id; an inner map's definition is the
        // struct the array's pointers point at.
        facts.valueSize = 4;
        facts.valuesOffset = m.bits_offset / 8;
        const elem = skipMods(types, skipMods(types, m.type_id).type_id!);
        const target = skipMods(types, elem.type_id!);
        if (target.kind === 'STRUCT') facts.inner = mapFacts(types, `${name}.inner`, target.id);
        break;
      }
    }
  }
  return facts;
}

/** The `.maps` definitions of an object, from bpftool's BTF dump: DATASEC `.maps` → VAR → STRUCT. */
export function bpftoolMaps(types: Map<number, BpftoolType>): BtfMapFacts[] {
  const datasec = [...types.values()].find((t) => t.kind === 'DATASEC' && t.name === '.maps');
  return (datasec?.vars ?? []).map((v) => {
    const variable = types.get(v.type_id)!;
    return mapFacts(types, variable.name, variable.type_id!);
  });
}

// --- Oracle-derived expectations -----------------------------------------------------------------------------

const STT_SECTION = 3;
const STT_FUNC = 2;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;

export const slotsOf = (insns: readonly Instruction[]): number => insns.reduce((n, i) => n + (i.kind === 'lddw' ? 2 : 1), 0);

/** Each function of `spec` with the section slot it starts at (functions are laid out in spec order). */
export function placeFunctions(spec: ObjectSpec): { fn: FunctionSpec; start: number; end: number }[] {
  const next = new Map<string, number>();
  return spec.functions.map((fn) => {
    const start = next.get(fn.section) ?? 0;
    const end = start + slotsOf(fn.instructions);
    next.set(fn.section, end);
    return { fn, start, end };
  });
}

export const isDataSection = (name: string, flags: number): boolean =>
  (flags & SHF_ALLOC) !== 0 && (flags & SHF_EXECINSTR) === 0 && /^\.(rodata|data|bss)(\..*)?$/.test(name);

/** The references llvm-objdump-19 and llvm-readelf-19 imply, by section slot, as libbpf would resolve them. */
export function expectedReferences(path: string, elf: Readelf): Map<string, Map<number, Reference>> {
  const sectionByName = new Map(elf.sections.map((s) => [s.name, s]));
  const byName = new Map<string, ReadelfSymbol>();
  const byPlace = new Map<string, ReadelfSymbol[]>();
  for (const s of elf.symbols) {
    if (s.type === STT_SECTION) byName.set(s.section, s); // objdump names a section symbol after its section
    else if (!byName.has(s.name)) byName.set(s.name, s);
    if (s.type !== STT_SECTION && s.name !== '') byPlace.set(`${s.section}:${s.value}`, [...(byPlace.get(`${s.section}:${s.value}`) ?? []), s]);
  }
  const symbolNamed = (name: string): ReadelfSymbol | undefined => byName.get(name);
  /** The named symbols at `byte` of `section`. */
  const symbolsAt = (section: string, byte: number): ReadelfSymbol[] => byPlace.get(`${section}:${byte}`) ?? [];
  /** The function starting at `byte` of `section`: its FUNC symbol (a global one first), else any named symbol. */
  const functionAt = (section: string, byte: number): string | undefined => {
    const here = symbolsAt(section, byte);
    const funcs = here.filter((s) => s.type === STT_FUNC).sort((a, b) => b.bind - a.bind);
    return (funcs[0] ?? here[0])?.name;
  };
  const out = new Map<string, Map<number, Reference>>();
  for (const d of objdump(path)) {
    const refs = out.get(d.section) ?? new Map<number, Reference>();
    out.set(d.section, refs);
    for (const insn of d.insns) {
      const ref = expectedReference(d.section, insn);
      if (ref !== undefined) refs.set(insn.slot, ref);
    }
  }
  return out;

  function expectedReference(section: string, insn: DumpedInsn): Reference | undefined {
    const view = new DataView(insn.bytes.buffer);
    const opcode = insn.bytes[0]!;
    const imm = view.getInt32(4, true);
    const isCall = opcode === 0x85;
    if (insn.relocations.length === 0) {
      // a BPF-to-BPF call within the section needs no relocation
      if (!isCall || insn.bytes[1]! >> 4 !== 1) return undefined;
      const callee = functionAt(section, (insn.slot + 1 + imm) * 8);
      return callee === undefined ? undefined : { kind: 'call', function: callee };
    }
    const rel = insn.relocations[0]!;
    if (insn.relocations.length !== 1 || rel.offset !== insn.slot * 8) {
      throw new Error(`${section} slot ${insn.slot}: relocations ${JSON.stringify(insn.relocations)}`);
    }
    const sym = symbolNamed(rel.symbol);
    if (sym === undefined || sym.section === '' || sym.section === 'Undefined') {
      return isCall ? { kind: 'extern', name: rel.symbol, type: 'kfunc' } : { kind: 'extern', name: rel.symbol, type: 'ksym' };
    }
    const target = sectionByName.get(sym.section)!;
    const value = sym.type === STT_SECTION ? 0 : sym.value;
    if ((target.flags & SHF_EXECINSTR) !== 0) {
      const byte = isCall ? value + (imm + 1) * 8 : value + imm;
      return { kind: isCall ? 'call' : 'func_addr', function: functionAt(sym.section, byte)! };
    }
    if (target.name === '.maps' || /^maps(\/|$)/.test(target.name)) {
      const at = sym.type === STT_SECTION ? imm : sym.value;
      const map = symbolsAt(target.name, at)[0];
      return { kind: 'map', map: map!.name };
    }
    if (!isDataSection(target.name, target.flags)) throw new Error(`${section} slot ${insn.slot}: ${rel.symbol} in ${target.name}`);
    return { kind: 'map_value', map: target.name, offset: value + imm };
  }
}

