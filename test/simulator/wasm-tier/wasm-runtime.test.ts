// The runtime reuses a finished run's RunState: the reset must leave it as its constructor would, field by
// field, or a new per-run field of RunState would leak from one run into the next.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { compileProgram, helperTable, Memory, Vm } from '../../../simulator/vm/index.ts';
import { RunState } from '../../../simulator/vm/run-state.ts';
import { WasmVm } from '../../../simulator/wasm-tier/index.ts';
import { runtimeFor } from '../../../simulator/wasm-tier/wasm-runtime.ts';

/**
 * The data fields of a RunState (closures and the shared stacks left out; so are frameRet and frameSaved,
 * which a call writes before its return reads them, so the reset leaves them as the last run had them).
 */
function fields(st: RunState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(st)) {
    if (typeof v === 'function' || k === 'regs' || k === 'context' || k === 'stacks' || k === 'memory') continue;
    if (k === 'frameRet' || k === 'frameSaved') continue;
    out[k] = v instanceof Int32Array ? [...v] : v;
  }
  return out;
}

describe('WasmRuntime.acquire()', () => {
  it('resets a used RunState to what the constructor makes', () => {
    // a run that moves everything: calls, the stack, may_goto, a helper, registers
    const prog = compileProgram(
      assembleUbpf('mov %r6, 3\nstdw [%r10-8], 5\ncall f\ncall 1\nmov %r0, %r6\nexit\nf:\nstdw [%r10-16], 1\nmov %r7, 9\nexit'),
    );
    const memory = new Memory();
    const helpers = helperTable({ 1: () => 42 });
    const vm = new WasmVm({ helpers });
    const ctx = memory.add({ name: 'ctx', kind: 'ctx', size: 8 });
    expect(vm.run(prog, { memory, r1: ctx }).r0).toBe(3n);
    const options = { memory, r1: ctx, r2: 7 };
    const reused = runtimeFor(memory).acquire(vm, prog, options);
    const fresh = new RunState(vm, prog, options);
    expect(fields(reused)).toEqual(fields(fresh));
    expect(Object.keys(reused).sort()).toEqual(Object.keys(fresh).sort());
    // and the interpreter agrees with the run that follows
    runtimeFor(memory).end();
    expect(vm.run(prog, options)).toEqual(new Vm({ helpers }).run(prog, options));
  });
});
