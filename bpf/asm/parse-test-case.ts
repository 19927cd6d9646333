// The `.data` test-case format of bpf_conformance and uBPF: `#` comment lines, then sections opened by `-- name`.
//
//   # Copyright ...                 comments before the first section
//   -- asm                          uBPF assembly (assembleUbpf); `-- asm @ file.asm` names a file instead
//   mov %r0, 1
//   exit
//   -- raw                          the program's bytes: hex bytes (`b7 00 00 00 01 00 00 00`) or, one per line,
//   0x00000001000000b7              64-bit words whose low byte is the opcode (little-endian slots)
//   -- mem                          the input memory as hex bytes; `-- mem @ file.hex` names a hex dump
//   00 11 22 33                     (`0x0000:  0026 622f ...`, offsets are skipped)
//   -- result                       the expected r0, hex or decimal
//   0x1
//   -- error                        the expected load or run-time error (may be empty: "any error")
//   -- error pattern                the same as a regular expression
//   -- c                            the C source the assembly came from
//   -- description                  a one-line description
//   -- no jit / -- no register offset   why a runtime may skip the case
//   -- pyelf                        uBPF's ELF-mutation script (ELF loader tests)
//   -- reload / -- unload           uBPF's load-twice / unload-then-load checks (no body)
import { AsmSyntaxError } from './asm-syntax-error.ts';

export interface TestCase {
  /** The `#` comment lines before the first section, without the `# `. */
  readonly comments: readonly string[];
  readonly description?: string;
  /** The uBPF assembly, or the text of `asmFile` when `include` could read it. */
  readonly asm?: string;
  /** The line of the `.data` file where `asm` starts (pass it as `firstLine` to assembleUbpf for error lines). */
  readonly asmLine?: number;
  /** The file named by `-- asm @ name`. */
  readonly asmFile?: string;
  readonly raw?: Uint8Array;
  readonly mem?: Uint8Array;
  /** The file named by `-- mem @ name`. */
  readonly memFile?: string;
  /** The expected r0, as an unsigned 64-bit value. */
  readonly result?: bigint;
  /** The expected error message; `''` when the section is empty. */
  readonly error?: string;
  /** The expected error message as a regular expression source. */
  readonly errorPattern?: string;
  readonly c?: string;
  readonly pyelf?: string;
  readonly noJit?: string;
  readonly noRegisterOffset?: string;
  readonly reload?: boolean;
  readonly unload?: boolean;
}

export interface ParseTestCaseOptions {
  /**
   * Reads a file named by `-- asm @ name` or `-- mem @ name` (relative to the `.data` file); without it such
   * files are left unread and only their names are returned.
   */
  readonly include?: (name: string) => string;
}

type TextField = 'description' | 'c' | 'pyelf' | 'noJit' | 'noRegisterOffset' | 'errorPattern';
const TEXT_SECTIONS: Readonly<Record<string, TextField>> = {
  description: 'description',
  c: 'c',
  pyelf: 'pyelf',
  'no jit': 'noJit',
  'no register offset': 'noRegisterOffset',
  'error pattern': 'errorPattern',
};
const SECTIONS = new Set(['asm', 'raw', 'mem', 'result', 'error', 'reload', 'unload', ...Object.keys(TEXT_SECTIONS)]);

/**
 * Parse a `.data` test case. Throws an `AsmSyntaxError` for an unknown or repeated section and for malformed
 * `raw`, `mem` or `result` bodies; the assembly itself is not checked here (see assembleUbpf).
 *
 * @example
 * parseTestCase('-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n')
 * // { comments: [], asm: 'mov %r0, 1\nexit', asmLine: 2, result: 1n }
 */
export function parseTestCase(text: string, options: ParseTestCaseOptions = {}): TestCase {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: Record<string, unknown> = { comments: [] as string[] };
  let i = 0;
  for (; i < lines.length && !lines[i]!.startsWith('--'); i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    if (!l.trimStart().startsWith('#')) {
      throw new AsmSyntaxError(i + 1, 1, `expected a '-- section' header or a '#' comment, found '${l.trim()}'`);
    }
    (out['comments'] as string[]).push(l.trimStart().replace(/^#\s?/, ''));
  }
  const seen = new Set<string>();
  while (i < lines.length) {
    const headerLine = i + 1;
    const header = /^--\s*(.*?)\s*(?:@\s*(\S+)\s*)?$/.exec(lines[i]!)!;
    const name = header[1]!.toLowerCase();
    const file = header[2];
    if (!SECTIONS.has(name)) throw new AsmSyntaxError(headerLine, 4, `unknown section '${header[1]}'`);
    if (seen.has(name)) throw new AsmSyntaxError(headerLine, 4, `section '${name}' appears twice`);
    seen.add(name);
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('--'); i++) body.push(lines[i]!);
    while (body.length > 0 && body[body.length - 1]!.trim() === '') body.pop();
    const bodyText = body.join('\n');
    if (file !== undefined && name !== 'asm' && name !== 'mem') {
      throw new AsmSyntaxError(headerLine, 4, `section '${name}' cannot name a file`);
    }
    if (file !== undefined && body.some((l) => l.trim() !== '')) {
      throw new AsmSyntaxError(headerLine + 1, 1, `section '${name}' names a file and also has a body`);
    }
    switch (name) {
      case 'asm':
        if (file !== undefined) {
          out['asmFile'] = file;
          if (options.include !== undefined) out['asm'] = options.include(file);
        } else {
          out['asm'] = bodyText;
          out['asmLine'] = headerLine + 1;
        }
        break;
      case 'raw':
        out['raw'] = parseRaw(body, headerLine + 1);
        break;
      case 'mem':
        if (file !== undefined) {
          out['memFile'] = file;
          if (options.include !== undefined) out['mem'] = parseHexBytes(options.include(file).split('\n'), 1);
        } else {
          out['mem'] = parseHexBytes(body, headerLine + 1);
        }
        break;
      case 'result':
        out['result'] = parseResult(body, headerLine + 1);
        break;
      case 'error':
        out['error'] = bodyText.trim();
        break;
      case 'reload':
      case 'unload':
        if (bodyText.trim() !== '') throw new AsmSyntaxError(headerLine + 1, 1, `section '${name}' takes no body`);
        out[name] = true;
        break;
      default:
        out[TEXT_SECTIONS[name]!] = bodyText.trim();
    }
  }
  return out as unknown as TestCase;
}

/** Hex bytes in order: tokens of an even number of hex digits; `0x0000:`-style offsets of a dump are skipped. */
function parseHexBytes(lines: readonly string[], firstLine: number): Uint8Array {
  const bytes: number[] = [];
  lines.forEach((line, k) => {
    words(line).forEach(({ text: t, column }, n) => {
      if (n === 0 && /^(0x)?[0-9a-f]+:$/i.test(t)) return;
      if (!/^[0-9a-f]+$/i.test(t) || t.length % 2 !== 0) {
        throw new AsmSyntaxError(firstLine + k, column, `expected hex bytes, found '${t}'`);
      }
      for (let j = 0; j < t.length; j += 2) bytes.push(parseInt(t.slice(j, j + 2), 16));
    });
  });
  return new Uint8Array(bytes);
}

/** Hex bytes, or `0x`-prefixed 64-bit words, each one instruction slot stored little-endian. */
function parseRaw(lines: readonly string[], firstLine: number): Uint8Array {
  const bytes: number[] = [];
  lines.forEach((line, k) => {
    for (const { text: t, column } of words(line)) {
      if (/^0x[0-9a-f]{1,16}$/i.test(t)) {
        let word = BigInt(t);
        for (let j = 0; j < 8; j++, word >>= 8n) bytes.push(Number(word & 0xffn));
      } else if (/^[0-9a-f]{2}$/i.test(t)) {
        bytes.push(parseInt(t, 16));
      } else {
        throw new AsmSyntaxError(firstLine + k, column, `expected a hex byte or a 0x 64-bit word, found '${t}'`);
      }
    }
  });
  return new Uint8Array(bytes);
}

function parseResult(lines: readonly string[], firstLine: number): bigint {
  const tokens = lines.flatMap((line, k) => words(line).map(({ text: t, column }) => ({ t, line: firstLine + k, column })));
  if (tokens.length !== 1) {
    const at = tokens[1] ?? { line: firstLine, column: 1 };
    throw new AsmSyntaxError(at.line, at.column, `expected one number in section 'result', found ${tokens.length}`);
  }
  const { t, line, column } = tokens[0]!;
  if (!/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(t)) throw new AsmSyntaxError(line, column, `expected a number, found '${t}'`);
  const value = t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
  if (value < -(1n << 63n) || value >= 1n << 64n) {
    throw new AsmSyntaxError(line, column, `result ${t} does not fit in 64 bits`);
  }
  return BigInt.asUintN(64, value);
}

/** The blank-separated words of `line` before any `#` comment, with 1-based columns. */
function words(line: string): { text: string; column: number }[] {
  return [...line.replace(/#.*/, '').matchAll(/\S+/g)].map((m) => ({ text: m[0], column: m.index + 1 }));
}
