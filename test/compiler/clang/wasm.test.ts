// The wasm clang: every fixture to IR that our parser reads, structured diagnostics, #line kept, the
// compiled WebAssembly reused across compilations.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSubset, opcodeOf, parseIr, sourceLocation, type IrModule } from '../../../compiler/backend/ir/index.ts';
import { ClangError } from '../../../compiler/clang/diagnostics.ts';
import { compileNative } from '../../../compiler/clang/native.ts';
import { available, clang19 } from '../../support/require.ts';
import { filesBelow, fixtureSources, repoRoot } from '../../corpora.ts';
import { countText, wasmClang } from './shared-wasm.ts';

// the fixtures, and programs kept here for parser coverage (ringbuf, LPM, tail calls, CO-RE, unions, bitfields)
const fixtures = [...fixtureSources(), ...filesBelow(join(repoRoot, 'test/compiler/clang/programs'), '.c')];
const timings: number[] = [];

function astCounts(mod: IrModule) {
  const defined = mod.functions.filter((f) => f.defined);
  const insts = defined.flatMap((f) => f.blocks.flatMap((b) => b.instructions));
  return {
    functions: defined.length,
    blocks: defined.reduce((n, f) => n + f.blocks.length, 0),
    instructions: insts.length,
    opcodes: new Set(insts.map(opcodeOf)),
  };
}

describe('WasmClang', () => {
  it.each(fixtures.map((f) => [basename(f), f]))('compileToIr() compiles %s to IR the parser reads in full', async (_n, file) => {
    const rel = file.slice(repoRoot.length + 1);
    const r = await wasmClang.compileToIr({ file: rel, source: readFileSync(file) });
    timings.push(r.milliseconds);
    expect(r.ir).toMatch(/^target triple = "bpf"$/m);
    expect(r.ir).not.toMatch(/switch\.table|<\d+ x /);
    const mod = parseIr(r.ir);
    const text = countText(r.ir);
    const ast = astCounts(mod);
    expect(ast.functions).toBe(text.functions);
    expect(ast.blocks).toBe(text.blocks);
    expect(ast.instructions).toBe(text.instructions);
    expect([...ast.opcodes].sort()).toEqual([...text.opcodes].sort());
    expect(() => checkSubset(mod)).not.toThrow();
    expect(mod.namedMetadata.get('llvm.dbg.cu')?.length).toBe(1);
    // every instruction with a !dbg resolves to a line of this file or of a header
    for (const f of mod.functions) {
      for (const b of f.blocks) {
        for (const i of b.instructions) {
          if (i.dbg === undefined) continue;
          const loc = sourceLocation(mod, i.dbg);
          expect(loc).toBeDefined();
          expect(loc!.file === rel || loc!.file.startsWith('/include/')).toBe(true);
        }
      }
    }
  });

  it('reuses the compiled WebAssembly: later compilations are much faster than the first', async () => {
    const src = readFileSync(join(repoRoot, 'test/fixtures/xdp_pass.c'));
    const again: number[] = [];
    for (let i = 0; i < 3; i++) again.push((await wasmClang.compileToIr({ file: 'xdp_pass.c', source: src })).milliseconds);
    const first = timings[0]!;
    console.log(`wasm clang: first compilation ${first.toFixed(0)} ms; fixtures after it ${timings.slice(1).map((t) => t.toFixed(0)).join(', ')} ms; xdp_pass again ${again.map((t) => t.toFixed(0)).join(', ')} ms`);
    expect(Math.max(...again)).toBeLessThan(first);
  });

  it('compileToIr() reports C errors as structured diagnostics with file:line:column', async () => {
    const source = 'int f(void)\n{\n\treturn undeclared_thing;\n}\nint g(void) { return 1 }\n';
    const e = await wasmClang.compileToIr({ file: 'src/bad.c', source }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ClangError);
    const errors = (e as ClangError).diagnostics.filter((d) => d.severity === 'error');
    expect(errors[0]).toEqual({ file: 'src/bad.c', line: 3, column: 9, severity: 'error', message: "use of undeclared identifier 'undeclared_thing'" });
    expect(errors[1]).toMatchObject({ file: 'src/bad.c', line: 5, severity: 'error', message: "expected ';' after return statement" });
    expect((e as ClangError).message).toBe("src/bad.c:3:9: error: use of undeclared identifier 'undeclared_thing' (and 1 more errors)");
  });

  it('compileToIr() returns warnings without failing', async () => {
    const r = await wasmClang.compileToIr({ file: 'w.c', source: 'int f(int x) { int unused; return x; }\n', extraArgs: ['-Wall'] });
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ file: 'w.c', line: 1, severity: 'warning' }));
  });

  it('compileToIr() keeps #line directives in the debug info and in diagnostics', async () => {
    const source = [
      '#include <linux/bpf.h>',
      '#include <bpf/bpf_helpers.h>',
      '#line 40 "policy.ts"',
      'SEC("xdp") int f(struct xdp_md *ctx)',
      '{',
      '\treturn ctx->data_end - ctx->data > 100 ? XDP_DROP : XDP_PASS;',
      '}',
      'char _license[] SEC("license") = "GPL";',
    ].join('\n');
    const mod = parseIr((await wasmClang.compileToIr({ file: 'policy.c', source })).ir);
    const first = mod.functions.find((f) => f.name === 'f')!.blocks[0]!.instructions[0]!;
    expect(sourceLocation(mod, first.dbg!)).toMatchObject({ file: 'policy.ts', line: 42 });
    const e = (await wasmClang.compileToIr({ file: 'p.c', source: '#line 7 "policy.ts"\nint f(void) { return nope; }\n' }).catch((x: unknown) => x)) as ClangError;
    expect(e.diagnostics[0]).toMatchObject({ file: 'policy.ts', line: 7, column: 22, severity: 'error' });
  });

  it('compileToIr() passes -D definitions and finds headers in extra include directories', async () => {
    const r = await wasmClang.compileToIr({
      file: 'd.c',
      source: '#include "mine.h"\nint f(void) { return VALUE + MINE; }\n',
      files: { inc: { 'mine.h': '#define MINE 2\n' } },
      includeDirs: ['/inc'],
      defines: ['VALUE=40'],
    });
    expect(r.ir).toMatch(/ret i32 42/);
  });

  it('argumentsFor() asks for BPF-friendly IR at -O2 with debug info', () => {
    const args = wasmClang.argumentsFor({ file: 'x.c', source: '' });
    for (const a of ['--target=bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I/include', '-fno-jump-tables', '-fno-slp-vectorize', '-S', '-emit-llvm']) {
      expect(args).toContain(a);
    }
  });

  it('compileToIr() refuses a path with ..', async () => {
    await expect(wasmClang.compileToIr({ file: '../x.c', source: '' })).rejects.toThrow(RangeError);
  });
});

describe.runIf(available('wasm IR vs clang-19 IR', clang19))('wasm IR against clang-19 -emit-llvm', () => {
  const perFunction = (mod: IrModule) =>
    Object.fromEntries(
      mod.functions.filter((f) => f.defined).map((f) => [f.name, f.blocks.reduce((n, b) => n + b.instructions.length, 0)]),
    );

  it('has the same functions, and instruction counts within 10% per function outside CO-RE, for every program', async () => {
    const rows: string[] = [];
    let exact = 0;
    const far: string[] = [];
    for (const file of fixtures) {
      const rel = file.slice(repoRoot.length + 1);
      const ours = parseIr((await wasmClang.compileToIr({ file: rel, source: readFileSync(file) })).ir);
      const theirs = parseIr((await compileNative({ file: rel, cwd: repoRoot, emit: 'ir' })).ir!);
      const a = perFunction(ours);
      const b = perFunction(theirs);
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      // clang-19 runs BPF's own IR passes: CO-RE intrinsics become loads of relocation globals plus
      // llvm.bpf.passthrough calls, so functions using CO-RE are only listed, not held to the bound
      const usesCoRe = new Set(
        ours.functions.filter((f) => f.blocks.some((bb) => bb.instructions.some((i) => i.op === 'call' && i.callee.kind === 'global' && /^llvm\.(bpf\.)?preserve\./.test(i.callee.name)))).map((f) => f.name),
      );
      for (const [name, n] of Object.entries(a)) {
        const m = b[name]!;
        if (n === m) exact++;
        else rows.push(`${basename(file)} ${name}: wasm ${n}, clang-19 ${m}${usesCoRe.has(name) ? ' (CO-RE)' : ''}`);
        if (!usesCoRe.has(name)) far.push(...(Math.abs(n - m) > Math.max(2, Math.ceil(m * 0.1)) ? [`${basename(file)} ${name}`] : []));
      }
    }
    console.log(`wasm vs clang-19 IR: ${exact} functions with equal instruction counts${rows.length > 0 ? `; differing: ${rows.join('; ')}` : ''}`);
    expect(far).toEqual([]);
  });
});
