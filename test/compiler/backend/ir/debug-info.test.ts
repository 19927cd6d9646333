import { describe, expect, it } from 'vitest';
import { declarationLocation, intField, nodeField, parseIr, resolveMetadata, scopeFile, sourceLocation, stringField } from '../../../../compiler/backend/ir/index.ts';

const mod = parseIr(`define void @f() !dbg !3 {
  ret void, !dbg !6
}
!0 = !DIFile(filename: "policy.ts", directory: "/src")
!1 = !DIFile(filename: "policy.c", directory: "/src")
!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, emissionKind: FullDebug)
!3 = distinct !DISubprogram(name: "f", scope: !1, file: !0, line: 12, unit: !2)
!4 = distinct !DILexicalBlock(scope: !3, file: !0, line: 13, column: 3)
!5 = !DILexicalBlockFile(scope: !4, file: !0, discriminator: 2)
!6 = !DILocation(line: 14, column: 7, scope: !5)
!7 = !DILocation(line: 9, scope: !3, inlinedAt: !6)
`);

describe('debug info helpers', () => {
  it('sourceLocation() resolves a DILocation through nested scopes to its file', () => {
    expect(sourceLocation(mod, 6)).toEqual({ file: 'policy.ts', directory: '/src', line: 14, column: 7 });
    expect(sourceLocation(mod, 7)).toEqual({ file: 'policy.ts', directory: '/src', line: 9, column: 0 });
    expect(sourceLocation(mod, 3)).toBeUndefined();
  });

  it('declarationLocation() gives the line of a subprogram', () => {
    expect(declarationLocation(mod, resolveMetadata(mod, mod.functions[0]!.attachments['dbg']))).toMatchObject({ file: 'policy.ts', line: 12 });
  });

  it('reads fields by name, with LLVM defaults for omitted numbers', () => {
    const sp = mod.metadata.get(3);
    expect(stringField(sp, 'name')).toBe('f');
    expect(intField(sp, 'line')).toBe(12);
    expect(intField(sp, 'scopeLine')).toBe(0);
    expect(stringField(nodeField(mod, sp, 'unit'), 'name')).toBeUndefined();
    expect(scopeFile(mod, mod.metadata.get(5))).toBe(mod.metadata.get(0));
  });
});
