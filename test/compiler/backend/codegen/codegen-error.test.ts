// What generateCode() says about IR it cannot lower: a CodegenError naming the construct, the .ll line and,
// through !dbg, the C file and line.
import { describe, expect, it } from 'vitest';
import { CodegenError } from '../../../../compiler/backend/codegen/index.ts';
import { generate } from './run-ir.ts';

const METADATA = `
!llvm.dbg.cu = !{!0}
!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, emissionKind: FullDebug)
!1 = !DIFile(filename: "prog.c", directory: "/src")
!2 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 3, unit: !0)
!3 = !DILocation(line: 7, column: 9, scope: !2)
`;

describe('CodegenError', () => {
  it('names the construct, the .ll line and the C line of a call with six arguments', () => {
    const ir = `
define i64 @f(ptr %ctx) section "xdp" !dbg !2 {
  %r = call i64 @g(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6), !dbg !3
  ret i64 %r
}
define i64 @g(i64 %a, i64 %b, i64 %c, i64 %d, i64 %e, i64 %f) {
  ret i64 %a
}
${METADATA}`;
    let error: unknown;
    try {
      generate(ir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodegenError);
    expect(error).toBeInstanceOf(RangeError);
    const e = error as CodegenError;
    expect(e.message).toMatch(/^prog\.c:7, \.ll line 5: function f: a call with 6 arguments/);
    expect(e.construct).toBe('a call with 6 arguments (BPF passes at most 5)');
    expect(e.irLine).toBe(5);
  });

  it('rejects a variable-size alloca by name', () => {
    expect(() =>
      generate(`
define i64 @f(ptr %ctx) section "xdp" {
  %n = load i32, ptr %ctx, align 4
  %a = alloca i8, i32 %n, align 1
  ret i64 0
}`),
    ).toThrow(/variable-size alloca/);
  });
});
