// Direct stack accesses through r10 (frame-access.ts) and the budget taken per segment (translate.ts)
// against the interpreter: which accesses qualify, out-of-frame faults, the low-water mark a call reads for
// the combined stack, the zeroing a run's end does from it, and budget faults at every instruction.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { compileProgram, Memory, SimFault, Vm, type CompiledProgram } from '../../../simulator/index.ts';
import { WasmVm } from '../../../simulator/wasm-tier/index.ts';
import { frameAccesses } from '../../../simulator/wasm-tier/frame-access.ts';

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    const { kind, slot, region, offset, size, message } = e;
    return { kind, slot, region, offset, size, message };
  }
}

/** Both tiers, each on a memory of its own, `runs` runs in a row (later runs see what earlier ones left). */
function both(prog: CompiledProgram, options: { budget?: number; runs?: number; r1?: bigint } = {}): [unknown[], unknown[]] {
  const limits = options.budget === undefined ? {} : { budget: options.budget };
  const [a, b] = [new Vm(limits), new WasmVm(limits)].map((vm) => {
    const memory = new Memory();
    const out: unknown[] = [];
    for (let i = 0; i < (options.runs ?? 1); i++) out.push(outcome(() => vm.run(prog, { memory, ...(options.r1 === undefined ? {} : { r1: options.r1 }) })));
    return out;
  });
  return [a!, b!];
}

/** CompiledProgram.code for raw (handler, dst, src, off, imm) rows: what compileProgram would refuse, too. */
function rawCode(rows: readonly (readonly [number, number, number, number, number])[]): Int32Array {
  const code = new Int32Array(rows.length * 4);
  rows.forEach(([h, d, s, off, imm], i) => code.set([h, d | (s << 4), off, imm], i * 4));
  return code;
}

describe('frameAccesses()', () => {
  it('takes the loads and stores at r10 plus a constant inside a frame, and the span they cover', () => {
    const prog = compileProgram(assembleUbpf('stxdw [%r10-16], %r1\nldxw %r0, [%r10-4]\nstb [%r10-512], 1\nldxdw %r2, [%r1-8]\nexit'));
    const f = frameAccesses(prog.code, 0, prog.slots)!;
    expect([...f.slots]).toEqual([0, 1, 2]);
    expect(f).toMatchObject({ low: -512, high: 0, writes: true });
    const reads = compileProgram(assembleUbpf('ldxw %r0, [%r10-8]\nexit'));
    expect(frameAccesses(reads.code, 0, reads.slots)).toMatchObject({ low: -8, high: -4, writes: false });
  });

  it('leaves accesses outside any frame to the generic path, and a function without frame accesses alone', () => {
    const prog = compileProgram(assembleUbpf('stxdw [%r10-520], %r1\nstb [%r10], 1\nldxw %r0, [%r10-2]\nexit'));
    expect(frameAccesses(prog.code, 0, prog.slots)).toBeUndefined();
    const none = compileProgram(assembleUbpf('mov %r0, 1\nexit'));
    expect(frameAccesses(none.code, 0, none.slots)).toBeUndefined();
  });

  it('takes none in a function that writes r10 (compileProgram refuses one; the translator does not rely on it)', () => {
    const write = rawCode([
      [0x7a, 10, 0, -8, 1], // *(u64 *)(r10 - 8) = 1
      [0x07, 10, 0, 0, -8], // r10 += -8
      [0x95, 0, 0, 0, 0],
    ]);
    expect(frameAccesses(write, 0, 3)).toBeUndefined();
    const fetch = rawCode([
      [0x7a, 10, 0, -8, 1],
      [0xdb, 1, 10, 0, 8], // r10 = atomic_fetch_add((u64 *)(r1 + 0), r10)
      [0x95, 0, 0, 0, 0],
    ]);
    expect(frameAccesses(fetch, 0, 3)).toBeUndefined();
    expect(frameAccesses(rawCode([[0x7a, 10, 0, -8, 1], [0x95, 0, 0, 0, 0]]), 0, 2)).toBeDefined();
  });
});

describe('direct frame accesses in the fast tier', () => {
  it('fault outside the frame as the interpreter does, in a function with direct accesses too', () => {
    for (const src of ['stdw [%r10-8], 1\nstxdw [%r10-520], %r1\nexit', 'stdw [%r10-8], 1\nldxw %r0, [%r10-2]\nexit', 'stdw [%r10-8], 1\nstb [%r10], 1\nexit']) {
      const [a, b] = both(compileProgram(assembleUbpf(src)));
      expect(a[0]).toHaveProperty('kind', 'memory');
      expect(b).toEqual(a);
    }
  });

  it('leave the low-water mark a call reads for the combined stack (the fault depends on it)', () => {
    // main reaches r10 - 400 only when r1 is odd; f then uses 200 bytes: 400 + 200 is past the limit
    const src = 'jset %r1, 1, low\nja call\nlow:\nstdw [%r10-400], 1\ncall:\nstdw [%r10-8], 2\ncall f\nexit\nf:\nstdw [%r10-200], 3\nmov %r0, 5\nexit';
    const prog = compileProgram(assembleUbpf(src));
    const [odd, oddWasm] = both(prog, { r1: 1n, runs: 2 });
    expect(odd[0]).toMatchObject({ kind: 'stack' });
    expect(oddWasm).toEqual(odd);
    const [even, evenWasm] = both(prog, { r1: 2n, runs: 2 });
    expect(even[0]).toMatchObject({ r0: 5n });
    expect(evenWasm).toEqual(even);
  });

  it('leave the stack zeroed from the lowest offset reached, so the next run reads zeros there', () => {
    // the first run (r1 = 1) writes r10 - 300 directly; every run reads it back before writing
    const src = 'ldxdw %r0, [%r10-300]\njeq %r1, 0, out\nstdw [%r10-300], 77\nout:\nexit';
    const prog = compileProgram(assembleUbpf(src));
    const runs = [new Vm(), new WasmVm()].map((vm) => {
      const memory = new Memory();
      return [1n, 0n, 1n].map((r1) => vm.run(prog, { memory, r1 }).r0);
    });
    expect(runs[0]).toEqual([0n, 0n, 0n]);
    expect(runs[1]).toEqual(runs[0]);
  });

  it('fault a budget at the interpreter\'s instruction whatever instruction of a segment it runs out at', () => {
    const src = `mov %r6, 3
stdw [%r10-16], 0
loop:
mov %r2, %r10
add %r2, -8
lddw %r3, 0x1122334455
stxdw [%r10-8], %r3
ldxdw %r4, [%r2]
add %r4, %r6
stxdw [%r10-16], %r4
call f
sub %r6, 1
jne %r6, 0, loop
ldxdw %r0, [%r10-16]
exit
f:
stdw [%r10-24], 9
ldxdw %r0, [%r10-24]
mov %r1, %r0
exit`;
    const prog = compileProgram(assembleUbpf(src));
    const [full] = both(prog);
    const n = (full[0] as { instructionsExecuted: number }).instructionsExecuted;
    expect(n).toBeGreaterThan(30);
    for (let budget = 1; budget <= n + 1; budget++) {
      const [a, b] = both(prog, { budget, runs: 2 });
      expect(b, `budget ${budget}`).toEqual(a);
    }
  });

  it('fault a budget or a frame access first as the interpreter does when the frame check fails', () => {
    // f's frame starts where main's 400 bytes end: its access at r10 - 200 overflows the combined stack, so
    // f's frame check fails and its accesses take the generic path (and may fault) inside a budget segment
    const src = `stdw [%r10-400], 1
call f
exit
f:
mov %r1, 1
stdw [%r10-8], 2
add %r1, 1
ldxdw %r2, [%r10-8]
add %r1, %r2
stdw [%r10-200], 3
mov %r0, %r1
exit`;
    const prog = compileProgram(assembleUbpf(src));
    const [full] = both(prog);
    expect(full[0]).toMatchObject({ kind: 'stack', slot: 8 });
    for (let budget = 1; budget <= 10; budget++) {
      const [a, b] = both(prog, { budget, runs: 2 });
      expect(b, `budget ${budget}`).toEqual(a);
    }
  });
});
