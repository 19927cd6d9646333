// The fast tier's block order (block-order.ts): loop-free functions with backward jumps are emitted in a
// topological order without the dispatch loop, a fallthrough whose block moved becomes a branch, and a real
// loop keeps the dispatch; the tiers agree on results and on budget faults at every instruction.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { compileProgram, Memory, SimFault, Vm, type CompiledProgram } from '../../../simulator/index.ts';
import { WasmVm } from '../../../simulator/wasm-tier/index.ts';
import { blockOrder } from '../../../simulator/wasm-tier/block-order.ts';

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    return { kind: e.kind, slot: e.slot, message: e.message };
  }
}

/** Both tiers' outcomes of one run with r1 = `r1`. */
function both(prog: CompiledProgram, r1: bigint, budget?: number): [unknown, unknown] {
  const limits = budget === undefined ? {} : { budget };
  const [a, b] = [new Vm(limits), new WasmVm(limits)].map((vm) => outcome(() => vm.run(prog, { memory: new Memory(), r1 })));
  return [a, b];
}

function order(prog: CompiledProgram): { order: readonly number[]; dispatch: boolean } {
  const { order, dispatch } = blockOrder(prog.code, 0, prog.slots);
  return { order, dispatch };
}

// a tail shared by two paths placed before them (clang's layout of loop-free code does this)
const SHARED_TAIL = `mov %r0, 1
jeq %r1, 5, +3
mov %r0, 2
ja +3
exit
add %r0, 10
ja -3
add %r0, 20
ja -5`;

// block 2 (slots 3-4) falls through to block 3 (slot 5), but block 1 (slots 1-2) must come between them:
// 2 jumps back to 1, and 1 jumps forward to 3
const MOVED_FALLTHROUGH = `ja +2
add %r0, 5
ja +2
mov %r0, 1
jeq %r1, 1, -4
add %r0, 100
exit`;

describe('blockOrder()', () => {
  it('orders loop-free blocks so that every jump goes forward', () => {
    expect(order(compileProgram(assembleUbpf(SHARED_TAIL)))).toEqual({ order: [0, 2, 3, 1], dispatch: false });
    expect(order(compileProgram(assembleUbpf(MOVED_FALLTHROUGH)))).toEqual({ order: [0, 2, 1, 3], dispatch: false });
  });

  it('keeps the code order and the dispatch for a loop', () => {
    const loop = compileProgram(assembleUbpf('mov %r0, 0\nadd %r0, 1\njlt %r0, 5, -2\nexit'));
    expect(order(loop)).toEqual({ order: [0, 1], dispatch: true });
  });

  it('keeps the code order of blocks without backward jumps', () => {
    const forward = compileProgram(assembleUbpf('mov %r0, 0\njeq %r1, 0, +1\nmov %r0, 1\nexit'));
    expect(order(forward)).toEqual({ order: [0, 1], dispatch: false });
  });
});

describe('the fast tier on reordered blocks', () => {
  for (const [name, src, r1s] of [
    ['a shared tail', SHARED_TAIL, [5n, 0n]],
    ['a moved fallthrough', MOVED_FALLTHROUGH, [1n, 0n]],
  ] as const) {
    it(`runs ${name} as the interpreter does, budget faults included`, () => {
      const prog = compileProgram(assembleUbpf(src));
      const results = r1s.map((r1) => both(prog, r1));
      for (const [a, b] of results) expect(b).toEqual(a);
      // the two paths end differently, so a wrong branch depth could not go unseen
      expect(new Set(results.map(([a]) => (a as { r0: bigint }).r0)).size).toBe(2);
      for (const r1 of r1s) {
        for (let budget = 1; budget <= 8; budget++) {
          const [a, b] = both(prog, r1, budget);
          expect(b, `r1 ${r1}, budget ${budget}`).toEqual(a);
        }
      }
    });
  }
});
