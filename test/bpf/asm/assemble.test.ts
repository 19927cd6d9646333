import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, encode, type Instruction } from '../../../bpf/isa/index.ts';
import { AsmSyntaxError, assemble, formatInstruction } from '../../../bpf/asm/index.ts';
import { arbitraryInstruction, instructionSamples, llvmAmbiguous } from './instruction-samples.ts';

const one = (text: string): Instruction => {
  const insns = assemble(text);
  expect(insns).toHaveLength(1);
  return insns[0]!;
};

/** The AsmSyntaxError `assemble(text)` throws. */
const failure = (text: string): AsmSyntaxError => {
  try {
    assemble(text);
  } catch (e) {
    expect(e).toBeInstanceOf(AsmSyntaxError);
    expect(e).toBeInstanceOf(SyntaxError);
    return e as AsmSyntaxError;
  }
  throw new Error(`assemble(${JSON.stringify(text)}) did not throw`);
};

describe('assemble()', () => {
  it('reads back every instruction sample as formatInstruction() prints it losslessly', () => {
    const samples = instructionSamples();
    for (const insn of samples) {
      const text = formatInstruction(insn, { lossless: true });
      expect(assemble(text), text).toEqual([insn]);
    }
    expect(samples.length).toBeGreaterThan(300);
  });

  it("reads back llvm-objdump's own text for every instruction it prints unambiguously", () => {
    for (const insn of instructionSamples().filter((i) => !llvmAmbiguous(i))) {
      const text = formatInstruction(insn);
      expect(assemble(text), text).toEqual([insn]);
    }
  });

  it('round-trips any valid instruction through lossless text (property)', () => {
    fc.assert(
      fc.property(arbitraryInstruction, (insn) => {
        const canonical = decode(encode([insn]));
        expect(assemble(formatInstruction(insn, { lossless: true }))).toEqual(canonical);
      }),
      { numRuns: 3000 },
    );
  });

  it('resolves labels to slot offsets, forward and backward, across ld_imm64', () => {
    const insns = assemble(
      [
        'start:',
        '  r1 = 0x1122334455667788 ll',
        '  if r1 > 3 goto out',
        '  call helper_like',
        '  gotol start',
        'helper_like: r0 = 1',
        '  may_goto start',
        'out:',
        '  exit',
      ].join('\n'),
    );
    expect(insns).toEqual([
      { kind: 'lddw', dst: 1, pseudo: 'none', value: 0x1122334455667788n },
      { kind: 'jump', width: 64, op: 'jgt', source: 'imm', dst: 1, src: 0, imm: 3, off: 4 },
      { kind: 'call', target: 'local', imm: 1, off: 0 },
      { kind: 'ja', long: true, off: -5 },
      { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 1 },
      { kind: 'may_goto', off: -7 },
      { kind: 'exit' },
    ]);
  });

  it('accepts a label just past the last instruction', () => {
    expect(assemble('goto end\nend:')).toEqual([{ kind: 'ja', long: false, off: 0 }]);
  });

  it('ignores comments, blank lines, slot prefixes and jump annotations', () => {
    const text = [
      '# a comment',
      '// another',
      '; a source line',
      '',
      '       0:\tr0 = 0x0 # trailing',
      '       1:\tif r1 < r2 goto +0x1 <LBB0_2>',
      '       2:\tcall -0x1 <.text+0x28> // trailing',
      '       3:\texit ; trailing',
    ].join('\n');
    expect(encode(assemble(text))).toEqual(
      encode([
        { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 0 },
        { kind: 'jump', width: 64, op: 'jlt', source: 'reg', dst: 1, src: 2, imm: 0, off: 1 },
        { kind: 'call', target: 'helper', imm: -1, off: 0 },
        { kind: 'exit' },
      ]),
    );
  });

  it('reads decimal and hex numbers, signed or as the bits of the field', () => {
    expect(one('r1 = 4294967295')).toEqual(one('r1 = -1'));
    expect(one('w1 = 0x80000000')).toEqual(one('w1 = -0x80000000'));
    expect(one('r1 = -2147483648')).toMatchObject({ imm: -0x8000_0000 });
    expect(one('*(u32 *)(r10 - 8) = 255')).toEqual(one('*(u32 *)(r10 - 0x8) = 0xff'));
    expect(one('r1 = 18446744073709551615 ll')).toEqual(one('r1 = -0x1 ll'));
    expect(one('r1 = -9223372036854775808 ll')).toMatchObject({ value: 0x8000_0000_0000_0000n });
    expect(one('r1 = 0XFF')).toMatchObject({ imm: 255 });
    expect(one('goto 2')).toEqual(one('goto +0x2'));
  });

  it('accepts what llvm-mc accepts beyond the printed form', () => {
    expect(one('r0 = *(u32 *)(r1 + 4)')).toEqual(one('w0 = *(u32 *)(r1 + 0x4)'));
    expect(one('*(u8 *)(r10 - 1) = r1')).toEqual(one('*(u8 *)(r10 - 0x1) = w1'));
    expect(one('R1=R2')).toEqual(one('r1 = r2'));
    expect(one('*(u64 *)(r1) = r2')).toEqual(one('*(u64 *)(r1 + 0x0) = r2'));
    expect(one('ld_pseudo r1, 0, 5')).toEqual(one('r1 = 0x5 ll'));
  });

  it('names the line, the column and what was expected when it fails', () => {
    const e = failure('r0 = 0\nexit\n  r11 = 1');
    expect(e.message).toBe("line 3, column 3: expected a register, found 'r11'");
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it.each([
    ['r11 = 1', "line 1, column 1: expected a register, found 'r11'"],
    ['r1 = r11', "line 1, column 6: expected a 64-bit register (r0..r10), found 'r11'"],
    ['w1 += r2', "line 1, column 7: expected a 32-bit register (w0..w10), found 'r2'"],
    ['movq r1, 2', "line 1, column 1: unknown instruction 'movq'"],
    ['r1 +=', 'line 1, column 6: expected an immediate, found end of line'],
    ['r1 = 1 2', "line 1, column 8: expected end of line, found '2'"],
    ['r1 ! 2', "line 1, column 4: expected an assignment (=, +=, -=, ...), found '!'"],
    ['if r1 ~ 2 goto +1', "line 1, column 7: unexpected character '~'"],
    ['if r1 = 2 goto +1', "line 1, column 7: expected a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &), found '='"],
    ['if r1 == 2 +1', "line 1, column 12: expected 'goto', found '+'"],
    ['r1 = 4294967296', 'line 1, column 6: immediate 4294967296 is out of range (-2147483648..4294967295)'],
    ['r1 = -0x80000001', 'line 1, column 6: immediate -0x80000001 is out of range (-0x80000000..0xffffffff)'],
    ['goto +32768', 'line 1, column 6: jump offset 32768 is out of range (-32768..32767)'],
    ['gotol +0x80000000', 'line 1, column 7: jump offset 0x80000000 is out of range (-0x80000000..0x7fffffff)'],
    ['*(u64 *)(r10 - 0x8001) = r1', 'line 1, column 14: offset -0x8001 is out of range (-0x8000..0x7fff)'],
    ['r1 = 18446744073709551616 ll', 'line 1, column 6: 64-bit immediate 18446744073709551616 is out of range (-9223372036854775808..18446744073709551615)'],
    ['r1 = 010', "line 1, column 6: ambiguous number '010' (llvm-mc reads a leading 0 as octal): write it without the 0"],
    ['r1 = 12ab', "line 1, column 6: malformed number '12ab'"],
    ['goto nowhere', "line 1, column 6: undefined label 'nowhere'"],
    ['a:\na:\nexit', "line 2, column 1: label 'a' is already defined on line 1"],
    ['r1:\nexit', "line 1, column 1: a register name cannot be a label: 'r1'"],
    ['w1 = -r1', "line 1, column 7: expected w1 (neg negates its destination register), found 'r1'"],
    ['r1 = -r2', "line 1, column 7: expected r1 (neg negates its destination register), found 'r2'"],
    ['r1 = be16 r2', "line 1, column 11: expected r1 (a byte swap converts its destination register), found 'r2'"],
    ['w1 = be16 w1', "line 1, column 1: expected a 64-bit register (r0..r10), found 'w1'"],
    ['w1 = (s32)w2', "line 1, column 7: expected s8 or s16, found 's32'"],
    ['w1 = 1 ll', "line 1, column 1: expected a 64-bit register (r0..r10), found 'w1'"],
    ['w0 = *(u64 *)(r1 + 0)', "line 1, column 1: expected a 64-bit register (r0..r10), found 'w0'"],
    ['w0 = *(s8 *)(r1 + 0)', "line 1, column 1: expected a 64-bit register (r0..r10), found 'w0'"],
    ['r0 = *(u32 *)(w1 + 0)', "line 1, column 15: expected a 64-bit register (r0..r10), found 'w1'"],
    ['r0 = *(u128 *)(r1 + 0)', "line 1, column 8: expected u8, u16, u32, u64, s8, s16 or s32, found 'u128'"],
    ['r0 = *(u32 *)(r1 + 4', "line 1, column 21: expected ')', found end of line"],
    ['*(s8 *)(r1 + 0) = 1', "line 1, column 3: expected u8, u16, u32 or u64, found 's8'"],
    ['lock *(u8 *)(r1 + 0) += w1', "line 1, column 8: expected u32 or u64, found 'u8'"],
    ['lock *(u64 *)(r1 + 0) -= r2', "line 1, column 23: expected an atomic operator (+=, |=, &=, ^=), found '-='"],
    ['w1 = atomic_fetch_and((u32 *)(r10 - 8), w2)', "line 1, column 41: expected w1 (the fetched value replaces the operand), found 'w2'"],
    ['r1 = cmpxchg_64(r10 - 8, r0, r2)', "line 1, column 1: expected r0 (cmpxchg returns the old value in r0), found 'r1'"],
    ['r1 = xchg32_32(r10 - 8, r1)', "line 1, column 1: expected a 32-bit register (w0..w10), found 'r1'"],
    ['r1 = *(u8 *)skb[0]', "line 1, column 1: expected r0 (packet loads always write r0), found 'r1'"],
    ['ld_pseudo r1, 7, 5', 'line 1, column 15: pseudo source 7 is out of range (0..6)'],
    ['r1 = addr_space_cast(r2, 0x10000, 0)', 'line 1, column 26: address space 0x10000 is out of range (0x0..0xffff)'],
    ['r1 = foo', "line 1, column 6: expected a register, a number or an expression, found 'foo'"],
    ['callx 5', "line 1, column 7: expected a 64-bit register (r0..r10), found '5'"],
    ['call', 'line 1, column 5: expected a helper number or label, found end of line'],
    ['exit 0', "line 1, column 6: expected end of line, found '0'"],
  ])('rejects %j', (text, message) => {
    expect(failure(text).message).toBe(message);
  });

  it('numbers lines from firstLine', () => {
    try {
      assemble('exit\nfoo', { firstLine: 10 });
      expect.unreachable();
    } catch (e) {
      expect((e as AsmSyntaxError).message).toBe("line 11, column 1: unknown instruction 'foo'");
    }
  });
});
