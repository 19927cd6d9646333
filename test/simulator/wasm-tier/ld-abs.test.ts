// ld_abs / ld_ind in the fast tier: inline loads from the packet window must give what the interpreter gives,
// at every offset up to and past the window's end (where the program ends with r0 = 0), for every size.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { compileProgram, Memory, Vm, type RunOptions } from '../../../simulator/index.ts';
import { PacketBuffer } from '../../../simulator/context/packet-buffer.ts';
import { WasmVm } from '../../../simulator/wasm-tier/index.ts';

/** A run on a fresh memory holding a 13-byte packet behind 16 bytes of headroom (window = the 13 bytes). */
function run(vm: Vm | WasmVm, source: string, r1 = 0): unknown {
  const memory = new Memory();
  const frame = Uint8Array.from({ length: 13 }, (_, i) => 0xa0 + i * 7);
  const packet = new PacketBuffer(memory, frame, 16).region;
  const options: RunOptions = { memory, packet, r1 };
  const r = vm.run(compileProgram(assembleUbpf(source)), options);
  return { r0: r.r0, endedBy: r.endedBy, instructions: r.instructionsExecuted };
}

describe('ld_abs and ld_ind in the wasm tier', () => {
  it('read the same big-endian values as the interpreter, and end the program the same way past the window', () => {
    const interp = new Vm();
    const wasm = new WasmVm();
    let inside = 0;
    for (const size of ['b', 'h', 'w']) {
      for (let off = -2; off <= 14; off++) {
        const abs = `ldabs${size} ${off}\nadd %r0, 1\nexit`;
        const a = run(interp, abs);
        expect(run(wasm, abs)).toEqual(a);
        // ld_ind: the offset split between a register and the immediate
        const ind = `mov %r2, ${off - 3}\nldind${size} %r2, 3\nadd %r0, 1\nexit`;
        const b = run(interp, ind);
        expect(run(wasm, ind)).toEqual(b);
        // the same load, one instruction (the mov) later
        expect(b).toEqual({ ...(a as object), instructions: (a as { instructions: number }).instructions + 1 });
        if ((a as { endedBy: string }).endedBy === 'exit') inside++;
      }
    }
    // both ends of the window were reached: 13 + 12 + 10 offsets read inside it
    expect(inside).toBe(35);
  });
});
