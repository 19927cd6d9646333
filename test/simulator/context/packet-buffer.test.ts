import { describe, expect, it } from 'vitest';
import { kernelHelpers, PacketBuffer, XDP_PACKET_HEADROOM } from '../../../simulator/index.ts';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { Memory, Vm } from '../../../simulator/vm/index.ts';

const frame = (n: number, fill: number) => Uint8Array.from({ length: n }, (_, i) => (i + fill) & 0xff || 1);

describe('PacketBuffer.reload()', () => {
  it('leaves the bytes a new buffer of the next frame would hold, after a run moved the window and wrote outside the first frame', () => {
    const memory = new Memory();
    const size = 1024;
    const p = new PacketBuffer(memory, frame(100, 3), XDP_PACKET_HEADROOM, size - XDP_PACKET_HEADROOM - 100);
    const helpers = kernelHelpers({ cpu: 0, now: () => 0n, random: () => 0, printk: [], calls: [], packet: p, contextKind: 'xdp' });
    const ctx = memory.add({ name: 'ctx', kind: 'memory', size: 8 });
    // grow the head by 64 and the tail by 200 (bpf_xdp_adjust_head, bpf_xdp_adjust_tail), write a byte at each
    // new end, then shrink both back: the written bytes lie outside the window the run ends with
    const prog = assembleUbpf(`
      mov %r6, %r1
      mov %r2, -64
      call 44
      mov %r1, %r6
      mov %r2, 200
      call 65
      lddw %r7, ${p.region.address(XDP_PACKET_HEADROOM - 64)}
      stb [%r7], 0xaa
      lddw %r7, ${p.region.address(XDP_PACKET_HEADROOM + 299)}
      stb [%r7], 0xbb
      mov %r1, %r6
      mov %r2, 64
      call 44
      mov %r1, %r6
      mov %r2, -200
      call 65
      mov %r0, 0
      exit`);
    new Vm({ helpers }).run(prog, { memory, r1: ctx });
    expect(p.region.bytes[XDP_PACKET_HEADROOM - 64]).toBe(0xaa);
    expect(p.region.bytes[XDP_PACKET_HEADROOM + 299]).toBe(0xbb);
    const next = frame(40, 9);
    expect(p.reload(next, XDP_PACKET_HEADROOM)).toBe(true);
    const fresh = new PacketBuffer(new Memory(), next, XDP_PACKET_HEADROOM, size - XDP_PACKET_HEADROOM - 40);
    expect(p.region.bytes).toEqual(fresh.region.bytes);
    expect([p.meta, p.data, p.end, p.region.start, p.region.end]).toEqual([fresh.meta, fresh.data, fresh.end, fresh.region.start, fresh.region.end]);
  });

  it('refuses a frame longer than the buffer', () => {
    const p = new PacketBuffer(new Memory(), frame(10, 0), 16, 10);
    expect(p.reload(frame(21, 0), 16)).toBe(false);
    expect(p.reload(frame(20, 0), 16)).toBe(true);
  });
});
