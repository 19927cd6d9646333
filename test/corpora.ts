// Where the read-only shared corpora live, relative to this repository.
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { readdirSync, statSync } from 'node:fs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const corporaRoot = join(repoRoot, '..', 'shared', 'corpora');

export const corpusDir = (name: 'bpf_conformance' | 'ubpf' | 'ebpf-samples' | 'prevail-test-data'): string =>
  join(corporaRoot, name);

/** Every file below `dir` whose name ends with `ext`, sorted, as absolute paths. */
export function filesBelow(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(ext)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * The C sources of the committed fixtures: `test/fixtures/*.c`, each with its `.o` built by scripts/build-fixtures.
 * Subfolders (the compiler corpus in `test/fixtures/corpus`) are built at test time and have no committed objects.
 */
export function fixtureSources(): string[] {
  const dir = join(repoRoot, 'test/fixtures');
  return filesBelow(dir, '.c').filter((p) => dirname(p) === dir);
}
