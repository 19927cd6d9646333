// `tsbpf build` on the default wasm path: C to a BPF object with nothing native (the kernel's verdict on such
// objects is test/oracle/backend-object.test.ts), and backend errors as one line naming the C line, exit 1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { buildCommand } from '../../cli/build.ts';
import type { CliError } from '../../cli/cli-error.ts';
import { repoRoot } from '../corpora.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-build-wasm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tsbpf build (wasm clang and our backend)', () => {
  it('writes an object with the programs, maps, BTF and source-annotated line info of the C file', () => {
    const out = join(tmp, 'maps.o');
    const r = spawnSync('node', ['--import', 'tsx', join(repoRoot, 'cli/main.ts'), 'build', 'test/fixtures/maps.c', '-o', out], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const spec = readObject(readFileSync(out));
    const committed = readObject(readFileSync(join(repoRoot, 'test/fixtures/maps.o')));
    expect(spec.programs.map((p) => [p.name, p.section, p.type])).toEqual(committed.programs.map((p) => [p.name, p.section, p.type]));
    expect(spec.maps.map(({ keyTypeId: _k, valueTypeId: _v, inner, ...m }) => ({ ...m, inner: inner?.name }))).toEqual(
      committed.maps.map(({ keyTypeId: _k, valueTypeId: _v, inner, ...m }) => ({ ...m, inner: inner?.name })),
    );
    expect(spec.license).toBe('GPL');
    const source = readFileSync(join(repoRoot, 'test/fixtures/maps.c'), 'utf8').split('\n');
    const lines = spec.functions.flatMap((f) => f.lineInfo);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l.text).toBe(source[l.line - 1]);
  }, 120_000);

  it('names the C line of a global the backend cannot place (exit 1)', async () => {
    const src = join(tmp, 'ptr.c');
    writeFileSync(src, 'int x = 1;\nint *p = &x;\nint f(void)\n{\n\treturn *p;\n}\n');
    const printed: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    let error: CliError | undefined;
    try {
      await buildCommand(src, { clang: 'wasm', emitLlvm: false, includeDirs: [], defines: [], output: join(tmp, 'ptr.o') }).catch((e: unknown) => {
        error = e as CliError;
      });
    } finally {
      spy.mockRestore();
    }
    expect(error?.code).toBe(1);
    expect(error?.message).toMatch(/ptr\.c:2: global p: its initializer holds the address of x/);
  }, 120_000);
});
