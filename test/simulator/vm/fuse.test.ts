// The fused sequences (superinstructions) against one dispatch per instruction: a traced run executes the plain
// code, an untraced one the fused code, so the two must agree on everything a run shows, at every budget
// (the budget may end inside a sequence), for jumps into the middle of a sequence, and on faults.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { compileProgram, Memory, SimFault, Vm, type CompiledProgram, type RunOptions } from '../../../simulator/index.ts';
import { HANDLER } from '../../../simulator/vm/compiled-program.ts';
import { FUSED, stepped } from '../../../simulator/vm/fuse.ts';
import { helperTable } from '../../../simulator/vm/helpers.ts';

/** r1: a 64-byte packet-like region, r2: its end (data_end), r6: a loop count. */
const PROGRAM = `
    mov %r6, 3
  again:
    mov %r3, %r1
    add %r3, 14
    jgt %r3, %r2, out
    mov %r4, %r1
    add %r4, 70
    jgt %r4, %r2, short
    mov32 %r0, 9
    exit
  short:
    mov %r4, %r1
    add %r4, 50
    jle %r4, %r2, wide
    ja narrow
  wide:
    ldxdw %r9, [%r1+16]
    add %r9, 7
    stxdw [%r1+16], %r9
    ldxdw %r9, [%r1+24]
    add %r9, %r6
    stxdw [%r1+24], %r9
    ldxdw %r9, [%r1+16]
    add %r9, %r9
    stxdw [%r1+16], %r9
  narrow:
    ldxb %r7, [%r1+0]
    ldxb %r9, [%r1+1]
    ldxb %r9, [%r1+2]
    jne32 %r9, 0, s1
    add %r0, 2
  s1:
    ldxb %r5, [%r1+12]
    ldxb %r9, [%r1+13]
    lsh32 %r9, 8
    or32 %r9, %r5
    add %r0, %r9
    ldxw %r9, [%r1+0]
    jne32 %r9, 5, s2
    add %r0, 3
  s2:
    and32 %r7, 15
    jne32 %r7, 0, s3
    add %r0, 4
  s3:
    mov %r5, %r2
    add %r5, -3
    mov32 %r7, 0x1234
    stxw [%r10-4], %r7
    mov32 %r8, 5
    stxw [%r3-2], %r8
    ldxw %r9, [%r3-2]
    add %r0, %r9
    call local sub
    add %r0, %r8
    add %r6, -1
    jne %r6, 0, middle
    ldxw %r9, [%r10-4]
    stxw [%r10-8], %r9
    stxw [%r10-12], %r0
    ldxw %r7, [%r3+44]
    stxw [%r3+46], %r7
    add %r0, %r9
    stxw [%r10-16], %r0
    mov %r8, %r1
    lddw %r1, 0x500000003
    call 7
    add %r0, %r9
    mov %r2, %r10
    add %r2, -8
    lddw %r1, 0x500000004
    call 7
    mov32 %r4, 2
    mov32 %r7, 0
    stxw [%r8+62], %r7
    exit
  middle:
    mov %r3, %r1
    ja inside
  inside:
    add %r3, 14
    jgt %r3, %r2, out
    ja again
  out:
    mov32 %r0, 1
    exit
  sub:
    mov32 %r0, 7
    exit`;

/** Helper 7: r0 = r1 + 1 (what the lddw; call sequences call). */
const ADD_ONE = helperTable({ 7: (regs) => regs.get(1) + 1n });

interface Outcome {
  readonly r0?: bigint;
  readonly instructions?: number;
  readonly fault?: string;
  readonly slot?: number;
  readonly bytes: number[];
}

function outcome(prog: CompiledProgram, budget: number, trace: boolean, size: number): Outcome {
  const memory = new Memory();
  const data = memory.add({ name: 'packet', kind: 'packet', size: 64, end: size });
  const options: RunOptions = { memory, r1: data, r2: data.address(size), trace };
  try {
    const r = new Vm({ budget, helpers: ADD_ONE }).run(prog, options);
    return { r0: r.r0, instructions: r.instructionsExecuted, bytes: [...data.bytes] };
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    return { fault: e.message, slot: e.slot, bytes: [...data.bytes] };
  }
}

describe('stepped()', () => {
  it('puts each slot\'s registers into its first word and leaves the rest of the code as it is', () => {
    const p = compileProgram(assembleUbpf('mov %r3, %r7\nstxw [%r10-4], %r3\nlddw %r1, 0x1122334455\nexit'));
    const s = stepped(p.code);
    expect(s.length).toBe(p.code.length);
    for (let slot = 0; slot < p.slots; slot++) {
      expect(s[slot * 4]).toBe(p.code[slot * 4]! | ((p.code[slot * 4 + 1]! & 0xff) << 8));
      expect([...s.subarray(slot * 4 + 1, slot * 4 + 4)]).toEqual([...p.code.subarray(slot * 4 + 1, slot * 4 + 4)]);
    }
    expect([s[0]! & 0xff, (s[0]! >> 8) & 15, s[0]! >> 12]).toEqual([0xbf, 3, 7]);
    expect(p.stepped).toEqual(s);
  });
});

describe('fused sequences', () => {
  const prog = compileProgram(assembleUbpf(PROGRAM));

  it('have handlers no instruction and no other handler uses', () => {
    const fused = Object.values(FUSED);
    const taken = new Set<number>(Object.values(HANDLER));
    for (const v of fused) {
      expect(taken.has(v)).toBe(false);
      taken.add(v);
      expect(v).toBeLessThan(0x100);
      expect(() => compileProgram(Uint8Array.of(v, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0))).toThrow();
    }
  });

  it('are found: the bounds check, a verdict, stores, loads, moves and a call each start with a fused handler', () => {
    const handlers = new Set<number>();
    for (let slot = 0; slot < prog.slots; slot++) {
      // the interpreter's layout keeps the registers in the first word's upper bits (stepped())
      expect(prog.fused[slot * 4]! >> 8).toBe(prog.code[slot * 4 + 1]! & 0xff);
      if ((prog.fused[slot * 4]! & 0xff) !== prog.code[slot * 4]) handlers.add(prog.fused[slot * 4]! & 0xff);
    }
    expect([...handlers].sort()).toEqual(Object.values(FUSED).sort());
  });

  it('give what one dispatch per instruction gives at every budget, on a long and a short packet', () => {
    let faults = 0;
    for (const size of [64, 40, 10]) {
      for (let budget = 1; budget <= 100; budget++) {
        const fused = outcome(prog, budget, false, size);
        const plain = outcome(prog, budget, true, size);
        expect(fused, `packet ${size}, budget ${budget}`).toEqual(plain);
        if (fused.fault !== undefined) faults++;
      }
    }
    // most budgets end the run inside, some let it finish
    expect(faults).toBeGreaterThan(100);
    expect(faults).toBeLessThan(270);
  });

  it('a store of a fused sequence that faults names the store', () => {
    // wD = imm; *(u32 *)(rX + off) = rD into a read-only region
    const memory = new Memory();
    const ro = memory.add({ name: 'rodata', kind: 'global', size: 8, writable: false });
    const p = compileProgram(assembleUbpf('mov %r0, 0\nmov32 %r2, 1\nstxw [%r1+4], %r2\nexit'));
    expect(p.fused[4]! & 0xff).toBe(FUSED.immStore);
    for (const trace of [false, true]) {
      let fault: SimFault | undefined;
      try {
        new Vm().run(p, { memory, r1: ro, trace });
      } catch (e) {
        if (e instanceof SimFault) fault = e;
      }
      expect(fault?.slot).toBe(2);
      expect(fault?.message).toBe('instruction 2: invalid write of 4 bytes at rodata+4: rodata is read-only');
    }
  });
});
