// compileIr end to end on clang-19's IR of test/compiler/backend/btf/programs/btf_features.c: the ELF it writes
// reads back (readObject) to the spec it returned; kernel loading is test/oracle/backend-object.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { canonicalBtf, compileIr, GlobalLayoutError } from '../../../compiler/backend/index.ts';
import { repoRoot } from '../../corpora.ts';

const programs = join(repoRoot, 'test/compiler/backend/btf/programs');
const ir = readFileSync(join(programs, 'btf_features.ll'), 'utf8');
const source = readFileSync(join(programs, 'btf_features.c'), 'utf8');
const sources = (file: string) => (file.endsWith('programs/btf_features.c') ? source : undefined);

describe('compileIr()', () => {
  const { spec, bytes } = compileIr(ir, { sources });
  const back = readObject(bytes);

  it('writes an object that reads back to the spec it returns', () => {
    expect(back.maps).toEqual(spec.maps);
    expect(back.data).toEqual(spec.data);
    expect(back.license).toBe('GPL');
    expect(canonicalBtf(back.btf!)).toEqual(canonicalBtf(spec.btf!));
    expect(back.programs).toEqual(spec.programs);
    // (the writer puts .text first: compare by name)
    const summary = (fs: typeof spec.functions) =>
      fs.map((f) => [f.name, f.section, f.global, f.btfTypeId, f.lineInfo, f.instructions.length]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(summary(back.functions)).toEqual(summary(spec.functions));
  });

  it('finds the entry program by its section and decodes the map from our BTF', () => {
    expect(spec.programs).toEqual([{ name: 'prog', section: 'xdp', type: 6, expectedAttachType: 37, function: 'prog' }]);
    expect(spec.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.pinning])).toEqual([['hmap', 1, 8, 48, 16, 'by_name']]);
    expect(spec.btf!.describeType(spec.maps[0]!.valueTypeId!)).toBe('holder_t');
  });

  it('gives every function its FUNC type and line info with the source text', () => {
    for (const f of spec.functions) {
      expect(spec.btf!.typeById(f.btfTypeId!)).toMatchObject({ kind: 'func', name: f.name });
      expect(f.lineInfo.length).toBeGreaterThan(0);
      for (const l of f.lineInfo) {
        expect(l.file).toBe('./test/compiler/backend/btf/programs/btf_features.c');
        expect(l.text).toBe(source.split('\n')[l.line - 1]);
      }
    }
    expect(spec.data.find((d) => d.name === '.data')!.variables.map((v) => spec.btf!.typeName(v.btfTypeId!))).toEqual(['tagged', 'negv', 'uv', 'arr64', 'pts']);
  });

  it('names the C line of a global it cannot lay out', () => {
    const bad = `@x = dso_local global i32 1, align 4
@p = dso_local global ptr @x, align 8, !dbg !0
!llvm.dbg.cu = !{!2}
!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "p", scope: !2, file: !3, line: 7, type: !4, isLocal: false, isDefinition: true)
!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !3, emissionKind: FullDebug)
!3 = !DIFile(filename: "prog.c", directory: "/src")
!4 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: null, size: 64)
`;
    expect(() => compileIr(bad)).toThrow(GlobalLayoutError);
    expect(() => compileIr(bad)).toThrow(/^prog\.c:7: global p:/);
  });
});
