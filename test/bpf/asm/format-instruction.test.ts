import { describe, expect, it } from 'vitest';
import { decode, type Instruction } from '../../../bpf/isa/index.ts';
import { formatInstruction } from '../../../bpf/asm/index.ts';

const bytes = (hex: string): Uint8Array => new Uint8Array(hex.split(' ').map((b) => parseInt(b, 16)));

// Raw bytes and the text `llvm-objdump-19 -d --mcpu=v4` printed for them (jump annotations `<...>` removed).
// test/bpf/asm/llvm-objdump.test.ts checks every instruction kind against the tool itself when it is installed.
const LLVM_OBJDUMP: [string, string][] = [
  ['05 00 00 00 00 00 00 00', 'goto +0x0'],
  ['05 00 01 00 00 00 00 00', 'goto +0x1'],
  ['06 00 00 00 03 00 00 00', 'gotol +0x3'],
  ['06 00 00 00 ff ff ff ff', 'gotol -0x1'],
  ['07 01 00 00 00 00 00 80', 'r1 += -0x80000000'],
  ['0c 21 00 00 00 00 00 00', 'w1 += w2'],
  ['0f 21 00 00 00 00 00 00', 'r1 += r2'],
  ['16 01 00 80 ff ff ff ff', 'if w1 == -0x1 goto -0x8000'],
  ['17 01 00 00 03 00 00 00', 'r1 -= 0x3'],
  ['18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00', 'r1 = 0x0 ll'],
  ['18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 80', 'r1 = -0x8000000000000000 ll'],
  ['18 01 00 00 00 00 00 80 00 00 00 00 00 00 00 00', 'r1 = 0x80000000 ll'],
  ['18 01 00 00 89 67 45 23 00 00 00 00 01 00 00 00', 'r1 = 0x123456789 ll'],
  ['18 01 00 00 ff ff ff ff 00 00 00 00 00 00 00 00', 'r1 = 0xffffffff ll'],
  ['18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff', 'r1 = -0x1 ll'],
  ['18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00', 'ld_pseudo\tr1, 0x1, 0x5'],
  ['18 11 00 00 ff ff ff ff 00 00 00 00 00 00 00 00', 'ld_pseudo\tr1, 0x1, 0xffffffff'],
  ['18 21 00 00 05 00 00 00 00 00 00 00 07 00 00 00', 'ld_pseudo\tr1, 0x2, 0x5'],
  ['18 31 00 00 05 00 00 00 00 00 00 00 00 00 00 00', 'ld_pseudo\tr1, 0x3, 0x5'],
  ['18 41 00 00 05 00 00 00 00 00 00 00 00 00 00 00', 'ld_pseudo\tr1, 0x4, 0x5'],
  ['18 51 00 00 05 00 00 00 00 00 00 00 00 00 00 00', 'ld_pseudo\tr1, 0x5, 0x5'],
  ['18 61 00 00 05 00 00 00 00 00 00 00 00 00 00 00', 'ld_pseudo\tr1, 0x6, 0x5'],
  ['1d 21 01 00 00 00 00 00', 'if r1 == r2 goto +0x1'],
  ['20 00 00 00 00 00 00 00', 'r0 = *(u32 *)skb[0x0]'],
  ['20 00 00 00 05 00 00 00', 'r0 = *(u32 *)skb[0x5]'],
  ['28 00 00 00 ff ff ff ff', 'r0 = *(u16 *)skb[-0x1]'],
  ['2f 21 00 00 00 00 00 00', 'r1 *= r2'],
  ['30 00 00 00 05 00 00 00', 'r0 = *(u8 *)skb[0x5]'],
  ['35 01 01 00 03 00 00 00', 'if r1 >= 0x3 goto +0x1'],
  ['37 01 00 00 03 00 00 00', 'r1 /= 0x3'],
  ['3f 21 01 00 00 00 00 00', 'r1 s/= r2'],
  ['40 10 00 00 00 00 00 00', 'r0 = *(u32 *)skb[r1]'],
  ['46 01 00 80 00 00 00 80', 'if w1 & -0x80000000 goto -0x8000'],
  ['46 01 01 00 03 00 00 00', 'if w1 & 0x3 goto +0x1'],
  ['47 01 00 00 03 00 00 00', 'r1 |= 0x3'],
  ['48 10 00 00 00 00 00 00', 'r0 = *(u16 *)skb[r1]'],
  ['48 10 00 00 04 00 00 00', 'r0 = *(u16 *)skb[r1]'],
  ['4d 21 01 00 00 00 00 00', 'if r1 & r2 goto +0x1'],
  ['50 10 00 00 00 00 00 00', 'r0 = *(u8 *)skb[r1]'],
  ['50 10 00 00 ff ff ff ff', 'r0 = *(u8 *)skb[r1]'],
  ['5d 21 ff 7f 00 00 00 00', 'if r1 != r2 goto +0x7fff'],
  ['5e 21 01 00 00 00 00 00', 'if w1 != w2 goto +0x1'],
  ['5f 21 00 00 00 00 00 00', 'r1 &= r2'],
  ['61 10 04 00 00 00 00 00', 'w0 = *(u32 *)(r1 + 0x4)'],
  ['61 21 08 00 00 00 00 00', 'w1 = *(u32 *)(r2 + 0x8)'],
  ['62 0a f8 ff ff ff ff ff', '*(u32 *)(r10 - 0x8) = -0x1'],
  ['63 1a f8 ff 00 00 00 00', '*(u32 *)(r10 - 0x8) = w1'],
  ['65 01 02 00 05 00 00 00', 'if r1 s> 0x5 goto +0x2'],
  ['67 01 00 00 03 00 00 00', 'r1 <<= 0x3'],
  ['69 10 00 00 00 00 00 00', 'w0 = *(u16 *)(r1 + 0x0)'],
  ['6a 0a f8 ff 01 00 00 00', '*(u16 *)(r10 - 0x8) = 0x1'],
  ['6b 1a f8 ff 00 00 00 00', '*(u16 *)(r10 - 0x8) = w1'],
  ['71 10 00 00 00 00 00 00', 'w0 = *(u8 *)(r1 + 0x0)'],
  ['72 0a f8 ff 01 00 00 00', '*(u8 *)(r10 - 0x8) = 0x1'],
  ['73 1a f8 ff 00 00 00 00', '*(u8 *)(r10 - 0x8) = w1'],
  ['79 10 00 00 00 00 00 00', 'r0 = *(u64 *)(r1 + 0x0)'],
  ['7a 0a 00 80 00 00 00 80', '*(u64 *)(r10 - 0x8000) = -0x80000000'],
  ['7a 0a f8 ff 01 00 00 00', '*(u64 *)(r10 - 0x8) = 0x1'],
  ['7b 1a 00 00 00 00 00 00', '*(u64 *)(r10 + 0x0) = r1'],
  ['7b 1a 00 80 00 00 00 00', '*(u64 *)(r10 - 0x8000) = r1'],
  ['7b 1a ff 7f 00 00 00 00', '*(u64 *)(r10 + 0x7fff) = r1'],
  ['7d 21 01 00 00 00 00 00', 'if r1 s>= r2 goto +0x1'],
  ['7f 21 00 00 00 00 00 00', 'r1 >>= r2'],
  ['81 10 00 00 00 00 00 00', 'r0 = *(s32 *)(r1 + 0x0)'],
  ['81 21 08 00 00 00 00 00', 'r1 = *(s32 *)(r2 + 0x8)'],
  ['84 01 00 00 00 00 00 00', 'w1 = -w1'],
  ['85 00 00 00 00 00 00 80', 'call -0x80000000'],
  ['85 00 00 00 05 00 00 00', 'call 0x5'],
  ['85 00 00 00 ff ff ff 7f', 'call 0x7fffffff'],
  ['85 10 00 00 ff ff ff ff', 'call -0x1'],
  ['85 20 00 00 d2 04 00 00', 'call 0x4d2'],
  ['85 20 01 00 d2 04 00 00', 'call 0x4d2'],
  ['87 01 00 00 00 00 00 00', 'r1 = -r1'],
  ['89 10 00 00 00 00 00 00', 'r0 = *(s16 *)(r1 + 0x0)'],
  ['8d 02 00 00 00 00 00 00', 'callx r2'],
  ['8d 0a 00 00 00 00 00 00', 'callx r10'],
  ['91 10 00 00 00 00 00 00', 'r0 = *(s8 *)(r1 + 0x0)'],
  ['94 01 01 00 05 00 00 00', 'w1 s%= 0x5'],
  ['95 00 00 00 00 00 00 00', 'exit'],
  ['97 01 01 00 03 00 00 00', 'r1 s%= 0x3'],
  ['9f 21 00 00 00 00 00 00', 'r1 %= r2'],
  ['ad 21 01 00 00 00 00 00', 'if r1 < r2 goto +0x1'],
  ['af 21 00 00 00 00 00 00', 'r1 ^= r2'],
  ['b4 01 00 00 00 00 00 80', 'w1 = -0x80000000'],
  ['b4 01 00 00 ff ff ff ff', 'w1 = -0x1'],
  ['b5 01 01 00 03 00 00 00', 'if r1 <= 0x3 goto +0x1'],
  ['b7 01 00 00 00 00 00 00', 'r1 = 0x0'],
  ['b7 01 00 00 ff ff ff ff', 'r1 = -0x1'],
  ['bc 21 00 00 00 00 00 00', 'w1 = w2'],
  ['bc 21 08 00 00 00 00 00', 'w1 = (s8)w2'],
  ['bc 21 10 00 00 00 00 00', 'w1 = (s16)w2'],
  ['bf 21 00 00 00 00 00 00', 'r1 = r2'],
  ['bf 21 01 00 01 00 00 00', 'r1 = addr_space_cast(r2, 0x0, 0x1)'],
  ['bf 21 01 00 34 12 78 56', 'r1 = addr_space_cast(r2, 0x5678, 0x1234)'],
  ['bf 21 08 00 00 00 00 00', 'r1 = (s8)r2'],
  ['bf 21 10 00 00 00 00 00', 'r1 = (s16)r2'],
  ['bf 21 20 00 00 00 00 00', 'r1 = (s32)r2'],
  ['c3 0a f8 ff 51 00 00 00', 'w0 = atomic_fetch_and((u32 *)(r10 - 0x8), w0)'],
  ['c3 1a f8 ff 00 00 00 00', 'lock *(u32 *)(r10 - 0x8) += w1'],
  ['c3 1a f8 ff 01 00 00 00', 'w1 = atomic_fetch_add((u32 *)(r10 - 0x8), w1)'],
  ['c3 1a f8 ff 40 00 00 00', 'lock *(u32 *)(r10 - 0x8) |= w1'],
  ['c3 1a f8 ff 41 00 00 00', 'w1 = atomic_fetch_or((u32 *)(r10 - 0x8), w1)'],
  ['c3 1a f8 ff a1 00 00 00', 'w1 = atomic_fetch_xor((u32 *)(r10 - 0x8), w1)'],
  ['c3 1a f8 ff e1 00 00 00', 'w1 = xchg32_32(r10 - 0x8, w1)'],
  ['c3 1a f8 ff f1 00 00 00', 'w0 = cmpxchg32_32(r10 - 0x8, w0, w1)'],
  ['c4 01 00 00 03 00 00 00', 'w1 s>>= 0x3'],
  ['c5 01 01 00 03 00 00 00', 'if r1 s< 0x3 goto +0x1'],
  ['c7 01 00 00 03 00 00 00', 'r1 s>>= 0x3'],
  ['d4 01 00 00 10 00 00 00', 'r1 = le16 r1'],
  ['d4 01 00 00 20 00 00 00', 'r1 = le32 r1'],
  ['d4 01 00 00 40 00 00 00', 'r1 = le64 r1'],
  ['d5 01 01 00 03 00 00 00', 'if r1 s<= 0x3 goto +0x1'],
  ['d7 01 00 00 10 00 00 00', 'r1 = bswap16 r1'],
  ['d7 01 00 00 20 00 00 00', 'r1 = bswap32 r1'],
  ['d7 01 00 00 40 00 00 00', 'r1 = bswap64 r1'],
  ['db 1a f8 ff 00 00 00 00', 'lock *(u64 *)(r10 - 0x8) += r1'],
  ['db 1a f8 ff 01 00 00 00', 'r1 = atomic_fetch_add((u64 *)(r10 - 0x8), r1)'],
  ['db 1a f8 ff 40 00 00 00', 'lock *(u64 *)(r10 - 0x8) |= r1'],
  ['db 1a f8 ff 41 00 00 00', 'r1 = atomic_fetch_or((u64 *)(r10 - 0x8), r1)'],
  ['db 1a f8 ff 50 00 00 00', 'lock *(u64 *)(r10 - 0x8) &= r1'],
  ['db 1a f8 ff 51 00 00 00', 'r1 = atomic_fetch_and((u64 *)(r10 - 0x8), r1)'],
  ['db 1a f8 ff a0 00 00 00', 'lock *(u64 *)(r10 - 0x8) ^= r1'],
  ['db 1a f8 ff a1 00 00 00', 'r1 = atomic_fetch_xor((u64 *)(r10 - 0x8), r1)'],
  ['db 1a f8 ff e1 00 00 00', 'r1 = xchg_64(r10 - 0x8, r1)'],
  ['db 1a f8 ff f1 00 00 00', 'r0 = cmpxchg_64(r10 - 0x8, r0, r1)'],
  ['dc 01 00 00 10 00 00 00', 'r1 = be16 r1'],
  ['dc 01 00 00 20 00 00 00', 'r1 = be32 r1'],
  ['dc 01 00 00 40 00 00 00', 'r1 = be64 r1'],
  ['e5 00 02 00 00 00 00 00', 'may_goto +0x2'],
  ['e5 00 ff 7f 00 00 00 00', 'may_goto +0x7fff'],
];

describe('formatInstruction()', () => {
  it.each(LLVM_OBJDUMP)('prints %s as llvm-objdump does: %s', (hex, text) => {
    const [insn, ...rest] = decode(bytes(hex));
    expect(rest).toEqual([]);
    expect(formatInstruction(insn!)).toBe(text);
  });

  it('prints the four encodings llvm-objdump leaves ambiguous losslessly on request', () => {
    const cases: [Instruction, string, string][] = [
      [{ kind: 'call', target: 'local', imm: 2, off: 0 }, 'call 0x2', 'call pc+0x2'],
      [{ kind: 'call', target: 'local', imm: -1, off: 0 }, 'call -0x1', 'call pc-0x1'],
      [{ kind: 'call', target: 'kfunc', imm: 1234, off: 0 }, 'call 0x4d2', 'call kfunc 0x4d2'],
      [{ kind: 'call', target: 'kfunc', imm: 1234, off: 1 }, 'call 0x4d2', 'call kfunc 0x4d2, 0x1'],
      [{ kind: 'lddw', dst: 1, pseudo: 'map_value', value: (7n << 32n) | 5n }, 'ld_pseudo\tr1, 0x2, 0x5', 'ld_pseudo\tr1, 0x2, 0x5, 0x7'],
      [{ kind: 'ld_ind', size: 2, src: 1, imm: 4 }, 'r0 = *(u16 *)skb[r1]', 'r0 = *(u16 *)skb[r1 + 0x4]'],
      [{ kind: 'ld_ind', size: 4, src: 3, imm: -8 }, 'r0 = *(u32 *)skb[r3]', 'r0 = *(u32 *)skb[r3 - 0x8]'],
    ];
    for (const [insn, llvm, lossless] of cases) {
      expect(formatInstruction(insn)).toBe(llvm);
      expect(formatInstruction(insn, { lossless: true })).toBe(lossless);
    }
  });

  it('keeps llvm-objdump spellings in lossless mode when nothing is lost', () => {
    const same: Instruction[] = [
      { kind: 'call', target: 'helper', imm: 5, off: 0 },
      { kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 5n },
      { kind: 'ld_ind', size: 1, src: 1, imm: 0 },
    ];
    for (const insn of same) expect(formatInstruction(insn, { lossless: true })).toBe(formatInstruction(insn));
  });

  it('prints a label in place of a jump offset or a local call target', () => {
    expect(formatInstruction({ kind: 'ja', long: false, off: 3 }, { target: 'out' })).toBe('goto out');
    expect(formatInstruction({ kind: 'ja', long: true, off: 3 }, { target: 'out' })).toBe('gotol out');
    expect(formatInstruction({ kind: 'may_goto', off: 3 }, { target: 'out' })).toBe('may_goto out');
    expect(formatInstruction({ kind: 'call', target: 'local', imm: 3, off: 0 }, { target: 'f' })).toBe('call f');
    const jump: Instruction = { kind: 'jump', width: 32, op: 'jslt', source: 'imm', dst: 1, src: 0, imm: -3, off: 3 };
    expect(formatInstruction(jump, { target: 'out' })).toBe('if w1 s< -0x3 goto out');
  });
});
