// Speculative paths without CAP_PERFMON (sanitize_speculative_path, nospec after an error, no pruning of a real
// state by a speculative one, tail calls poisoned by a speculative map pointer) and scalar ids linking copies
// (sync_linked_regs). The same programs are checked against the live kernel in
// test/oracle/verifier-speculative.test.ts; here only what follows from the semantics is asserted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { statesEqual } from '../../../verifier/explore/prune.ts';
import { VerifierState } from '../../../verifier/state/index.ts';
import { verify } from '../../../verifier/index.ts';
import { repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';
import { asmSpec } from '../cases.ts';
import { SPECULATIVE_ASM, TAIL_CALL_C } from './speculative-cases.ts';

const ROOT = 'linux-6.18';
const BPF = 'linux-6.18-bpf';
const run = (name: keyof typeof SPECULATIVE_ASM, profile: string) =>
  verify(asmSpec({ name, progType: 'xdp', asm: SPECULATIVE_ASM[name], verdict: 'accept' }), { profile });

describe('speculative paths without CAP_PERFMON', () => {
  it('verify() walks the side of a decided branch that is never taken, and an error there only ends that path', () => {
    const root = run('decidedBranch', ROOT);
    const bpf = run('decidedBranch', BPF);
    expect(root.verdict).toBe('accept');
    expect(bpf.verdict, JSON.stringify(bpf.error)).toBe('accept');
    // the speculative side reaches one instruction (an uninitialised stack read) and stops there
    expect(bpf.stats.processed).toBe(root.stats.processed + 1);
  });

  it('verify() keeps a 4-byte store of an unknown scalar as a spill, so a speculative store over it ends the path', () => {
    const root = run('narrowSpillBarrier', ROOT);
    const bpf = run('narrowSpillBarrier', BPF);
    expect(bpf.verdict).toBe('accept');
    // the speculative fall-through stops right after its store over the spilled bytes
    expect(bpf.stats.processed).toBe(root.stats.processed + 1);
  });

  it('verify() restores the bounds of a 4-byte spill on a 4-byte fill', () => {
    for (const profile of [ROOT, BPF]) {
      const r = run('narrowFillBounds', profile);
      expect(r.verdict, JSON.stringify(r.error)).toBe('accept');
    }
  });

  it('verify() ends a speculative path after a stack store hardened against Spectre v4', () => {
    const root = run('storeAfterDecided', ROOT);
    const bpf = run('storeAfterDecided', BPF);
    expect(bpf.verdict).toBe('accept');
    // the store into an uninitialised slot gets a barrier: the load after it is never reached speculatively
    expect(bpf.stats.processed).toBe(root.stats.processed + 2);
  });

  it('verify() places the Spectre v4 barrier by the bytes a narrow store overwrites', () => {
    const root = run('narrowStoreOverInvalid', ROOT).stats.processed;
    // over uninitialised bytes: the speculative path ends right after the store
    expect(run('narrowStoreOverInvalid', BPF).stats.processed).toBe(root + 1);
    // over zero bytes: it goes on to the exit (four more instructions after the store)
    expect(run('narrowStoreOverZero', BPF).stats.processed).toBe(root + 5);
  });

  it('verify() rejects a counted loop as an infinite loop when its speculative exit re-enters it', () => {
    expect(run('countedLoop', ROOT).verdict).toBe('accept');
    const bpf = run('countedLoop', BPF);
    expect(bpf.verdict).toBe('reject');
    expect(bpf.error?.message).toBe('infinite loop detected at insn 1');
  });

  it('statesEqual() never lets a speculative state prune a real one, but a real one prunes a speculative one', () => {
    const real = VerifierState.entry();
    const spec = VerifierState.entry();
    spec.speculative = true;
    const opts = { level: 'not-exact' as const, allowUninitStack: false, liveRegs: () => 0x7ff, marks: { isPrecise: () => true, isRead: () => true } };
    expect(statesEqual(spec, real, opts)).toBe(false);
    expect(statesEqual(real, spec, opts)).toBe(true);
    expect(spec.clone().speculative).toBe(true);
  });
});

describe('scalar ids', () => {
  it('verify() narrows a copy of a scalar when the original is bounds-checked', () => {
    const r = run('linkedCopy', ROOT);
    expect(r.verdict, JSON.stringify(r.error)).toBe('accept');
  });

  it('verify() narrows a spilled copy when the original is bounds-checked', () => {
    const r = run('linkedSpill', ROOT);
    expect(r.verdict, JSON.stringify(r.error)).toBe('accept');
  });

  it('verify() does not link a 32-bit copy of a value that may not fit in 32 bits', () => {
    const r = run('unlinked32', ROOT);
    expect(r.verdict).toBe('reject');
    expect(r.error?.insn).toBe(10);
  });
});

describe.runIf(available('verifier tail-call poisoning (clang-19)', clang19))('tail calls through two prog arrays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-speculative-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const compile = (name: keyof typeof TAIL_CALL_C): Uint8Array => {
    const src = join(dir, `${name}.c`);
    const obj = join(dir, `${name}.o`);
    writeFileSync(src, TAIL_CALL_C[name]);
    execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', join(repoRoot, 'bpf/include'), '-c', src, '-o', obj]);
    return readFileSync(obj);
  };

  it('verify() refuses one call site reached with two prog arrays only without CAP_PERFMON', () => {
    const spec = readObject(compile('twoArrays'));
    expect(verify(spec, { profile: ROOT }).verdict).toBe('accept');
    const bpf = verify(spec, { profile: BPF });
    expect(bpf.verdict).toBe('reject');
    expect(bpf.error?.message).toBe('tail_call abusing map_ptr');
  });

  it('verify() refuses a call site whose second prog array comes only from a speculative path', () => {
    const spec = readObject(compile('speculativeArray'));
    const root = verify(spec, { profile: ROOT });
    expect(root.verdict).toBe('accept');
    const bpf = verify(spec, { profile: BPF });
    expect(bpf.verdict).toBe('reject');
    expect(bpf.error?.message).toBe('tail_call abusing map_ptr');
  });
});
