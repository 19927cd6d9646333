// Clang's diagnostics as data: `file:line:column: severity: message` lines parsed from stderr.
//
//   parseDiagnostics("x.c:3:5: error: use of undeclared identifier 'y'\n")
//   // [{ file: 'x.c', line: 3, column: 5, severity: 'error', message: "use of undeclared identifier 'y'" }]

export type DiagnosticSeverity = 'fatal error' | 'error' | 'warning' | 'note' | 'remark';

export interface ClangDiagnostic {
  /** Empty when clang gave no location (a driver error). */
  readonly file: string;
  /** 1-based; 0 when clang gave no location. */
  readonly line: number;
  readonly column: number;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
}

const LOCATED = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note|remark): (.*)$/;
const LINE_ONLY = /^(.+?):(\d+): (fatal error|error|warning|note|remark): (.*)$/;
const UNLOCATED = /^(?:[\w.+-]*clang[\w.+-]*: )?(fatal error|error|warning|note|remark): (.*)$/;

/** Parses clang's stderr. `rename` maps file names (e.g. a virtual path back to the user's). */
export function parseDiagnostics(stderr: string, rename: (file: string) => string = (f) => f): ClangDiagnostic[] {
  const out: ClangDiagnostic[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.replace(/\r$/, '');
    let m = LOCATED.exec(line);
    if (m !== null) {
      out.push({ file: rename(m[1]!), line: Number(m[2]), column: Number(m[3]), severity: m[4] as DiagnosticSeverity, message: m[5]! });
      continue;
    }
    m = LINE_ONLY.exec(line);
    if (m !== null) {
      out.push({ file: rename(m[1]!), line: Number(m[2]), column: 0, severity: m[3] as DiagnosticSeverity, message: m[4]! });
      continue;
    }
    m = UNLOCATED.exec(line);
    if (m !== null) out.push({ file: '', line: 0, column: 0, severity: m[1] as DiagnosticSeverity, message: m[2]! });
  }
  return out;
}

/** `file:line:column: severity: message`, as clang prints it. */
export function formatDiagnostic(d: ClangDiagnostic): string {
  const where = d.file === '' ? '' : d.column > 0 ? `${d.file}:${d.line}:${d.column}: ` : `${d.file}:${d.line}: `;
  return `${where}${d.severity}: ${d.message}`;
}

/** C that clang refused. `diagnostics` holds every diagnostic clang printed (errors, warnings, notes). */
export class ClangError extends SyntaxError {
  readonly diagnostics: readonly ClangDiagnostic[];
  readonly stderr: string;
  constructor(diagnostics: readonly ClangDiagnostic[], stderr: string, options?: ErrorOptions) {
    const errors = diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal error');
    const first = errors[0] ?? diagnostics[0];
    const summary =
      first !== undefined
        ? `${formatDiagnostic(first)}${errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : ''}`
        : `clang failed: ${stderr.trim().split('\n')[0] ?? 'no diagnostics'}`;
    super(summary, options);
    this.name = 'ClangError';
    this.diagnostics = diagnostics;
    this.stderr = stderr;
  }
}
