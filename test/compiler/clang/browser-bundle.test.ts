// The wasm path runs in a browser: bundling compiler/clang/wasm.ts and compiler/backend/ir/ for platform
// 'browser' pulls no Node built-in into the graph.
import { builtinModules } from 'node:module';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora.ts';

const builtins = new Set(builtinModules);
const isNodeBuiltin = (path: string) => path.startsWith('node:') || builtins.has(path) || builtins.has(path.split('/')[0]!);

async function bundle(contents: string, external: string[]): Promise<Metafile> {
  const r = await build({
    stdin: { contents, resolveDir: repoRoot, sourcefile: 'browser-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external,
  });
  return r.metafile;
}

describe('the wasm compiler path in a browser bundle', () => {
  it('has no node: import in the graph of compiler/clang/wasm.ts and compiler/backend/ir/', async () => {
    const meta = await bundle(
      [
        "export * from './compiler/clang/wasm.ts';",
        "export * from './compiler/clang/file-tree.ts';",
        "export * from './compiler/clang/diagnostics.ts';",
        "export * from './compiler/backend/ir/index.ts';",
      ].join('\n'),
      ['@yowasp/clang'],
    );
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('compiler/clang/wasm.ts');
    expect(inputs).toContain('compiler/backend/ir/parse-ir.ts');
    const nodeImports = Object.entries(meta.inputs).flatMap(([file, input]) =>
      input.imports.filter((i) => isNodeBuiltin(i.path)).map((i) => `${file} -> ${i.path}`),
    );
    expect(nodeImports).toEqual([]);
    // the only thing left outside is the clang package itself, loaded lazily
    const external = Object.values(meta.inputs).flatMap((i) => i.imports.filter((x) => x.external).map((x) => `${x.path} (${x.kind})`));
    expect([...new Set(external)]).toEqual(['@yowasp/clang (dynamic-import)']);
  });

  it('@yowasp/clang reaches Node built-ins only through guarded dynamic imports', async () => {
    const meta = await bundle("export * from '@yowasp/clang';", ['node:*']);
    const nodeImports = Object.values(meta.inputs).flatMap((i) => i.imports.filter((x) => isNodeBuiltin(x.path)));
    expect(nodeImports.length).toBeGreaterThan(0);
    for (const i of nodeImports) expect(i.kind).toBe('dynamic-import');
  });
});
