// `npm run -s bench -- NAME [--json]`: runs bench/NAME.ts and prints its rows as a table for people,
// or as JSON with --json (and nothing else on standard output).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.ts';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'benchmark.ts'].includes(f))
  .map((f) => f.slice(0, -3));

const args = process.argv.slice(2);
const json = args.includes('--json');
const name = args.find((a) => !a.startsWith('--'));
if (name === undefined || !available.includes(name)) {
  process.stderr.write(`usage: npm run -s bench -- NAME [--json]\nbenchmarks: ${available.join(', ')}\n`);
  process.exit(2);
}
const mod = (await import(join(here, `${name}.ts`))) as { default: Benchmark };
const result = await mod.default.run((msg) => process.stderr.write(`${msg}\n`));
if (json) {
  process.stdout.write(`${JSON.stringify(result.json ?? { benchmark: name, ...result }, null, 2)}\n`);
} else {
  const cols = result.columns;
  const rows = result.rows.map((r) => cols.map((c) => String(r[c] ?? '')));
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${mod.default.title}\n${line(cols)}\n${rows.map(line).join('\n')}\n`);
  for (const note of result.notes ?? []) process.stdout.write(`${note}\n`);
}
