// Test support: one or more instructions of every kind, with the edge values of each field, and a fast-check
// arbitrary over all valid instructions.
import fc from 'fast-check';
import type { AccessSize, AluOp, AtomicOp, Instruction, JumpOp, PseudoSource, Width } from '../../../bpf/isa/index.ts';

export const ALU_OPS: readonly AluOp[] = [
  'add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh',
];
export const JUMP_OPS: readonly JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const WIDTHS: readonly Width[] = [32, 64];
const SIZES: readonly AccessSize[] = [1, 2, 4, 8];
const IMMS = [0, 1, -1, 0x1234, 0x7fff_ffff, -0x8000_0000];
const OFFS = [0, 4, -8, 0x7fff, -0x8000];
const PSEUDOS: readonly PseudoSource[] = ['map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'];

/** Every instruction kind, operation, width, size and source, each with edge values of its fields. */
export function instructionSamples(): Instruction[] {
  const out: Instruction[] = [];
  for (const width of WIDTHS) {
    for (const op of ALU_OPS) {
      out.push({ kind: 'alu', width, op, source: 'reg', dst: 1, src: 10, imm: 0 });
      for (const imm of IMMS) out.push({ kind: 'alu', width, op, source: 'imm', dst: width === 64 ? 0 : 9, src: 0, imm });
    }
    out.push({ kind: 'alu', width, op: 'neg', source: 'imm', dst: 3, src: 0, imm: 0 });
    for (const op of ['movsx8', 'movsx16', ...(width === 64 ? ['movsx32'] : [])] as AluOp[]) {
      out.push({ kind: 'alu', width, op, source: 'reg', dst: 2, src: 7, imm: 0 });
    }
    for (const op of JUMP_OPS) {
      out.push({ kind: 'jump', width, op, source: 'reg', dst: 1, src: 2, imm: 0, off: 1 });
      out.push({ kind: 'jump', width, op, source: 'imm', dst: 10, src: 0, imm: -1, off: -0x8000 });
      out.push({ kind: 'jump', width, op, source: 'imm', dst: 0, src: 0, imm: 0x7fff_ffff, off: 0x7fff });
      out.push({ kind: 'jump', width, op, source: 'imm', dst: 5, src: 0, imm: -0x8000_0000, off: 0 });
    }
  }
  for (const bits of [16, 32, 64] as const) {
    for (const order of ['le', 'be', 'swap'] as const) out.push({ kind: 'endian', order, bits, dst: bits === 64 ? 10 : 1 });
  }
  for (const [d, s] of [[0, 1], [1, 0], [0xffff, 0x1234]] as const) {
    out.push({ kind: 'addr_space_cast', dst: 1, src: 2, dstAddressSpace: d, srcAddressSpace: s });
  }
  for (const off of [0, 1, -1, 0x7fff, -0x8000]) {
    out.push({ kind: 'ja', long: false, off });
    out.push({ kind: 'may_goto', off });
  }
  for (const off of [0, 3, -1, 0x7fff_ffff, -0x8000_0000]) out.push({ kind: 'ja', long: true, off });
  for (const imm of IMMS) out.push({ kind: 'call', target: 'helper', imm, off: 0 });
  for (const imm of [1, -1, 0]) out.push({ kind: 'call', target: 'local', imm, off: 0 });
  for (const off of [0, 1, -1]) out.push({ kind: 'call', target: 'kfunc', imm: 1234, off });
  for (const dst of [0, 2, 10]) out.push({ kind: 'callx', dst });
  out.push({ kind: 'exit' });
  for (const size of SIZES) {
    for (const off of OFFS) {
      out.push({ kind: 'ldx', size, signed: false, dst: 0, src: 1, off });
      if (size !== 8) out.push({ kind: 'ldx', size, signed: true, dst: 9, src: 10, off });
      out.push({ kind: 'stx', size, dst: 10, src: 1, off });
    }
    for (const imm of IMMS) out.push({ kind: 'st', size, dst: 10, off: -8, imm });
  }
  for (const size of [4, 8] as const) {
    for (const op of ['add', 'or', 'and', 'xor'] as AtomicOp[]) {
      for (const fetch of [false, true]) out.push({ kind: 'atomic', size, op, fetch, dst: 10, src: 1, off: -8 });
    }
    out.push({ kind: 'atomic', size, op: 'xchg', fetch: true, dst: 10, src: 3, off: 0x7fff });
    out.push({ kind: 'atomic', size, op: 'cmpxchg', fetch: true, dst: 1, src: 2, off: -0x8000 });
  }
  const values = [0n, 1n, 0x1_2345_6789n, 0xffff_ffffn, 0x8000_0000n];
  values.push(0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn);
  for (const value of values) out.push({ kind: 'lddw', dst: 1, pseudo: 'none', value });
  for (const pseudo of PSEUDOS) {
    out.push({ kind: 'lddw', dst: 2, pseudo, value: 5n });
    out.push({ kind: 'lddw', dst: 2, pseudo, value: 0xffff_ffffn });
    out.push({ kind: 'lddw', dst: 2, pseudo, value: (7n << 32n) | 5n });
  }
  for (const size of [1, 2, 4] as const) {
    for (const imm of [0, 5, -1, 0x7fff_ffff]) out.push({ kind: 'ld_abs', size, imm });
    for (const imm of [0, 4, -1]) out.push({ kind: 'ld_ind', size, src: 1, imm });
  }
  return out;
}

/**
 * Whether llvm-objdump prints `insn` the same as some other encoding, so that its text cannot be assembled back
 * (see format-instruction.ts): local and kfunc calls, `ld_pseudo` with a second imm, `ld_ind` with an imm.
 */
export function llvmAmbiguous(insn: Instruction): boolean {
  switch (insn.kind) {
    case 'call':
      return insn.target !== 'helper';
    case 'lddw':
      return insn.pseudo !== 'none' && insn.value >> 32n !== 0n;
    case 'ld_ind':
      return insn.imm !== 0;
    default:
      return false;
  }
}

const reg = fc.integer({ min: 0, max: 10 });
const imm = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const off = fc.integer({ min: -0x8000, max: 0x7fff });
const width = fc.constantFrom<Width>(32, 64);
const size = fc.constantFrom<AccessSize>(1, 2, 4, 8);

/** Any valid instruction (as `decode` would produce it). */
export const arbitraryInstruction: fc.Arbitrary<Instruction> = fc.oneof(
  fc.record({ width, op: fc.constantFrom(...ALU_OPS), dst: reg, src: reg, imm, reg: fc.boolean() }).map(
    ({ width, op, dst, src, imm, reg }): Instruction =>
      reg ? { kind: 'alu', width, op, source: 'reg', dst, src, imm: 0 } : { kind: 'alu', width, op, source: 'imm', dst, src: 0, imm },
  ),
  fc.record({ width, dst: reg }).map(
    ({ width, dst }): Instruction => ({ kind: 'alu', width, op: 'neg', source: 'imm', dst, src: 0, imm: 0 }),
  ),
  fc.record({ width, bits: fc.constantFrom<8 | 16 | 32>(8, 16, 32), dst: reg, src: reg }).map(
    ({ width, bits, dst, src }): Instruction => ({
      kind: 'alu',
      width,
      op: width === 32 && bits === 32 ? 'movsx16' : (`movsx${bits}` as AluOp),
      source: 'reg',
      dst,
      src,
      imm: 0,
    }),
  ),
  fc.record({
    order: fc.constantFrom('le' as const, 'be' as const, 'swap' as const),
    bits: fc.constantFrom<16 | 32 | 64>(16, 32, 64),
    dst: reg,
  }).map(
    (r): Instruction => ({ kind: 'endian', ...r }),
  ),
  fc.record({
    dst: reg,
    src: reg,
    dstAddressSpace: fc.integer({ min: 0, max: 0xffff }),
    srcAddressSpace: fc.integer({ min: 0, max: 0xffff }),
  }).map(
    (r): Instruction => ({ kind: 'addr_space_cast', ...r }),
  ),
  fc.record({ width, op: fc.constantFrom(...JUMP_OPS), dst: reg, src: reg, imm, off, reg: fc.boolean() }).map(
    ({ width, op, dst, src, imm, off, reg }): Instruction =>
      reg
        ? { kind: 'jump', width, op, source: 'reg', dst, src, imm: 0, off }
        : { kind: 'jump', width, op, source: 'imm', dst, src: 0, imm, off },
  ),
  off.map((off): Instruction => ({ kind: 'ja', long: false, off })),
  imm.map((off): Instruction => ({ kind: 'ja', long: true, off })),
  off.map((off): Instruction => ({ kind: 'may_goto', off })),
  fc.record({ target: fc.constantFrom('helper' as const, 'local' as const, 'kfunc' as const), imm, off }).map(
    ({ target, imm, off }): Instruction => ({ kind: 'call', target, imm, off: target === 'kfunc' ? off : 0 }),
  ),
  reg.map((dst): Instruction => ({ kind: 'callx', dst })),
  fc.constant<Instruction>({ kind: 'exit' }),
  fc.record({ size, signed: fc.boolean(), dst: reg, src: reg, off }).map(
    (r): Instruction => ({ kind: 'ldx', ...r, signed: r.signed && r.size !== 8 }),
  ),
  fc.record({ size, dst: reg, off, imm }).map((r): Instruction => ({ kind: 'st', ...r })),
  fc.record({ size, dst: reg, src: reg, off }).map((r): Instruction => ({ kind: 'stx', ...r })),
  fc.record({
    size: fc.constantFrom<4 | 8>(4, 8),
    op: fc.constantFrom<AtomicOp>('add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'),
    fetch: fc.boolean(),
    dst: reg,
    src: reg,
    off,
  }).map((r): Instruction => ({ kind: 'atomic', ...r, fetch: r.fetch || r.op === 'xchg' || r.op === 'cmpxchg' })),
  fc.record({
    dst: reg,
    pseudo: fc.constantFrom<PseudoSource>('none', ...PSEUDOS),
    value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  }).map(
    (r): Instruction => ({ kind: 'lddw', ...r }),
  ),
  fc.record({ size: fc.constantFrom<1 | 2 | 4>(1, 2, 4), imm }).map((r): Instruction => ({ kind: 'ld_abs', ...r })),
  fc.record({ size: fc.constantFrom<1 | 2 | 4>(1, 2, 4), src: reg, imm }).map((r): Instruction => ({ kind: 'ld_ind', ...r })),
);
