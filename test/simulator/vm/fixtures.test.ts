// clang-built fixtures run on the interpreter through the extension points later layers implement: map
// handles resolved into ld_imm64, stub helpers (one calling back into the program, as bpf_loop does),
// contexts as regions, source lines from BTF line info.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkProgram, readObject } from '../../../bpf/index.ts';
import { compileProgram, helperTable, Memory, sourceLinesFrom, Vm, type MapHandle, type Region } from '../../../simulator/index.ts';
import { repoRoot } from '../../corpora.ts';

const fixture = (name: string) => readObject(readFileSync(join(repoRoot, 'test/fixtures', name)));

describe('fixtures on the interpreter', () => {
  it('subprogs.o: BPF-to-BPF calls, a bpf_loop callback and a map value', () => {
    const linked = linkProgram(fixture('subprogs.o'), 'xdp_calls');
    const memory = new Memory();
    const sums: MapHandle = { name: 'sums', type: 2, keySize: 4, valueSize: 8, maxEntries: 1 };
    const sumsAddress = memory.addMap(sums).address();
    const value = memory.add({ name: 'sums[0]', kind: 'map_value', size: 8 });
    const refs = new Map(linked.references.map((r) => [r.slot, r.ref]));
    const program = compileProgram(linked.instructions, {
      name: 'xdp_calls',
      resolveImm64: (slot) => {
        const ref = refs.get(slot);
        if (ref === undefined) return undefined;
        if (ref.kind === 'map' && ref.map === 'sums') return sumsAddress;
        throw new Error(`unexpected reference at ${slot}`);
      },
      sourceLine: sourceLinesFrom(linked.lineInfo),
    });
    const calls: string[] = [];
    const helpers = helperTable({
      1: (r, vm) => {
        // bpf_map_lookup_elem(map, key)
        calls.push(`lookup ${vm.map(r.get(1)).name}`);
        const key = new DataView(vm.bytes(r.get(2), 4).slice().buffer).getUint32(0, true);
        return key === 0 ? value.address() : 0;
      },
      181: (r, vm) => {
        // bpf_loop(nr_loops, callback, callback_ctx, flags)
        const n = r.u32(1);
        const callback = r.get(2);
        const ctx = r.get(3);
        let i = 0;
        while (i < n) {
          const stop = vm.callFunction(callback, [i, ctx]);
          i++;
          if (stop === 1n) break;
        }
        calls.push(`loop ${i}`);
        return i;
      },
    });
    // xdp_md: data and data_end (only their difference matters to this program)
    const ctx = memory.add({ name: 'xdp_md', kind: 'ctx', size: 24 });
    new DataView(ctx.bytes.buffer).setUint32(4, 64, true);
    const r = new Vm({ helpers }).run(program, { memory, r1: ctx });
    expect(r.r0).toBe(2n); // XDP_PASS
    expect(calls).toEqual(['loop 10', 'lookup sums']);
    // sum of 0..9, plus checksum(ctx) = (64 * 31) ^ 7
    expect(new DataView(value.bytes.buffer).getBigUint64(0, true)).toBe(45n + ((64n * 31n) ^ 7n));
  });

  it('socket_filter.o: ld_abs reads the packet big-endian; a fault names the C line', () => {
    const linked = linkProgram(fixture('socket_filter.o'), 'udp_only');
    const program = compileProgram(linked.instructions, { name: 'udp_only', sourceLine: sourceLinesFrom(linked.lineInfo) });
    const memory = new Memory();
    const skb = memory.add({ name: '__sk_buff', kind: 'ctx', size: 192 });
    const frame = (proto: number) => {
      const b = new Uint8Array(42);
      b[12] = 0x08; // ETH_P_IP
      b[14] = 0x45;
      b[23] = proto;
      return b;
    };
    new DataView(skb.bytes.buffer).setUint32(0, 42, true); // skb->len
    const vm = new Vm();
    const udp = memory.add({ name: 'packet', kind: 'packet', bytes: frame(17) });
    expect(vm.run(program, { memory, r1: skb, packet: udp }).r0).toBe(42n);
    const tcp = memory.add({ name: 'packet', kind: 'packet', bytes: frame(6) });
    expect(vm.run(program, { memory, r1: skb, packet: tcp }).r0).toBe(0n);
    // a context too small for skb->len: the fault points at the C source
    const small = memory.add({ name: '__sk_buff', kind: 'ctx', size: 2 });
    expect(() => vm.run(program, { memory, r1: small, packet: udp })).toThrow(/program udp_only: instruction \d+ \(.*socket_filter\.c:\d+: .*skb->len.*\): invalid read of 4 bytes at __sk_buff\+0/);
  });

  it('xdp_firewall.o: xdp_md data pointers from a context load hook, parsing through packet pointers', () => {
    const linked = linkProgram(fixture('xdp_firewall.o'), 'xdp_firewall');
    const memory = new Memory();
    const handles = new Map<string, bigint>();
    for (const name of ['blocked_ports', 'verdicts']) {
      handles.set(name, memory.addMap({ name, type: name === 'verdicts' ? 6 : 1, keySize: 4, valueSize: name === 'verdicts' ? 8 : 4, maxEntries: 1024 }).address());
    }
    const refs = new Map(linked.references.map((r) => [r.slot, r.ref]));
    const program = compileProgram(linked.instructions, {
      name: 'xdp_firewall',
      resolveImm64: (slot) => {
        const ref = refs.get(slot);
        return ref?.kind === 'map' ? handles.get(ref.map) : undefined;
      },
      sourceLine: sourceLinesFrom(linked.lineInfo),
    });
    const blockedValue = memory.add({ name: 'blocked_ports value', kind: 'map_value', size: 4 });
    const verdicts = [0, 1, 2].map((i) => memory.add({ name: `verdicts[${i}]`, kind: 'map_value', size: 8 }));
    const blocked = new Set(['06000016']); // proto 6 (TCP), pad, port 22 in network order
    const helpers = helperTable({
      1: (r, vm) => {
        const map = vm.map(r.get(1));
        const key = vm.bytes(r.get(2), map.keySize);
        if (map.name === 'verdicts') return verdicts[new DataView(key.slice().buffer).getUint32(0, true)]?.address() ?? 0;
        return blocked.has(Buffer.from(key).toString('hex')) ? blockedValue.address() : 0;
      },
    });
    const vm = new Vm({ helpers });
    const run = (bytes: Uint8Array): bigint => {
      const packet: Region = memory.add({ name: 'packet', kind: 'packet', bytes });
      const ctx = memory.add({
        name: 'xdp_md',
        kind: 'ctx',
        size: 24,
        // the kernel turns these 32-bit loads into 64-bit packet pointers
        load: (offset) => (offset === 0 || offset === 8 ? packet.address(packet.start) : offset === 4 ? packet.address(packet.end) : undefined),
        access: (_offset, _size, write) => (write ? 'xdp_md is read-only here' : undefined),
      });
      return vm.run(program, { memory, r1: ctx }).r0;
    };
    const tcp = (port: number) => {
      const b = new Uint8Array(54);
      b[12] = 0x08; // IPv4
      b[14] = 0x45;
      b[23] = 6; // TCP
      b[36] = port >> 8;
      b[37] = port & 0xff;
      return b;
    };
    expect(run(tcp(22))).toBe(1n); // XDP_DROP: blocked
    expect(run(tcp(80))).toBe(2n); // XDP_PASS
    expect(run(tcp(80).subarray(0, 40))).toBe(1n); // truncated TCP header: malformed, dropped
    const count = (v: Region) => new DataView(v.bytes.buffer).getBigUint64(0, true);
    expect(verdicts.map(count)).toEqual([1n, 1n, 1n]);
  });
});
