// The bpf_conformance and uBPF suites on the reference interpreter, with exact tallies so that a regression
// shows; and the command and plugin a user (or the upstream runner) calls.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance, type ConformanceReport } from '../../../simulator/index.ts';
import { corpusDir, repoRoot } from '../../corpora.ts';

const tests = join(corpusDir('bpf_conformance'), 'tests');
const negative = join(corpusDir('bpf_conformance'), 'negative');
const ubpf = corpusDir('ubpf');

const tally = (r: ConformanceReport) => ({ passed: r.passed, failed: r.failed, skipped: r.skipped });
const name = (file: string) => file.slice(file.lastIndexOf('/corpora/') + 9);

describe('runConformance()', () => {
  it('passes every bpf_conformance test, with either helper set', () => {
    const kernel = runConformance([tests]);
    expect(kernel.results.filter((r) => r.status !== 'pass').map((r) => `${name(r.file)}: ${r.reason}`)).toEqual([]);
    expect(tally(kernel)).toEqual({ passed: 235, failed: 0, skipped: 0 });
    expect(tally(runConformance([tests], { helpers: 'ubpf' }))).toEqual({ passed: 235, failed: 0, skipped: 0 });
  });

  it("passes uBPF's ISA and helper cases under --helpers ubpf, skipping only ELF, reload and uBPF-only limits", () => {
    const r = runConformance([ubpf], { helpers: 'ubpf' });
    expect(r.results.filter((c) => c.status === 'fail').map((c) => `${name(c.file)}: ${c.reason}`)).toEqual([]);
    expect(tally(r)).toEqual({ passed: 80, failed: 0, skipped: 24 });
    const reasons = new Set(r.results.filter((c) => c.status === 'skip').map((c) => c.reason));
    expect([...reasons].sort()).toEqual([
      "exercises uBPF's load-twice API (-- reload)",
      "needs an ELF file made by uBPF's Python script (-- pyelf)",
      'opcode 0x06 is gotol (BPF_JMP32 | BPF_JA, ISA v4), which uBPF does not know',
      "uBPF's limit of 65536 instructions (the kernel allows 1,000,000)",
    ]);
    // the helper cases really ran
    for (const f of ['helpers/call.data', 'helpers/call-memfrob.data', 'helpers/call-save.data', 'extensions/call_unwind.data', 'string-stack.data', 'stack2.data']) {
      expect(r.results.find((c) => c.file.endsWith(f))?.status).toBe('pass');
    }
  });

  it("skips uBPF's helper cases under the kernel's helper ids, naming the helper", () => {
    const r = runConformance([ubpf]);
    expect(tally(r)).toEqual({ passed: 74, failed: 0, skipped: 30 });
    const memfrob = r.results.find((c) => c.file.endsWith('helpers/call-memfrob.data'))!;
    expect(memfrob).toMatchObject({ status: 'skip', reason: "calls uBPF's helper 1 (memfrob): run with --helpers ubpf" });
  });

  it('uBPF error cases fail for the right reason in our words', () => {
    const r = runConformance([join(ubpf, 'errors')], { helpers: 'ubpf' });
    const reason = (f: string) => r.results.find((c) => c.file.endsWith(f))?.reason;
    expect(reason('err-stack-oob.data')).toBe('instruction 0: invalid write of 1 byte at stack[0]+0: out of bounds: stack[0] allows offsets 0..511');
    expect(reason('err-call-unreg.data')).toBe('instruction 5: invalid func unknown#63 (no helper with id 63)');
    expect(reason('err-jmp-out.data')).toBe('instruction 0: jump out of range from insn 0 to 3');
    expect(reason('err-call-invalid-jump.data')).toBe('instruction 4: jump out of range from insn 4 to 0');
    expect(reason('err-infinite-loop.data')).toContain('instruction budget of 10000000 exhausted');
    expect(reason('err-address-underflow.data')).toContain('instruction 1: invalid read of 1 byte at address 0xffffffffffffffff');
  });

  it('the negative cases give clear errors', () => {
    const r = runConformance([negative]);
    expect(tally(r)).toEqual({ passed: 48, failed: 12, skipped: 0 });
    const failed = Object.fromEntries(r.results.filter((c) => c.status === 'fail').map((c) => [name(c.file).replace('bpf_conformance/negative/', ''), c.reason]));
    expect(failed).toEqual({
      'empty.data': 'no program: the case has neither -- asm nor -- raw',
      'empty_instructions.data': 'no program: the case has neither -- asm nor -- raw',
      'error.data': 'expected an error (Invalid), but the program returned 0x180000200',
      'incorrect_return_value_high_bits.data': 'r0 = 0x8877665544332211, expected 0x8977665544332211',
      'invalid_imm32_dec_range.data': 'assembly failed: line 5, column 12: immediate 2147483648 is out of range (-2147483648..2147483647)',
      'invalid_imm32_hex_range.data': 'assembly failed: line 5, column 12: immediate 0x100000000 is out of range (-0x80000000..0xffffffff)',
      'invalid_label.data': "assembly failed: line 4, column 4: undefined label 'NOT_A_LABEL'",
      'invalid_mnemonic.data': "assembly failed: line 5, column 1: unknown mnemonic 'ldxq'",
      'invalid_offset.data': "assembly failed: line 4, column 11: expected a memory operand such as [%r1+8], found '%r1'",
      'invalid_offset_range.data': 'assembly failed: line 5, column 15: offset 0x10000 is out of range (-0x8000..0xffff)',
      'invalid_operand_count.data': 'assembly failed: line 4, column 1: lddw takes 2 operands (lddw %rD, imm64), found 1',
      'invalid_unknown_directive.data': "unreadable test case: line 4, column 4: unknown section 'Unknown directive'",
    });
    // the unused-field cases expect a refusal, and get one from the strict decoder
    for (const c of r.results.filter((c) => c.file.includes('/unused-'))) {
      expect(c.status, name(c.file)).toBe('pass');
      expect(c.reason, name(c.file)).toMatch(/^refused: instruction 0: |^instruction 0: /);
    }
  });
});

// The command runs from source (tsx) and the plugin from a private bundle with the same entry as
// scripts/build-cli.mjs, so this file never races another test rebuilding dist/.
describe('tsbpf conformance and tsbpf-conformance-plugin', () => {
  const work = join(repoRoot, 'tmp', `conformance-test-${process.pid}`);
  const plugin = join(work, 'bin', 'tsbpf-conformance-plugin');
  beforeAll(async () => {
    mkdirSync(join(work, 'bin'), { recursive: true });
    copyFileSync(join(repoRoot, 'bin', 'tsbpf-conformance-plugin'), plugin);
    chmodSync(plugin, 0o755);
    await build({
      stdin: {
        contents: "import { conformancePluginMain } from './cli/conformance.ts'; process.exitCode = await conformancePluginMain(process.argv.slice(2));",
        resolveDir: repoRoot,
        loader: 'ts',
      },
      outfile: join(work, 'dist', 'conformance-plugin.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
    });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const run = (cmd: string, args: string[], input?: string) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', input, cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const tsbpf = (...args: string[]) => run('node', ['--import', 'tsx', join(repoRoot, 'cli/main.ts'), ...args]);

  it('ends with the tally and exits 0 when nothing failed', () => {
    const r = tsbpf('conformance', tests);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('235 passed, 0 failed, 0 skipped\n');
  });

  it('prints a line per failed or skipped case, and exits 1 when any failed', () => {
    const r = tsbpf('conformance', negative, join(ubpf, 'reload.data'));
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('48 passed, 12 failed, 1 skipped');
    expect(lines).toContain(`FAIL ${join(negative, 'empty.data')}: no program: the case has neither -- asm nor -- raw`);
    expect(lines).toContain(`SKIP ${join(ubpf, 'reload.data')}: exercises uBPF's load-twice API (-- reload)`);
  });

  it('--json gives every result; --helpers ubpf runs the helper cases; a missing path is a usage error', () => {
    const r = tsbpf('conformance', join(ubpf, 'helpers'), '--helpers', 'ubpf', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { helpers: string; passed: number; results: { status: string; r0?: string }[] };
    expect(report).toMatchObject({ helpers: 'ubpf', passed: 3, failed: 0, skipped: 0 });
    expect(report.results.map((c) => c.r0)).toEqual(['0x102292e2f2c0708', '0x4321', '0x102030405']);
    expect(tsbpf('conformance', join(ubpf, 'nope')).code).toBe(2);
    expect(tsbpf('conformance', tests, '--helpers', 'linux').code).toBe(2);
  });

  it('the plugin takes memory as hex in argv[1] and the program as hex on stdin, and prints r0 in hex', () => {
    // ldxdw r0, [r1+2]; exit
    const prog = '79 10 02 00 00 00 00 00 95 00 00 00 00 00 00 00';
    expect(run(plugin, ['aa bb 11 22 33 44 55 66 77 88 cc dd'], prog)).toMatchObject({ code: 0, stdout: '8877665544332211\n' });
    // the same read 8 bytes past the end: a fault, exit 1, the message on stdout and stderr
    const bad = run(plugin, ['aa bb'], prog);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('instruction 0: invalid read of 8 bytes at mem+2: out of bounds: mem allows offsets 0..1\n');
    // callx r2 with r2 = 5 (bpf_conformance's callx test) and --program
    const callx = 'b7 01 00 00 ff ff ff ff b7 02 00 00 05 00 00 00 8d 02 00 00 00 00 00 00 b7 00 00 00 02 00 00 00 95 00 00 00 00 00 00 00';
    expect(run(plugin, ['', '--program', callx])).toMatchObject({ code: 0, stdout: '2\n' });
  });
});
