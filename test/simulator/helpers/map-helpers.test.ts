// Queue/stack helpers, perf event output and spin locks, on the sim_queue and sim_xdp_adjust fixtures
// (byte 3 of the frame picks the operation, bytes 4..7 the value) and on assembled programs.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { ArrayMap, kernelHelpers, MapType, PerfEventArrayMap, QueueStackMap, Simulator, SimFault, createMap } from '../../../simulator/index.ts';
import { Memory, Vm } from '../../../simulator/vm/index.ts';

const frame = (sel: number, value: number) => {
  const f = new Uint8Array(20);
  f[3] = sel;
  new DataView(f.buffer).setUint32(4, value, true);
  return f;
};

describe('map helpers', () => {
  it('push, pop and peek move values through queue and stack maps that tests fill and read', async () => {
    // sim_queue's map values hold a bpf_spin_lock, which our verifier does not model yet: load it unverified
    const sim = await Simulator.load('test/fixtures/sim_queue.o', { unverified: true });
    const fifo = sim.map('fifo') as QueueStackMap;
    fifo.pushValue(5);
    expect(sim.run('sim_queue', frame(0, 6)).action).toBe('XDP_PASS'); // push 6
    expect(fifo.values().map((v) => v[0])).toEqual([5, 6]);
    expect(sim.run('sim_queue', frame(3, 0)).action).toBe('XDP_PASS'); // peek
    expect(sim.map('results').getNumber(4)).toBe(5n);
    expect(sim.run('sim_queue', frame(2, 0)).action).toBe('XDP_PASS'); // pop
    expect(sim.map('results').getNumber(2)).toBe(5n);
    expect(sim.run('sim_queue', frame(0x84, 0)).action).toBe('XDP_DROP'); // pop from the empty stack: -ENOENT
    expect(sim.run('sim_queue', frame(0x10, 1)).action).toBe('XDP_ABORTED'); // push with BPF_NOEXIST: -EINVAL
    expect(sim.map('guarded').get(0)).toEqual(Uint8Array.of(0, 0, 0, 0, 0 + 3 + 2 + 0x84 + 0x10, 0, 0, 0)); // unlocked; the selectors summed
  });

  it('bpf_perf_event_output captures the record, with the packet bytes BPF_F_CTXLEN_MASK asks for', async () => {
    const sim = await Simulator.load('test/fixtures/sim_xdp_adjust.o');
    const f = new Uint8Array(30).fill(9);
    f[3] = 48; // BPF_F_CURRENT_CPU | 4 bytes of packet (byte 4)
    f[4] = 4;
    expect(sim.run('sim_xdp_adjust', f).action).toBe('XDP_PASS');
    expect((sim.map('events') as PerfEventArrayMap).drain()).toEqual([{ index: 0, data: Uint8Array.of(48, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 48) }]);
    f[4] = 40; // more than the packet holds: -EFAULT
    expect(sim.run('sim_xdp_adjust', f).action).toBe('XDP_DROP');
    expect(sim.map('results').getNumber(8)).toBe(BigInt.asUintN(64, -14n));
  });

  it('bpf_spin_lock twice on one lock and bpf_spin_unlock of a free lock fault at the call', () => {
    const memory = new Memory();
    const m = createMap({ name: 'v', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 }, memory) as ArrayMap;
    const vm = new Vm({ helpers: kernelHelpers({ cpu: 0, now: () => 0n, random: () => 0, printk: [], calls: [] }) });
    const lock = `lddw %r1, ${m.region(0).address()}\ncall 93\n`;
    const fault = (src: string) => {
      try {
        vm.run(assembleUbpf(src), { memory });
      } catch (e) {
        return e as SimFault;
      }
      throw new Error('expected a fault');
    };
    const twice = fault(`${lock}${lock}exit`);
    expect(twice.slot).toBe(5);
    expect(twice.message).toMatch(/bpf_spin_lock: the lock is already held/);
    m.region(0).bytes.fill(0);
    expect(fault(`lddw %r1, ${m.region(0).address()}\ncall 94\nexit`).message).toMatch(/bpf_spin_unlock: the lock is not held/);
  });
});
