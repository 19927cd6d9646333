// A context's packet pointer fields as the interpreter reads them after their first access (Region.pointers,
// without the LoadHook): the same values as the hook, following the packet window as it moves.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { SkbContext, XdpContext } from '../../../simulator/context/index.ts';
import { compileProgram, Memory, Vm, type Region } from '../../../simulator/vm/index.ts';

const frame = Uint8Array.from({ length: 80 }, (_, i) => (i * 7 + 3) & 0xff);

/** r0 = data_end - data + ((data - data_meta) << 16), each field loaded twice (the second load takes the fast path) */
function windowProgram(data: number, end: number, meta: number) {
  return compileProgram(
    assembleUbpf(`
      ldxw %r2, [%r1+${data}]
      ldxw %r2, [%r1+${data}]
      ldxw %r3, [%r1+${end}]
      ldxw %r3, [%r1+${end}]
      ldxw %r4, [%r1+${meta}]
      ldxw %r4, [%r1+${meta}]
      mov %r0, %r3
      sub %r0, %r2
      mov %r5, %r2
      sub %r5, %r4
      lsh %r5, 16
      add %r0, %r5
      exit`),
  );
}

/** What the context's LoadHook gives for the 4-byte field at `offset`. */
function hooked(ctx: Region, offset: number): bigint {
  return ctx.load!(offset, 4)!;
}

describe('context pointer fields', () => {
  it('an XDP program reads data, data_end and data_meta as the hook gives them, run after run, as the window moves', () => {
    const memory = new Memory();
    const ctx = new XdpContext(memory, frame);
    const prog = windowProgram(0, 4, 8);
    const vm = new Vm();
    const p = ctx.packet;
    const windows: [number, number, number][] = [[p.meta, p.data, p.end], [p.meta - 8, p.data - 4, p.end - 10], [p.meta, p.data + 6, p.end + 20]];
    for (const [meta, data, end] of windows) {
      p.setWindow(meta, data, end);
      const r0 = vm.run(prog, { memory, r1: ctx.region }).r0;
      expect(r0).toBe(BigInt(end - data + ((data - meta) << 16)));
      expect(hooked(ctx.region, 0) - hooked(ctx.region, 8)).toBe(BigInt(data - meta));
    }
    expect(ctx.region.pointers?.window).toBe(p.window);
  });

  it('a TC program reads data, data_end and len from __sk_buff after the window moves, as the hook gives them', () => {
    const memory = new Memory();
    const ctx = new SkbContext(memory, 'sched_cls', frame);
    const prog = compileProgram(
      assembleUbpf(`
        ldxw %r2, [%r1+76]
        ldxw %r2, [%r1+76]
        ldxw %r3, [%r1+80]
        ldxw %r3, [%r1+80]
        ldxw %r4, [%r1+0]
        ldxw %r4, [%r1+0]
        mov %r0, %r3
        sub %r0, %r2
        lsh %r4, 16
        add %r0, %r4
        exit`),
    );
    const vm = new Vm();
    const p = ctx.packet;
    for (const shift of [0, 14, -10]) {
      p.setWindow(p.meta + shift, p.data + shift, p.end);
      const len = p.end - p.data;
      expect(vm.run(prog, { memory, r1: ctx.region }).r0).toBe(BigInt(len + (len << 16)));
      expect(hooked(ctx.region, 80) - hooked(ctx.region, 76)).toBe(BigInt(len));
      expect(hooked(ctx.region, 0)).toBe(BigInt(len));
    }
  });
});
