// The compiler runs in a browser: compiler/browser.ts (the wasm clang driver and the backend) bundles with
// esbuild for platform 'browser' with no Node built-in anywhere in its graph. @yowasp/clang stays outside
// the bundle (loaded lazily by the driver); test/compiler/clang/browser-bundle.test.ts checks that it
// reaches Node only through guarded dynamic imports.
import { builtinModules } from 'node:module';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../corpora.ts';

const builtins = new Set(builtinModules);
const isNodeBuiltin = (path: string): boolean => path.startsWith('node:') || builtins.has(path) || builtins.has(path.split('/')[0]!);

async function bundleBrowserEntry(): Promise<{ meta: Metafile; size: number }> {
  const r = await build({
    entryPoints: ['compiler/browser.ts'],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['@yowasp/clang'],
  });
  return { meta: r.metafile, size: r.outputFiles[0]!.contents.length };
}

describe('compiler/browser.ts bundled for the browser', () => {
  it('holds the wasm clang driver and the backend, and no Node built-in', async () => {
    const { meta, size } = await bundleBrowserEntry();
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('compiler/clang/wasm.ts');
    expect(inputs).toContain('compiler/backend/compile-ir.ts');
    expect(inputs).toContain('compiler/backend/codegen/generate-code.ts');
    const nodeImports = Object.entries(meta.inputs).flatMap(([file, input]) => input.imports.filter((i) => isNodeBuiltin(i.path)).map((i) => `${file} -> ${i.path}`));
    expect(nodeImports).toEqual([]);
    const external = Object.values(meta.inputs).flatMap((i) => i.imports.filter((x) => x.external).map((x) => `${x.path} (${x.kind})`));
    expect([...new Set(external)]).toEqual(['@yowasp/clang (dynamic-import)']);
    expect(size).toBeGreaterThan(10_000);
  });

  it('fails the bundle when a Node-only module is in the graph (the check can fail)', async () => {
    const r = await build({
      stdin: { contents: "export * from './compiler/browser.ts';\nexport { compileNative } from './compiler/clang/native.ts';", resolveDir: repoRoot, sourcefile: 'entry.ts', loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['@yowasp/clang', 'node:*'],
    });
    const nodeImports = Object.values(r.metafile.inputs).flatMap((input) => input.imports.filter((i) => isNodeBuiltin(i.path)));
    expect(nodeImports.length).toBeGreaterThan(0);
  });
});
