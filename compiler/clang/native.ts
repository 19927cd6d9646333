// Native clang (Node only): `clang-19 -target bpf -O2 -g -mcpu=v3` straight to a BPF object, with the same
// headers as the wasm driver. The optional fast path, and the oracle in tests.
//
//   const { object } = await compileNative({ file: 'policy.c' }); // ELF bytes
//
// The clang used is $TSBPF_CLANG when set, else the first of clang-19, clang-18, ..., clang-14, clang whose
// `-print-targets` lists bpf.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ClangError, parseDiagnostics, type ClangDiagnostic } from './diagnostics.ts';
import { BPF_COMMON_FLAGS, BPF_IR_FLAGS, defineFlags } from './flags.ts';
import { findBpfInclude } from './node-headers.ts';

export const NATIVE_CLANG_CANDIDATES: readonly string[] = [
  'clang-19', 'clang-20', 'clang-21', 'clang-22', 'clang-18', 'clang-17', 'clang-16', 'clang-15', 'clang-14', 'clang',
];

export interface NativeClang {
  /** The command (`clang-19`). */
  readonly command: string;
  /** Its first `--version` line. */
  readonly version: string;
  readonly major: number;
}

/** No usable native clang with a BPF target. */
export class NativeClangMissingError extends Error {
  constructor(tried: readonly string[]) {
    super(
      `no native clang with a BPF target found (tried ${tried.join(', ')}); install clang-19 (Debian/Ubuntu: apt-get install clang-19), set TSBPF_CLANG, or use the wasm clang`,
    );
    this.name = 'NativeClangMissingError';
  }
}

let found: NativeClang | null | undefined;

/** The native clang to use, or undefined when there is none (probed once per process). */
export function findNativeClang(): NativeClang | undefined {
  if (found !== undefined) return found ?? undefined;
  const env = process.env['TSBPF_CLANG'];
  for (const command of env !== undefined && env !== '' ? [env] : NATIVE_CLANG_CANDIDATES) {
    const probe = probeClang(command);
    if (probe !== undefined) {
      found = probe;
      return probe;
    }
  }
  found = null;
  return undefined;
}

function probeClang(command: string): NativeClang | undefined {
  try {
    const version = execFileSync(command, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const major = Number(/clang version (\d+)/.exec(version)?.[1] ?? NaN);
    if (!(major >= 14)) return undefined;
    const targets = execFileSync(command, ['-print-targets'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (!/^\s*bpf\b/m.test(targets)) return undefined;
    return { command, version: version.split('\n')[0] ?? '', major };
  } catch {
    return undefined;
  }
}

export interface NativeCompileInput {
  /** The C file on disk (relative to `cwd` or absolute). */
  readonly file: string;
  /** When given, compiled instead of the file's contents (written to a temporary copy named like `file`). */
  readonly source?: string | Uint8Array;
  /** 'object' (default): a BPF ELF object; 'ir': LLVM IR text with the BPF-friendly IR flags (see flags.ts). */
  readonly emit?: 'object' | 'ir';
  readonly includeDirs?: readonly string[];
  readonly defines?: readonly string[] | Readonly<Record<string, string>>;
  readonly extraArgs?: readonly string[];
  /** Working directory; debug info paths are made relative to it (`-ffile-prefix-map=CWD=.`). Default: process.cwd(). */
  readonly cwd?: string;
  /** The BPF headers directory; default: the repository's bpf/include. */
  readonly bpfInclude?: string;
  /** The clang to run; default: findNativeClang(). */
  readonly clang?: string;
}

export interface NativeOutput {
  /** The ELF object (emit 'object'). */
  readonly object?: Uint8Array;
  /** LLVM IR text (emit 'ir'). */
  readonly ir?: string;
  readonly diagnostics: readonly ClangDiagnostic[];
  readonly milliseconds: number;
  readonly clang: string;
}

/** The clang arguments (without the command) for `input`, writing to `output`. */
export function nativeArguments(input: NativeCompileInput, output: string, file: string = input.file): string[] {
  const cwd = resolve(input.cwd ?? process.cwd());
  return [
    '-target',
    'bpf',
    ...BPF_COMMON_FLAGS,
    ...(input.emit === 'ir' ? [...BPF_IR_FLAGS, '-S', '-emit-llvm'] : ['-c']),
    ...(input.includeDirs ?? []).flatMap((d) => ['-I', d]),
    '-I',
    input.bpfInclude ?? findBpfInclude(),
    ...defineFlags(input.defines),
    `-ffile-prefix-map=${cwd}=.`,
    ...(input.extraArgs ?? []),
    file,
    '-o',
    output,
  ];
}

/** Compiles with native clang. Throws ClangError on C errors, NativeClangMissingError without a clang. */
export async function compileNative(input: NativeCompileInput): Promise<NativeOutput> {
  const t0 = performance.now();
  const command = input.clang ?? findNativeClang()?.command;
  if (command === undefined) throw new NativeClangMissingError(process.env['TSBPF_CLANG'] ? [process.env['TSBPF_CLANG']] : NATIVE_CLANG_CANDIDATES);
  const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-clang-'));
  try {
    const output = join(tmp, input.emit === 'ir' ? 'out.ll' : 'out.o');
    let file = input.file;
    if (input.source !== undefined) {
      file = join(tmp, 'src', basename(input.file));
      mkdirSync(join(tmp, 'src'));
      writeFileSync(file, input.source);
    }
    const rename = (f: string) => (f === file ? input.file : f);
    const { code, stderr } = await run(command, nativeArguments(input, output, file), input.cwd);
    const diagnostics = parseDiagnostics(stderr, rename);
    if (code !== 0) throw new ClangError(diagnostics, stderr);
    const bytes = readFileSync(output);
    return {
      ...(input.emit === 'ir' ? { ir: bytes.toString('utf8') } : { object: new Uint8Array(bytes) }),
      diagnostics,
      milliseconds: performance.now() - t0,
      clang: command,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string | undefined): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 }, (error, _stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`${command}: ${error.message}`, { cause: error }));
        return;
      }
      resolvePromise({ code: error === null ? 0 : (error.code as number), stderr });
    });
  });
}
