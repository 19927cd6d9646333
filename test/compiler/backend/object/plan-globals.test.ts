// Global layout on clang-19's IR of test/compiler/backend/btf/programs/btf_features.c (the oracle test compares
// every fixture's data sections with clang-19's objects byte for byte) and on small IR snippets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIr } from '../../../../compiler/backend/ir/index.ts';
import { encodeInitializer, globalSection, GlobalLayoutError, planGlobals } from '../../../../compiler/backend/object/index.ts';
import { repoRoot } from '../../../corpora.ts';

const mod = parseIr(readFileSync(join(repoRoot, 'test/compiler/backend/btf/programs/btf_features.ll'), 'utf8'));
const layout = planGlobals(mod);
const section = (name: string) => layout.data.find((d) => d.name === name);

describe('planGlobals()', () => {
  it('puts each global in the section clang chooses', () => {
    const sections = Object.fromEntries(mod.globals.filter((g) => !g.name.startsWith('llvm.')).map((g) => [g.name, globalSection(mod, g)]));
    expect(sections).toEqual({
      tagged: '.data',
      negv: '.data',
      uv: '.data',
      arr64: '.data',
      pts: '.data',
      custom: '.data.custom',
      hmap: '.maps',
      '__const.prog.table': '.rodata.cst16',
      'prog.__tsbpf_fmt': '.rodata',
      '.str': '.rodata.str1.1',
      bigv: '.rodata',
      bss_buf: '.bss',
      tp: '.bss',
      _license: 'license',
    });
  });

  it('lays variables out in module order at their alignment, with their initial bytes', () => {
    const data = section('.data')!;
    expect(data.variables.map((v) => [v.name, v.offset, v.size, v.global])).toEqual([
      ['tagged', 0, 4, true],
      ['negv', 4, 4, true],
      ['uv', 8, 4, true],
      ['arr64', 16, 32, true],
      ['pts', 48, 16, true],
    ]);
    expect(data.size).toBe(64);
    const view = new DataView(data.data.buffer);
    expect([view.getInt32(0, true), view.getInt32(4, true), view.getUint32(8, true)]).toEqual([3, -1, 0x01020304]);
    expect([16, 24, 32, 40].map((o) => view.getBigUint64(o, true))).toEqual([1n, 2n, 3n, 4n]);
    expect([48, 52, 56, 60].map((o) => view.getInt32(o, true))).toEqual([1, 2, 3, 4]);
  });

  it('keeps .bss as a size with zero bytes, and string literals in .rodata.str1.1 without a symbol', () => {
    expect(section('.bss')).toMatchObject({ kind: 'bss', size: 24 });
    expect(section('.bss')!.variables.map((v) => [v.name, v.offset])).toEqual([
      ['bss_buf', 0],
      ['tp', 16],
    ]);
    const str = section('.rodata.str1.1')!;
    expect(new TextDecoder().decode(str.data)).toBe('literal %d\n\0');
    expect(str.variables).toEqual([]);
    expect(layout.placements.get('.str')).toEqual({ kind: 'data', section: '.rodata.str1.1', offset: 0 });
  });

  it('marks static variables local and places maps, the license and data for code generation', () => {
    expect(section('.rodata')!.variables.map((v) => [v.name, v.offset, v.global])).toEqual([
      ['prog.__tsbpf_fmt', 0, false],
      ['bigv', 8, false],
    ]);
    expect(layout.placements.get('hmap')).toEqual({ kind: 'map', map: 'hmap' });
    expect(layout.placements.get('pts')).toEqual({ kind: 'data', section: '.data', offset: 48 });
    expect(layout.placements.has('_license')).toBe(false);
    expect(layout.license).toBe('GPL');
    expect(layout.maps).toEqual([{ name: 'hmap', offset: 0, size: 40, pointers: [] }]);
  });

  it('places __ksym and __kconfig externs for the loader', () => {
    const m = parseIr('@CONFIG_HZ = external global i32, section ".kconfig", align 4\n@bpf_prog_active = external global i32, section ".ksyms", align 4\n');
    const l = planGlobals(m);
    expect(l.placements.get('CONFIG_HZ')).toEqual({ kind: 'extern', name: 'CONFIG_HZ', type: 'kconfig' });
    expect(l.placements.get('bpf_prog_active')).toEqual({ kind: 'extern', name: 'bpf_prog_active', type: 'ksym' });
    expect(l.data).toEqual([]);
  });

  it('rejects a pointer in global data, naming the global and its C line', () => {
    const m = parseIr(`@x = dso_local global i32 1, align 4
@p = dso_local global ptr @x, align 8, !dbg !0
!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "p", scope: !2, file: !3, line: 7, type: !4, isLocal: false, isDefinition: true)
!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !3, emissionKind: FullDebug)
!3 = !DIFile(filename: "prog.c", directory: "/src")
!4 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: null, size: 64)
`);
    expect(() => planGlobals(m)).toThrow(GlobalLayoutError);
    expect(() => planGlobals(m)).toThrow('prog.c:7: global p: its initializer holds the address of x, which BPF global data cannot');
  });

  it('reads a legacy struct bpf_map_def in a maps section as its map', () => {
    const m = parseIr('%struct.bpf_map_def = type { i32, i32, i32, i32, i32 }\n@counts = dso_local global %struct.bpf_map_def { i32 1, i32 4, i32 8, i32 64, i32 0 }, section "maps", align 4\n');
    const l = planGlobals(m);
    expect(l.legacyMaps).toEqual([
      { name: 'counts', section: 'maps', source: 'legacy', type: 1, keySize: 4, valueSize: 8, maxEntries: 64, flags: 0, pinning: 'none' },
    ]);
    expect(l.placements.get('counts')).toEqual({ kind: 'map', map: 'counts' });
  });

  it('records the pointers of a map-in-map initialiser as relocation targets', () => {
    const m = parseIr(`@inner = dso_local global { ptr, ptr } zeroinitializer, section ".maps", align 8
@outer = dso_local global { ptr, ptr, [2 x ptr] } { ptr null, ptr null, [2 x ptr] [ptr null, ptr @inner] }, section ".maps", align 8
`);
    expect(planGlobals(m).maps.map((x) => [x.name, x.offset, x.size, x.pointers])).toEqual([
      ['inner', 0, 16, []],
      ['outer', 16, 32, [{ offset: 24, target: 'inner', addend: 0 }]],
    ]);
  });
});

describe('encodeInitializer()', () => {
  it('pads struct fields to their alignment unless the struct is packed', () => {
    const m = parseIr('%s = type { i8, i32, i16 }\n%p = type <{ i8, i32 }>\n');
    const s = encodeInitializer(m, { kind: 'named', name: 's' }, parseIr('@g = global %s { i8 1, i32 2, i16 3 }\n%s = type { i8, i32, i16 }').globals[0]!.initializer!);
    expect([...s.bytes]).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);
    const p = encodeInitializer(m, { kind: 'named', name: 'p' }, parseIr('@g = global %p <{ i8 1, i32 2 }>\n%p = type <{ i8, i32 }>').globals[0]!.initializer!);
    expect([...p.bytes]).toEqual([1, 2, 0, 0, 0]);
  });
});
