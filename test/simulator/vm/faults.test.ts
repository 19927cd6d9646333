// Every way a program can go wrong ends in a SimFault naming the instruction (and never hangs or crashes
// the host).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { encode, type Instruction } from '../../../bpf/index.ts';
import { compileProgram, helperTable, Memory, SimFault, Vm, type RunOptions } from '../../../simulator/index.ts';

const asm = (text: string): Instruction[] => assembleUbpf(text);

function faultOf(program: Instruction[] | ReturnType<typeof compileProgram>, options: RunOptions = {}, vm = new Vm()): SimFault {
  try {
    vm.run(program, options);
  } catch (e) {
    if (e instanceof SimFault) return e;
    throw e;
  }
  throw new Error('expected a SimFault');
}

function withCtx(size = 8, writable = true) {
  const memory = new Memory();
  const ctx = memory.add({ name: 'ctx', kind: 'ctx', size, writable });
  return { memory, ctx };
}

describe('SimFault', () => {
  it('an out-of-bounds read names the instruction, region, offset and size', () => {
    const { memory, ctx } = withCtx();
    const f = faultOf(asm('mov %r0, 0\nldxw %r0, [%r1+6]\nexit'), { memory, r1: ctx });
    expect(f.kind).toBe('memory');
    expect(f.slot).toBe(1);
    expect(f.region).toBe('ctx');
    expect(f.offset).toBe(6);
    expect(f.size).toBe(4);
    expect(f.message).toBe('instruction 1: invalid read of 4 bytes at ctx+6: out of bounds: ctx allows offsets 0..7');
  });

  it('an out-of-bounds write below the region names it with a negative offset', () => {
    const { memory, ctx } = withCtx();
    const f = faultOf(asm('mov %r0, 0\nmov %r2, 1\nstxb [%r1-1], %r2\nexit'), { memory, r1: ctx });
    expect(f.slot).toBe(2);
    expect(f.region).toBe('ctx');
    expect(f.offset).toBe(-1);
    expect(f.message).toContain('invalid write of 1 byte at ctx-1');
  });

  it('a null or scalar pointer is not in any region', () => {
    const f = faultOf(asm('mov %r1, 0\nldxb %r0, [%r1]\nexit'));
    expect(f.slot).toBe(1);
    expect(f.region).toBeUndefined();
    expect(f.message).toContain('address 0 (null)');
    expect(faultOf(asm('mov %r1, 0x1000\nstb [%r1], 1\nexit')).message).toContain('address 0x1000 (not a pointer)');
  });

  it('a write to a read-only region (.rodata) faults', () => {
    const memory = new Memory();
    const rodata = memory.add({ name: '.rodata', kind: 'global', bytes: new Uint8Array(16), writable: false });
    const prog = asm('ldxw %r0, [%r1+4]\nstw [%r1+4], 1\nexit');
    const f = faultOf(prog, { memory, r1: rodata });
    expect(f.slot).toBe(1);
    expect(f.message).toBe('instruction 1: invalid write of 4 bytes at .rodata+4: .rodata is read-only');
  });

  it('a context access rule refuses writes to fields the program may only read', () => {
    const memory = new Memory();
    const ctx = memory.add({
      name: 'xdp_md',
      kind: 'ctx',
      size: 24,
      access: (offset, _size, write) => (write && offset < 8 ? `xdp_md field at ${offset} is read-only` : undefined),
    });
    const f = faultOf(asm('stw [%r1+16], 1\nstw [%r1], 1\nexit'), { memory, r1: ctx });
    expect(f.slot).toBe(1);
    expect(f.message).toContain('xdp_md field at 0 is read-only');
  });

  it('the stack is 512 bytes: r10 + 0 and r10 - 513 fault', () => {
    expect(faultOf(asm('stb [%r10], 0\nexit')).message).toBe('instruction 0: invalid write of 1 byte at stack[0]+0: out of bounds: stack[0] allows offsets 0..511');
    const f = faultOf(asm('mov %r0, 0\nldxb %r0, [%r10-513]\nexit'));
    expect(f.slot).toBe(1);
    expect(f.region).toBe('stack[0]');
  });

  it('the call chain shares 512 bytes of stack: a callee past the combined limit is a stack overflow', () => {
    const prog = asm(`
      stdw [%r10-400], 1
      call local f
      exit
      f:
      stdw [%r10-8], 2
      stdw [%r10-200], 3
      mov %r0, 0
      exit`);
    const f = faultOf(prog);
    expect(f.kind).toBe('stack');
    expect(f.slot).toBe(4);
    expect(f.region).toBe('stack[1]');
    expect(f.message).toContain('stack overflow');
  });

  it('calls deeper than 8 frames fault with call_depth at the call', () => {
    const prog = asm('call local f\nexit\nf:\ncall local f\nexit');
    const f = faultOf(prog);
    expect(f.kind).toBe('call_depth');
    expect(f.slot).toBe(2);
    expect(f.message).toBe('instruction 2: the call stack is too deep: more than 8 frames');
  });

  it('a runaway loop ends at the instruction budget', () => {
    const f = faultOf(asm('mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit'), { budget: 10_000 });
    expect(f.kind).toBe('budget');
    expect([1, 2]).toContain(f.slot);
    expect(f.message).toContain('instruction budget of 10000 exhausted');
  });

  it('an unknown helper id faults at the call, at run time and (with the dispatch) at load', () => {
    const prog = asm('mov %r0, 0\ncall 99\nexit');
    const f = faultOf(prog, {}, new Vm({ helpers: helperTable({ 1: () => 0 }) }));
    expect(f.kind).toBe('helper');
    expect(f.slot).toBe(1);
    expect(f.message).toBe('instruction 1: unknown helper #99');
    expect(() => compileProgram(prog, { helpers: helperTable({}) })).toThrow('instruction 1: invalid func unknown#99');
  });

  it('a helper that reads out of bounds faults at the calling instruction', () => {
    const { memory, ctx } = withCtx(4);
    const helpers = helperTable({ 1: (r, vm) => vm.bytes(r.get(1), 8).length });
    const f = faultOf(asm('mov %r0, 0\ncall 1\nexit'), { memory, r1: ctx }, new Vm({ helpers }));
    expect(f.kind).toBe('memory');
    expect(f.slot).toBe(1);
    expect(f.message).toContain('invalid read of 8 bytes at ctx+0');
  });

  it('faults carry the source line when the program has a slot -> line function', () => {
    const prog = compileProgram(asm('mov %r1, 0\nldxb %r0, [%r1]\nexit'), { name: 'fw', sourceLine: (slot) => `fw.c:${10 + slot}: x = *p;` });
    const f = faultOf(prog);
    expect(f.sourceLine).toBe('fw.c:11: x = *p;');
    expect(f.message).toBe('program fw: instruction 1 (fw.c:11: x = *p;): invalid read of 1 byte at address 0 (null)');
  });

  it('loading refuses what the kernel refuses structurally', () => {
    expect(() => compileProgram(asm('ja +5\nexit'))).toThrow('jump out of range from insn 0 to 6');
    expect(() => compileProgram(asm('ja +1\nlddw %r0, 1\nexit'))).toThrow('jump to the middle of ld_imm64');
    expect(() => compileProgram([{ kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 1 }])).toThrow('instruction 0: last insn is not an exit or jmp');
    expect(() => compileProgram([{ kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 10, src: 0, imm: 0 }, { kind: 'exit' }])).toThrow('frame pointer r10 is read only');
    expect(() => compileProgram([])).toThrow('empty program');
    expect(() => compileProgram(asm('call local f\nf:\nexit'))).toThrow('last insn of the function at 0 is not an exit or jmp');
  });

  it('random bytes never crash or hang the host: each run returns or throws a RangeError or SimFault', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 40 }), (words) => {
        const bytes = new Uint8Array(words.length * 8);
        const view = new DataView(bytes.buffer);
        words.forEach((w, i) => view.setBigUint64(i * 8, w, true));
        const memory = new Memory();
        const ctx = memory.add({ name: 'ctx', kind: 'ctx', size: 64 });
        try {
          new Vm({ budget: 10_000, helpers: helperTable({ 1: () => 0 }) }).run(bytes, { memory, r1: ctx, packet: ctx });
        } catch (e) {
          if (!(e instanceof SimFault) && !(e instanceof RangeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
    // the same with valid programs made of the most dangerous instructions
    const insn = fc.oneof(
      fc.record({ kind: fc.constant('ja' as const), long: fc.constant(false), off: fc.integer({ min: -4, max: 4 }) }),
      fc.record({ kind: fc.constant('stx' as const), size: fc.constantFrom(1, 2, 4, 8) as fc.Arbitrary<1 | 2 | 4 | 8>, dst: fc.integer({ min: 0, max: 10 }), src: fc.integer({ min: 0, max: 10 }), off: fc.integer({ min: -600, max: 600 }) }),
      fc.record({ kind: fc.constant('call' as const), target: fc.constant('local' as const), imm: fc.integer({ min: -4, max: 4 }), off: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(insn, { minLength: 1, maxLength: 12 }), (insns) => {
        const prog: Instruction[] = [...insns, { kind: 'exit' }];
        try {
          new Vm({ budget: 5_000 }).run(encode(prog));
        } catch (e) {
          if (!(e instanceof SimFault) && !(e instanceof RangeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
