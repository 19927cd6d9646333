// writeObject() on every object readObject() reads: the round trip gives an equal spec, the bytes read back through
// readElf, llvm-readelf-19, llvm-objdump-19 and bpftool, and the code is the original's except where relocated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readElf, SHF_EXECINSTR, SHT_PROGBITS, type ElfFile } from '../../../bpf/elf/index.ts';
import { decode, type Instruction } from '../../../bpf/isa/index.ts';
import {
  ObjectFormatError,
  readObject,
  writeObject,
  type FunctionSpec,
  type InstructionReference,
  type ObjectSpec,
} from '../../../bpf/object/index.ts';
import { available, bpftool, llvmObjdump19 } from '../../support/require.ts';
import {
  bpftoolMaps,
  bpftoolTypes,
  errorOf,
  expectedReferences,
  fixtureBytes,
  llvmReadelf19,
  placeFunctions,
  prefetch,
  readableObjects,
  readBytes,
  readelf,
} from './support.ts';

const readable = readableObjects();
const rows = readable.map((o) => [o.name, o] as const);

/** Each readable object written once, in memory. */
const written = new Map(readable.map((o) => [o.name, writeObject(o.spec)]));

const scratch = mkdtempSync(join(tmpdir(), 'tsbpf-object-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The rewritten objects as files, for the llvm tools (written on first use). */
const rewrittenPaths = (() => {
  let paths: Map<string, string> | undefined;
  return (): Map<string, string> => {
    if (paths === undefined) {
      paths = new Map();
      for (const [name, bytes] of written) {
        const path = join(scratch, name.replaceAll('/', '_'));
        writeFileSync(path, bytes);
        paths.set(name, path);
      }
      prefetch([...paths.values()]);
    }
    return paths;
  };
})();

describe('writeObject() round trip', () => {
  it('covers the corpus and the fixtures', () => {
    expect(readable.length).toBeGreaterThanOrEqual(150);
  });

  it.each(rows)('readObject(writeObject(readObject(x))) equals readObject(x) for %s', (name, o) => {
    const again = readObject(written.get(name)!);
    // the same verdict as toEqual alone (strict equality implies it), without its cost on large specs
    if (!isDeepStrictEqual(again, o.spec)) expect(again).toEqual(o.spec);
  });

  it.each(rows)('writeObject() of %s is a fixed point: writing the re-read spec gives the same bytes', (name) => {
    const bytes = written.get(name)!;
    expect(Buffer.from(writeObject(readObject(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('writeObject() does not change the spec it is given', () => {
    const spec = readObject(fixtureBytes('subprogs'));
    const before = readObject(fixtureBytes('subprogs'));
    writeObject(spec);
    expect(spec).toEqual(before);
  });
});

/** Program sections by name: (bytes, relocated slots). */
function codeSections(elf: ElfFile): Map<string, { insns: Map<number, Instruction>; relocated: Set<number> }> {
  const out = new Map<string, { insns: Map<number, Instruction>; relocated: Set<number> }>();
  for (const s of elf.sections) {
    if (s.type !== SHT_PROGBITS || (s.flags & SHF_EXECINSTR) === 0 || s.size === 0) continue;
    const insns = new Map<number, Instruction>();
    let slot = 0;
    for (const insn of decode(s.data)) {
      insns.set(slot, insn);
      slot += insn.kind === 'lddw' ? 2 : 1;
    }
    out.set(s.name, { insns, relocated: new Set(elf.relocationsFor(s.index).map((r) => r.offset / 8)) });
  }
  return out;
}

/** An instruction without the fields a relocation patches (call imm, ld_imm64 value). */
function unpatched(insn: Instruction): Instruction {
  if (insn.kind === 'call') return { ...insn, imm: 0 };
  if (insn.kind === 'lddw') return { ...insn, value: 0n };
  return insn;
}

describe('writeObject() bytes', () => {
  it.each(rows)('readElf() reads the bytes written for %s without warnings', (name) => {
    const elf = readElf(written.get(name)!);
    expect(elf.warnings).toEqual([]);
    expect(elf.isRelocatable).toBe(true);
    expect(elf.header.machine).toBe(247); // EM_BPF
  });

  it.each(rows)('code sections of %s keep every instruction, except the fields relocations patch', (_, o) => {
    const original = codeSections(readElf(readBytes(o.path)));
    const rewritten = codeSections(readElf(written.get(o.name)!));
    expect([...rewritten.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [section, { insns, relocated }] of original) {
      const again = rewritten.get(section)!;
      expect([...again.insns.keys()], section).toEqual([...insns.keys()]);
      const differences: string[] = [];
      for (const [slot, insn] of insns) {
        const other = again.insns.get(slot)!;
        // relocated in either file: the original's or the writer's relocation (same-section calls gain one)
        const patched = relocated.has(slot) || again.relocated.has(slot);
        const [a, b] = patched ? [unpatched(insn), unpatched(other)] : [insn, other];
        if (!isDeepStrictEqual(a, b)) differences.push(`${section} slot ${slot}`);
      }
      expect(differences).toEqual([]);
    }
  });

  it('writeObject() relocates subprogs.o as clang does', () => {
    const elf = readElf(written.get('fixtures/subprogs.o')!);
    const xdp = elf.sectionByName('xdp')!;
    const text = elf.sectionByName('.text')!;
    const relocs = (index: number) =>
      elf.relocationsFor(index).map((r) => {
        const sym = elf.relocationSymbol(r);
        return [r.offset / 8, r.type, elf.symbolName(sym)];
      });
    expect(relocs(xdp.index)).toEqual([
      [8, 1, '.text'], // R_BPF_64_64, section symbol + 0x58 (add_index, static)
      [14, 1, 'sums'], // R_BPF_64_64 against the map's symbol
      [21, 10, 'checksum'], // R_BPF_64_32 against the global function's symbol
    ]);
    expect(relocs(text.index)).toEqual([[5, 10, '.text']]); // the static call checksum → mix
  });
});

describe.runIf(available('writeObject() output vs llvm-readelf-19', llvmReadelf19))('writeObject() output read by llvm-readelf-19', () => {
  it('llvm-readelf-19 -S -s -r reads every rewritten object without a warning', () => {
    const paths = [...rewrittenPaths().values()];
    const r = spawnSync('llvm-readelf-19', ['-S', '-s', '-r', ...paths], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.each(rows)('symbols of the rewritten %s name every function, map and variable', (name, o) => {
    const elf = readelf(rewrittenPaths().get(name)!);
    const has = (section: string, symbol: string, type: number): boolean =>
      elf.symbols.some((s) => s.section === section && s.name === symbol && s.type === type);
    const missing = [
      ...o.spec.functions.filter((f) => !has(f.section, f.name, 2)).map((f) => `function ${f.name}`),
      ...o.spec.maps.filter((m) => !has(m.section, m.name, 1)).map((m) => `map ${m.name}`),
      ...o.spec.data.flatMap((d) => d.variables.filter((v) => !has(d.name, v.name, 1)).map((v) => `variable ${v.name}`)),
    ];
    expect(missing).toEqual([]);
  });
});

describe.runIf(available('writeObject() output vs llvm-objdump-19', llvmObjdump19, llvmReadelf19))('writeObject() output read by llvm-objdump-19', () => {
  it.each(rows)('every relocation llvm-objdump-19 -dr shows in the rewritten %s is the spec reference', (name, o) => {
    const path = rewrittenPaths().get(name)!;
    const expected = expectedReferences(path, readelf(path));
    // the relocations shown, cut at the function boundaries, against the spec's references
    const shown = new Map<string, InstructionReference[]>();
    const ours = new Map<string, readonly InstructionReference[]>();
    const placed = placeFunctions(o.spec);
    for (const { fn } of placed) {
      shown.set(fn.name, []);
      ours.set(fn.name, fn.references);
    }
    for (const [section, refs] of expected) {
      const fns = placed.filter((p) => p.fn.section === section);
      for (const [slot, ref] of refs) {
        const at = fns.find((p) => slot >= p.start && slot < p.end);
        if (at === undefined) throw new Error(`${section}: relocation at slot ${slot} outside every function`);
        shown.get(at.fn.name)!.push({ slot: slot - at.start, ref });
      }
    }
    expect(ours).toEqual(shown);
  });
});

describe.runIf(available('writeObject() output vs bpftool', bpftool))('writeObject() output read by bpftool', () => {
  const withBtfMaps = rows.filter(([, o]) => o.spec.maps.some((m) => m.source === 'btf'));

  it.each(withBtfMaps)('bpftool finds the maps of the rewritten %s', (name, o) => {
    const before = bpftoolMaps(bpftoolTypes(o.path));
    const after = bpftoolMaps(bpftoolTypes(rewrittenPaths().get(name)!));
    expect(after).toEqual(before);
  });
});

describe('writeObject() rejects specs it cannot write', () => {
  const subprogs = (): ObjectSpec => readObject(fixtureBytes('subprogs'));
  const editFunction = (spec: ObjectSpec, name: string, edit: (fn: FunctionSpec) => FunctionSpec): ObjectSpec => ({
    ...spec,
    functions: spec.functions.map((f) => (f.name === name ? edit(f) : f)),
  });
  const rejects = (spec: ObjectSpec, message: RegExp): void => {
    const e = errorOf(() => writeObject(spec));
    expect(e).toBeInstanceOf(ObjectFormatError);
    expect(e.message).toMatch(message);
  };

  it('writeObject() rejects a function defined twice', () => {
    const spec = subprogs();
    rejects({ ...spec, functions: [...spec.functions, spec.functions[1]!] }, /^function mix is defined twice$/);
  });

  it('writeObject() rejects a call to an unknown function', () => {
    const spec = editFunction(subprogs(), 'xdp_calls', (f) => ({
      ...f,
      references: f.references.map((r) => (r.ref.kind === 'call' ? { ...r, ref: { kind: 'call', function: 'nope' } } : r)),
    }));
    rejects(spec, /^function xdp_calls: instruction 21: call to unknown function nope$/);
  });

  it('writeObject() rejects a reference to an unknown map', () => {
    const spec = editFunction(subprogs(), 'xdp_calls', (f) => ({
      ...f,
      references: f.references.map((r) => (r.ref.kind === 'map' ? { ...r, ref: { kind: 'map', map: 'nope' } } : r)),
    }));
    rejects(spec, /^function xdp_calls: instruction 14: reference to unknown map or function nope$/);
  });

  it('writeObject() rejects a reference to an unknown data section', () => {
    const spec = editFunction(subprogs(), 'xdp_calls', (f) => ({
      ...f,
      references: f.references.map((r) => (r.ref.kind === 'map' ? { ...r, ref: { kind: 'map_value', map: '.bss', offset: 0 } } : r)),
    }));
    rejects(spec, /^function xdp_calls: instruction 14: reference to unknown data section \.bss$/);
  });

  it('writeObject() rejects a reference to the second slot of an ld_imm64, or past the end', () => {
    for (const slot of [9, 99]) {
      const spec = editFunction(subprogs(), 'xdp_calls', (f) => ({ ...f, references: [{ slot, ref: { kind: 'map', map: 'sums' } }] }));
      rejects(spec, new RegExp(`^function xdp_calls: instruction ${slot}: reference to no instruction$`));
    }
  });

  it('writeObject() rejects a map_value reference on an instruction that is not an ld_imm64', () => {
    const globals = readObject(fixtureBytes('globals'));
    const spec = editFunction(globals, 'xdp_globals', (f) => ({ ...f, references: [{ slot: 0, ref: { kind: 'map_value', map: '.bss', offset: 0 } }] }));
    rejects(spec, /^function xdp_globals: instruction 0: map_value reference on a ldx instruction$/);
  });

  it('writeObject() rejects BTF-defined maps without BTF', () => {
    const { btf: _, ...spec } = subprogs();
    rejects(spec, /^section \.maps: BTF-defined maps need BTF$/);
  });

  // An empty function would vanish on reading back, breaking the round trip.
  it('writeObject() rejects a function without instructions', () => {
    const spec = subprogs();
    const empty: FunctionSpec = { name: 'empty', section: 'xdp', global: true, instructions: [], references: [], lineInfo: [], coreRelocations: [] };
    rejects({ ...spec, functions: [empty, ...spec.functions] }, /empty/);
  });

  it('writeObject() rejects initial slots that name nothing', () => {
    const maps = readObject(fixtureBytes('maps'));
    const spec = { ...maps, maps: maps.maps.map((m) => (m.name === 'outer' ? { ...m, initialSlots: [{ index: 0, target: 'nope' }] } : m)) };
    rejects(spec, /^map outer: values\[0\]: reference to unknown map or function nope$/);
  });
});
