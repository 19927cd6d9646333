// The bpf_conformance and uBPF `.data` corpora through parseTestCase, assembleUbpf, decode and the llvm-syntax
// round trip.
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, encode, type Instruction } from '../../../bpf/isa/index.ts';
import { AsmSyntaxError, assemble, assembleUbpf, disassemble, parseTestCase, type TestCase } from '../../../bpf/asm/index.ts';
import { corporaRoot, corpusDir, filesBelow } from '../../corpora.ts';
import { llvmAmbiguous } from './instruction-samples.ts';

interface Case {
  readonly name: string;
  readonly test: TestCase;
}

const load = (file: string): Case => ({
  name: relative(corporaRoot, file),
  test: parseTestCase(readFileSync(file, 'utf8'), { include: (n) => readFileSync(join(dirname(file), n), 'utf8') }),
});

const positive = [join(corpusDir('bpf_conformance'), 'tests'), corpusDir('ubpf')].flatMap((d) => filesBelow(d, '.data')).map(load);

/** uBPF reports these load errors for programs whose text names a register that does not exist (r11..r15). */
const ASSEMBLY_ERROR = /invalid (source|destination) register/;

/**
 * Raw programs that uBPF refuses to load but that are valid encodings, so `decode` accepts them:
 * uBPF predates or does not support what they use, or refuses them for a reason other than their encoding.
 */
const RAW_VALID_FOR_DECODE: Record<string, string> = {
  'ubpf/errors/err-unknown-opcode.data': 'opcode 0x06 with imm 0 is `gotol +0` (JMP32 ja, cpu v4), which uBPF does not know',
  'ubpf/errors/err-lddw-invalid-src.data': 'ld_imm64 with src 1 is the kernel pseudo source map_fd, which uBPF does not support',
  'ubpf/errors/err-too-many-instructions.data': 'a program-length limit, not an encoding error',
};

/**
 * Negative cases whose program is well formed: they are negative because the expected outcome is wrong, which only
 * running them shows.
 */
const NEGATIVE_AT_RUN_TIME: Record<string, string> = {
  'bpf_conformance/negative/error.data': '`or %r0, %r10` runs fine; the case expects an error that does not happen',
  'bpf_conformance/negative/incorrect_return_value_high_bits.data': 'the program is valid; the expected result is wrong',
};

/**
 * Negative cases that `decode` (bpf/isa) accepts although the kernel refuses them; reported to the owner of
 * bpf/isa. The test tolerates them being fixed.
 */
const ISA_ACCEPTS: Record<string, string> = {
  'bpf_conformance/negative/unused-mov64_reg-offset.data':
    '`bf 00 01 00 00 00 00 00` decodes as addr_space_cast(r0, 0x0, 0x0); the kernel accepts off 1 only with imm 1 or 0x10000',
};

describe('the bpf_conformance and uBPF corpora', () => {
  it('assemble every case with an asm section, byte for byte like its raw section', () => {
    let assembled = 0;
    let compared = 0;
    const rejected: string[] = [];
    for (const { name, test } of positive) {
      if (test.asm === undefined) continue;
      const attempt = (): Instruction[] => assembleUbpf(test.asm!, { firstLine: test.asmLine ?? 1 });
      if (test.error !== undefined && ASSEMBLY_ERROR.test(test.error)) {
        expect(attempt, name).toThrow(/expected a register \(%r0\.\.%r10\), found '%r1[1-5]'/);
        rejected.push(name);
        continue;
      }
      const insns = attempt();
      assembled++;
      if (test.raw !== undefined) {
        expect(encode(insns), name).toEqual(test.raw);
        compared++;
      }
    }
    console.log(
      `corpora: ${assembled} cases assembled, ${compared} compared with their raw section, ` +
        `${rejected.length} rejected as expected (${rejected.map((n) => basename(n)).join(', ')})`,
    );
    expect(assembled).toBeGreaterThan(300);
    expect(compared).toBe(6);
    expect(rejected).toHaveLength(2);
  });

  it('decode every raw-only case, and reject the raw cases uBPF refuses for their encoding', () => {
    let decoded = 0;
    let refused = 0;
    for (const { name, test } of positive) {
      if (test.raw === undefined || test.asm !== undefined) continue;
      if (test.error === undefined || name in RAW_VALID_FOR_DECODE) {
        expect(() => decode(test.raw!), name).not.toThrow();
        decoded++;
      } else {
        expect(() => decode(test.raw!), name).toThrow(RangeError);
        refused++;
      }
    }
    console.log(
      `corpora: ${decoded + refused} raw-only programs: ${refused} rejected by decode as uBPF rejects them, ` +
        `${decoded} decoded (valid encodings uBPF refuses for other reasons, see RAW_VALID_FOR_DECODE)`,
    );
    expect(refused).toBe(9);
  });

  it('reject every negative case, each with a readable message', () => {
    const files = filesBelow(join(corpusDir('bpf_conformance'), 'negative'), '.data');
    const byStage: Record<string, number> = { parseTestCase: 0, 'no program': 0, assembleUbpf: 0, decode: 0 };
    const accepted: string[] = [];
    for (const file of files) {
      const name = relative(corporaRoot, file);
      let stage = 'parseTestCase';
      try {
        const test = parseTestCase(readFileSync(file, 'utf8'));
        stage = 'no program';
        if (test.asm === undefined && test.raw === undefined) throw new SyntaxError('the case has neither asm nor raw');
        if (test.asm !== undefined) {
          stage = 'assembleUbpf';
          assembleUbpf(test.asm, { firstLine: test.asmLine ?? 1 });
        }
        if (test.raw !== undefined) {
          stage = 'decode';
          decode(test.raw);
        }
        accepted.push(name);
      } catch (e) {
        expect(e, name).toBeInstanceOf(Error);
        const message = (e as Error).message;
        expect(message, name).toMatch(/^[a-z].*[^.]$/);
        if (e instanceof AsmSyntaxError) expect(message).toMatch(/^line \d+, column \d+: /);
        byStage[stage]!++;
      }
    }
    const runTime = Object.keys(NEGATIVE_AT_RUN_TIME);
    expect(accepted.filter((n) => !(n in ISA_ACCEPTS)).sort()).toEqual(runTime.sort());
    const rejected = files.length - accepted.length;
    console.log(
      `corpora: ${rejected} of ${files.length} negative cases rejected ` +
        `(${Object.entries(byStage).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
        `accepted: ${accepted.map((n) => `${basename(n)} (${NEGATIVE_AT_RUN_TIME[n] ?? ISA_ACCEPTS[n]})`).join('; ')}`,
    );
  });

  it('round-trip every assembled instruction through the llvm syntax', () => {
    let instructions = 0;
    let ambiguous = 0;
    for (const { name, test } of positive) {
      if (test.asm === undefined || (test.error !== undefined && ASSEMBLY_ERROR.test(test.error))) continue;
      const insns = assembleUbpf(test.asm);
      const bytes = encode(insns);
      instructions += insns.length;
      expect(encode(assemble(disassemble(insns, { lossless: true }).join('\n'))), name).toEqual(bytes);
      expect(encode(assemble(disassemble(insns, { targets: 'labels' }).join('\n'))), name).toEqual(bytes);
      // llvm-objdump's own text loses only what llvmAmbiguous() names
      const plain = assemble(disassemble(insns).join('\n'));
      insns.forEach((insn, i) => {
        if (llvmAmbiguous(insn)) ambiguous++;
        else expect(plain[i], `${name}: ${disassemble([insn])[0]}`).toEqual(insn);
      });
    }
    console.log(
      `corpora: ${instructions} instructions round-tripped through the llvm syntax ` +
        `(${ambiguous} local calls need lossless text or labels)`,
    );
    expect(instructions).toBeGreaterThan(2500);
  });
});
