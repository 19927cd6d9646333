// The interpreter's control flow, memory and calling conventions; faults are in faults.test.ts.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import type { Instruction } from '../../../bpf/index.ts';
import {
  CompiledProgram,
  compileProgram,
  helperTable,
  Memory,
  tailCallHelper,
  Vm,
  type ProgArrayHandle,
} from '../../../simulator/index.ts';

const asm = (text: string): Instruction[] => assembleUbpf(text);

describe('Vm', () => {
  it('run() reads the context through r1 and returns r0 as an unsigned bigint', () => {
    const memory = new Memory();
    const ctx = memory.add({ name: 'ctx', kind: 'ctx', bytes: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) });
    const r = new Vm().run(asm('ldxdw %r0, [%r1]\nexit'), { memory, r1: ctx });
    expect(r.r0).toBe(2n ** 64n - 1n);
    expect(r.instructionsExecuted).toBe(2);
  });

  it('stores land in the caller\'s bytes, little endian, all sizes', () => {
    const memory = new Memory();
    const bytes = new Uint8Array(16);
    const m = memory.add({ name: 'm', kind: 'memory', bytes });
    new Vm().run(asm('stb [%r1], 0x11\nsth [%r1+2], 0x2233\nstw [%r1+4], 0x44556677\nlddw %r2, 0x8899aabbccddeeff\nstxdw [%r1+8], %r2\nexit'), { memory, r1: m });
    expect([...bytes]).toEqual([0x11, 0, 0x33, 0x22, 0x77, 0x66, 0x55, 0x44, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88]);
  });

  it('sign-extending loads (ldxs*) extend to 64 bits', () => {
    const memory = new Memory();
    const m = memory.add({ name: 'm', kind: 'memory', bytes: Uint8Array.of(0x80, 0xff, 0xff, 0xff) });
    expect(new Vm().run(asm('ldxsb %r0, [%r1]\nexit'), { memory, r1: m }).r0).toBe(2n ** 64n - 128n);
    expect(new Vm().run(asm('ldxsh %r0, [%r1]\nexit'), { memory, r1: m }).r0).toBe(2n ** 64n - 128n);
    expect(new Vm().run(asm('ldxsw %r0, [%r1]\nexit'), { memory, r1: m }).r0).toBe(2n ** 64n - 128n);
  });

  it('atomics: fetch forms return the old value, cmpxchg compares with r0', () => {
    const memory = new Memory();
    const bytes = new Uint8Array(8);
    const m = memory.add({ name: 'm', kind: 'memory', bytes });
    const r = new Vm().run(
      asm(`
        stdw [%r1], 10
        mov %r2, 5
        lock fetch add [%r1], %r2
        mov %r0, %r2
        mov %r3, 0xff
        lock and [%r1], %r3
        mov %r0, 15
        mov %r4, 99
        lock cmpxchg [%r1], %r4
        exit`),
      { memory, r1: m },
    );
    expect(r.r0).toBe(15n); // old value, and equal to r0, so 99 was stored
    expect(new DataView(bytes.buffer).getBigUint64(0, true)).toBe(99n);
  });

  it('BPF-to-BPF calls preserve r6..r9 and give each frame its own stack', () => {
    const r = new Vm().run(
      asm(`
        mov %r6, 6
        stdw [%r10-8], 1
        mov %r1, 40
        call local f
        ldxdw %r1, [%r10-8]
        add %r0, %r1
        add %r0, %r6
        exit
        f:
        stdw [%r10-8], 100
        mov %r6, 0
        mov %r0, %r1
        add %r0, 2
        exit`),
    );
    expect(r.r0).toBe(42n + 1n + 6n);
  });

  it('callx calls a function address from ld_imm64 (BPF_PSEUDO_FUNC), or a helper by id', () => {
    const prog: Instruction[] = [
      { kind: 'lddw', dst: 2, pseudo: 'func', value: 4n }, // slots 0..1; the function is at 0 + 1 + 4 = slot 5
      { kind: 'callx', dst: 2 },
      { kind: 'alu', width: 64, op: 'add', source: 'imm', dst: 0, src: 0, imm: 1 },
      { kind: 'exit' },
      { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 41 },
      { kind: 'exit' },
    ];
    expect(new Vm().run(prog).r0).toBe(42n);
    const helpers = helperTable({ 7: (regs) => regs.get(1) * 2n });
    expect(new Vm({ helpers }).run(asm('mov %r1, 21\nmov %r2, 7\ncall %r2\nexit')).r0).toBe(42n);
  });

  it('helpers get their arguments, may read and write memory, and their r0 lands in r0', () => {
    const memory = new Memory();
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const m = memory.add({ name: 'm', kind: 'memory', bytes });
    const helpers = helperTable({
      1: (regs, vm) => {
        const b = vm.bytes(regs.get(1), regs.u32(2), true);
        b.reverse();
        return b.length;
      },
    });
    const r = new Vm({ helpers }).run(asm('mov %r2, 4\ncall 1\nexit'), { memory, r1: m });
    expect(r.r0).toBe(4n);
    expect([...bytes]).toEqual([4, 3, 2, 1]);
  });

  it('tail calls jump to the prog array slot, keep the registers, and stop after 33', () => {
    const memory = new Memory();
    // counts its runs in ctx[0], then tail-calls slot 0 of the map in r2 (itself)
    const prog = compileProgram(asm('mov %r7, %r2\nldxw %r2, [%r1]\nadd %r2, 1\nstxw [%r1], %r2\nmov %r2, %r7\nmov %r3, 0\ncall 12\nmov %r0, 7\nexit'), { name: 'again' });
    const progArray: ProgArrayHandle = { name: 'jmp', type: 3, keySize: 4, valueSize: 4, maxEntries: 1, program: (i) => (i === 0 ? prog : undefined) };
    const map = memory.addMap(progArray);
    const ctx = memory.add({ name: 'ctx', kind: 'ctx', size: 4 });
    const r = new Vm({ helpers: helperTable({ 12: tailCallHelper }) }).run(prog, { memory, r1: ctx, r2: map });
    expect(r.r0).toBe(7n);
    expect(r.tailCalls).toBe(33);
    expect(new DataView(ctx.bytes.buffer).getUint32(0, true)).toBe(34); // the first run and 33 tail calls
  });

  it('a tail call from a subprogram replaces only that frame: its exit returns to the caller', () => {
    const memory = new Memory();
    const target = compileProgram(asm('mov %r0, 40\nexit'), { name: 'target' });
    const progArray: ProgArrayHandle = { name: 'jmp', type: 3, keySize: 4, valueSize: 4, maxEntries: 1, program: () => target };
    const map = memory.addMap(progArray);
    const main = compileProgram(asm('mov %r6, 2\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r3, 0\ncall 12\nmov %r0, 99\nexit'), { name: 'main' });
    const r = new Vm({ helpers: helperTable({ 12: tailCallHelper }) }).run(main, { memory, r2: map });
    expect(r.r0).toBe(42n);
    expect(r.tailCalls).toBe(1);
  });

  it('helpers can call back into the program (bpf_loop style): a new frame, counted in the budget', () => {
    const prog: Instruction[] = [
      { kind: 'lddw', dst: 1, pseudo: 'func', value: 5n }, // slots 0..1; the callback is at 0 + 1 + 5 = slot 6
      { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 6, src: 0, imm: 7 },
      { kind: 'call', target: 'helper', imm: 181, off: 0 },
      { kind: 'alu', width: 64, op: 'add', source: 'reg', dst: 0, src: 6, imm: 0 },
      { kind: 'exit' },
      // callback(index): r6 = index * 10 (the caller's r6 is restored); returns it
      { kind: 'alu', width: 64, op: 'mov', source: 'reg', dst: 6, src: 1, imm: 0 },
      { kind: 'alu', width: 64, op: 'mul', source: 'imm', dst: 6, src: 0, imm: 10 },
      { kind: 'alu', width: 64, op: 'mov', source: 'reg', dst: 0, src: 6, imm: 0 },
      { kind: 'exit' },
    ];
    const helpers = helperTable({
      181: (r, vm) => {
        let sum = 0n;
        for (let i = 0; i < 3; i++) sum += vm.callFunction(r.get(1), [i]);
        return sum;
      },
    });
    const r = new Vm({ helpers }).run(prog);
    expect(r.r0).toBe(0n + 10n + 20n + 7n);
    expect(r.instructionsExecuted).toBe(5 + 3 * 4);
  });

  it('a callback address checked once is still checked when it changes, and callbacks take any 64-bit argument', () => {
    const prog: Instruction[] = [
      { kind: 'lddw', dst: 1, pseudo: 'func', value: 3n }, // the callback at slot 0 + 1 + 3 = slot 4
      { kind: 'call', target: 'helper', imm: 181, off: 0 },
      { kind: 'exit' },
      { kind: 'alu', width: 64, op: 'mov', source: 'reg', dst: 0, src: 1, imm: 0 }, // slot 4: returns its r1
      { kind: 'exit' },
    ];
    const seen: bigint[] = [];
    const helpers = helperTable({
      181: (r, vm) => {
        for (const arg of [-1, 2 ** 40, 5n, -(2n ** 63n)]) seen.push(vm.callFunction(r.get(1), [arg]));
        return vm.callFunction(r.get(1) + 1n, [0]);
      },
    });
    expect(() => new Vm({ helpers }).run(prog)).toThrow(/callback 0x[0-9a-f]+5 is not the address of a function/);
    expect(seen).toEqual([2n ** 64n - 1n, 2n ** 40n, 5n, 2n ** 63n]);
  });

  it('ld_abs and ld_ind read the packet big-endian; out of bounds ends the program with 0', () => {
    const memory = new Memory();
    const packet = memory.add({ name: 'packet', kind: 'packet', bytes: Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a) });
    const vm = new Vm();
    expect(vm.run(asm('ldabsw 1\nexit'), { memory, packet }).r0).toBe(0x3456789an);
    expect(vm.run(asm('mov %r1, 2\nldindh %r1, 1\nexit'), { memory, packet }).r0).toBe(0x789an);
    const out = vm.run(asm('mov %r0, 5\nldabsw 2\nmov %r0, 9\nexit'), { memory, packet });
    expect(out.r0).toBe(0n);
    expect(out.endedBy).toBe('ld_abs');
  });

  it('trace records each executed instruction with the registers before it', () => {
    const r = new Vm().run(asm('mov %r0, 1\nadd %r0, 2\nexit'), { trace: true });
    expect(r.trace?.map((t) => t.slot)).toEqual([0, 1, 2]);
    expect(r.trace?.[2]?.registers[0]).toBe(3n);
    expect(r.traceTruncated).toBe(false);
    const long = new Vm().run(asm('mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 100, loop\nexit'), { trace: true, traceLimit: 10 });
    expect(long.trace).toHaveLength(10);
    expect(long.traceTruncated).toBe(true);
  });

  it('a compiled program is reused across runs, and instruction arrays are compiled once', () => {
    const insns = asm('mov %r0, 3\nexit');
    expect(Vm.compile(insns)).toBe(Vm.compile(insns));
    expect(Vm.compile(insns)).toBeInstanceOf(CompiledProgram);
    const vm = new Vm();
    for (let i = 0; i < 3; i++) expect(vm.run(insns).r0).toBe(3n);
  });

  it('the stack starts zeroed on every run', () => {
    const memory = new Memory();
    const vm = new Vm();
    const prog = asm('ldxdw %r0, [%r10-8]\nstdw [%r10-8], 77\nexit');
    expect(vm.run(prog, { memory }).r0).toBe(0n);
    expect(vm.run(prog, { memory }).r0).toBe(0n);
  });

  it('the stack starts zeroed after a run that wrote down to any offset, aligned or not', () => {
    const memory = new Memory();
    const vm = new Vm();
    const readAll = asm(['mov %r0, 0', ...Array.from({ length: 96 }, (_, j) => `ldxb %r1, [%r10-${j + 1}]\nor %r0, %r1`), 'exit'].join('\n'));
    for (let low = 1; low <= 96; low++) {
      vm.run(asm(`stb [%r10-${low}], 255\nstdw [%r10-8], -1\nstb [%r10-${Math.ceil(low / 2)}], 1\nmov %r0, 0\nexit`), { memory });
      expect(vm.run(readAll, { memory }).r0, `after a write down to r10-${low}`).toBe(0n);
    }
  });

  it('may_goto falls through until its budget runs out', () => {
    const prog: Instruction[] = [
      { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 0 },
      { kind: 'may_goto', off: 2 },
      { kind: 'alu', width: 64, op: 'add', source: 'imm', dst: 0, src: 0, imm: 1 },
      { kind: 'ja', long: false, off: -3 },
      { kind: 'exit' },
    ];
    expect(new Vm({ budget: 100_000_000 }).run(prog).r0).toBe(BigInt(8 * 1024 * 1024));
  });
});
