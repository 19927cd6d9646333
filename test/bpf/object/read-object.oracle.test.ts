// readObject() cross-checked with independent tools: llvm-objdump-19 (functions, instruction bytes, relocations,
// section contents), llvm-readelf-19 (sections, symbols, relocations) and bpftool (BTF map definitions and
// variables). Each suite skips with a printed reason when its tool is missing (fails under TSBPF_REQUIRE_KERNEL=1).
import { describe, expect, it } from 'vitest';
import { encode } from '../../../bpf/isa/index.ts';
import { readObject, type ObjectSpec, type Reference } from '../../../bpf/object/index.ts';
import { available, bpftool, llvmObjdump19 } from '../../support/require.ts';
import {
  bpftoolMaps,
  bpftoolTypes,
  expectedReferences,
  fixtureNames,
  fixturePath,
  isDataSection,
  llvmReadelf19,
  objdump,
  objdumpContents,
  placeFunctions,
  prefetch,
  readableObjects,
  readBytes,
  readelf,
} from './support.ts';

const STT_SECTION = 3;
const STT_FUNC = 2;
const STT_OBJECT = 1;

const readable = readableObjects();
prefetch(readable.map((o) => o.path));

describe.runIf(available('readObject() vs llvm-objdump-19', llvmObjdump19))('readObject() agrees with llvm-objdump-19', () => {
  it.each(fixtureNames)('functions of %s have the boundaries and slot counts of the <name>: headers', (name) => {
    const spec = readObject(readBytes(fixturePath(name)));
    const dumped = objdump(fixturePath(name));
    expect(
      placeFunctions(spec).map(({ fn, start, end }) => ({ section: fn.section, name: fn.name, start, slots: end - start })),
    ).toEqual(
      dumped.map((d) => ({
        section: d.section,
        name: d.name,
        start: d.address / 8,
        slots: d.insns.reduce((n, i) => n + i.bytes.length / 8, 0),
      })),
    );
    // and the slot numbers objdump prints run on without gaps
    for (const d of dumped) {
      let slot = d.address / 8;
      for (const i of d.insns) {
        expect(i.slot).toBe(slot);
        slot += i.bytes.length / 8;
      }
    }
  });

  it.each(fixtureNames)('instructions of %s encode to the bytes llvm-objdump-19 shows, except patched immediates', (name) => {
    const spec = readObject(readBytes(fixturePath(name)));
    const dumped = objdump(fixturePath(name));
    for (const { fn } of placeFunctions(spec)) {
      const d = dumped.find((x) => x.section === fn.section && x.name === fn.name)!;
      const ours = encode(fn.instructions);
      const theirs = new Uint8Array(d.insns.flatMap((i) => [...i.bytes]));
      expect(ours.length).toBe(theirs.length);
      const referenced = new Set(fn.references.map((r) => r.slot));
      for (let slot = 0; slot < theirs.length / 8; slot++) {
        const [a, b] = [ours.subarray(slot * 8, slot * 8 + 8), theirs.subarray(slot * 8, slot * 8 + 8)];
        // a relocated ld_imm64 or call keeps opcode, registers and offset; its immediate is canonical
        const compared = referenced.has(slot) || referenced.has(slot - 1) ? 4 : 8;
        expect([...a.subarray(0, compared)], `${fn.name} slot ${slot}`).toEqual([...b.subarray(0, compared)]);
      }
    }
  });
});

describe.runIf(available('readObject() references vs llvm-objdump-19 -dr', llvmObjdump19, llvmReadelf19))(
  'readObject() references agree with the relocations llvm-objdump-19 -dr prints',
  () => {
    it('the fixtures have every kind of relocation this suite checks', () => {
      const kinds = new Set(
        readable.filter((o) => o.name.startsWith('fixtures/')).flatMap((o) => o.spec.functions.flatMap((f) => f.references.map((r) => r.ref.kind))),
      );
      expect([...kinds].sort()).toEqual(['call', 'func_addr', 'map', 'map_value']);
    });

    it.each(readable.map((o) => [o.name, o] as const))('every relocation of %s is exactly one reference', (_, o) => {
      const expected = expectedReferences(o.path, readelf(o.path));
      const actual = new Map<string, Map<number, Reference>>();
      const twice: string[] = [];
      for (const { fn, start } of placeFunctions(o.spec)) {
        const refs = actual.get(fn.section) ?? new Map<number, Reference>();
        actual.set(fn.section, refs);
        for (const r of fn.references) {
          if (refs.has(start + r.slot)) twice.push(`${fn.name} slot ${r.slot}`);
          refs.set(start + r.slot, r.ref);
        }
      }
      expect(twice, 'slots with two references').toEqual([]);
      for (const [section, refs] of expected) expect(actual.get(section) ?? new Map(), section).toEqual(refs);
      for (const [section, refs] of actual) if (refs.size > 0) expect(expected.has(section), section).toBe(true);
    });
  },
);

describe.runIf(available('readObject() vs llvm-readelf-19', llvmReadelf19, llvmObjdump19))('readObject() agrees with llvm-readelf-19', () => {
  it.each(readable.map((o) => [o.name, o] as const))('functions of %s start at the FUNC symbols of their sections', (_, o) => {
    const elf = readelf(o.path);
    for (const { fn, start } of placeFunctions(o.spec)) {
      const at = elf.symbols.filter((s) => s.section === fn.section && s.type === STT_FUNC && s.value === start * 8);
      if (at.length > 0) expect(at.map((s) => s.name), fn.name).toContain(fn.name);
      else expect(start, `${fn.name} has no FUNC symbol`).toBe(0);
    }
    const funcs = elf.symbols.filter((s) => s.type === STT_FUNC && o.spec.functions.some((f) => f.section === s.section));
    const starts = new Set(placeFunctions(o.spec).map(({ fn, start }) => `${fn.section}:${start * 8}`));
    for (const s of funcs) expect(starts, s.name).toContain(`${s.section}:${s.value}`);
  });

  it.each(readable.map((o) => [o.name, o] as const))('data sections and variables of %s are those of llvm-readelf-19 -S -s', (_, o) => {
    const elf = readelf(o.path);
    const sections = elf.sections.filter((s) => isDataSection(s.name, s.flags) && (s.type === 1 || s.type === 8));
    expect(o.spec.data.map((d) => [d.name, d.kind, d.size])).toEqual(
      sections.map((s) => [s.name, /^\.(rodata|data|bss)/.exec(s.name)![1], s.size]),
    );
    for (const d of o.spec.data) {
      const objects = elf.symbols.filter((s) => s.section === d.name && s.type === STT_OBJECT);
      const ours = new Set(d.variables.map((v) => JSON.stringify([v.name, v.offset, v.size, v.global])));
      const missing = objects.filter((sym) => !ours.has(JSON.stringify([sym.name, sym.value, sym.size, sym.bind !== 0])));
      expect(missing, `${d.name}: OBJECT symbols without a variable`).toEqual([]);
      if (d.kind === 'bss') expect(d.data.every((b) => b === 0)).toBe(true);
      else expect([...d.data], d.name).toEqual([...objdumpContents(o.path, d.name)]);
    }
  });

  it('globals.o and tc_mark.o hold the variables their sources declare', () => {
    const vars = (name: string) =>
      Object.fromEntries(readObject(readBytes(fixturePath(name))).data.map((d) => [d.name, d.variables.map((v) => v.name).sort()]));
    expect(vars('globals')).toEqual({ '.rodata': ['drop_len', 'greeting', 'xdp_globals.__tsbpf_fmt'], '.bss': ['packets'], '.data': ['bytes'] });
    expect(vars('tc_mark')).toEqual({ '.bss': ['last_mark'], '.rodata': ['new_tos'] });
  });

  const legacy = readable.filter((o) => o.spec.maps.some((m) => m.source === 'legacy'));

  it('the corpus has objects with legacy map sections', () => {
    expect(legacy.length).toBeGreaterThanOrEqual(50);
  });

  it.each(legacy.map((o) => [o.name, o] as const))('legacy maps of %s are the words of their section', (_, o) => {
    const elf = readelf(o.path);
    const sections = [...new Set(o.spec.maps.filter((m) => m.source === 'legacy').map((m) => m.section))];
    for (const section of sections) {
      const bytes = objdumpContents(o.path, section);
      const view = new DataView(bytes.buffer);
      // in section order, as libbpf numbers them
      const syms = elf.symbols
        .filter((s) => s.section === section && s.type !== STT_SECTION && s.name !== '' && s.type !== 4)
        .sort((a, b) => a.value - b.value);
      const expected = syms.map((s) => {
        const size = s.size > 0 ? s.size : Math.floor(bytes.length / syms.length);
        const words = Array.from({ length: size / 4 }, (_, i) => view.getUint32(s.value + i * 4, true));
        const [type, keySize, valueSize, maxEntries, flags, ...extra] = words;
        return { name: s.name, type, keySize, valueSize, maxEntries, flags, legacyExtra: extra.length > 0 ? extra : undefined };
      });
      const actual = o.spec.maps
        .filter((m) => m.section === section)
        .map((m) => ({ name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, legacyExtra: m.legacyExtra }));
      expect(actual).toEqual(expected);
    }
  });
});

describe.runIf(available('readObject() vs bpftool', bpftool, llvmReadelf19))('readObject() agrees with bpftool btf dump', () => {
  const btfMapObjects = readable.filter((o) => o.spec.maps.some((m) => m.source === 'btf'));

  it('the corpus and the fixtures have objects with BTF-defined maps', () => {
    expect(btfMapObjects.length).toBeGreaterThanOrEqual(50);
  });

  it.each(btfMapObjects.map((o) => [o.name, o] as const))('BTF-defined maps of %s are those bpftool shows', (_, o) => {
    const facts = bpftoolMaps(bpftoolTypes(o.path));
    const project = (m: ObjectSpec['maps'][number]): unknown => ({
      name: m.name,
      type: m.type,
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
      flags: m.flags,
      pinning: m.pinning,
      ...(m.inner ? { inner: project(m.inner) } : {}),
    });
    const expected = (f: (typeof facts)[number]): unknown => ({
      name: f.name,
      type: f.type,
      // libbpf's default for a prog array without a declared key
      keySize: f.keySize ?? (f.type === 3 ? 4 : 0),
      valueSize: f.valueSize ?? 0,
      maxEntries: f.maxEntries,
      flags: f.flags,
      pinning: f.pinning === 1 ? 'by_name' : 'none',
      ...(f.inner ? { inner: expected(f.inner) } : {}),
    });
    expect(o.spec.maps.filter((m) => m.source === 'btf').map(project)).toEqual(facts.map(expected));
  });

  it.each(btfMapObjects.map((o) => [o.name, o] as const))('initial slots of %s are the .maps relocations', (_, o) => {
    const elf = readelf(o.path);
    const facts = new Map(bpftoolMaps(bpftoolTypes(o.path)).map((f) => [f.name, f]));
    const expected = new Map<string, { index: number; target: string }[]>();
    for (const rel of elf.relocations.filter((r) => r.section === '.maps')) {
      const map = elf.symbols.find(
        (s) => s.section === '.maps' && s.type === STT_OBJECT && s.value <= rel.offset && rel.offset < s.value + s.size,
      )!;
      const index = (rel.offset - map.value - facts.get(map.name)!.valuesOffset!) / 8;
      expected.set(map.name, [...(expected.get(map.name) ?? []), { index, target: rel.symbol }]);
    }
    for (const m of o.spec.maps) expect(m.initialSlots, m.name).toEqual(expected.get(m.name));
  });

  const withFuncInfo = readable.filter((o) => o.spec.functions.some((f) => f.btfTypeId !== undefined));

  it.each(withFuncInfo.map((o) => [o.name, o] as const))('functions of %s carry the BTF FUNC of their own name', (_, o) => {
    const types = bpftoolTypes(o.path);
    const wrong = o.spec.functions
      .filter((f) => f.btfTypeId !== undefined)
      .filter((f) => types.get(f.btfTypeId!)?.kind !== 'FUNC' || types.get(f.btfTypeId!)?.name !== f.name)
      .map((f) => f.name);
    expect(wrong).toEqual([]);
  });

  const withDataBtf = readable.filter((o) => o.spec.btf !== undefined && o.spec.data.some((d) => d.variables.length > 0));

  // Several globals in one section: clang leaves every DATASEC offset at 0 (for the linker), so matching a
  // variable with its VAR by offset would give them all the same one. These objects prove matching by name.
  const SEVERAL_GLOBALS_PER_SECTION = [
    'ebpf-samples/cilium-core/bpf_host.o',
    'ebpf-samples/cilium-examples/tcx_bpf_bpfel.o',
    'ebpf-samples/cilium/bpf_xdp_dsr_linux.o',
    'ebpf-samples/cilium/bpf_xdp_snat_linux.o',
  ];

  const checkVariableTypes = (o: (typeof withDataBtf)[number]): void => {
    const types = bpftoolTypes(o.path);
    for (const d of o.spec.data) {
      const datasec = [...types.values()].find((t) => t.kind === 'DATASEC' && t.name === d.name);
      const varIds = new Map((datasec?.vars ?? []).map((v) => [types.get(v.type_id)!.name, v.type_id]));
      for (const v of d.variables) expect(v.btfTypeId, `${d.name} ${v.name}`).toBe(varIds.get(v.name));
    }
  };

  it('the corpus has objects whose data sections have BTF', () => {
    expect(withDataBtf.length).toBeGreaterThanOrEqual(15);
    for (const name of SEVERAL_GLOBALS_PER_SECTION) expect(withDataBtf.map((o) => o.name)).toContain(name);
  });

  it.each(withDataBtf.map((o) => [o.name, o] as const))('variables of %s carry the BTF VAR of their own name', (_, o) =>
    checkVariableTypes(o),
  );

  it('variables of cilium/bpf_xdp_dsr_linux.o .data carry their own BTF VAR', () => {
    const o = readable.find((x) => x.name === 'ebpf-samples/cilium/bpf_xdp_dsr_linux.o')!;
    const types = bpftoolTypes(o.path);
    const data = o.spec.data.find((d) => d.name === '.data')!;
    const named = data.variables.map((v) => [v.name, v.btfTypeId === undefined ? undefined : types.get(v.btfTypeId)?.name]);
    expect(named).toEqual(data.variables.map((v) => [v.name, v.name]));
  });
});
