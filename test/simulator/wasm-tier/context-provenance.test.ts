// Which registers still hold the entry r1 (context-provenance.ts), and the context loads the translator
// tries first through them against the interpreter: copies, overwrites, joins, calls, and an r1 that is not
// the context's start (a tail call's target receives whatever its caller had).
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { compileProgram, helperTable, Memory, SimFault, tailCallHelper, Vm, XdpContext, type CompiledProgram, type ProgArrayHandle } from '../../../simulator/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { registerContext, WasmVm } from '../../../simulator/wasm-tier/index.ts';
import { contextRegisters } from '../../../simulator/wasm-tier/context-provenance.ts';

const regs = (mask: number): number[] => [...Array(11).keys()].filter((r) => (mask & (1 << r)) !== 0);

function masks(src: string): number[][] {
  const prog = compileProgram(assembleUbpf(src));
  return [...contextRegisters(prog.code, 0, prog.slots)].map(regs);
}

describe('contextRegisters()', () => {
  it('follows r1 through copies, and drops a register overwritten on one way into a join or by a call', () => {
    const m = masks(`mov %r6, %r1
ldxw %r2, [%r6+4]
jeq %r2, 0, skip
mov %r6, 0
skip:
ldxw %r3, [%r6]
mov %r7, %r1
call 5
ldxw %r0, [%r7]
ldxw %r0, [%r1]
exit`);
    expect(m[0]).toEqual([1]);
    expect(m[1]).toEqual([1, 6]);
    expect(m[3]).toEqual([1, 6]);
    expect(m[4]).toEqual([1]); // r6 = 0 on one way in
    expect(m[6]).toEqual([1, 7]);
    expect(m[7]).toEqual([7]); // a call leaves r1..r5 to the helper, r6..r9 stay
  });

  it('drops a register a loop overwrites before jumping back', () => {
    const m = masks('mov %r7, %r1\nloop:\nldxw %r0, [%r7]\nmov %r7, %r0\njne %r0, 0, loop\nexit');
    expect(m[1]).toEqual([1]);
    expect(m[3]).toEqual([1]);
  });
});

const frame = packet.eth().ipv4().tcp({ dport: 80 }).payload(new Uint8Array(20)).build();

/** r0 or the fault of `prog` on an XDP context in a tier; `slot0` is tail call slot 0 of the prog array in r2. */
function xdp(tier: 'interp' | 'wasm', prog: CompiledProgram, slot0?: CompiledProgram): unknown {
  const memory = new Memory();
  const ctx = new XdpContext(memory, frame);
  registerContext(ctx);
  const helpers = helperTable({ 12: tailCallHelper });
  const vm = tier === 'interp' ? new Vm({ helpers }) : new WasmVm({ helpers });
  const jmp: ProgArrayHandle = { name: 'jmp', type: 3, keySize: 4, valueSize: 4, maxEntries: 1, program: (i) => (i === 0 ? slot0 : undefined) };
  const r2 = memory.addMap(jmp);
  try {
    return vm.run(prog, { memory, r1: ctx.region, r2, packet: ctx.packet.region }).r0;
  } catch (e) {
    if (!(e instanceof SimFault)) throw e;
    return { kind: e.kind, slot: e.slot, message: e.message };
  }
}

describe('context loads through the entry r1', () => {
  it('read data and data_end through copies of r1, and through a register that is no longer the context', () => {
    // r0 = (data_end - data) * 1000 + the packet's first byte (r1 is a packet pointer by then)
    const prog = compileProgram(
      assembleUbpf(`mov %r6, %r1
ldxw %r2, [%r6+4]
ldxw %r1, [%r1]
ldxb %r3, [%r1]
ldxw %r4, [%r6]
sub %r2, %r4
mul %r2, 1000
add %r2, %r3
mov %r0, %r2
exit`),
    );
    const a = xdp('interp', prog);
    expect(a).toBe(BigInt(frame.length * 1000 + frame[0]!));
    expect(xdp('wasm', prog)).toEqual(a);
  });

  it('read the field at the address r1 holds, not at the offset the context has there, in a tail call\'s target', () => {
    // the caller passes r1 = ctx + 4: the target's "r1 + 0" is data_end, and "r1 + 4" data_meta
    const caller = compileProgram(assembleUbpf('add %r1, 4\nmov %r3, 0\ncall 12\nmov %r0, 1\nexit'));
    const target = compileProgram(assembleUbpf('ldxw %r2, [%r1]\nldxw %r3, [%r1+4]\nldxw %r4, [%r1-4]\nsub %r2, %r4\nsub %r4, %r3\nlsh %r2, 16\nor %r2, %r4\nmov %r0, %r2\nexit'));
    const a = xdp('interp', caller, target);
    expect(a).toBe(BigInt(frame.length << 16));
    expect(xdp('wasm', caller, target)).toEqual(a);
  });
});
