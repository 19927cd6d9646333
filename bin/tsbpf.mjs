#!/usr/bin/env node
// Entry point of the `tsbpf` command: the bundle built by `npm run build` (npm's `prepare` step).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('tsbpf: the CLI is not built; run `npm run build` (npm ci does it through `prepare`)\n');
  process.exit(2);
}
await import(bundle.href);
