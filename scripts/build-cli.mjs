// Bundles the CLI into dist/cli.mjs (run by `npm run build` and by npm's `prepare` after `npm ci`).
// koffi stays external: it ships a native binary that cannot be bundled.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['koffi', '@yowasp/clang'],
  banner: { js: "import { createRequire as __tsbpfCreateRequire } from 'node:module'; const require = __tsbpfCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
