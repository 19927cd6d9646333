// The committed fixture objects are what scripts/build-fixtures makes from their sources today: same code,
// same BTF types (whole-file bytes may differ, e.g. in DWARF).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { fixtureSources, repoRoot } from '../corpora.ts';
import { available, clang19 } from '../support/require.ts';

const run = available('fixture rebuild', clang19);
const sources = fixtureSources();
const out = mkdtempSync(join(tmpdir(), 'tsbpf-fixtures-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.runIf(run)('test/fixtures', () => {
  it.each(sources.map((s) => [basename(s), s]))('%s is current (rebuild with scripts/build-fixtures)', (_n, src) => {
    const obj = join(out, basename(src, '.c') + '.o');
    execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', 'bpf/include', `-ffile-prefix-map=${repoRoot}=.`, '-c', src.slice(repoRoot.length + 1), '-o', obj], { cwd: repoRoot });
    const fresh = readObject(readFileSync(obj));
    const committed = readObject(readFileSync(src.replace(/\.c$/, '.o')));
    expect(committed.functions.map((f) => [f.name, f.section, f.instructions, f.references])).toEqual(
      fresh.functions.map((f) => [f.name, f.section, f.instructions, f.references]),
    );
    expect(committed.btf?.types).toEqual(fresh.btf?.types);
    expect(committed.maps).toEqual(fresh.maps);
  });
});
