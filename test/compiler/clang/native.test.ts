// The native driver (clang-19): objects, LLVM 19 IR our parser reads, structured diagnostics, a clear error
// without a native clang.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opcodeOf, parseIr } from '../../../compiler/backend/ir/index.ts';
import { ClangError } from '../../../compiler/clang/diagnostics.ts';
import { compileNative, findNativeClang, nativeArguments, NativeClangMissingError } from '../../../compiler/clang/native.ts';
import { readObject } from '../../../bpf/index.ts';
import { filesBelow, fixtureSources, repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';
import { countText } from './shared-wasm.ts';

const fixtures = fixtureSources();
const programs = [...fixtures, ...filesBelow(join(repoRoot, 'test/compiler/clang/programs'), '.c')];
const run = available('native clang driver', clang19);

describe.runIf(run)('compileNative', () => {
  it('finds clang-19 with a BPF target', () => {
    expect(findNativeClang()).toMatchObject({ command: 'clang-19', major: 19 });
  });

  it.each(fixtures.map((f) => [basename(f), f]))('emits an object for %s like scripts/build-fixtures', async (_n, file) => {
    const r = await compileNative({ file: file.slice(repoRoot.length + 1), cwd: repoRoot });
    const ours = readObject(r.object!);
    const committed = readObject(readFileSync(file.replace(/\.c$/, '.o')));
    expect(ours.functions.map((f) => [f.name, f.section, f.instructions, f.references])).toEqual(
      committed.functions.map((f) => [f.name, f.section, f.instructions, f.references]),
    );
    expect(ours.btf?.types).toEqual(committed.btf?.types);
  });

  it.each(programs.map((f) => [basename(f), f]))('emits LLVM 19 IR for %s that the parser reads in full', async (_n, file) => {
    const { ir } = await compileNative({ file, emit: 'ir' });
    expect(ir).toMatch(/^target triple = "bpf"$/m);
    const mod = parseIr(ir!);
    const text = countText(ir!);
    const defined = mod.functions.filter((f) => f.defined);
    const insts = defined.flatMap((f) => f.blocks.flatMap((b) => b.instructions));
    expect(defined.length).toBe(text.functions);
    expect(defined.reduce((n, f) => n + f.blocks.length, 0)).toBe(text.blocks);
    expect(insts.length).toBe(text.instructions);
    expect([...new Set(insts.map(opcodeOf))].sort()).toEqual([...text.opcodes].sort());
  });

  it('reports C errors as structured diagnostics, with the given file name for an in-memory source', async () => {
    const e = (await compileNative({ file: 'dir/bad.c', source: 'int f(void)\n{\n\treturn nope;\n}\n' }).catch((x: unknown) => x)) as ClangError;
    expect(e).toBeInstanceOf(ClangError);
    expect(e.diagnostics[0]).toEqual({ file: 'dir/bad.c', line: 3, column: 9, severity: 'error', message: "use of undeclared identifier 'nope'" });
  });
});

describe('native driver without clang', () => {
  it('nativeArguments() uses the fixture flags: -target bpf -O2 -g -mcpu=v3 and the BPF headers', () => {
    const args = nativeArguments({ file: 'x.c', bpfInclude: '/inc', cwd: '/w' }, 'x.o');
    expect(args.join(' ')).toMatch(/^-target bpf -O2 -g -mcpu=v3 -nostdinc .*-c -I \/inc -ffile-prefix-map=\/w=\. x\.c -o x\.o$/);
  });

  it('NativeClangMissingError says what to install', () => {
    expect(new NativeClangMissingError(['clang-19']).message).toMatch(/no native clang with a BPF target found \(tried clang-19\); install clang-19/);
  });
});
