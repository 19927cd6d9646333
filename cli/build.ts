// `tsbpf build FILE.c -o FILE.o [--clang wasm|native] [--emit-llvm] [-I DIR] [-D NAME=VAL]`: restricted C to a
// BPF object (or, with --emit-llvm, LLVM IR). The wasm clang stops at IR; compiler/backend (compileIr) takes it
// to the object. Out-of-subset C and what the backend cannot lower are reported with their C line, exit 1.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  ClangError,
  CodegenError,
  compileIr,
  compileNative,
  findBpfInclude,
  formatDiagnostic,
  GlobalLayoutError,
  IrSubsetError,
  loadBpfHeaders,
  mountFile,
  NativeClangMissingError,
  readDirectoryTree,
  VIRTUAL_INCLUDE,
  WasmClang,
  type ClangDiagnostic,
  type FileTree,
} from '../compiler/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './cli-error.ts';

export interface BuildOptions {
  readonly output?: string;
  readonly clang: 'wasm' | 'native';
  readonly emitLlvm: boolean;
  readonly includeDirs: readonly string[];
  readonly defines: readonly string[];
}

export async function buildCommand(file: string, options: BuildOptions): Promise<void> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`${file}: no such file`, EXIT_USAGE);
  for (const dir of options.includeDirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`-I ${dir}: no such directory`, EXIT_USAGE);
  }
  const output = options.output ?? file.replace(/\.c$/, '') + (options.emitLlvm ? '.ll' : '.o');
  try {
    if (options.clang === 'native') {
      const r = await compileNative({
        file,
        emit: options.emitLlvm ? 'ir' : 'object',
        includeDirs: options.includeDirs,
        defines: options.defines,
      });
      printDiagnostics(r.diagnostics);
      writeFileSync(output, r.ir ?? r.object!);
      return;
    }
    const ir = await compileWasm(file, options);
    if (options.emitLlvm) {
      writeFileSync(output, ir);
      return;
    }
    const { bytes } = compileIr(ir, { sources: readSource });
    writeFileSync(output, bytes);
  } catch (e) {
    if (e instanceof ClangError) {
      printDiagnostics(e.diagnostics.length > 0 ? e.diagnostics : []);
      if (e.diagnostics.length === 0) process.stderr.write(e.stderr);
      const errors = e.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal error').length;
      throw new CliError(`${file}: compilation failed (${errors} error${errors === 1 ? '' : 's'})`, EXIT_FAILED, { cause: e });
    }
    if (e instanceof IrSubsetError) {
      for (const v of e.violations) process.stderr.write(`${v.message}\n`);
      throw new CliError(`${file}: outside the BPF subset`, EXIT_FAILED, { cause: e });
    }
    if (e instanceof GlobalLayoutError || e instanceof CodegenError) throw new CliError(e.message, EXIT_FAILED, { cause: e });
    if (e instanceof NativeClangMissingError) throw new CliError(e.message, EXIT_USAGE, { cause: e });
    throw e;
  }
}

async function compileWasm(file: string, options: BuildOptions): Promise<string> {
  const path = virtualPathOf(file);
  let files: FileTree = {};
  // headers next to the source, for #include "x.h"
  const dir = resolve(file, '..');
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.h') && statSync(join(dir, name)).isFile()) {
      files = mountFile(files, virtualPathOf(join(dir, name)), readFileSync(join(dir, name)));
    }
  }
  const includeDirs: string[] = [];
  for (const d of options.includeDirs) {
    const vp = virtualPathOf(d);
    files = mountFile(files, vp, readDirectoryTree(d));
    includeDirs.push(vp);
  }
  const clang = new WasmClang({ headers: () => loadBpfHeaders() });
  const r = await clang.compileToIr({ file: path, source: readFileSync(file), files, includeDirs, defines: options.defines });
  printDiagnostics(r.diagnostics);
  return r.ir;
}

/**
 * Source text for BTF line info, by the name debug info gives the file: the C file and headers on disk
 * (names clang saw relative to the working directory, or with the wasm clang's virtual root `/` in front).
 */
function readSource(name: string): string | undefined {
  const header = name.startsWith(`${VIRTUAL_INCLUDE}/`) ? join(findBpfInclude(), name.slice(VIRTUAL_INCLUDE.length + 1)) : undefined;
  for (const candidate of [name, name.replace(/^\/+/, ''), ...(header !== undefined ? [header] : [])]) {
    if (candidate !== '' && existsSync(candidate) && statSync(candidate).isFile()) return readFileSync(candidate, 'utf8');
  }
  return undefined;
}

/** Relative to the working directory when inside it (as clang would print it), else absolute. */
function virtualPathOf(p: string): string {
  const abs = resolve(p);
  const rel = relative(process.cwd(), abs);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  return abs.split(sep).join('/');
}

function printDiagnostics(diagnostics: readonly ClangDiagnostic[]): void {
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
}
