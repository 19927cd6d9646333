// The wasm path against clang-19 over the whole corpus: each program built both ways, the kernel accepts
// ours whenever it accepts clang-19's, and the two behave the same (return values, output packets, maps,
// globals) under BPF_PROG_TEST_RUN and in the simulator on a sample of packets. The full 500 packets per
// program: `npx tsx scripts/compiler-equivalence.ts`. Our objects also load with `bpftool prog loadall`
// (libbpf; with what it prints on standard error for clang-19's object and nothing more) and disassemble
// with llvm-objdump-19 without a warning. The issue allows at most 2 exceptions, listed below
// with their reasons; the backend being missing fails this test (it is the point of it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareObservations, observe, type Difference } from '../compiler/equivalence.ts';
import { buildNative, buildWasm, loadBackend, wasmClang } from '../compiler/equivalence-build.ts';
import { CORPUS, packetSeed, type CorpusProgram } from '../fixtures/corpus/corpus.ts';
import { corpusPackets } from '../fixtures/corpus/packets.ts';
import { available, bpftool, clang19, kernelBpf, llvmObjdump19 } from '../support/require.ts';

const PACKETS = 20;
const MAX_EXCEPTIONS = 2;

/** Programs the wasm path may not build or may build differently yet, and why. */
const EXCEPTIONS: Readonly<Record<string, string>> = {};

const run = available('compiler equivalence (clang-19 and the kernel)', clang19, kernelBpf);
const tools = run && available('compiler equivalence (bpftool and llvm-objdump-19)', bpftool, llvmObjdump19);

/** llvm-objdump-19's warnings (standard error) on disassembling `file`; throws when it fails. */
function objdumpWarnings(file: string): string {
  const r = spawnSync('llvm-objdump-19', ['-d', '-r', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`llvm-objdump-19 -d ${file}: exit ${r.status}: ${r.stderr}`);
  return r.stderr.trim();
}

/** What `bpftool prog loadall` prints on standard error for `file` (it pins under bpffs; unpinned at once). */
function bpftoolLoadall(file: string, pinDir: string): string {
  try {
    const r = spawnSync('bpftool', ['prog', 'loadall', file, pinDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bpftool prog loadall ${file}: exit ${r.status}: ${r.stderr.trim()}`);
    return r.stderr.trim();
  } finally {
    rmSync(pinDir, { recursive: true, force: true });
  }
}

describe.runIf(run)('the wasm path against clang-19 on the corpus', () => {
  const figures: string[] = [];
  const failed = new Map<string, string>();
  const scratch = mkdtempSync(join(tmpdir(), 'tsbpf-equivalence-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(async () => {
    expect(await loadBackend(), 'compiler/backend/index.ts exports compileIr').toBeDefined();
    await wasmClang.warmUp();
  }, 180_000);

  it('lists at most 2 exceptions, each a corpus program', () => {
    expect(Object.keys(EXCEPTIONS).length).toBeLessThanOrEqual(MAX_EXCEPTIONS);
    for (const name of Object.keys(EXCEPTIONS)) expect(CORPUS.map((p) => p.name)).toContain(name);
  });

  it.each(CORPUS.map((p) => [p.name, p] as const))('%s: ours is accepted whenever clang-19\'s is, and behaves the same', async (name, p: CorpusProgram) => {
    const reference = await buildNative(name);
    let diffs: Difference[] = [];
    let problem: string | undefined;
    let ours: Awaited<ReturnType<typeof buildWasm>> | undefined;
    try {
      ours = await buildWasm(name);
    } catch (e) {
      problem = `no object: ${(e as Error).message.split('\n')[0]}`;
    }
    if (ours !== undefined) {
      if (tools) {
        const mine = join(scratch, `${name}.ours.o`);
        const theirs = join(scratch, `${name}.clang.o`);
        writeFileSync(mine, ours.bytes);
        writeFileSync(theirs, reference.bytes);
        const warnings = objdumpWarnings(mine);
        const pin = `/sys/fs/bpf/tsbpf-equivalence-${process.pid}-${name}`;
        const loadall = bpftoolLoadall(mine, pin);
        const expected = bpftoolLoadall(theirs, pin);
        if (warnings !== '') problem = `llvm-objdump-19 warns: ${warnings}`;
        else if (loadall !== expected) problem = `bpftool prog loadall says ${JSON.stringify(loadall)} (for clang-19's object: ${JSON.stringify(expected)})`;
      }
      const packets = p.testRun ? corpusPackets(p.packets, PACKETS, packetSeed(name)) : [];
      for (const entry of p.entries) {
        const options = { progType: p.progType, testRun: p.testRun, ...(p.preload ? { preload: p.preload } : {}) };
        const a = observe(reference.bytes, entry, packets, options);
        const refused = new Set(a.kernel?.outcomes.flatMap((o, i) => (o.kind === 'refused' ? [i] : [])) ?? []);
        const b = observe(ours.bytes, entry, packets, { ...options, skip: refused });
        diffs = [...diffs, ...compareObservations(a, b, p.mask)];
      }
      if (diffs.length > 0) problem = `${problem !== undefined ? `${problem}; ` : ''}${diffs.length} differences, first: ${diffs[0]!.where} ${diffs[0]!.kind}: ${diffs[0]!.detail}`;
    }
    if (problem !== undefined) failed.set(name, problem);
    figures.push(`${name}: ${problem ?? 'same'}${EXCEPTIONS[name] !== undefined ? ` (listed exception: ${EXCEPTIONS[name]})` : ''}`);
    if (EXCEPTIONS[name] === undefined) expect(problem, name).toBeUndefined();
  }, 120_000);

  it('reports its figures, with no more exceptions than the issue allows', () => {
    console.log(`compiler equivalence, clang-19 vs wasm + backend on ${PACKETS} packets each:\n  ${figures.join('\n  ')}`);
    expect(figures).toHaveLength(CORPUS.length);
    expect(failed.size).toBeLessThanOrEqual(MAX_EXCEPTIONS);
  });
});
