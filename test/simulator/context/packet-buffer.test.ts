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
    expect([p.meta, p.data, p.end, p.region.start, p.region.end]).toEqual([fresh.meta, fresh.data, fresh.end, fresh.region.start, fresh.region.end]);
    expect(p.output()).toEqual(fresh.output());
    // the tail past the frame is cleared when a window grows over it: grown to the hard end, every byte matches
    p.setWindow(p.meta, p.data, p.hardEnd);
    fresh.setWindow(fresh.meta, fresh.data, fresh.hardEnd);
    expect(p.region.bytes).toEqual(fresh.region.bytes);
  });

  it('clears what a longer frame left past a shorter one when the tail grows over it, also after several reloads', () => {
    const p = new PacketBuffer(new Memory(), frame(300, 1), 16, 200);
    expect(p.reload(frame(200, 2), 16)).toBe(true);
    expect(p.reload(frame(50, 3), 16)).toBe(true);
    // only part of the way first: the rest of the old bytes must still be cleared by the second growth
    p.setWindow(p.meta, p.data, p.end + 100);
    expect(p.region.bytes.subarray(16 + 50, 16 + 150).every((b) => b === 0)).toBe(true);
    p.setWindow(p.meta, p.data, p.end - 120);
    p.setWindow(p.meta, p.data, p.hardEnd);
    const fresh = new PacketBuffer(new Memory(), frame(50, 3), 16, 450);
    fresh.setWindow(fresh.meta, fresh.data, fresh.hardEnd);
    expect(p.region.bytes).toEqual(fresh.region.bytes);
  });

  it('refuses a frame longer than the buffer', () => {
    const p = new PacketBuffer(new Memory(), frame(10, 0), 16, 10);
    expect(p.reload(frame(21, 0), 16)).toBe(false);
    expect(p.reload(frame(20, 0), 16)).toBe(true);
  });
});
