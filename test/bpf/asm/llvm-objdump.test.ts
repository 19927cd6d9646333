// Oracle: our disassembler against llvm-objdump-19 and our llvm-syntax text against llvm-mc-19, on every
// instruction kind, on every bpf_conformance/uBPF case, and on every object of the ebpf-samples corpus.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAt, encode, slotCount, SLOT_BYTES, type Instruction } from '../../../bpf/isa/index.ts';
import { assemble, assembleUbpf, disassemble, formatInstruction, parseTestCase } from '../../../bpf/asm/index.ts';
import { available, llvmObjdump19 } from '../../support/require.ts';
import { corporaRoot, corpusDir, filesBelow } from '../../corpora.ts';
import { instructionSamples, llvmAmbiguous } from './instruction-samples.ts';
import { executableSections, llvmMc, llvmMc19, normalize, objdump, readObject, withTempDir } from './llvm-tools.ts';

const run = available('llvm-objdump-19 / llvm-mc-19 oracle', llvmObjdump19, llvmMc19);

/** `.byte` directives for raw bytes, so llvm-mc puts exactly these bytes in the object. */
const byteDirectives = (bytes: Uint8Array): string =>
  Array.from({ length: bytes.length / SLOT_BYTES }, (_, i) => `.byte ${[...bytes.subarray(i * 8, i * 8 + 8)].join(', ')}`).join('\n');

/** Slot index → our llvm-objdump text, for instructions laid out from slot 0. */
function ourLines(insns: readonly Instruction[]): Map<number, string> {
  const out = new Map<number, string>();
  let slot = 0;
  for (const insn of insns) {
    out.set(slot, formatInstruction(insn));
    slot += slotCount(insn);
  }
  return out;
}

/** Compare llvm-objdump's lines with ours slot by slot; returns the mismatches as readable strings. */
function mismatches(theirs: Map<number, string>, ours: Map<number, string>, where: string): string[] {
  const out: string[] = [];
  for (const slot of new Set([...theirs.keys(), ...ours.keys()])) {
    const a = theirs.get(slot);
    const b = ours.get(slot);
    if (a === undefined || b === undefined || normalize(a) !== normalize(b)) {
      out.push(`${where} slot ${slot}: llvm-objdump '${a ?? '(nothing)'}', ours '${b ?? '(nothing)'}'`);
    }
  }
  return out;
}

/** A gotol offset beyond 16 bits: llvm-mc-19 reads `gotol` operands as 16-bit, although the field has 32. */
const wideGotol = (insn: Instruction): boolean => insn.kind === 'ja' && insn.long && (insn.off < -0x8000 || insn.off > 0x7fff);

describe.runIf(run)('the llvm syntax against llvm-objdump-19 and llvm-mc-19', () => {
  it('prints every instruction kind exactly as llvm-objdump-19 does', () => {
    const samples = instructionSamples();
    withTempDir((dir) => {
      const [section] = objdump(llvmMc(`${byteDirectives(encode(samples))}\n`, dir));
      expect(mismatches(section!.lines, ourLines(samples), 'sample')).toEqual([]);
      console.log(`llvm: ${samples.length} instruction samples printed exactly as llvm-objdump-19 prints them`);
    });
  });

  it('writes text that llvm-mc-19 assembles to the same bytes', () => {
    const all = instructionSamples();
    const samples = all.filter((i) => !llvmAmbiguous(i) && !wideGotol(i));
    withTempDir((dir) => {
      const text = disassemble(samples).join('\n');
      const [section] = executableSections(readObject(llvmMc(`${text}\n`, dir)));
      expect(section!.bytes).toEqual(encode(samples));
    });
    console.log(
      `llvm: llvm-mc-19 assembles our text of ${samples.length} samples to the same bytes; left out: ` +
        `${all.filter(llvmAmbiguous).length} that llvm-objdump prints ambiguously, ` +
        `${all.filter(wideGotol).length} gotol beyond 16 bits (llvm-mc-19 limit)`,
    );
  });

  it('agrees with llvm-mc-19 and llvm-objdump-19 on every bpf_conformance and uBPF case', () => {
    const files = [join(corpusDir('bpf_conformance'), 'tests'), corpusDir('ubpf')].flatMap((d) => filesBelow(d, '.data'));
    const cases: { name: string; insns: Instruction[] }[] = [];
    for (const file of files) {
      const test = parseTestCase(readFileSync(file, 'utf8'), { include: (n) => readFileSync(join(dirname(file), n), 'utf8') });
      if (test.asm === undefined || /invalid (source|destination) register/.test(test.error ?? '')) continue;
      cases.push({ name: relative(corporaRoot, file), insns: assembleUbpf(test.asm) });
    }
    // One object: each case in its own section, written in our llvm syntax with labels (so local calls survive).
    const source = cases
      .map(({ insns }, k) => {
        const lines = disassemble(insns, { targets: 'labels', label: (s) => `c${k}_L${s}` });
        return [`.section .text.case${k},"ax",@progbits`, ...lines].join('\n');
      })
      .join('\n');
    withTempDir((dir) => {
      const obj = llvmMc(`${source}\n`, dir);
      const sections = executableSections(readObject(obj));
      const listings = new Map(objdump(obj).map((s) => [s.name, s.lines]));
      const bad: string[] = [];
      let instructions = 0;
      cases.forEach(({ name, insns }, k) => {
        const section = sections.find((s) => s.name === `.text.case${k}`);
        expect(section?.bytes, name).toEqual(encode(insns));
        bad.push(...mismatches(listings.get(`.text.case${k}`) ?? new Map(), ourLines(insns), name));
        instructions += insns.length;
      });
      expect(bad).toEqual([]);
      console.log(`llvm: ${cases.length} cases (${instructions} instructions): llvm-mc-19 gives our bytes and llvm-objdump-19 our text`);
    });
  });

  it('disassembles every executable section of the ebpf-samples objects exactly as llvm-objdump-19 does', () => {
    const objects = filesBelow(corpusDir('ebpf-samples'), '.o');
    let sectionCount = 0;
    let nonEmpty = 0;
    let instructions = 0;
    let ambiguous = 0;
    const mismatched: string[] = [];
    const unknown: string[] = [];
    for (const path of objects) {
      const name = relative(corporaRoot, path);
      const listing = objdump(path);
      for (const section of executableSections(readObject(path))) {
        const where = `${name} ${section.name}`;
        const theirs = listing.find((s) => s.name === section.name)?.lines ?? new Map<number, string>();
        // decode slot by slot, so that one bad instruction does not hide the rest
        const view = new DataView(section.bytes.buffer, section.bytes.byteOffset, section.bytes.byteLength);
        const slots = Math.floor(section.bytes.length / SLOT_BYTES);
        const ours = new Map<number, string>();
        const insns: Instruction[] = [];
        let undecodable = false;
        for (let slot = 0; slot < slots; ) {
          try {
            const insn = decodeAt(view, slot, slots);
            insns.push(insn);
            ours.set(slot, formatInstruction(insn));
            if (llvmAmbiguous(insn)) ambiguous++;
            slot += slotCount(insn);
          } catch (e) {
            // llvm-objdump cannot print it either: a known difference, listed
            unknown.push(`${where} slot ${slot}: ${(e as Error).message}; llvm-objdump: ${theirs.get(slot) ?? '(nothing)'}`);
            ours.set(slot, theirs.get(slot) === '<unknown>' ? '<unknown>' : `(decode error: ${(e as Error).message})`);
            undecodable = true;
            slot++;
          }
        }
        mismatched.push(...mismatches(theirs, ours, where));
        sectionCount++;
        if (slots > 0) nonEmpty++;
        instructions += insns.length;
        if (!undecodable) {
          // our lossless text assembles back to the section's bytes
          const back = encode(assemble(disassemble(insns, { lossless: true }).join('\n')));
          expect(back, where).toEqual(section.bytes);
        }
      }
    }
    console.log(
      `llvm: ebpf-samples: ${objects.length} objects, ${sectionCount} executable sections (${nonEmpty} not empty), ` +
        `${instructions} instructions compared with ` +
        `llvm-objdump-19: ${mismatched.length} mismatches; ${ambiguous} instructions printed ambiguously by llvm (checked losslessly); ` +
        `${unknown.length} slots neither tool can decode:\n  ${unknown.join('\n  ')}`,
    );
    expect(mismatched).toEqual([]);
    expect(unknown).toEqual([expect.stringMatching(/^ebpf-samples\/invalid\/invalid-lddw\.o .* slot 1: .*; llvm-objdump: <unknown>$/)]);
    expect(instructions).toBeGreaterThan(300_000);
  });
});
