// Programs that need (or must not get) the kernel's `rX += K` scalar links (BPF_ADD_CONST, Linux >= 6.10),
// with what this machine's kernel (6.18, root) said. test/verifier/linked-scalars.test.ts checks our verifier
// against these records; test/oracle/verifier-linked-scalars.test.ts checks the records against the kernel.
//
// Each loads one packet byte into r6 (0..255), zeroes fp-16..fp-1, then reads one stack byte at a variable
// offset that only a link between r6 and r7 = r6 + K keeps in bounds.
import type { AsmCase } from './cases.ts';

/** r6 = packet byte (after a 1-byte packet check), r7 = r6 + 4, fp-16..fp-1 zero; `exit` ends with r0 = 0 */
function withByte(body: string): string {
  const lines = body.trim().split('\n');
  // the packet check jumps to the final `r0 = 0; exit`
  const skip = 6 + lines.length;
  return [
    'r2 = *(u32 *)(r1 + 0)',
    'r3 = *(u32 *)(r1 + 4)',
    'r4 = r2',
    'r4 += 1',
    `if r4 > r3 goto +${skip}`,
    'r6 = *(u8 *)(r2 + 0)',
    'r7 = r6',
    'r7 += 4',
    'r1 = 0',
    '*(u64 *)(r10 - 8) = r1',
    '*(u64 *)(r10 - 16) = r1',
    ...lines,
    'r0 = 0',
    'exit',
  ].join('\n');
}

const stackRead = (off: number): string => `r2 = r10\nr2 += -${off}`;

export const LINKED_SCALAR_CASES: readonly AsmCase[] = [
  {
    // r6 <= 8 narrows r7 = r6 + 4 to [4, 12]: fp-16 + 12 + 1 <= fp0
    name: 'a bounds check on the original narrows the copy plus a constant',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nif r6 > 8 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'accept',
  },
  {
    name: 'the narrowed copy plus a constant is still checked against the stack',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nif r6 > 12 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'reject',
    insn: 15,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0x1f) off=-16 size=1'],
  },
  {
    // r7 <= 9 narrows r6 = r7 - 4 to [0, 5]
    name: 'a bounds check on the copy plus a constant narrows the original',
    progType: 'xdp',
    asm: withByte(`${stackRead(8)}\nif r6 > 10 goto +3\nif r7 > 9 goto +2\nr2 += r6\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'accept',
  },
  {
    // after two checks on r6 the link still shifts by 4: r7 in [4, 9], past fp-8 + 7
    name: 'a second bounds check keeps the offset of the link',
    progType: 'xdp',
    asm: withByte(`${stackRead(8)}\nif r6 > 10 goto +3\nif r6 > 5 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'reject',
    insn: 16,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0xf) off=-8 size=1'],
  },
  {
    // r8 = r7 gives r7 and r8 a new id: the check on r6 no longer reaches them
    name: 'copying the linked scalar breaks its link to the original',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr8 = r7\nif r6 > 10 goto +2\nr2 += r8\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'reject',
    insn: 16,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0x1ff) off=-16 size=1'],
  },
  {
    name: 'a second constant added breaks the link',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 += 1\nif r6 > 8 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'reject',
    insn: 16,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0x1ff) off=-16 size=1'],
  },
  {
    // r7 = r6 - 1 is linked, the second constant breaks the link (r7 = r6 + 4 in [4, 259])
    name: 'a second constant breaks a link made by a negative one',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 = r6\nr7 += -1\nr7 += 5\nif r6 > 8 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'reject',
    insn: 18,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0x1ff) off=-16 size=1'],
  },
  {
    // r6 in [4, 12] narrows r7 = r6 - 4 to [0, 8]: fp-16 + 8 + 1 <= fp0
    name: 'a subtracted constant links with a negative offset',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 = r6\nr7 -= 4\nif r6 > 12 goto +3\nif r6 < 4 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'accept',
  },
  {
    // r7 loses its +5 link at `*= 1`; r8 = r7 + 3 then shifts by 3 alone: r7 <= 8 gives r8 in [8, 11], past
    // fp-16 + 7 (an offset left from the old link must not count)
    name: 'a link made after an old one was cleared shifts by its own constant only',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 = r6\nr7 += 5\nr7 *= 1\nr8 = r7\nr8 += 3\nif r7 > 8 goto +2\nr2 += r8\nr0 = *(u8 *)(r2 + 6)`),
    verdict: 'reject',
    insn: 20,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x8; 0x3) off=-10 size=1'],
  },
];

/** r6 = four packet bytes (0 .. 0xffffffff), r7 = r6, w7 += 1; then `body`; a reachable `r0 /= 0` rejects */
function withWord(body: string): string {
  const lines = body.trim().split('\n');
  // lines that are `ld_imm64` take two slots
  const slots = lines.reduce((n, l) => n + (/ ll$/.test(l) ? 2 : 1), 0);
  return ['r2 = *(u32 *)(r1 + 0)', 'r3 = *(u32 *)(r1 + 4)', 'r4 = r2', 'r4 += 4', `if r4 > r3 goto +${3 + slots}`, 'r6 = *(u32 *)(r2 + 0)', 'r7 = r6', 'w7 += 1', ...lines, 'r0 = 0', 'exit'].join('\n');
}

/**
 * 32-bit links (BPF_ADD_CONST32, this 6.18 kernel): `wX += K` links when X's upper half is zero before it; a
 * shifted copy is zero-extended; a 32-bit and a 64-bit link of one id do not narrow each other.
 */
export const LINKED_SCALAR_32_CASES: readonly AsmCase[] = [
  {
    name: 'a 32-bit add links too',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 = r6\nw7 += 4\nif r6 > 8 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'accept',
  },
  {
    name: 'a 32-bit subtraction links with a negative offset',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 = r6\nw7 -= 4\nif r6 > 12 goto +3\nif r6 < 4 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'accept',
  },
  {
    // r8 = w6 + 2 <= 10 narrows r7 = w6 + 4 to [4, 12]
    name: 'two 32-bit links of one id narrow each other',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 = r6\nr8 = r6\nw7 += 4\nw8 += 2\nif r8 > 10 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'accept',
  },
  {
    // the same offset, but r7 = w6 + 4 and r8 = r6 + 4: the check on r8 leaves r7 alone
    name: 'a 32-bit and a 64-bit link of one id do not narrow each other',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr7 = r6\nr8 = r6\nw7 += 4\nr8 += 4\nif r8 > 12 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'reject',
    insn: 19,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0x1ff) off=-16 size=1'],
  },
  {
    // r6 = b | b << 32: w7 += 4 drops the upper half, so r7 is no longer r6 + 4
    name: 'a 32-bit add does not link a value wider than 32 bits',
    progType: 'xdp',
    asm: withByte(`${stackRead(16)}\nr9 = r6\nr9 <<= 32\nr6 |= r9\nr7 = r6\nw7 += 4\nif r6 > 8 goto +2\nr2 += r7\nr0 = *(u8 *)(r2 + 0)`),
    verdict: 'reject',
    insn: 20,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0x1ff) off=-16 size=1'],
  },
  {
    // r6 = 0xffffffff narrows r7 = w6 + 1 to 0 (zero-extended, not 0x100000000): the division is dead
    name: 'a copy linked by a 32-bit add is zero-extended when the original is narrowed',
    progType: 'xdp',
    asm: withWord('r8 = 0xffffffff ll\nif r6 < r8 goto +3\nif r7 == 0 goto +2\nr0 = 0\nr0 /= 0'),
    verdict: 'accept',
  },
  {
    // r7 = w6 + 1 = 0 narrows r6 to 0xffffffff (not -1)
    name: 'the original is zero-extended when narrowed through its 32-bit link',
    progType: 'xdp',
    asm: withWord('if r7 != 0 goto +5\nr8 = 0xffffffff ll\nif r6 == r8 goto +2\nr0 = 0\nr0 /= 0'),
    verdict: 'accept',
  },
];

/**
 * Two paths meet with r7 = r6 + 4 and r7 = r6 + 8 (r6 narrower on the second): pruning must compare the
 * constants of the links, or the first path's state would cover the second, which reads past the frame.
 */
function meeting(k: number): string {
  return [
    'r2 = *(u32 *)(r1 + 0)',
    'r3 = *(u32 *)(r1 + 4)',
    'r8 = *(u32 *)(r1 + 16)',
    'r4 = r2',
    'r4 += 1',
    'if r4 > r3 goto +16',
    'r6 = *(u8 *)(r2 + 0)',
    'r1 = 0',
    '*(u64 *)(r10 - 8) = r1',
    '*(u64 *)(r10 - 16) = r1',
    'if r8 > 7 goto +3',
    'r7 = r6',
    'r7 += 4',
    'goto +3',
    'if r6 > 100 goto +7',
    'r7 = r6',
    `r7 += ${k}`,
    'if r6 > 8 goto +4',
    'r2 = r10',
    'r2 += -16',
    'r2 += r7',
    'r0 = *(u8 *)(r2 + 0)',
    'r0 = 0',
    'exit',
  ].join('\n');
}

export const LINKED_SCALAR_PRUNE_CASES: readonly AsmCase[] = [
  { name: 'paths meeting with the same link constant prune', progType: 'xdp', asm: meeting(4), verdict: 'accept' },
  {
    name: 'paths meeting with different link constants do not prune',
    progType: 'xdp',
    asm: meeting(8),
    verdict: 'reject',
    insn: 21,
    lines: ['invalid variable-offset read from stack R2 var_off=(0x0; 0x1f) off=-16 size=1'],
  },
];

/**
 * The original narrowed through its link (r7 = r6 + 4 checked against 9): the kernel prints r6 at the copy
 * `r6 = r6` (insn 9) with its bounds synchronised after the shift.
 */
export const LINKED_SCALAR_SYNC = {
  asm: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 1\nif r4 > r3 goto +6\nr6 = *(u8 *)(r2 + 0)\nr7 = r6\nr7 += 4\nif r7 > 9 goto +2\nr6 = r6\nr7 = r7\nr0 = 0\nexit',
  r6: 'R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=5,var_off=(0x0; 0x7))',
} as const;
