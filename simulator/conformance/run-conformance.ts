// Every `.data` case below some paths, with a tally.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runConformanceCase, type CaseResult, type ConformanceOptions } from './run-conformance-case.ts';

export interface ConformanceReport {
  readonly results: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The `.data` files named by `paths` (directories are searched recursively), sorted per directory. */
export function conformanceFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const q = join(p, name);
        if (statSync(q).isDirectory() || name.endsWith('.data')) walk(q);
      }
    } else {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

/** Run every case below `paths`. Throws (ENOENT, …) only for a path that does not exist. */
export function runConformance(paths: readonly string[], options: ConformanceOptions = {}): ConformanceReport {
  const results = conformanceFiles(paths).map((f) => runConformanceCase(f, options));
  return {
    results,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skip').length,
  };
}
