// `tsbpf build` as a user runs it (from the sources, through tsx): native objects equal to the committed
// fixtures, clang's diagnostics without stack traces, exit codes; and buildCommand in process (one warm wasm
// clang) for the wasm IR and subset errors (objects from the wasm path: test/cli/build.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { parseIr } from '../../../compiler/backend/ir/index.ts';
import { buildCommand, type BuildOptions } from '../../../cli/build.ts';
import { CliError } from '../../../cli/cli-error.ts';
import { filesBelow, fixtureSources, repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tsbpf = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync('node', ['--import', 'tsx', join(repoRoot, 'cli/main.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const fixtures = fixtureSources();

describe.runIf(available('tsbpf build --clang native', clang19))('tsbpf build --clang native', () => {
  it.each(fixtures.map((f) => [basename(f), f]))('builds %s into the object scripts/build-fixtures makes', (name, file) => {
    const out = join(tmp, name.replace(/\.c$/, '.o'));
    const r = tsbpf(['build', file.slice(repoRoot.length + 1), '-o', out, '--clang', 'native']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = readObject(readFileSync(out));
    const committed = readObject(readFileSync(file.replace(/\.c$/, '.o')));
    expect(ours.functions.map((f) => [f.name, f.section, f.instructions, f.references])).toEqual(
      committed.functions.map((f) => [f.name, f.section, f.instructions, f.references]),
    );
    expect(ours.btf?.types).toEqual(committed.btf?.types);
    expect(ours.maps).toEqual(committed.maps);
  });

  it('prints clang-19 errors as file:line:column lines and exits 1 without a stack trace', () => {
    const bad = join(tmp, 'bad-native.c');
    writeFileSync(bad, 'int f(void)\n{\n\treturn nope;\n}\n');
    const r = tsbpf(['build', bad, '--clang', 'native', '-o', join(tmp, 'bad.o')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:3:9: error: use of undeclared identifier 'nope'`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/** Runs buildCommand in this process (sharing the warm wasm clang): the CliError it throws and what it printed. */
async function buildInProcess(file: string, options: Partial<BuildOptions>) {
  const printed: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    const error = await buildCommand(file, { clang: 'wasm', emitLlvm: false, includeDirs: [], defines: [], ...options }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error: error as CliError | undefined, stderr: printed.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('tsbpf build (wasm clang)', () => {
  it('--emit-llvm writes IR the parser reads', async () => {
    const out = join(tmp, 'fw.ll');
    const r = await buildInProcess(join(repoRoot, 'test/fixtures/xdp_firewall.c'), { emitLlvm: true, output: out, defines: ['UNUSED=1'] });
    expect(r.error).toBeUndefined();
    const mod = parseIr(readFileSync(out, 'utf8'));
    expect(mod.sourceFilename).toBe('test/fixtures/xdp_firewall.c');
    expect(mod.functions.some((f) => f.section === 'xdp')).toBe(true);
  });

  it('names C outside the BPF subset with its line (exit 1)', async () => {
    const src = join(tmp, 'float.c');
    writeFileSync(src, 'double scale(double x)\n{\n\treturn x * 1.5;\n}\n');
    const r = await buildInProcess(src, { output: join(tmp, 'float.o') });
    expect(r.error!.code).toBe(1);
    expect(r.stderr).toContain(`${src}:3: function scale: floating point (fmul) is not supported for BPF`);
  });

  it('prints C errors as file:line:column lines and exits 1 without a stack trace', () => {
    const bad = join(tmp, 'bad.c');
    writeFileSync(bad, '#include <linux/bpf.h>\nint f(void)\n{\n\treturn nope;\n}\n');
    const r = tsbpf(['build', bad, '--emit-llvm', '-o', join(tmp, 'bad.ll')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:4:9: error: use of undeclared identifier 'nope'`);
    expect(r.stderr).toContain(`error: ${bad}: compilation failed (1 error)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for a missing input, and for --clang native without a native clang', () => {
    expect(tsbpf(['build', 'no/such.c']).code).toBe(2);
    const r = tsbpf(['build', 'test/fixtures/xdp_pass.c', '--clang', 'native', '-o', join(tmp, 'x.o')], { TSBPF_CLANG: 'no-such-clang-19' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no native clang with a BPF target found \(tried no-such-clang-19\)/);
  });
});
