// ALU semantics of the interpreter against a BigInt model, property-based: every operation, 32 and 64 bit,
// immediate and register forms, with edge values (0, -1, INT_MIN, shift counts past the width, …) favoured.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AluOp, Instruction, JumpOp } from '../../../bpf/index.ts';
import { mulHighU32 } from '../../../simulator/vm/int64.ts';
import { Vm } from '../../../simulator/vm/index.ts';
import { alu32, alu64, bswap, jump, MODEL_ALU_OPS, MODEL_JUMP_OPS, movsx } from './alu-reference.ts';

const EDGES = [0n, 1n, 2n, 31n, 32n, 63n, 64n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n - 2n, 2n ** 64n - 0x80000000n];
const u64 = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 33n - 1n }), fc.bigInt({ min: -300n, max: 300n }).map((v) => BigInt.asUintN(64, v)));
const imm32 = fc.oneof(fc.constantFrom(0, 1, -1, 31, 32, 63, 64, 0x7fffffff, -0x80000000), fc.integer({ min: -0x80000000, max: 0x7fffffff }));

const vm = new Vm();
const lddw = (dst: number, value: bigint): Instruction => ({ kind: 'lddw', dst, pseudo: 'none', value });
const EXIT: Instruction = { kind: 'exit' };

function runAlu(op: AluOp, width: 32 | 64, a: bigint, b: bigint | number): bigint {
  const insn: Instruction =
    typeof b === 'number'
      ? { kind: 'alu', width, op, source: 'imm', dst: 0, src: 0, imm: op === 'neg' ? 0 : b }
      : { kind: 'alu', width, op, source: 'reg', dst: 0, src: 1, imm: 0 };
  const prog: Instruction[] = [lddw(0, a), ...(typeof b === 'bigint' ? [lddw(1, b)] : []), insn, EXIT];
  return vm.run(prog).r0;
}

describe('ALU semantics match the BigInt model', () => {
  for (const op of MODEL_ALU_OPS) {
    for (const width of [64, 32] as const) {
      it(`${op}${width} with a register operand`, () => {
        fc.assert(
          fc.property(u64, u64, (a, b) => {
            if (op === 'neg') return; // neg has no register form
            const model = width === 64 ? alu64(op, a, b) : alu32(op, a, b);
            expect(runAlu(op, width, a, b)).toBe(model);
          }),
          { numRuns: 300 },
        );
      });
      it(`${op}${width} with an immediate operand`, () => {
        fc.assert(
          fc.property(u64, imm32, (a, imm) => {
            const b = op === 'neg' ? 0n : BigInt.asUintN(64, BigInt(imm)); // imm is sign-extended
            const model = width === 64 ? alu64(op, a, b) : alu32(op, a, b);
            expect(runAlu(op, width, a, imm)).toBe(model);
          }),
          { numRuns: 300 },
        );
      });
    }
  }

  it('division and modulo by zero give the kernel results (div: 0, mod: dst unchanged, 32-bit zero-extended)', () => {
    const a = 0xdead_beef_1234_5678n;
    expect(runAlu('div', 64, a, 0n)).toBe(0n);
    expect(runAlu('sdiv', 64, a, 0)).toBe(0n);
    expect(runAlu('mod', 64, a, 0n)).toBe(a);
    expect(runAlu('smod', 64, a, 0)).toBe(a);
    expect(runAlu('div', 32, a, 0)).toBe(0n);
    expect(runAlu('mod', 32, a, 0n)).toBe(0x1234_5678n);
    expect(runAlu('smod', 32, a, 0n)).toBe(0x1234_5678n);
  });

  it('INT_MIN / -1 wraps and INT_MIN % -1 is 0', () => {
    expect(runAlu('sdiv', 64, 2n ** 63n, -1)).toBe(2n ** 63n);
    expect(runAlu('smod', 64, 2n ** 63n, 2n ** 64n - 1n)).toBe(0n);
    expect(runAlu('sdiv', 32, 0x8000_0000n, -1)).toBe(0x8000_0000n);
    expect(runAlu('smod', 32, 0x8000_0000n, -1)).toBe(0n);
  });

  it('shift counts are masked to the width (&63, &31)', () => {
    expect(runAlu('lsh', 64, 1n, 65)).toBe(2n);
    expect(runAlu('rsh', 32, 0x8000_0000n, 33)).toBe(0x4000_0000n);
    expect(runAlu('arsh', 64, 2n ** 63n, 127n)).toBe(2n ** 64n - 1n);
  });

  it('mulHighU32() is the high half of the exact product', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (a, b) => {
        expect(mulHighU32(a, b) >>> 0).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
      }),
    );
  });

  it('movsx sign-extends 8, 16 and 32 bits into 32 or 64', () => {
    const forms = [[8, 32], [16, 32], [8, 64], [16, 64], [32, 64]] as const;
    fc.assert(
      fc.property(u64, fc.constantFrom(...forms), (a, [bits, width]) => {
        const op = `movsx${bits}` as AluOp;
        const prog: Instruction[] = [lddw(1, a), { kind: 'alu', width, op, source: 'reg', dst: 0, src: 1, imm: 0 }, EXIT];
        expect(vm.run(prog).r0).toBe(movsx(bits, width, a));
      }),
    );
  });

  it('le truncates, be and swap reverse bytes (and zero-extend below 64 bits)', () => {
    fc.assert(
      fc.property(u64, fc.constantFrom(16, 32, 64) as fc.Arbitrary<16 | 32 | 64>, fc.constantFrom('le', 'be', 'swap') as fc.Arbitrary<'le' | 'be' | 'swap'>, (a, bits, order) => {
        const prog: Instruction[] = [lddw(0, a), { kind: 'endian', order, bits, dst: 0 }, EXIT];
        const low = BigInt.asUintN(bits, a);
        expect(vm.run(prog).r0).toBe(order === 'le' ? low : bswap(bits, low));
      }),
    );
  });
});

describe('jump conditions match the BigInt model', () => {
  for (const op of MODEL_JUMP_OPS) {
    for (const width of [64, 32] as const) {
      it(`${op}${width === 32 ? '32' : ''} with register and immediate operands`, () => {
        fc.assert(
          fc.property(u64, fc.oneof(u64, imm32), (a, b) => {
            const reg = typeof b === 'bigint';
            const prog: Instruction[] = [
              lddw(1, a),
              ...(reg ? [lddw(2, b)] : []),
              { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 1 },
              { kind: 'jump', width, op: op as JumpOp, source: reg ? 'reg' : 'imm', dst: 1, src: reg ? 2 : 0, imm: reg ? 0 : b, off: 1 },
              { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 0 },
              EXIT,
            ];
            const bv = reg ? b : BigInt.asUintN(64, BigInt(b));
            expect(vm.run(prog).r0).toBe(jump(op, width, a, bv) ? 1n : 0n);
          }),
          { numRuns: 300 },
        );
      });
    }
  }
});
