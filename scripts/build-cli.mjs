// Bundles the CLI into dist/cli.mjs (run by `npm run build` and by npm's `prepare` after `npm ci`).
// koffi and esbuild stay external: they ship native binaries that cannot be bundled (esbuild runs policy files).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['koffi', '@yowasp/clang', 'esbuild'],
  banner: { js: "import { createRequire as __tsbpfCreateRequire } from 'node:module'; const require = __tsbpfCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['cli/main.ts'], outfile: 'dist/cli.mjs' });
// bin/tsbpf-conformance-plugin runs this bundle (bpf_conformance's plugin protocol)
await build({
  ...common,
  stdin: { contents: "import { conformancePluginMain } from './cli/conformance.ts'; process.exitCode = await conformancePluginMain(process.argv.slice(2));", resolveDir: '.', loader: 'ts', sourcefile: 'conformance-plugin.ts' },
  outfile: 'dist/conformance-plugin.mjs',
});
