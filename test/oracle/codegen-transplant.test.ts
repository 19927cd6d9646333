// Code generation against clang-19 through the transplant oracle: clang-19's object with our instructions
// (generated from clang-19's IR, and for a sample from the wasm clang's IR) in place of its own must be
// accepted by the kernel exactly when clang's is, behave the same in the simulator and in BPF_PROG_TEST_RUN,
// and stay within 1.15x of clang's instruction count in total. The full table: scripts/codegen-check.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject, slotIndex, writeObject, type ObjectSpec } from '../../bpf/index.ts';
import { BpfSyscallError, loadCollection, ProgramLoadError, progTestRun, type Fd } from '../../loader/index.ts';
import { clang19 as clangFacility, available, kernelBpf } from '../support/require.ts';
import { samplePackets } from '../support/packets.ts';
import { repoRoot } from '../corpora.ts';
import { clang19, compareBehaviour, PACKET_TYPES, slotsOf, transplant } from '../compiler/backend/codegen/transplant.ts';
import { wasmClang } from '../compiler/clang/shared-wasm.ts';

const run = available('codegen transplant', clangFacility, kernelBpf);
const work = '/tmp/tsbpf-codegen-oracle';

function cFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.c')).sort().map((f) => join(dir, f));
}
const inputs = [...cFiles(join(repoRoot, 'test/fixtures')), ...cFiles(join(repoRoot, 'test/compiler/backend/codegen/programs'))];

/** 'accepted' or the kernel's reason, for an object written to ELF and read back as a real object would be. */
function verdict(spec: ObjectSpec): string {
  try {
    loadCollection(readObject(writeObject(spec))).close();
    return 'accepted';
  } catch (e) {
    if (e instanceof ProgramLoadError) return 'rejected';
    throw e;
  }
}

function testRun(fd: Fd, data: Uint8Array): unknown {
  try {
    const r = progTestRun(fd, { data });
    return { retval: r.retval, data: [...r.data] };
  } catch (e) {
    if (e instanceof BpfSyscallError) return { error: e.code };
    throw e;
  }
}

describe.runIf(run)('generateCode on clang-19 IR, transplanted into clang-19 objects', () => {
  const totals = { ours: 0, theirs: 0 };

  it.each(inputs.map((f) => [basename(f, '.c'), f]))('%s: kernel verdict and simulated behaviour match clang-19', (name, file) => {
    const out = clang19(file, work);
    const t = transplant(out.object, out.ir);
    const theirs = verdict(t.theirs);
    expect(verdict(t.ours)).toBe(theirs);
    if (name.startsWith('bad_')) expect(theirs).toBe('rejected');
    else {
      totals.ours += slotsOf(t.ours);
      totals.theirs += slotsOf(t.theirs);
    }
    expect(compareBehaviour(t.ours, t.theirs, 20)).toBeUndefined();
    // referencing instructions carry readObject's canonical fields (lddw value 0 pseudo none, call imm -1)
    const canonical = (spec: ObjectSpec): string[] =>
      spec.functions.flatMap((f) =>
        f.references.map((r) => {
          const i = f.instructions[slotIndex(f.instructions).get(r.slot)!]!;
          return i.kind === 'lddw' ? `${r.ref.kind} lddw ${i.pseudo} ${i.value}` : i.kind === 'call' ? `${r.ref.kind} call ${i.imm}` : i.kind;
        }),
      );
    expect(new Set(canonical(t.ours))).toEqual(new Set(canonical(t.theirs)));
    // our CO-RE relocations are the ones clang made
    const relocs = (s: ObjectSpec): string[] => s.functions.flatMap((f) => f.coreRelocations.map((r) => `${r.kind} ${r.accessString}`)).sort();
    expect(new Set(relocs(t.ours))).toEqual(new Set(relocs(t.theirs)));
  });

  it('needs at most 1.15 times the instructions of clang-19 over the accepted programs', () => {
    expect(totals.theirs).toBeGreaterThan(1000);
    expect(totals.ours / totals.theirs).toBeLessThanOrEqual(1.15);
  });

  it.each(['xdp_firewall', 'switch_select', 'atomics_mem'])('%s: BPF_PROG_TEST_RUN gives the same results as clang-19', (name) => {
    const file = inputs.find((f) => basename(f, '.c') === name)!;
    const out = clang19(file, work);
    const t = transplant(out.object, out.ir);
    const ours = loadCollection(readObject(writeObject(t.ours)));
    const theirs = loadCollection(t.theirs);
    try {
      for (const p of t.theirs.programs.filter((x) => PACKET_TYPES.has(x.type ?? -1))) {
        for (const [packet, data] of Object.entries(samplePackets)) {
          expect({ packet, ...(testRun(ours.programs.get(p.name)!, data) as object) }).toEqual({
            packet,
            ...(testRun(theirs.programs.get(p.name)!, data) as object),
          });
        }
      }
    } finally {
      ours.close();
      theirs.close();
    }
  });
});

describe.runIf(run)('generateCode on the wasm clang IR, transplanted into clang-19 objects', () => {
  it.each(['core_task'])('%s is accepted and behaves as clang-19 compiled it', async (name) => {
    const file = inputs.find((f) => basename(f, '.c') === name)!;
    const out = clang19(file, work);
    const ir = (await wasmClang.compileToIr({ file: basename(file), source: readFileSync(file) })).ir;
    const t = transplant(out.object, ir);
    expect(verdict(t.ours)).toBe('accepted');
    expect(compareBehaviour(t.ours, t.theirs, 20)).toBeUndefined();
  }, 30_000);
});
