// Calls and bpf_loop callbacks entering their frames inside wasm (wasm-frames.ts) against the interpreter:
// results, budgets, stack windows and zeroing, the depth limit and faults inside callbacks.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import type { Instruction } from '../../../bpf/index.ts';
import { compileProgram, kernelHelpers, Memory, SimFault, Vm, type CompiledProgram, type HelperDispatch, type HelperEnv } from '../../../simulator/index.ts';
import { WasmVm } from '../../../simulator/wasm-tier/index.ts';
import { markLean } from '../../../simulator/wasm-tier/lean-helpers.ts';

/** kernelHelpers, unrecorded and marked lean (bpf_loop runs from wasm), or recorded (bpf_loop in JavaScript) */
function table(lean: boolean): HelperDispatch {
  const env: HelperEnv = { cpu: 0, now: () => 1000n, random: () => 4, printk: [], calls: [], ...(lean ? { unrecorded: true } : {}) };
  const helpers = kernelHelpers(env);
  if (lean) markLean(helpers, env);
  return helpers;
}

/** `main` then `callback`, each `lddw %r2, 0` of either made the callback's address (its first slot). */
function program(main: string, callback: string): CompiledProgram {
  const a = assembleUbpf(main);
  const b = assembleUbpf(callback);
  const target = a.reduce((n, i) => n + (i.kind === 'lddw' ? 2 : 1), 0);
  let slot = 0;
  const patch = (i: Instruction): Instruction => {
    const at = slot;
    slot += i.kind === 'lddw' ? 2 : 1;
    return i.kind === 'lddw' && i.dst === 2 && i.value === 0n ? { kind: 'lddw', dst: 2, pseudo: 'func', value: BigInt(target - at - 1) } : i;
  };
  return compileProgram([...a.map(patch), ...b.map(patch)]);
}

/** What a run gives: its result, or its fault in full. */
function outcome(vm: Vm | WasmVm, prog: CompiledProgram, memory: Memory): unknown {
  try {
    return vm.run(prog, { memory });
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    const { kind, slot, program, region, offset, size, address, message } = e;
    return { kind, slot, program, region, offset, size, address, message };
  }
}

/** Both tiers, each on its own memory, twice (the second run sees what the first left on the stacks). */
function both(prog: CompiledProgram, options: { budget?: number; lean?: boolean } = {}): [unknown, unknown] {
  const helpers = table(options.lean ?? true);
  const limits = { helpers, ...(options.budget !== undefined ? { budget: options.budget } : {}) };
  const runs = [new Vm(limits), new WasmVm(limits)].map((vm) => {
    const memory = new Memory();
    return [outcome(vm, prog, memory), outcome(vm, prog, memory)];
  });
  return [runs[0], runs[1]];
}

// bpf_loop(N, callback, &sum on the stack, FLAGS); r0 = sum << 8 + bpf_loop's r0 + r6 + r1 (r1, r6 kept)
const main = (n: number, flags = 0) => `stdw [%r10-8], 0
mov %r6, 7
mov %r0, 99
lddw %r2, 0
mov %r3, %r10
add %r3, -8
mov %r1, ${n}
mov %r4, ${flags}
call 181
mov %r7, %r0
ldxdw %r0, [%r10-8]
lsh %r0, 8
add %r0, %r7
add %r0, %r6
add %r0, %r1
exit`;

// sum += i + what its own stack held (zero: a new frame each time); stop after i = `stop`
const sum = (stop: number) => `ldxdw %r3, [%r2]
add %r3, %r1
ldxdw %r4, [%r10-16]
add %r3, %r4
stxdw [%r2], %r3
stxdw [%r10-16], %r1
mov %r0, 0
jne %r1, ${stop}, +1
mov %r0, 1
exit`;

describe('calls and callbacks in wasm frames', () => {
  it('runs bpf_loop callbacks as the interpreter: every count, an early stop, flags, too many loops', () => {
    const cases: [string, string][] = [
      [main(5), sum(-1)],
      [main(5), sum(2)],
      [main(0), sum(0)],
      [main(1000), sum(-1)],
      [main(3, 1), sum(-1)],
      [main(1 << 24), sum(-1)],
      [main(4), 'exit'], // r0 is the caller's 99 in the callback: non-zero, one iteration
    ];
    for (const [m, cb] of cases) {
      for (const lean of [true, false]) {
        const [a, b] = both(program(m, cb), { lean });
        expect(a).toMatchObject([{ endedBy: 'exit' }, { endedBy: 'exit' }]);
        expect(b, `${m} / ${cb}`).toEqual(a);
      }
    }
    const [a] = both(program(main(5), sum(2)));
    expect((a as { r0: bigint }[])[0]!.r0).toBe(((0n + 1n + 2n) << 8n) + 3n + 7n + 5n);
  });

  it('faults inside a callback at the interpreter\'s instruction, budget by budget', () => {
    const prog = program(main(3), sum(-1));
    const [full] = both(prog);
    const used = (full as { instructionsExecuted: number }[])[0]!.instructionsExecuted;
    for (let budget = 1; budget <= used + 1; budget++) {
      for (const lean of [true, false]) {
        const [a, b] = both(prog, { budget, lean });
        expect(b, `budget ${budget}${lean ? '' : ', bpf_loop in JavaScript'}`).toEqual(a);
      }
    }
  });

  it('gives a callback the stack window the caller left, and faults below it as the interpreter', () => {
    for (const cb of ['stdw [%r10-500], 1\nmov %r0, 0\nexit', 'stdw [%r10-488], 1\nmov %r0, 0\nexit', 'mov %r0, 0\nldxdw %r0, [%r10+0]\nexit']) {
      for (const lean of [true, false]) {
        const [a, b] = both(program(main(2), cb), { lean });
        expect(b, cb).toEqual(a);
      }
    }
    const [a] = both(program(main(2), 'stdw [%r10-500], 1\nmov %r0, 0\nexit'));
    expect(a).toMatchObject([{ kind: 'stack' }, { kind: 'stack' }]);
  });

  it('nests callbacks and local calls up to the depth limit as the interpreter', () => {
    // the callback counts its calls in the caller's sum and runs bpf_loop(2, itself) while the count is small
    const nest = (bound: number) => `ldxdw %r3, [%r2]
add %r3, 1
stxdw [%r2], %r3
jgt %r3, ${bound}, +7
mov %r3, %r2
lddw %r2, 0
mov %r1, 2
mov %r4, 0
call 181
call f
exit
mov %r0, 0
exit
f:
stdw [%r10-24], 3
ldxdw %r0, [%r10-24]
mov %r0, 0
exit`;
    for (const bound of [0, 3, 6, 100]) {
      for (const lean of [true, false]) {
        const [a, b] = both(program(main(3), nest(bound)), { lean });
        expect(b, `bound ${bound}`).toEqual(a);
      }
    }
    const [deep] = both(program(main(3), nest(100)));
    expect(deep).toMatchObject([{ kind: 'call_depth' }, { kind: 'call_depth' }]);
  });

  it('keeps the depth limit of a VM allowing more frames than wasm keeps (through the runtime)', () => {
    const deep = compileProgram(assembleUbpf('mov %r6, 0\ncall f\nexit\nf:\nadd %r6, 1\nstxdw [%r10-8], %r6\njgt %r6, 18, +1\ncall f\nldxdw %r0, [%r10-8]\nexit'));
    for (const maxCallFrames of [8, 16, 17, 20, 40]) {
      const limits = { maxCallFrames };
      const runs = [new Vm(limits), new WasmVm(limits)].map((vm) => {
        const memory = new Memory();
        return [outcome(vm, deep, memory), outcome(vm, deep, memory)];
      });
      expect(runs[1], `${maxCallFrames} frames`).toEqual(runs[0]);
      // 20 frames: the entry function and 19 calls, the outermost call returning what it stored (r6 = 1)
      expect(runs[0]![0]).toMatchObject(maxCallFrames >= 20 ? { r0: 1n } : { kind: 'call_depth' });
    }
  });

  it('zeroes a callee\'s stack between calls and runs, and restores r6..r9 and r10 after each call', () => {
    const prog = compileProgram(
      assembleUbpf(`mov %r6, 1
stdw [%r10-8], 11
call f
mov %r7, %r0
call f
add %r0, %r7
add %r0, %r6
ldxdw %r1, [%r10-8]
add %r0, %r1
exit
f:
ldxdw %r0, [%r10-8]
stdw [%r10-8], 5
mov %r6, 100
call g
exit
g:
ldxdw %r0, [%r10-40]
stdw [%r10-40], 9
exit`),
    );
    const [a, b] = both(prog);
    expect(b).toEqual(a);
    expect((a as { r0: bigint }[]).map((r) => r.r0)).toEqual([12n, 12n]);
  });
});
