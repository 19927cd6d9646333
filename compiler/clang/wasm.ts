// clang as WebAssembly (@yowasp/clang, LLVM 22, pinned in package.json): restricted C → LLVM IR text, in
// process, with nothing installed. It has no BPF backend, so it stops at `-S -emit-llvm`; compiler/backend
// takes it from there. No Node imports here: the headers come in as a `HeaderSource`, so this module bundles
// for the browser (test/compiler/clang/browser-bundle.test.ts checks the graph).
//
//   const clang = new WasmClang({ headers: loadBpfHeaders() });
//   const { ir } = await clang.compileToIr({ file: 'policy.c', source: text });
//
// The compiled WebAssembly module lives in @yowasp/clang's module-level application object, so every
// WasmClang in a process shares it (each compilation only instantiates it). Measured on this 2-core machine:
// loading and compiling the 75 MB module 0.5 s idle (2.5 s under load), the first compilation 1.2 s more while
// V8 tiers up (3–7 s under load); later ones 0.2–0.5 s for fixture-sized programs idle (0.2–2 s under load).
// clang-19 native takes 0.06–0.3 s, object included.
import { ClangError, parseDiagnostics, type ClangDiagnostic } from './diagnostics.ts';
import { mountFile, type FileTree, type HeaderSource } from './file-tree.ts';
import { BPF_COMMON_FLAGS, BPF_IR_FLAGS, defineFlags } from './flags.ts';

/** Where the BPF headers are mounted in the virtual file system (`-I/include`). */
export const VIRTUAL_INCLUDE = '/include';
const OUTPUT = '__tsbpf_out.ll';

export interface CompileInput {
  /** The C file's path as diagnostics and debug info should show it (relative to the virtual root `/`). */
  readonly file: string;
  readonly source: string | Uint8Array;
  /** More files (the user's headers), merged at the virtual root. */
  readonly files?: FileTree;
  /** More `-I` directories (virtual paths), searched before the BPF headers. */
  readonly includeDirs?: readonly string[];
  /** `-D` definitions: `['NAME=VALUE', 'FLAG']` or `{ NAME: 'VALUE' }`. */
  readonly defines?: readonly string[] | Readonly<Record<string, string>>;
  /** Extra clang arguments, appended last. */
  readonly extraArgs?: readonly string[];
}

export interface IrOutput {
  /** LLVM textual IR (LLVM 22 syntax). */
  readonly ir: string;
  /** Warnings and notes clang printed (errors throw a ClangError instead). */
  readonly diagnostics: readonly ClangDiagnostic[];
  /** Wall time of this compilation in milliseconds, module loading included. */
  readonly milliseconds: number;
}

export interface WasmClangOptions {
  readonly headers: HeaderSource;
  /** How to load @yowasp/clang (tests and bundlers may substitute); default: `import('@yowasp/clang')`. */
  readonly load?: () => Promise<YowaspClang>;
}

type Tree = { [name: string]: Tree | string | Uint8Array };
type Run = (
  args: string[] | null,
  files?: Tree,
  options?: {
    stdout?: ((bytes: Uint8Array | null) => void) | null;
    stderr?: ((bytes: Uint8Array | null) => void) | null;
    fetchProgress?: (event: unknown) => void;
  },
) => Promise<Tree | undefined> | Tree | undefined;

/** What we use of @yowasp/clang (its bundled api.d.ts predates `runClang`, so the shape is declared here). */
export interface YowaspClang {
  readonly runClang: Run;
  readonly runLLVM: Run;
  readonly Exit: abstract new (...args: never[]) => Error & { code: number };
}

let yowasp: Promise<YowaspClang> | undefined;

/** @yowasp/clang, imported and its WebAssembly fetched and compiled once per process. */
function loadYowasp(load: () => Promise<YowaspClang>): Promise<YowaspClang> {
  yowasp ??= (async () => {
    const mod = await load();
    // args === null: fetch and compile the resources only (quietly: the default prints progress)
    await mod.runLLVM(null, {}, { fetchProgress: () => {} });
    return mod;
  })().catch((e: unknown) => {
    yowasp = undefined;
    throw new Error(`@yowasp/clang: cannot load the WebAssembly compiler: ${(e as Error).message}`, { cause: e });
  });
  return yowasp;
}

/** The clang driver that runs as WebAssembly. */
export class WasmClang {
  readonly #headerSource: HeaderSource;
  readonly #load: () => Promise<YowaspClang>;
  #headers: Promise<FileTree> | undefined;

  constructor(options: WasmClangOptions) {
    this.#headerSource = options.headers;
    this.#load = options.load ?? (async () => (await import('@yowasp/clang')) as unknown as YowaspClang);
  }

  /** Loads and compiles the WebAssembly ahead of the first compilation. */
  async warmUp(): Promise<void> {
    await Promise.all([loadYowasp(this.#load), this.#headerTree()]);
  }

  /** The clang version line, e.g. `clang version 22.1.0 (...)`. */
  async version(): Promise<string> {
    const mod = await loadYowasp(this.#load);
    let out = '';
    const dec = new TextDecoder();
    await mod.runLLVM(['clang', '--version'], {}, { stdout: (b) => void (b !== null && (out += dec.decode(b))), stderr: () => {} });
    return out.split('\n')[0] ?? '';
  }

  /** The clang arguments `compileToIr` uses for `input` (for logs and tests). */
  argumentsFor(input: CompileInput): string[] {
    return [
      'clang',
      '--target=bpf',
      ...BPF_COMMON_FLAGS,
      ...BPF_IR_FLAGS,
      '-S',
      '-emit-llvm',
      ...(input.includeDirs ?? []).map((d) => `-I${d}`),
      `-I${VIRTUAL_INCLUDE}`,
      ...defineFlags(input.defines),
      ...(input.extraArgs ?? []),
      virtualPath(input.file),
      '-o',
      `/${OUTPUT}`,
    ];
  }

  /** Compiles C to LLVM IR. Throws ClangError (with structured diagnostics) when clang reports errors. */
  async compileToIr(input: CompileInput): Promise<IrOutput> {
    const t0 = now();
    const [mod, headers] = await Promise.all([loadYowasp(this.#load), this.#headerTree()]);
    let tree: FileTree = { ...(input.files ?? {}) };
    tree = mountFile(tree, VIRTUAL_INCLUDE, headers);
    tree = mountFile(tree, virtualPath(input.file), input.source);
    const files = tree as Tree;
    let stderr = '';
    const dec = new TextDecoder();
    const sink = (b: Uint8Array | null) => {
      if (b !== null) stderr += dec.decode(b, { stream: true });
    };
    const rename = (f: string) => (f === virtualPath(input.file) ? input.file : f);
    let out: Tree | undefined;
    try {
      out = (await mod.runClang(this.argumentsFor(input), files, { stdout: sink, stderr: sink })) ?? undefined;
    } catch (e) {
      if (e instanceof mod.Exit) throw new ClangError(parseDiagnostics(stderr, rename), stderr, { cause: e });
      throw e;
    }
    const diagnostics = parseDiagnostics(stderr, rename);
    const ll = out?.[OUTPUT];
    if (ll === undefined || typeof ll === 'object' && !(ll instanceof Uint8Array)) {
      throw new ClangError(diagnostics, stderr || 'clang produced no output');
    }
    const ir = typeof ll === 'string' ? ll : dec.decode(ll);
    return { ir, diagnostics, milliseconds: now() - t0 };
  }

  #headerTree(): Promise<FileTree> {
    const source = this.#headerSource;
    this.#headers ??= Promise.resolve(typeof source === 'function' ? source() : source);
    return this.#headers;
  }
}

/** The path clang is given for `file`: as is when relative, without `./`; absolute paths stay absolute. */
function virtualPath(file: string): string {
  const p = file.replace(/^(\.\/)+/, '');
  if (p === '' || p.split('/').some((s) => s === '..')) {
    throw new RangeError(`${file}: the wasm clang needs a path without '..' (give one relative to the working directory)`);
  }
  return p;
}

function now(): number {
  return globalThis.performance.now();
}
