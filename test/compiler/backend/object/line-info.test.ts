import { describe, expect, it } from 'vitest';
import { parseIr } from '../../../../compiler/backend/ir/index.ts';
import { LineInfoBuilder } from '../../../../compiler/backend/object/index.ts';

const mod = parseIr(`define i32 @f() !dbg !3 {
  ret i32 0
}
!0 = !DIFile(filename: "prog.c", directory: ".")
!1 = !DIFile(filename: "/abs/inc.h", directory: "/src")
!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !0, emissionKind: FullDebug)
!3 = distinct !DISubprogram(name: "f", scope: !0, file: !0, line: 2, unit: !2)
!4 = !DILocation(line: 4, column: 9, scope: !3)
!5 = !DILocation(line: 5, column: 3, scope: !3)
!6 = !DILocation(line: 0, scope: !3)
!7 = distinct !DISubprogram(name: "g", scope: !1, file: !1, line: 1, unit: !2)
!8 = !DILocation(line: 3, column: 1, scope: !7, inlinedAt: !5)
!9 = !DIFile(filename: "embedded.c", directory: "/x", source: "int a;\\0Aint b;\\0A")
!10 = distinct !DISubprogram(name: "h", scope: !9, file: !9, line: 2, unit: !2)
!11 = !DILocation(line: 1, column: 5, scope: !10)
`);
const source = 'int x;\nint f(void)\n{\n\tint y = 1;\n\treturn y;\n}\n';
const sources = (file: string) => (file === './prog.c' ? source : undefined);
const sp = mod.metadata.get(3);

describe('LineInfoBuilder', () => {
  it('records a line where the location changes, with the joined file name and the line text', () => {
    const lines = new LineInfoBuilder(mod, sources).lineInfo(sp, [
      { slot: 0, dbg: 4 },
      { slot: 2, dbg: 4 },
      { slot: 3, dbg: 5 },
    ]);
    expect(lines).toEqual([
      { slot: 0, file: './prog.c', line: 4, column: 9, text: '\tint y = 1;' },
      { slot: 3, file: './prog.c', line: 5, column: 3, text: '\treturn y;' },
    ]);
  });

  it('starts with the function line (column 0) when slot 0 has no usable location, and skips line 0', () => {
    const lines = new LineInfoBuilder(mod, sources).lineInfo(sp, [
      { slot: 0, dbg: 6 },
      { slot: 4, dbg: 5 },
    ]);
    expect(lines.map((l) => [l.slot, l.line, l.column, l.text])).toEqual([
      [0, 2, 0, 'int f(void)'],
      [4, 5, 3, '\treturn y;'],
    ]);
    expect(new LineInfoBuilder(mod, sources).lineInfo(sp, []).map((l) => [l.slot, l.line])).toEqual([[0, 2]]);
  });

  it('names an inlined location by its own file, keeps absolute names, and has no text without the source', () => {
    const [l] = new LineInfoBuilder(mod, sources).lineInfo(sp, [{ slot: 0, dbg: 8 }]);
    expect(l).toEqual({ slot: 0, file: '/abs/inc.h', line: 3, column: 1, text: '' });
  });

  it('prefers the source embedded in the DIFile', () => {
    const [l] = new LineInfoBuilder(mod, undefined).lineInfo(mod.metadata.get(10), [{ slot: 0, dbg: 11 }]);
    expect(l).toEqual({ slot: 0, file: '/x/embedded.c', line: 1, column: 5, text: 'int a;' });
  });
});
