import { describe, expect, it } from 'vitest';
import { AsmSyntaxError, assembleUbpf, disassemble } from '../../../bpf/asm/index.ts';

/** uBPF text → the llvm-objdump text of what it assembles to (one instruction per case). */
const llvmText = (text: string): string[] => disassemble(assembleUbpf(text), { slots: false, lossless: true });

const failure = (text: string): AsmSyntaxError => {
  try {
    assembleUbpf(text);
  } catch (e) {
    expect(e).toBeInstanceOf(AsmSyntaxError);
    return e as AsmSyntaxError;
  }
  throw new Error(`assembleUbpf(${JSON.stringify(text)}) did not throw`);
};

describe('assembleUbpf()', () => {
  it.each([
    ['mov32 %r0, 0', 'w0 = 0x0'],
    ['mov %r0, 0xffffffff', 'r0 = -0x1'],
    ['mov64 %r0, -1', 'r0 = -0x1'],
    ['add %r0, %r1', 'r0 += r1'],
    ['add32 %r9, 0xffffffff', 'w9 += -0x1'],
    ['sub %r1, 2', 'r1 -= 0x2'],
    ['mul32 %r1, %r2', 'w1 *= w2'],
    ['div %r1, 3', 'r1 /= 0x3'],
    ['sdiv %r1, %r2', 'r1 s/= r2'],
    ['sdiv32 %r1, -3', 'w1 s/= -0x3'],
    ['mod %r1, %r2', 'r1 %= r2'],
    ['smod32 %r1, 5', 'w1 s%= 0x5'],
    ['or %r1, 1', 'r1 |= 0x1'],
    ['and32 %r1, %r2', 'w1 &= w2'],
    ['lsh %r1, 32', 'r1 <<= 0x20'],
    ['rsh32 %r1, %r2', 'w1 >>= w2'],
    ['arsh %r1, 3', 'r1 s>>= 0x3'],
    ['xor32 %r1, %r2', 'w1 ^= w2'],
    ['neg %r2', 'r2 = -r2'],
    ['neg32 %r2', 'w2 = -w2'],
    ['movsx832 %r2, %r1', 'w2 = (s8)w1'],
    ['movsx1632 %r4, %r3', 'w4 = (s16)w3'],
    ['movsx864 %r0, %r1', 'r0 = (s8)r1'],
    ['movsx1664 %r0, %r1', 'r0 = (s16)r1'],
    ['movsx3264 %r0, %r1', 'r0 = (s32)r1'],
    ['le16 %r1', 'r1 = le16 r1'],
    ['le64 %r1', 'r1 = le64 r1'],
    ['be32 %r1', 'r1 = be32 r1'],
    ['swap16 %r0', 'r0 = bswap16 r0'],
    ['bswap64 %r0', 'r0 = bswap64 r0'],
    ['ldxb %r0, [%r1]', 'w0 = *(u8 *)(r1 + 0x0)'],
    ['ldxh %r0, [%r1+2]', 'w0 = *(u16 *)(r1 + 0x2)'],
    ['ldxw %r0, [%r1+4]', 'w0 = *(u32 *)(r1 + 0x4)'],
    ['ldxdw %r0, [%r10-8]', 'r0 = *(u64 *)(r10 - 0x8)'],
    ['ldxsb %r0, [%r10-1]', 'r0 = *(s8 *)(r10 - 0x1)'],
    ['ldxsh %r0, [%r1+2]', 'r0 = *(s16 *)(r1 + 0x2)'],
    ['ldxsw %r0, [%r1 + 0x7fff]', 'r0 = *(s32 *)(r1 + 0x7fff)'],
    ['ldxw %r1, [%r2-32768]', 'w1 = *(u32 *)(r2 - 0x8000)'],
    ['ldxw %r1, [%r2+0xffff]', 'w1 = *(u32 *)(r2 - 0x1)'],
    ['stb [%r10-4], 0x01', '*(u8 *)(r10 - 0x4) = 0x1'],
    ['sth [%r1+2], -1', '*(u16 *)(r1 + 0x2) = -0x1'],
    ['stw [%r1+2], 5', '*(u32 *)(r1 + 0x2) = 0x5'],
    ['stdw [%r1], 0x80000000', '*(u64 *)(r1 + 0x0) = -0x80000000'],
    ['stxb [%r10-1], %r1', '*(u8 *)(r10 - 0x1) = w1'],
    ['stxh [%r10-2], %r1', '*(u16 *)(r10 - 0x2) = w1'],
    ['stxw [%r10-4], %r1', '*(u32 *)(r10 - 0x4) = w1'],
    ['stxdw [%r10-8], %r1', '*(u64 *)(r10 - 0x8) = r1'],
    ['lddw %r0, 0x123', 'r0 = 0x123 ll'],
    ['lddw %r0, 2147483648', 'r0 = 0x80000000 ll'],
    ['lddw %r0, 0xffffffffffffffff', 'r0 = -0x1 ll'],
    ['lddw %r0, -2', 'r0 = -0x2 ll'],
    ['ldabsb 4', 'r0 = *(u8 *)skb[0x4]'],
    ['ldabsh 4', 'r0 = *(u16 *)skb[0x4]'],
    ['ldabsw -1', 'r0 = *(u32 *)skb[-0x1]'],
    ['ldindb %r1, 0', 'r0 = *(u8 *)skb[r1]'],
    ['ldindh %r1, 4', 'r0 = *(u16 *)skb[r1 + 0x4]'],
    ['ja +2', 'goto +0x2'],
    ['ja -32768', 'goto -0x8000'],
    ['ja32 +2', 'gotol +0x2'],
    ['jeq %r1, 5, +2', 'if r1 == 0x5 goto +0x2'],
    ['jeq %r1, %r2, -1', 'if r1 == r2 goto -0x1'],
    ['jne32 %r1, 0xffffffff, +1', 'if w1 != -0x1 goto +0x1'],
    ['jgt %r1, 1, +1', 'if r1 > 0x1 goto +0x1'],
    ['jge32 %r1, %r2, +1', 'if w1 >= w2 goto +0x1'],
    ['jlt %r1, 1, +1', 'if r1 < 0x1 goto +0x1'],
    ['jle32 %r1, 1, +1', 'if w1 <= 0x1 goto +0x1'],
    ['jset %r1, 8, +1', 'if r1 & 0x8 goto +0x1'],
    ['jsgt32 %r1, -1, +1', 'if w1 s> -0x1 goto +0x1'],
    ['jsge %r1, %r2, +1', 'if r1 s>= r2 goto +0x1'],
    ['jslt32 %r1, -1, +1', 'if w1 s< -0x1 goto +0x1'],
    ['jsle %r1, %r2, +1', 'if r1 s<= r2 goto +0x1'],
    ['call 1', 'call 0x1'],
    ['call helper 0x4', 'call 0x4'],
    ['call local +3', 'call pc+0x3'],
    ['call runtime 7', 'call kfunc 0x7'],
    ['call %r2', 'callx r2'],
    ['exit', 'exit'],
    ['lock add [%r10-8], %r1', 'lock *(u64 *)(r10 - 0x8) += r1'],
    ['lock add32 [%r10-4], %r1', 'lock *(u32 *)(r10 - 0x4) += w1'],
    ['lock or [%r10-8], %r1', 'lock *(u64 *)(r10 - 0x8) |= r1'],
    ['lock and32 [%r10-8], %r1', 'lock *(u32 *)(r10 - 0x8) &= w1'],
    ['lock xor [%r10-8], %r1', 'lock *(u64 *)(r10 - 0x8) ^= r1'],
    ['lock fetch add [%r10-8], %r1', 'r1 = atomic_fetch_add((u64 *)(r10 - 0x8), r1)'],
    ['lock fetch and32 [%r10-8], %r1', 'w1 = atomic_fetch_and((u32 *)(r10 - 0x8), w1)'],
    ['lock fetch or32 [%r10-4], %r3', 'w3 = atomic_fetch_or((u32 *)(r10 - 0x4), w3)'],
    ['lock fetch xor [%r10-8], %r3', 'r3 = atomic_fetch_xor((u64 *)(r10 - 0x8), r3)'],
    ['lock xchg [%r10-8], %r1', 'r1 = xchg_64(r10 - 0x8, r1)'],
    ['lock xchg32 [%r10-8], %r1', 'w1 = xchg32_32(r10 - 0x8, w1)'],
    ['lock cmpxchg [%r10-8], %r1', 'r0 = cmpxchg_64(r10 - 0x8, r0, r1)'],
    ['lock cmpxchg32 [%r10-8], %r1', 'w0 = cmpxchg32_32(r10 - 0x8, w0, w1)'],
  ])('assembles %j', (text, llvm) => {
    expect(llvmText(text)).toEqual([llvm]);
  });

  it('resolves labels, local calls and the implicit exit label', () => {
    const text = [
      'mov %r0, 0',
      'jeq %r1, 0, exit # the first exit',
      'call local func1',
      'ja32 done',
      'exit',
      'func1:',
      'mov %r0, 1',
      'done: exit',
    ].join('\n');
    expect(llvmText(text)).toEqual([
      'r0 = 0x0',
      'if r1 == 0x0 goto +0x2',
      'call pc+0x2',
      'gotol +0x2',
      'exit',
      'r0 = 0x1',
      'exit',
    ]);
    expect(llvmText('ja exit\nexit:\nexit\nexit')).toEqual(['goto +0x0', 'exit', 'exit']);
    expect(llvmText('call f\nexit\nf: exit')).toEqual(['call pc+0x1', 'exit', 'exit']);
  });

  it.each([
    ['or %r0, %r50', "line 1, column 9: expected a register (%r0..%r10), found '%r50'"],
    ['mov %r11, 1', "line 1, column 5: expected a register (%r0..%r10), found '%r11'"],
    ['mov r1, 1', "line 1, column 5: expected a register (%r0..%r10), found 'r1'"],
    ['ldxq %r0, %r1', "line 1, column 1: unknown mnemonic 'ldxq'"],
    ['ldxsdw %r0, [%r1]', "line 1, column 1: unknown mnemonic 'ldxsdw'"],
    ['ldabsdw 4', "line 1, column 1: unknown mnemonic 'ldabsdw'"],
    ['lddw %r0', 'line 1, column 1: lddw takes 2 operands (lddw %rD, imm64), found 1'],
    ['add %r0, 1, 2', "line 1, column 13: add takes 2 operands (add %rD, %rS or %rD, imm), found 3"],
    ['exit 0', "line 1, column 6: exit takes no operands, found 1"],
    ['add %r0,', 'line 1, column 9: expected an operand, found end of line'],
    ['add , %r1', "line 1, column 5: expected an operand, found ','"],
    ['lock', 'line 1, column 5: expected an atomic operation (add, or, and, xor, xchg or cmpxchg), found end of line'],
    ['lock or [%r10-8]', 'line 1, column 1: lock or takes 2 operands (lock or [%rD+off], %rS), found 1'],
    ['lock sub [%r10-8], %r1', "line 1, column 6: expected an atomic operation (add, or, and, xor, xchg or cmpxchg), found 'sub'"],
    ['ldxb %r0, %r1', "line 1, column 11: expected a memory operand such as [%r1+8], found '%r1'"],
    ['ldxb %r0, [%r1+0x10000]', 'line 1, column 15: offset 0x10000 is out of range (-0x8000..0xffff)'],
    ['ldxb %r0, [%r1-32769]', 'line 1, column 15: offset -32769 is out of range (-32768..32767)'],
    ['ldxb %r0, [%r1+4', "line 1, column 17: expected ']', found end of line"],
    ['mov32 %r0, 2147483648', 'line 1, column 12: immediate 2147483648 is out of range (-2147483648..2147483647)'],
    ['mov32 %r0, 0x100000000', 'line 1, column 12: immediate 0x100000000 is out of range (-0x80000000..0xffffffff)'],
    ['lddw %r0, 0x10000000000000000', 'line 1, column 11: 64-bit immediate 0x10000000000000000 is out of range (-0x8000000000000000..0xffffffffffffffff)'],
    ['ja +32768', 'line 1, column 4: jump offset 32768 is out of range (-32768..32767)'],
    ['ja NOT_A_LABEL\nexit', "line 1, column 4: undefined label 'NOT_A_LABEL'"],
    ['jeq %r1, 1\nexit', 'line 1, column 1: jeq takes 3 operands (jeq %rD, %rS or imm, +off or label), found 2'],
    ['call far 1', "line 1, column 6: expected a call mode (helper, local or runtime), found 'far'"],
    ['call local', "line 1, column 6: undefined label 'local'"],
    ['a:\na:\nexit', "line 2, column 1: label 'a' is already defined on line 1"],
  ])('rejects %j', (text, message) => {
    expect(failure(text).message).toBe(message);
  });
});
