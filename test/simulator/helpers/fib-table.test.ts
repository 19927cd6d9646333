import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { BPF_FIB_LKUP_RET, fibLookup, kernelHelpers, XdpContext, type FibTable } from '../../../simulator/index.ts';
import { Memory, Vm } from '../../../simulator/vm/index.ts';

const table: FibTable = {
  routes: [
    { prefix: '10.0.0.0/8', ifindex: 2 },
    { prefix: '10.1.0.0/16', ifindex: 3, gateway: '192.168.1.1', source: '192.168.1.2', mtu: 1400 },
    { prefix: '10.9.0.0/16', ifindex: 2, type: 'blackhole' },
    { prefix: '2001:db8::/32', ifindex: 2 },
  ],
  neighbours: { '10.0.0.5': '02:00:00:00:00:05', '192.168.1.1': '02:00:00:00:01:01', '2001:db8::5': '02:00:00:00:00:65' },
  devices: { 1: { mac: '02:00:00:00:00:01' }, 2: { mac: '02:00:00:00:00:02' }, 3: { mac: '02:00:00:00:00:03' }, 4: { mac: '02:00:00:00:00:04', forwarding: false } },
};

/** struct bpf_fib_lookup for an IPv4 destination arriving on `ifindex` */
function params(dst: number[], ifindex = 1, family = 2, totLen = 0): Uint8Array {
  const p = new Uint8Array(64);
  const v = new DataView(p.buffer);
  p[0] = family;
  v.setUint16(6, totLen, true);
  v.setUint32(8, ifindex, true);
  p.set(dst, 32);
  return p;
}

describe('bpf_fib_lookup from a route table', () => {
  it('finds the longest prefix, fills the output device, next hop and MAC addresses', () => {
    const p = params([10, 0, 0, 5]);
    expect(fibLookup(table, p, 0n, 100)).toBe(BPF_FIB_LKUP_RET.SUCCESS);
    expect(new DataView(p.buffer).getUint32(8, true)).toBe(2);
    expect([...p.subarray(52, 58)]).toEqual([2, 0, 0, 0, 0, 2]);
    expect([...p.subarray(58, 64)]).toEqual([2, 0, 0, 0, 0, 5]);
    const g = params([10, 1, 2, 3]);
    expect(fibLookup(table, g, 16n, 100)).toBe(BPF_FIB_LKUP_RET.SUCCESS); // BPF_FIB_LOOKUP_SRC
    expect([...g.subarray(32, 36)]).toEqual([192, 168, 1, 1]);
    expect([...g.subarray(16, 20)]).toEqual([192, 168, 1, 2]);
    const v6 = params([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 5], 1, 10);
    expect(fibLookup(table, v6, 0n, 100)).toBe(BPF_FIB_LKUP_RET.SUCCESS);
  });

  it('gives the kernel\'s failures: no neighbour, not forwarded, blackhole, forwarding off, MTU, bad flags, device, family', () => {
    expect(fibLookup(table, params([10, 0, 0, 6]), 0n, 100)).toBe(BPF_FIB_LKUP_RET.NO_NEIGH);
    expect(fibLookup(table, params([10, 0, 0, 6]), 4n, 100)).toBe(BPF_FIB_LKUP_RET.SUCCESS); // BPF_FIB_LOOKUP_SKIP_NEIGH
    expect(fibLookup(table, params([11, 0, 0, 1]), 0n, 100)).toBe(BPF_FIB_LKUP_RET.NOT_FWDED);
    expect(fibLookup(table, params([10, 9, 0, 1]), 0n, 100)).toBe(BPF_FIB_LKUP_RET.BLACKHOLE);
    expect(fibLookup(table, params([10, 0, 0, 5], 4), 0n, 100)).toBe(BPF_FIB_LKUP_RET.FWD_DISABLED);
    const big = params([10, 1, 0, 1], 1, 2, 1500);
    expect(fibLookup(table, big, 0n, 100)).toBe(BPF_FIB_LKUP_RET.FRAG_NEEDED);
    expect(new DataView(big.buffer).getUint16(6, true)).toBe(1400);
    expect(fibLookup(table, params([10, 0, 0, 5]), 64n, 100)).toBe(-22);
    expect(fibLookup(table, params([10, 0, 0, 5], 9), 0n, 100)).toBe(-19);
    expect(fibLookup(table, params([10, 0, 0, 5], 1, 7), 0n, 100)).toBe(-97);
    expect(fibLookup(undefined, params([10, 0, 0, 5]), 0n, 100)).toBe(-19);
  });

  it('the helper refuses a params size below 64 and writes the program\'s struct', () => {
    const memory = new Memory();
    const ctx = new XdpContext(memory, new Uint8Array(60));
    const p = memory.add({ name: 'params', kind: 'memory', bytes: params([10, 0, 0, 5]) });
    const vm = new Vm({ helpers: kernelHelpers({ cpu: 0, now: () => 0n, random: () => 0, printk: [], calls: [], packet: ctx.packet, contextKind: 'xdp', fib: table }) });
    const call = (size: number) => vm.run(assembleUbpf(`lddw %r2, ${p.address()}\nmov %r3, ${size}\nmov %r4, 0\ncall 69\nexit`), { memory, r1: ctx.region }).r0;
    expect(BigInt.asIntN(64, call(32))).toBe(-22n);
    expect(call(64)).toBe(0n);
    expect([...p.bytes.subarray(58, 64)]).toEqual([2, 0, 0, 0, 0, 5]);
  });
});
