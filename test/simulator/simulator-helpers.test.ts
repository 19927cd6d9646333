import { describe, expect, it } from 'vitest';
import { assemble, assembleUbpf } from '../../bpf/asm/index.ts';
import type { ObjectSpec } from '../../bpf/index.ts';
import { Errno, HashMap, kernelHelpers, MapType, Simulator, SimFault, XdpContext, formatPrintk, type HelperEnv } from '../../simulator/index.ts';
import { csumDiff, packet as pkt } from '../../simulator/packet/index.ts';
import { Memory, Vm } from '../../simulator/vm/index.ts';

function env(over: Partial<HelperEnv> = {}): HelperEnv {
  return { cpu: 0, now: () => 0n, random: () => 0, printk: [], calls: [], ...over };
}

const run = (src: string, e: HelperEnv, memory = new Memory(), r1?: bigint) =>
  new Vm({ helpers: kernelHelpers(e) }).run(assembleUbpf(src), { memory, ...(r1 !== undefined ? { r1 } : {}) }).r0;

describe('kernel helpers', () => {
  it('ktime_get_ns reads the controllable clock, get_prandom_u32 the seeded PRNG, get_smp_processor_id the CPU', () => {
    expect(run('call 5\nexit', env({ now: () => 123_456n }))).toBe(123_456n);
    expect(run('call 7\nexit', env({ random: () => 0xdeadbeef }))).toBe(0xdeadbeefn);
    expect(run('call 8\nexit', env({ cpu: 3 }))).toBe(3n);
  });

  it('the simulator clock and PRNG are deterministic per seed', async () => {
    const a = await Simulator.load('test/fixtures/xdp_pass.o', { seed: 7, clock: 1000n, clockStep: 10n });
    expect(a.clock).toBe(1000n);
    expect(a.cpus).toBe(1);
  });

  it('map_update_elem returns the kernel\'s errno values to the program', () => {
    const memory = new Memory();
    const m = new HashMap({ name: 'h', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 1, memory });
    const prog = (key: number, flags: number) => `
      lddw %r1, ${m.handle.address()}
      stw [%r10-4], ${key}
      mov %r2, %r10
      add %r2, -4
      stdw [%r10-16], 5
      mov %r3, %r10
      add %r3, -16
      mov %r4, ${flags}
      call 2
      exit`;
    const r = (key: number, flags: number) => BigInt.asIntN(64, run(prog(key, flags), env(), memory));
    expect(r(1, 2)).toBe(BigInt(-Errno.ENOENT));
    expect(r(1, 1)).toBe(0n);
    expect(r(1, 1)).toBe(BigInt(-Errno.EEXIST));
    expect(r(2, 0)).toBe(BigInt(-Errno.E2BIG));
    expect(r(1, 9)).toBe(BigInt(-Errno.EINVAL));
    expect(m.getNumber(1)).toBe(5n);
  });

  it('a null map value dereference and an out-of-bounds map value access are SimFaults at the instruction', () => {
    const memory = new Memory();
    const m = new HashMap({ name: 'h', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4, memory });
    m.set(1, 1);
    const prog = (key: number, off: number) => `
      lddw %r1, ${m.handle.address()}
      stw [%r10-4], ${key}
      mov %r2, %r10
      add %r2, -4
      call 1
      ldxdw %r0, [%r0+${off}]
      exit`;
    expect(run(prog(1, 0), env(), memory)).toBe(1n);
    for (const [key, off, msg] of [[2, 0, /null/], [1, 8, /out of bounds/]] as const) {
      let fault: unknown;
      try {
        run(prog(key, off), env(), memory);
      } catch (e) {
        fault = e;
      }
      expect(fault).toBeInstanceOf(SimFault);
      expect((fault as SimFault).message).toMatch(msg);
      expect((fault as SimFault).message).toMatch(/instruction 6/);
    }
  });

  it('xdp_adjust_head grows the packet into the headroom and refuses to go past the xdp_frame', () => {
    const memory = new Memory();
    const ctx = new XdpContext(memory, new Uint8Array(60));
    const grow = (delta: number) => `
      mov %r6, %r1
      mov %r2, ${delta}
      call 44
      jne %r0, 0, +4
      ldxw %r2, [%r6+0]
      ldxw %r3, [%r6+4]
      mov %r0, %r3
      sub %r0, %r2
      exit`;
    expect(run(grow(-14), env({ packet: ctx.packet, contextKind: 'xdp' }), memory, ctx.region.address())).toBe(74n);
    expect(ctx.packet.output()).toHaveLength(74);
    expect(BigInt.asIntN(64, run(grow(-300), env({ packet: ctx.packet, contextKind: 'xdp' }), memory, ctx.region.address()))).toBe(-22n);
    expect(BigInt.asIntN(64, run(grow(70), env({ packet: ctx.packet, contextKind: 'xdp' }), memory, ctx.region.address()))).toBe(-22n);
  });

  it('csum_diff follows the kernel and skb helpers need an skb context', () => {
    const memory = new Memory();
    const region = memory.add({ name: 'buf', kind: 'memory', bytes: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) });
    const src = `
      mov %r6, %r1
      mov %r2, 4
      mov %r3, %r6
      add %r3, 4
      mov %r4, 4
      mov %r5, 0
      call 28
      exit`;
    expect(run(src, env(), memory, region.address())).toBe(BigInt(csumDiff(Uint8Array.of(1, 2, 3, 4), Uint8Array.of(5, 6, 7, 8))));
    expect(() => run('call 26\nexit', env(), memory)).toThrow(/bpf_skb_load_bytes needs an skb context/);
  });

  it('trace_printk output is captured', async () => {
    const sim = await Simulator.load('test/fixtures/globals.o');
    const r = sim.run('xdp_globals', Uint8Array.of(0));
    expect(r.printk).toEqual(['hello len 1']);
    expect(formatPrintk('%d %u %x %s %%', [-1n, 5n, 255n, 0n], new Memory())).toBe('-1 5 ff (efault) %');
  });

  it('tail calls jump through a prog array set from TypeScript', async () => {
    const sim = await Simulator.load('test/fixtures/maps.o');
    expect(sim.run('xdp_maps', pkt.eth().build()).action).toBe('XDP_PASS');
    sim.setTailCall('jumps', 0, 'tail_target');
    expect(sim.run('xdp_maps', pkt.eth().build()).action).toBe('XDP_DROP');
    sim.setTailCall('jumps', 0, undefined);
    expect(sim.run('xdp_maps', pkt.eth().build()).action).toBe('XDP_PASS');
  });

  it('bpf_ktime_get_boot_ns and bpf_jiffies64 read the simulator\'s controllable clock (jiffies at its hz)', async () => {
    const spec: ObjectSpec = {
      programs: [{ name: 'clock', section: 'xdp', type: 6, expectedAttachType: 37, function: 'clock' }],
      functions: [
        {
          name: 'clock', section: 'xdp', global: true, references: [], lineInfo: [], coreRelocations: [],
          instructions: assemble('call 125\nr6 = r0\ncall 118\nr6 *= 1000\nr0 += r6\nexit'),
        },
      ],
      maps: [],
      data: [],
      license: 'GPL',
    };
    const sim = await Simulator.load(spec, { clock: 2_000_000_000n, hz: 100 });
    expect(sim.run('clock', new Uint8Array(14)).retval).toBe(200n + 2_000_000_000_000n); // 200 jiffies, 2 s * 1000
    sim.clock = 3_000_000_000n;
    expect(sim.run('clock', new Uint8Array(14)).retval).toBe(300n + 3_000_000_000_000n);
    const env = { cpu: 0, now: () => 4_000_000_000n, random: () => 0, printk: [], calls: [] };
    expect(new Vm({ helpers: kernelHelpers(env) }).run(assembleUbpf('call 118\nexit')).r0).toBe(1000n); // 250 Hz without a jiffies source
  });
});
