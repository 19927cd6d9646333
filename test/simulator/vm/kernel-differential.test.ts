// Differential test against this kernel: random straight-line ALU and jump programs (every ALU op, 32 and 64
// bit, register and immediate forms, movsx, byte swaps, forward conditional jumps), run by the interpreter
// and by BPF_PROG_TEST_RUN as XDP programs. XDP's test run returns only 32 bits of r0, so each program
// ends by folding r0's halves together (r0 ^= r0 >> 32; w0 = w0) and the high half still counts. A second set
// adds stack traffic: loads (sign-extending too), stores and atomics of every size.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, type AluOp, type Instruction, type JumpOp } from '../../../bpf/index.ts';
import { progLoad, progTestRun, VerifierError } from '../../../loader/index.ts';
import { Vm } from '../../../simulator/index.ts';
import { available, kernelBpf } from '../../support/require.ts';
import { MODEL_JUMP_OPS } from './alu-reference.ts';

const BPF_PROG_TYPE_XDP = 6;
const PROGRAMS = 400;
const BODY = 24;
const REGS = 10; // r0..r9 (r10 is the frame pointer)

const reg = fc.integer({ min: 0, max: REGS - 1 });
const value64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.constantFrom(0n, 1n, 2n ** 63n, 2n ** 64n - 1n, 0x8000_0000n, 0xffff_ffffn),
  fc.bigInt({ min: 0n, max: 300n }),
);
const imm32 = fc.oneof(fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), fc.integer({ min: -20, max: 20 }), fc.constantFrom(-1, -0x8000_0000, 0x7fff_ffff));
const ARITH: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'smod', 'xor', 'mov', 'arsh', 'movsx8', 'movsx16', 'movsx32'];

/** One body instruction (jumps get their offset later, when we know how far they may go). */
const bodyInsn: fc.Arbitrary<Instruction> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...ARITH), fc.constantFrom(32, 64) as fc.Arbitrary<32 | 64>, fc.boolean(), reg, reg, imm32).map(([op, width, useReg, dst, src, imm]): Instruction => {
    if (op === 'movsx32' && width === 32) op = 'movsx16';
    if (op.startsWith('movsx')) return { kind: 'alu', width, op, source: 'reg', dst, src, imm: 0 };
    if (op === 'neg') return { kind: 'alu', width, op, source: 'imm', dst, src: 0, imm: 0 };
    if (useReg) return { kind: 'alu', width, op, source: 'reg', dst, src, imm: 0 };
    // the verifier refuses constant division by zero and constant shifts past the width
    if (['div', 'sdiv', 'mod', 'smod'].includes(op) && imm === 0) imm = 7;
    if (['lsh', 'rsh', 'arsh'].includes(op)) imm = ((imm % width) + width) % width;
    return { kind: 'alu', width, op, source: 'imm', dst, src: 0, imm };
  }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('le', 'be', 'swap') as fc.Arbitrary<'le' | 'be' | 'swap'>, fc.constantFrom(16, 32, 64) as fc.Arbitrary<16 | 32 | 64>, reg).map(([order, bits, dst]): Instruction => ({ kind: 'endian', order, bits, dst })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...MODEL_JUMP_OPS), fc.constantFrom(32, 64) as fc.Arbitrary<32 | 64>, fc.boolean(), reg, reg, imm32).map(([op, width, useReg, dst, src, imm]): Instruction => ({ kind: 'jump', width, op: op as JumpOp, source: useReg ? 'reg' : 'imm', dst, src: useReg ? src : 0, imm: useReg ? 0 : imm, off: 0 })) },
);

/** Stack traffic within r10-64..r10-1 (zeroed by the prologue, as the kernel's stack is not): every size, sign-extending loads, atomics. */
const SIZES = [1, 2, 4, 8] as const;
const stackInsn: fc.Arbitrary<Instruction> = fc
  .tuple(fc.constantFrom('ldx', 'ldxs', 'st', 'stx', 'atomic') as fc.Arbitrary<string>, fc.constantFrom(...SIZES), fc.integer({ min: 1, max: 64 }), reg, reg, imm32, fc.constantFrom('add', 'or', 'and', 'xor', 'xchg', 'cmpxchg') as fc.Arbitrary<'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg'>, fc.boolean())
  .map(([kind, size0, slot, dst, src, imm, op, fetch]): Instruction => {
    let size: 1 | 2 | 4 | 8 = size0;
    if (kind === 'atomic' && size < 4) size = 4;
    if (kind === 'ldxs' && size === 8) size = 4;
    const off = -Math.ceil(slot / size) * size; // aligned, within the 64 zeroed bytes
    switch (kind) {
      case 'ldx':
      case 'ldxs':
        return { kind: 'ldx', size, signed: kind === 'ldxs', dst, src: 10, off };
      case 'st':
        return { kind: 'st', size, dst: 10, off, imm };
      case 'stx':
        return { kind: 'stx', size, dst: 10, src, off };
      default:
        return { kind: 'atomic', size: size as 4 | 8, op, fetch: op === 'xchg' || op === 'cmpxchg' ? true : fetch, dst: 10, src, off };
    }
  });

function assemble(init: readonly bigint[], body: readonly Instruction[], hops: readonly number[], zeroStack: boolean): Instruction[] {
  const insns: Instruction[] = init.map((value, dst) => ({ kind: 'lddw', dst, pseudo: 'none', value }));
  if (zeroStack) for (let off = -8; off >= -64; off -= 8) insns.push({ kind: 'st', size: 8, dst: 10, off, imm: 0 });
  body.forEach((insn, i) => {
    // forward jumps only, landing inside the body or on the fold below
    insns.push(insn.kind === 'jump' ? { ...insn, off: hops[i]! % (body.length - i) } : insn);
  });
  insns.push(
    { kind: 'alu', width: 64, op: 'mov', source: 'reg', dst: 1, src: 0, imm: 0 },
    { kind: 'alu', width: 64, op: 'rsh', source: 'imm', dst: 1, src: 0, imm: 32 },
    { kind: 'alu', width: 64, op: 'xor', source: 'reg', dst: 0, src: 1, imm: 0 },
    { kind: 'alu', width: 32, op: 'mov', source: 'reg', dst: 0, src: 0, imm: 0 },
    { kind: 'exit' },
  );
  return insns;
}

const program = fc
  .tuple(fc.array(value64, { minLength: REGS, maxLength: REGS }), fc.array(bodyInsn, { minLength: BODY, maxLength: BODY }), fc.array(fc.nat(), { minLength: BODY, maxLength: BODY }))
  .map(([init, body, hops]) => assemble(init, body, hops, false));
const stackProgram = fc
  .tuple(fc.array(value64, { minLength: REGS, maxLength: REGS }), fc.array(fc.oneof({ weight: 2, arbitrary: bodyInsn }, { weight: 3, arbitrary: stackInsn }), { minLength: BODY, maxLength: BODY }), fc.array(fc.nat(), { minLength: BODY, maxLength: BODY }))
  .map(([init, body, hops]) => assemble(init, body, hops, true));

/** Run each program in the kernel and in the VM; the differences, as readable lines. */
function compare(samples: readonly Instruction[][]): { compared: number; mismatches: string[] } {
  const vm = new Vm();
  const packet = new Uint8Array(64);
  const mismatches: string[] = [];
  let compared = 0;
  for (const insns of samples) {
    const bytes = encode(insns);
    let fd;
    try {
      fd = progLoad({ type: BPF_PROG_TYPE_XDP, insns: bytes, license: 'GPL', name: 'simdiff' }).fd;
    } catch (e) {
      if (e instanceof VerifierError) throw new Error(`the kernel refused a generated program: ${e.message}\n${e.log.slice(-5).join('\n')}`);
      throw e;
    }
    try {
      const kernel = progTestRun(fd, { data: packet, dataOutSize: 0 }).retval >>> 0;
      const ours = Number(vm.run(insns).r0);
      compared++;
      if (ours !== kernel) mismatches.push(`program ${Buffer.from(bytes).toString('hex')}: ours 0x${ours.toString(16)}, kernel 0x${kernel.toString(16)}`);
    } finally {
      fd.close();
    }
  }
  return { compared, mismatches };
}

describe.runIf(available('simulator vs kernel (BPF_PROG_TEST_RUN)', kernelBpf))('Vm agrees with the kernel', () => {
  it(`on ${PROGRAMS} random ALU and jump programs (r0 folded to 32 bits)`, () => {
    const { compared, mismatches } = compare(fc.sample(program, { numRuns: PROGRAMS, seed: 0x5eed }));
    expect(compared).toBe(PROGRAMS);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it(`on ${PROGRAMS / 2} random programs with stack loads, stores and atomics`, () => {
    const { compared, mismatches } = compare(fc.sample(stackProgram, { numRuns: PROGRAMS / 2, seed: 0x57ac }));
    expect(compared).toBe(PROGRAMS / 2);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
