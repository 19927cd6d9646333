// bpf_redirect and bpf_redirect_map on the sim_xdp_adjust and sim_tc_room fixtures: byte 3 of the frame
// picks the helper, byte 4 its argument (see the fixtures' sources).
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../simulator/index.ts';

const frame = (sel: number, arg: number) => {
  const f = new Uint8Array(60);
  f[3] = sel;
  f[4] = arg;
  f[12] = 0x08;
  f[13] = 0x06; // ARP: the TC test run needs no IP header
  return f;
};

describe('redirect helpers', () => {
  it('bpf_redirect_map through a devmap returns XDP_REDIRECT and records the target device', async () => {
    const sim = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    sim.map('devs').set(0, 7);
    const r = sim.run('sim_xdp_adjust', frame(5, 0));
    expect(r.action).toBe('XDP_REDIRECT');
    expect(r.redirect).toEqual({ helper: 'bpf_redirect_map', map: 'devs', mapType: 'devmap', key: 0, flags: 0n, ifindex: 7 });
  });

  it('an empty slot returns the default action from the flags\' low bits and records no target', async () => {
    const sim = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    const r = sim.run('sim_xdp_adjust', frame(5, 1 | (2 << 2))); // key 1, flags XDP_PASS
    expect(r.action).toBe('XDP_PASS');
    expect(r.redirect).toBeUndefined();
  });

  it('BPF_F_BROADCAST redirects through a devmap even with no entry; an unknown flag aborts', async () => {
    const sim = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    const b = sim.run('sim_xdp_adjust', frame(5, 1 | ((8 | 16) << 2)));
    expect(b.action).toBe('XDP_REDIRECT');
    expect(b.redirect).toMatchObject({ broadcast: true, excludeIngress: true, key: 1 });
    expect(sim.run('sim_xdp_adjust', frame(5, 4 << 2)).action).toBe('XDP_ABORTED');
    expect(sim.run('sim_xdp_adjust', frame(6, 8 << 2)).action).toBe('XDP_ABORTED'); // broadcast is for devmaps only
  });

  it('cpumap and xskmap targets name the CPU and the queue', async () => {
    const sim = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    sim.map('cpus').set(1, 192);
    sim.map('xsks').set(0, 3);
    expect(sim.run('sim_xdp_adjust', frame(6, 1)).redirect).toMatchObject({ mapType: 'cpumap', cpu: 1 });
    expect(sim.run('sim_xdp_adjust', frame(7, 0)).redirect).toMatchObject({ mapType: 'xskmap', queue: 0 });
  });

  it('bpf_redirect: XDP_REDIRECT to the ifindex in XDP (any flag aborts); TC_ACT_REDIRECT in TC, BPF_F_INGRESS only', async () => {
    const xdp = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    const r = xdp.run('sim_xdp_adjust', frame(4, 5));
    expect(r.action).toBe('XDP_REDIRECT');
    expect(r.redirect).toEqual({ helper: 'bpf_redirect', ifindex: 5, flags: 0n });
    expect(xdp.run('sim_xdp_adjust', frame(24, 5)).action).toBe('XDP_ABORTED');
    const tc = await Simulator.load('test/fixtures/sim_tc_room.o');
    const t = tc.run('sim_tc_room', frame(4, 9));
    expect(t.action).toBe('TC_ACT_REDIRECT');
    expect(t.redirect).toEqual({ helper: 'bpf_redirect', ifindex: 9, flags: 0n, ingress: false });
    expect(tc.run('sim_tc_room', frame(0x84, 9)).redirect).toMatchObject({ ingress: true });
    expect(tc.run('sim_tc_room', frame(0x44, 9)).action).toBe('TC_ACT_SHOT');
  });
});
