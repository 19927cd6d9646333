import { describe, expect, it } from 'vitest';
import { ClangError, formatDiagnostic, parseDiagnostics } from '../../../compiler/clang/diagnostics.ts';

const STDERR = `In file included from policy.c:3:
/include/bpf/bpf_helpers.h:12:2: warning: something odd [-Wodd]
   12 |  odd();
      |  ^
policy.c:7:14: error: use of undeclared identifier 'y'
    7 |         return y;
      |                ^
policy.ts:40: fatal error: 'missing.h' file not found
clang: error: unknown argument: '-fbogus'
note: a note without a place
2 errors generated.
`;

describe('parseDiagnostics()', () => {
  it('reads located, line-only and unlocated diagnostics and skips snippets and summaries', () => {
    expect(parseDiagnostics(STDERR)).toEqual([
      { file: '/include/bpf/bpf_helpers.h', line: 12, column: 2, severity: 'warning', message: 'something odd [-Wodd]' },
      { file: 'policy.c', line: 7, column: 14, severity: 'error', message: "use of undeclared identifier 'y'" },
      { file: 'policy.ts', line: 40, column: 0, severity: 'fatal error', message: "'missing.h' file not found" },
      { file: '', line: 0, column: 0, severity: 'error', message: "unknown argument: '-fbogus'" },
      { file: '', line: 0, column: 0, severity: 'note', message: 'a note without a place' },
    ]);
  });

  it('renames files through the given mapping', () => {
    expect(parseDiagnostics('tmp/x.c:1:2: error: e\n', (f) => f.replace('tmp/', ''))[0]!.file).toBe('x.c');
  });
});

describe('formatDiagnostic() and ClangError', () => {
  it('prints diagnostics as clang does', () => {
    const [a, b, c, d] = parseDiagnostics(STDERR).slice(1);
    expect(formatDiagnostic(a!)).toBe("policy.c:7:14: error: use of undeclared identifier 'y'");
    expect(formatDiagnostic(b!)).toBe("policy.ts:40: fatal error: 'missing.h' file not found");
    expect(formatDiagnostic(c!)).toBe("error: unknown argument: '-fbogus'");
    expect(d!.severity).toBe('note');
  });

  it('summarises the first error and counts the rest', () => {
    const e = new ClangError(parseDiagnostics(STDERR), STDERR);
    expect(e).toBeInstanceOf(SyntaxError);
    expect(e.message).toBe("policy.c:7:14: error: use of undeclared identifier 'y' (and 2 more errors)");
    expect(new ClangError([], 'boom\n').message).toBe('clang failed: boom');
  });
});
