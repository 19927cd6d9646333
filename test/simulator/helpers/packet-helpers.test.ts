// Helpers that move the packet's bounds, on the sim_xdp_adjust and sim_tc_room fixtures (byte 3 of the frame
// picks the helper, byte 4 its argument) and on assembled programs.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { kernelHelpers, SkbContext, Simulator, type HelperEnv } from '../../../simulator/index.ts';
import { packet as pkt } from '../../../simulator/packet/index.ts';
import { Memory, Vm } from '../../../simulator/vm/index.ts';

const withSel = (f: Uint8Array, sel: number, arg: number) => {
  const c = f.slice();
  c[3] = sel;
  c[4] = arg;
  return c;
};

describe('packet helpers', () => {
  it('bpf_xdp_adjust_tail shrinks, grows with zeroed bytes up to the page, and refuses less than an Ethernet header', async () => {
    const sim = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    const f = withSel(new Uint8Array(100).fill(0xaa), 0, 30);
    expect(sim.run('sim_xdp_adjust', f).packet).toHaveLength(70);
    expect(sim.run('sim_xdp_adjust', withSel(f, 0, 90)).action).toBe('XDP_DROP'); // 10 bytes left: -EINVAL
    const grown = sim.run('sim_xdp_adjust', withSel(f, 1, 2));
    expect(grown.packet).toHaveLength(132);
    expect([...grown.packet.subarray(100)].every((b) => b === 0)).toBe(true);
    expect(sim.map('results').getNumber(1)).toBe(1n); // the last byte read after growing: 0, plus one
    const big = withSel(new Uint8Array(3500), 1, 2); // 3500 + 32 is past the 3520 bytes the page holds
    expect(sim.run('sim_xdp_adjust', big).packet).toHaveLength(3500);
    expect(sim.map('results').getNumber(1)).toBe(BigInt.asUintN(64, -22n + 1n));
  });

  it('bpf_xdp_adjust_meta adds metadata in front of data; the output starts at data_meta as the kernel\'s does', async () => {
    const sim = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    const f = withSel(new Uint8Array(64).fill(1), 2, 8);
    const r = sim.run('sim_xdp_adjust', f);
    expect(r.action).toBe('XDP_PASS');
    expect([...r.packet.subarray(0, 8)]).toEqual([0xef, 0xbe, 0xad, 0xde, 0, 0, 0, 0]);
    expect(r.packet.subarray(8)).toEqual(f);
    expect(sim.run('sim_xdp_adjust', withSel(f, 2, 6)).action).toBe('XDP_DROP'); // 6 bytes: not a multiple of 4 (-EACCES)
  });

  it('bpf_skb_change_proto turns IPv4 into IPv6 room: 20 zero bytes after the Ethernet header, protocol updated', async () => {
    const sim = await Simulator.load('test/fixtures/sim_tc_room.o');
    const f = withSel(pkt.eth().ipv4().udp().payload('hi').build(), 0x11, 0);
    const r = sim.run('sim_tc_room', f);
    expect(r.action).toBe('TC_ACT_OK');
    expect(r.packet).toHaveLength(f.length + 20);
    expect(r.packet.subarray(0, 14)).toEqual(f.subarray(0, 14));
    expect([...r.packet.subarray(14, 34)].every((b) => b === 0)).toBe(true);
    expect(r.packet.subarray(34)).toEqual(f.subarray(14));
    expect(r.skb!.field('protocol')).toBe(0xdd86);
    expect(sim.run('sim_tc_room', withSel(f, 0x41 | 0x10, 0)).action).toBe('TC_ACT_SHOT'); // flags must be 0
  });

  it('bpf_skb_adjust_room opens and closes room after the MAC or network header', async () => {
    const sim = await Simulator.load('test/fixtures/sim_tc_room.o');
    const f = withSel(pkt.eth().ipv4().tcp().payload('x'.repeat(40)).build(), 7, 0); // sel 7: +20 at the MAC header
    const r = sim.run('sim_tc_room', f);
    expect(r.packet).toHaveLength(f.length + 20);
    expect(r.packet.subarray(34)).toEqual(f.subarray(14));
    const shrink = sim.run('sim_tc_room', withSel(f, 0x17, 0)); // -20
    expect(shrink.packet).toHaveLength(f.length - 20);
    expect(shrink.packet.subarray(14)).toEqual(f.subarray(34));
  });

  it('bpf_skb_pull_data fails past the packet\'s end; bpf_get_hash_recalc is stable and stored in skb->hash', async () => {
    const sim = await Simulator.load('test/fixtures/sim_tc_room.o');
    const f = pkt.eth().ipv4({ src: '10.0.0.1' }).udp({ sport: 1, dport: 2 }).build();
    expect(sim.run('sim_tc_room', withSel(f, 0, 1)).action).toBe('TC_ACT_OK');
    expect(sim.run('sim_tc_room', withSel(f, 0, 200)).action).toBe('TC_ACT_SHOT'); // 3200 > len: -ENOMEM
    const h = sim.run('sim_tc_room', withSel(f, 3, 0));
    expect(sim.map('results').getNumber(5)).toBe(1n);
    expect(sim.map('results').getNumber(6)).toBe(1n);
    const again = sim.run('sim_tc_room', withSel(f, 3, 0));
    expect(again.skb!.field('hash')).toBe(h.skb!.field('hash'));
    expect(h.skb!.field('hash')).not.toBe(0);
  });

  it('skb helpers need their context', () => {
    const env: HelperEnv = { cpu: 0, now: () => 0n, random: () => 0, printk: [], calls: [] };
    const memory = new Memory();
    const vm = new Vm({ helpers: kernelHelpers(env) });
    expect(() => vm.run(assembleUbpf('mov %r2, 1\ncall 65\nexit'), { memory })).toThrow(/bpf_xdp_adjust_tail needs an XDP context/);
    const skb = new SkbContext(memory, 'socket_filter', pkt.eth().ipv4().udp().build());
    const sk = kernelHelpers({ ...env, packet: skb.packet, contextKind: 'skb', skb });
    expect(() => new Vm({ helpers: sk }).run(assembleUbpf('mov %r2, 8\nmov %r3, 0\ncall 31\nexit'), { memory })).toThrow(/bpf_skb_change_proto is for TC programs/);
  });
});
