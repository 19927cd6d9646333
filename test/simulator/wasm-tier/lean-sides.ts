// Both tiers side by side on assembled programs, with the kernel's helper table in its unrecorded (batch)
// form, where the fast tier answers the hot helpers itself (lean-helpers.ts): the tests of those answers.
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { kernelHelpers, type HelperEnv } from '../../../simulator/helpers/index.ts';
import type { SimMap } from '../../../simulator/maps/index.ts';
import { compileProgram, Memory, SimFault, Vm } from '../../../simulator/vm/index.ts';
import { WasmVm } from '../../../simulator/wasm-tier/index.ts';
import { markLean } from '../../../simulator/wasm-tier/lean-helpers.ts';

export type MakeMaps = (memory: Memory) => SimMap[];

/** r0 = -1 (as the unsigned 64-bit value a run returns) */
export const MISS = 2n ** 64n - 1n;

/** One side: its memory, maps, and a VM over the kernel's helpers with calls unrecorded. */
export function side(tier: 'interp' | 'wasm', makeMaps: MakeMaps, cpu = 0) {
  const memory = new Memory();
  const maps = makeMaps(memory);
  const env: HelperEnv = { cpu, now: () => 0n, random: () => 0, printk: [], calls: [], unrecorded: true };
  const helpers = kernelHelpers(env);
  if (tier === 'wasm') markLean(helpers, env);
  const vm = tier === 'wasm' ? new WasmVm({ helpers }) : new Vm({ helpers });
  const ctx = memory.add({ name: 'ctx', kind: 'ctx', size: 8 });
  return { memory, maps, env, vm, ctx };
}

/** `source` with MAPn replaced by map n's address (the same on both sides: the same regions in the same order). */
export function program(source: string, maps: readonly SimMap[]) {
  return compileProgram(assembleUbpf(source.replace(/MAP(\d)/g, (_, n: string) => `0x${maps[Number(n)]!.handle.address().toString(16)}`)));
}

/** r0, or the fault's kind, instruction and message */
export function outcome(run: () => { r0: bigint }): unknown {
  try {
    return run().r0;
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    return { kind: e.kind, slot: e.slot, message: e.message };
  }
}

/** Both tiers on the same runs: `step(i)` gives run i's r2 (and may change the maps from TypeScript first). */
export function compare(makeMaps: MakeMaps, source: string, runs: number, step: (i: number, maps: readonly SimMap[]) => number, cpu = 0) {
  const sides = [side('interp', makeMaps, cpu), side('wasm', makeMaps, cpu)];
  const progs = sides.map((s) => program(source, s.maps));
  const out: unknown[][] = [[], []];
  for (let i = 0; i < runs; i++) {
    sides.forEach((s, k) => {
      const r2 = step(i, s.maps);
      out[k]!.push(outcome(() => s.vm.run(progs[k]!, { memory: s.memory, r1: s.ctx, r2 })));
    });
  }
  const contents = sides.map((s) => s.maps.map((m) => m.entriesPerCpu().map(([k, vs]) => [[...k], vs.map((v) => [...v])])));
  return { interp: out[0]!, wasm: out[1]!, contents, sides };
}
