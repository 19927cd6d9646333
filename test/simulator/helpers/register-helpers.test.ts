// The hot helpers answered from the registers (a batch's table: HelperEnv.unrecorded) against the same
// helpers through RegisterFile and HelperContext (a recorded table): the same programs, run on two identical
// simulated worlds, must end with the same r0 after every run and the same map contents.
import { describe, expect, it } from 'vitest';
import { assembleUbpf } from '../../../bpf/asm/index.ts';
import { createMap, kernelHelpers, MapType, PacketBuffer, type HelperEnv, type SimMap } from '../../../simulator/index.ts';
import { Memory, Vm } from '../../../simulator/vm/index.ts';

interface World {
  readonly memory: Memory;
  readonly map: SimMap;
  readonly vm: Vm;
  readonly ctx: ReturnType<Memory['add']>;
  readonly packet: PacketBuffer;
}

function world(type: number, unrecorded: boolean, maxEntries = 8, clockStart = 1000n): World {
  const memory = new Memory();
  const keySize = type === MapType.LPM_TRIE ? 8 : 4;
  const map = createMap({ name: 'm', type, keySize, valueSize: 8, maxEntries, flags: type === MapType.LPM_TRIE ? 1 : 0 }, memory, { cpus: 2 });
  const packet = new PacketBuffer(memory, Uint8Array.from({ length: 60 }, (_, i) => i * 7), 64);
  let clock = clockStart;
  let seed = 1;
  const env: HelperEnv = {
    cpu: 1,
    now: () => (clock += 333n),
    random: () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0),
    printk: [],
    calls: [],
    packet,
    contextKind: 'skb',
    ...(unrecorded ? { unrecorded: true } : {}),
  };
  const ctx = memory.add({ name: 'ctx', kind: 'ctx', size: 28 });
  return { memory, map, vm: new Vm({ helpers: kernelHelpers(env) }), ctx, packet };
}

/**
 * ctx: u32 key, u32 flags, u32 load offset, u32 load length. Updates the key (value: the key times 3), looks it
 * up, deletes it when the key is odd, reads the clock, the PRNG and the CPU, loads up to 24 packet bytes; r0
 * mixes every result.
 */
function program(map: SimMap, lpm: boolean): string {
  const a = map.handle.address();
  return `
    ldxw %r2, [%r1+12]
    stxdw [%r10-40], %r2
    ldxw %r6, [%r1]
    ldxw %r7, [%r1+4]
    ldxw %r9, [%r1+8]
    ${lpm ? 'stw [%r10-8], 24\nstxw [%r10-4], %r6' : 'stxw [%r10-8], %r6'}
    mov %r2, %r6
    mul %r2, 3
    stxdw [%r10-16], %r2
    lddw %r1, ${a}
    mov %r2, %r10
    add %r2, -8
    mov %r3, %r10
    add %r3, -16
    mov %r4, %r7
    call 2
    mov %r8, %r0
    lddw %r1, ${a}
    mov %r2, %r10
    add %r2, -8
    call 1
    jeq %r0, 0, missing
    ldxdw %r2, [%r0]
    lsh %r2, 8
    xor %r8, %r2
    missing:
    mov %r2, %r6
    and %r2, 1
    jeq %r2, 0, kept
    lddw %r1, ${a}
    mov %r2, %r10
    add %r2, -8
    call 3
    lsh %r0, 16
    xor %r8, %r0
    kept:
    call 5
    xor %r8, %r0
    call 7
    lsh %r0, 20
    xor %r8, %r0
    call 8
    lsh %r0, 40
    xor %r8, %r0
    mov %r1, 0
    mov %r2, %r9
    mov %r3, %r10
    add %r3, -96
    ldxdw %r4, [%r10-40]
    call 26
    lsh %r0, 48
    xor %r8, %r0
    ldxdw %r0, [%r10-96]
    xor %r8, %r0
    ldxdw %r0, [%r10-88]
    lsh %r0, 1
    xor %r8, %r0
    ldxdw %r0, [%r10-80]
    lsh %r0, 2
    xor %r0, %r8
    exit`;
}

describe('helpers answered from the registers', () => {
  const kinds = [
    ['a hash', MapType.HASH],
    ['an LRU hash', MapType.LRU_HASH],
    ['a per-CPU hash', MapType.PERCPU_HASH],
    ['an array', MapType.ARRAY],
    ['an LPM trie', MapType.LPM_TRIE],
  ] as const;
  for (const [label, type] of kinds) {
    it(`give the results and map contents of the recorded helpers on ${label}`, () => {
      const fast = world(type, true);
      const slow = world(type, false);
      const lpm = type === MapType.LPM_TRIE;
      const progs = [fast, slow].map((w) => assembleUbpf(program(w.map, lpm)));
      let seed = 7;
      const next = (n: number): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n;
      for (let i = 0; i < 300; i++) {
        const key = next(24);
        const flags = [0, 0, 1, 2, 9][next(5)]!;
        const offset = [0, 10, 33, 52, 56, 0x8000_0000][next(6)]!;
        const len = [1, 3, 4, 7, 8, 13, 20, 24][next(8)]!;
        const r0 = [fast, slow].map((w, k) => {
          const v = new DataView(w.ctx.bytes.buffer);
          v.setUint32(0, key, true);
          v.setUint32(4, flags, true);
          v.setUint32(8, offset, true);
          v.setUint32(12, len, true);
          return w.vm.run(progs[k]!, { memory: w.memory, r1: w.ctx }).r0;
        });
        expect(r0[0], `run ${i}: key ${key}, flags ${flags}, offset ${offset}, length ${len}`).toBe(r0[1]);
      }
      expect(fast.map.entriesPerCpu()).toEqual(slow.map.entriesPerCpu());
    });
  }

  it('store packet bytes and replace an l3 checksum as the recorded helpers do', () => {
    const fast = world(MapType.HASH, true);
    const slow = world(MapType.HASH, false);
    // ctx: u32 store offset, len, flags, source (0: the stack, 1: the packet itself), csum offset, csum flags, csum from
    const progs = [fast, slow].map((w) =>
      assembleUbpf(`
        lddw %r2, 0x0123456789abcdef
        stxdw [%r10-48], %r2
        stxdw [%r10-40], %r2
        lsh %r2, 3
        stxdw [%r10-32], %r2
        stxdw [%r10-24], %r2
        ldxw %r2, [%r1+16]
        stxdw [%r10-8], %r2
        ldxw %r2, [%r1+20]
        stxdw [%r10-16], %r2
        ldxw %r9, [%r1+24]
        ldxw %r6, [%r1+12]
        mov %r2, %r1
        ldxw %r5, [%r2+8]
        ldxw %r4, [%r2+4]
        ldxw %r2, [%r2]
        mov %r3, %r10
        add %r3, -48
        jeq %r6, 0, stack
        lddw %r3, ${w.packet.region.address() + BigInt(w.packet.data)}
        stack:
        call 9
        mov %r6, %r0
        ldxdw %r2, [%r10-8]
        mov %r3, %r9
        mov %r4, 0x5678
        ldxdw %r5, [%r10-16]
        call 10
        lsh %r0, 32
        xor %r0, %r6
        exit`),
    );
    let seed = 11;
    const pick = <T,>(xs: readonly T[]): T => xs[(seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % xs.length]!;
    for (let i = 0; i < 400; i++) {
      const fields = [pick([0, 3, 30, 50, 59, 0x10000]), pick([1, 2, 4, 8, 32]), pick([0, 1, 2, 4]), pick([0, 1]), pick([0, 1, 10, 58, 59, 60, 0x10000]), pick([0, 2, 4, 3, 0x10]), pick([0, 0x1234])];
      const r0 = [fast, slow].map((w, k) => {
        const v = new DataView(w.ctx.bytes.buffer);
        fields.forEach((f, j) => v.setUint32(j * 4, f, true));
        return w.vm.run(progs[k]!, { memory: w.memory, r1: w.ctx }).r0;
      });
      expect(r0[0], `run ${i}: ${fields.join(', ')}`).toBe(r0[1]);
      expect(fast.packet.view(0, fast.packet.length), `run ${i}`).toEqual(slow.packet.view(0, slow.packet.length));
    }
  });

  it('read a clock on either side of 2^53 ns as the recorded helper does', () => {
    for (const start of [2n ** 53n - 1000n, 2n ** 63n + 12345n]) {
      const [fast, slow] = [true, false].map((u) => world(MapType.HASH, u, 8, start));
      const prog = assembleUbpf('call 5\nmov %r6, %r0\ncall 5\nxor %r0, %r6\nadd %r0, %r6\nexit');
      for (let i = 0; i < 8; i++) {
        const r0 = [fast!, slow!].map((w) => w.vm.run(prog, { memory: w.memory, r1: w.ctx }).r0);
        expect(r0[0], `clock from ${start}, run ${i}`).toBe(r0[1]);
      }
    }
  });

  it('leave faults to the ordinary path, with its message', () => {
    const w = world(MapType.HASH, true);
    // the key pointer is 4 bytes short of the stack's end
    const prog = assembleUbpf(`lddw %r1, ${w.map.handle.address()}\nmov %r2, %r10\nadd %r2, -2\ncall 1\nexit`);
    expect(() => w.vm.run(prog, { memory: w.memory, r1: w.ctx })).toThrow(/bpf_map_lookup_elem.*out of bounds/);
    // r1 not a map
    const notMap = assembleUbpf('mov %r2, %r10\nadd %r2, -8\ncall 1\nexit');
    expect(() => w.vm.run(notMap, { memory: w.memory, r1: w.ctx })).toThrow(/is not a map/);
  });
});
