import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { encode, type Instruction } from '../../../bpf/index.ts';
import { CODE_TAG, CompiledProgram, compileProgram, ProgramCheckError, sourceLinesFrom, Vm } from '../../../simulator/index.ts';
import { HANDLER } from '../../../simulator/vm/compiled-program.ts';

describe('compileProgram()', () => {
  it('flattens each slot into [handler, dst | src << 4, off, imm], jump targets made absolute', () => {
    const p = compileProgram(assembleUbpf('mov %r1, 5\njeq %r1, 5, +1\nadd %r0, %r1\nexit'));
    expect(p.slots).toBe(4);
    expect([...p.code.subarray(0, 4)]).toEqual([0xb7, 1, 0, 5]);
    expect([...p.code.subarray(4, 8)]).toEqual([0x15, 1, 3, 5]);
    expect([...p.code.subarray(8, 12)]).toEqual([0x0f, 1 << 4, 0, 0]);
  });

  it('accepts raw bytes, and the same program compiles to the same code', () => {
    const insns = assembleUbpf('lddw %r0, 0x123456789abcdef0\nexit');
    expect(compileProgram(encode(insns)).code).toEqual(compileProgram(insns).code);
    expect(new Vm().run(encode(insns)).r0).toBe(0x123456789abcdef0n);
  });

  it('handlers that are not opcodes use opcode bytes no instruction has', () => {
    const values = Object.values(HANDLER);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toBeLessThan(0x100);
    // none of them decodes as an instruction of its own
    for (const v of values) expect(() => compileProgram(Uint8Array.of(v, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0))).toThrow();
  });

  it('lists functions (call targets and function addresses) and resolves BPF_PSEUDO_FUNC to a code address', () => {
    const p = compileProgram([
      { kind: 'lddw', dst: 1, pseudo: 'func', value: 3n },
      { kind: 'call', target: 'local', imm: 2, off: 0 },
      { kind: 'exit' },
      { kind: 'exit' },
      { kind: 'exit' },
    ]);
    expect(p.functions).toEqual([0, 4, 5]);
    expect(p.code[2]).toBe(CODE_TAG | 0);
    expect(p.code[3]).toBe(4);
    expect(CompiledProgram.functionAddress(5)).toBe((BigInt(CODE_TAG) << 32n) | 5n);
  });

  it('map references need a resolver, which gives the ld_imm64 value', () => {
    const prog: Instruction[] = [{ kind: 'lddw', dst: 0, pseudo: 'map_fd', value: 3n }, { kind: 'exit' }];
    expect(() => compileProgram(prog)).toThrow(ProgramCheckError);
    expect(() => compileProgram(prog)).toThrow('instruction 0: ld_imm64 with a map_fd reference needs the simulator to resolve it');
    const p = compileProgram(prog, { resolveImm64: (slot, insn) => 0x1_0000_0000n + BigInt(slot) + insn.value });
    expect(new Vm().run(p).r0).toBe(0x1_0000_0003n);
  });

  it('addr_space_cast only converts between address spaces 0 and 1', () => {
    const cast = (dstAddressSpace: number, srcAddressSpace: number): Instruction[] => [
      { kind: 'addr_space_cast', dst: 0, src: 1, dstAddressSpace, srcAddressSpace },
      { kind: 'exit' },
    ];
    expect(() => compileProgram(cast(0, 0))).toThrow('addr_space_cast insn can only convert between address space 1 and 0');
    expect(new Vm().run(cast(0, 1), { r1: 42 }).r0).toBe(42n);
  });

  it('sourceLinesFrom() attributes each slot to the nearest line info entry at or before it', () => {
    const line = sourceLinesFrom([
      { slot: 4, file: 'fw.c', line: 12, column: 5, text: '  return XDP_DROP;' },
      { slot: 0, file: 'fw.c', line: 10, column: 1, text: 'int fw(struct xdp_md *ctx) {' },
    ]);
    expect(line(0)).toBe('fw.c:10: int fw(struct xdp_md *ctx) {');
    expect(line(3)).toBe('fw.c:10: int fw(struct xdp_md *ctx) {');
    expect(line(9)).toBe('fw.c:12: return XDP_DROP;');
    expect(sourceLinesFrom([])(0)).toBeUndefined();
  });
});
