import { describe, expect, it } from 'vitest';
import { RingbufMap, Simulator, SimFault } from '../../simulator/index.ts';
import { packet as pkt } from '../../simulator/packet/index.ts';

const fixture = (name: string) => `test/fixtures/${name}.o`;

describe('Simulator', () => {
  it('xdp_firewall drops a blocked TCP port and counts verdicts in a per-CPU array', async () => {
    const sim = await Simulator.load(fixture('xdp_firewall'), { cpus: 2 });
    sim.map('blocked_ports').set(Uint8Array.of(6, 0, 0, 22), 1);
    const drop = sim.run('xdp_firewall', pkt.eth().ipv4({ src: '10.0.0.1' }).tcp({ dport: 22 }));
    expect(drop.action).toBe('XDP_DROP');
    expect(drop.helperCalls.map((c) => c.name)).toEqual(['bpf_map_lookup_elem', 'bpf_map_lookup_elem']);
    const pass = sim.run('xdp_firewall', pkt.eth().ipv4().tcp({ dport: 80 }), { cpu: 1 });
    expect(pass.action).toBe('XDP_PASS');
    expect(sim.run('xdp_firewall', Uint8Array.of(1, 2, 3)).action).toBe('XDP_DROP');
    expect(sim.map('verdicts').sum(1)).toBe(1n);
    expect(sim.map('verdicts').getPerCpu(0)!.map((v) => v[0])).toEqual([0, 1]);
    expect(sim.map('verdicts').sum(2)).toBe(1n);
  });

  it('globals come from .data, .bss and .rodata and can be set from TypeScript', async () => {
    const sim = await Simulator.load(fixture('globals'));
    const frame = pkt.eth().ipv4().udp().payload('x'.repeat(40)).build();
    expect(sim.run('xdp_globals', frame).action).toBe('XDP_PASS');
    expect(sim.map('.bss').getNumber(0)).toBe(1n);
    expect(sim.global('bytes')).toEqual(Uint8Array.of(1 + frame.length, 0, 0, 0, 0, 0, 0, 0));
    sim.setGlobal('drop_len', 10);
    expect(sim.run('xdp_globals', frame).action).toBe('XDP_DROP');
  });

  it.each(['interp', 'wasm', 'auto'] as const)('a global taken before any run stays a live view on tier %s, for batches too', async (tier) => {
    const sim = await Simulator.load(fixture('globals'), { tier });
    const bytes = sim.global('bytes');
    const read = () => new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    const start = read();
    const frame = pkt.eth().ipv4().udp().payload('x'.repeat(40)).build();
    sim.runBatch('xdp_globals', Array.from({ length: 300 }, () => frame));
    expect(read()).toBe(start + 300n * BigInt(frame.length));
    // and a run on the other tier than the simulator's adds to the same bytes
    sim.run('xdp_globals', frame, { tier: tier === 'interp' ? 'wasm' : 'interp' });
    expect(read()).toBe(start + 301n * BigInt(frame.length));
    // the other way: a write through a view is what the program reads next
    sim.global('drop_len').set(Uint8Array.of(10, 0, 0, 0));
    expect(sim.run('xdp_globals', frame).action).toBe('XDP_DROP');
  });

  it('tc_mark writes skb->mark, rewrites the TOS and keeps the IPv4 checksum valid', async () => {
    const sim = await Simulator.load(fixture('tc_mark'));
    const frame = pkt.eth().ipv4({ tos: 0x10 } as never).udp().build();
    const r = sim.run('tc_mark', frame);
    expect(r.action).toBe('TC_ACT_OK');
    expect(r.skb!.field('mark')).toBe(0x100 | (0x10 >> 2));
    expect(r.packet[15]).toBe(0x28);
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += (r.packet[i]! << 8) | r.packet[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    expect(sum).toBe(0xffff);
    expect(r.helperCalls.map((c) => c.name)).toEqual(['bpf_l3_csum_replace', 'bpf_skb_store_bytes']);
    expect(sim.global('last_mark')).toEqual(Uint8Array.of(0x04, 0x01, 0, 0));
  });

  it('subprograms and a bpf_loop callback run', async () => {
    const sim = await Simulator.load(fixture('subprogs'));
    const r = sim.run('xdp_calls', pkt.eth().ipv4().udp().build());
    expect(r.helperCalls.some((c) => c.name === 'bpf_loop')).toBe(true);
  });

  it('socket filters see the packet from the L3 header and read it with ld_abs', async () => {
    const sim = await Simulator.load(fixture('socket_filter'));
    const r = sim.run('udp_only', pkt.eth().ipv4().udp().build());
    expect(r.retval32).toBe(0); // offset 12 of the IPv4 header is not an ethertype
    expect(r.packet.length).toBe(42);
  });

  it('maps from the maps fixture: LPM, LRU, ringbuf and a prog array filled from .values', async () => {
    const sim = await Simulator.load(fixture('maps'));
    expect(sim.map('cidrs').constructor.name).toBe('LpmTrieMap');
    expect(sim.map('flows').constructor.name).toBe('HashMap');
    expect(sim.map('events').constructor.name).toBe('RingbufMap');
    expect(sim.map('outer').keys()).toHaveLength(1);
    const frame = pkt.eth().ipv4().udp().build();
    expect(sim.run('xdp_maps', frame).action).toBe('XDP_PASS');
    expect(sim.map('flows').keys()).toHaveLength(0);
    sim.map('cidrs').set(Uint8Array.of(32, 0, 0, 0, 127, 0, 0, 1), 1);
    sim.map('inner_a').set(0, 7);
    sim.setTailCall('jumps', 0, 'tail_target');
    const r = sim.run('xdp_maps', frame);
    expect(r.action).toBe('XDP_DROP');
    expect(sim.map('flows').getNumber(0x0100007f)).toBe(1n);
    expect((sim.map('events') as RingbufMap).records()).toEqual([Uint8Array.of(7, 0, 0, 0)]);
    expect(r.helperCalls.map((c) => c.name)).toEqual([
      'bpf_map_lookup_elem', 'bpf_map_update_elem', 'bpf_map_lookup_elem', 'bpf_map_lookup_elem',
      'bpf_ringbuf_reserve', 'bpf_ringbuf_submit', 'bpf_tail_call',
    ]);
  });

  it('a program type without a simulated context, an unknown map and an unimplemented helper are clear errors', async () => {
    const sim = await Simulator.load(fixture('xdp_firewall'));
    expect(() => sim.run('xdp_firewall', pkt.eth().build(), { progType: 'kprobe' })).toThrow(/kprobe is not supported/);
    expect(() => sim.map('nope')).toThrow(/no map nope/);
    const core = await Simulator.load(fixture('xdp_pass'));
    expect(core.run('xdp_pass', pkt.eth().build()).action).toBe('XDP_PASS');
  });

  it('an unimplemented helper faults naming it', async () => {
    const { kernelHelpers } = await import('../../simulator/helpers/index.ts');
    const { Vm, Memory } = await import('../../simulator/vm/index.ts');
    const { assembleUbpf } = await import('../../bpf/asm/index.ts');
    const h = kernelHelpers({ cpu: 0, now: () => 0n, random: () => 4, printk: [], calls: [] });
    const vm = new Vm({ helpers: h });
    expect(vm.run(assembleUbpf('call 7\nexit'), { memory: new Memory() }).r0).toBe(4n);
    let fault: unknown;
    try {
      vm.run(assembleUbpf('call 18\nexit'), { memory: new Memory() });
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(SimFault);
    expect(String((fault as Error).message)).toMatch(/bpf_skb_vlan_push \(helper 18\) is not implemented/);
  });

  it('cgroup skb programs see the packet from its L3 header and the test run\'s socket family and addresses', async () => {
    const sim = await Simulator.load(fixture('sim_cgroup_skb'));
    const frame = pkt.eth().ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).udp().build();
    const r = sim.run('sim_cgroup_skb', frame);
    expect(r.action).toBe(((frame[14]! & 1) === 1) ? 'allow' : 'deny');
    const results = sim.map('results');
    expect(results.getNumber(0)).toBe(BigInt(frame.length - 14)); // len
    expect(results.getNumber(4)).toBe(2n); // AF_INET
    expect(results.getNumber(5)).toBe(0x0100000an); // local_ip4: the source, as loaded from its big-endian bytes
    expect(results.getNumber(6)).toBe(0x0200000an); // remote_ip4
    expect(results.getNumber(10)).toBe(0x45n); // the first byte the program sees is the IPv4 header's
    expect(r.skb!.field('mark')).toBe(0x45);
  });
});
