// bpf_skb_load_bytes answered inside wasm (inline-packet-helpers.ts): batches of clang-built skb programs in
// both tiers, with the same verdicts and map contents, and the JavaScript answer (register-helpers.ts) asked
// only where the wasm code leaves the call to it (a copy past the packet's end: -EFAULT).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { assemble } from '../../../bpf/asm/index.ts';
import { readObject, type ObjectSpec } from '../../../bpf/index.ts';
import { createRng, packet, randomPacket } from '../../../simulator/packet/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { repoRoot } from '../../corpora.ts';

/** calls of the JavaScript answer of helpers 26, 9 and 10 */
const asked = { n: 0 };

vi.mock('../../../simulator/helpers/register-helpers.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../simulator/helpers/register-helpers.ts')>();
  return {
    ...real,
    registerHelpers: (...args: Parameters<typeof real.registerHelpers>) => {
      const fast = real.registerHelpers(...args);
      return (id: number, regs: Parameters<typeof fast>[1]) => {
        if (id === 26 || id === 9 || id === 10) asked.n++;
        return fast(id, regs);
      };
    },
  };
});

const ETH_HLEN = 14;
const rng = createRng(26);
// short frames too: cgroup_count_drop copies 28 bytes past the Ethernet header, which some do not have
const random = Array.from({ length: 200 }, () => randomPacket(rng, { minSize: 14, maxSize: 200 }).data);
// the datagram cgroup_count_drop counts, and copies with one header byte changed (each a drop no more)
const udp = packet.eth().ipv4({ src: '192.0.2.1', dst: '192.0.2.2' }).udp({ sport: 47000, dport: 47001 }).build();
const changed = Array.from({ length: ETH_HLEN + 28 }, (_, i) => {
  const p = udp.slice();
  p[i] = p[i]! ^ 0x40;
  return p;
});
const packets = [...random, ...changed, ...Array<Uint8Array>(20).fill(udp)];

function batch(file: string, prog: string, map: string, tier: 'interp' | 'wasm') {
  const sim = new Simulator(readObject(new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures', file)))), { unverified: true, tier });
  asked.n = 0;
  const r = sim.runBatch(prog, packets);
  const contents = sim.map(map).entries().map(([k, v]) => [[...k], [...v]]);
  return { verdicts: r.verdicts, faults: r.faults, contents, asked: asked.n };
}

describe('bpf_skb_load_bytes in wasm', () => {
  it.each([
    // offset 3, 2 bytes, at the start of every frame: the bytes choose which helper runs and what is counted
    ['sim_tc_room.o', 'sim_tc_room', 'results', 0],
    // offset 0, 28 bytes from the IP header on: past the end of frames shorter than 14 + 28 bytes
    ['traffic.o', 'cgroup_count_drop', 'counts', ETH_HLEN + 28],
  ] as const)('copies what %s (%s) asks for as the interpreter does, without JavaScript when it fits', (file, prog, map, needs) => {
    const interp = batch(file, prog, map, 'interp');
    const wasm = batch(file, prog, map, 'wasm');
    expect(wasm.verdicts).toEqual(interp.verdicts);
    expect(wasm.faults).toBe(interp.faults);
    expect(wasm.contents).toEqual(interp.contents);
    expect(Object.keys(interp.verdicts).length).toBeGreaterThan(1);
    // the interpreter answers every call in JavaScript; the wasm code only those past the packet's end
    expect(interp.asked).toBe(packets.length);
    expect(wasm.asked).toBe(packets.filter((p) => p.length < needs).length);
  });
});

// bpf_skb_store_bytes twice: 4 stack bytes at offset b & 15 (b the frame's first byte), flags b >> 6, then 2
// bytes at 1; then bpf_l3_csum_replace(offset (b >> 1) & 7, from b, to b * 257, size 2), -EFAULT at an odd
// offset; the first 8 bytes read back with bpf_skb_load_bytes and the csum's r0 decide the verdict (14 when a
// store failed). In a batch the first store moves the frame into the packet area (the JavaScript answer),
// the second store and an even csum are made inside wasm.
const STORES = `
r6 = r1
*(u32 *)(r10 - 8) = 0x0d0a0b0c
r1 = r6
r2 = 0
r3 = r10
r3 += -16
r4 = 1
call 26
r7 = *(u8 *)(r10 - 16)
r1 = r6
r2 = r7
r2 &= 15
r3 = r10
r3 += -8
r4 = 4
r5 = r7
r5 >>= 6
call 9
if r0 != 0 goto fail
r1 = r6
r2 = 1
r3 = r10
r3 += -7
r4 = 2
r5 = 0
call 9
if r0 != 0 goto fail
r1 = r6
r2 = r7
r2 >>= 1
r2 &= 7
r3 = r7
r4 = r7
r4 *= 257
r5 = 2
call 10
r8 = r0
r1 = r6
r2 = 0
r3 = r10
r3 += -24
r4 = 8
call 26
r0 = *(u64 *)(r10 - 24)
r0 += r8
r0 %= 13
exit
fail:
r0 = 14
exit`;

describe('bpf_skb_store_bytes and bpf_l3_csum_replace in wasm', () => {
  it('writes the frame moved into the packet area as the interpreter does, the second store and the csum without JavaScript', async () => {
    const spec: ObjectSpec = {
      programs: [{ name: 'stores', section: 'tc', type: 3, expectedAttachType: 0, function: 'stores' }],
      functions: [{ name: 'stores', section: 'tc', global: true, references: [], lineInfo: [], coreRelocations: [], instructions: assemble(STORES) }],
      maps: [],
      data: [],
      license: 'GPL',
    };
    // frames of 14 to 24 bytes: some too short for the first store (offset + 4 past the end: -EFAULT)
    const frames = Array.from({ length: 400 }, () => randomPacket(rng, { minSize: 14, maxSize: 24 }).data);
    const run = async (tier: 'interp' | 'wasm') => {
      const sim = await Simulator.load(spec, { unverified: true, tier });
      asked.n = 0;
      return { verdicts: sim.runBatch('stores', frames).verdicts, asked: asked.n };
    };
    const interp = await run('interp');
    const wasm = await run('wasm');
    expect(wasm.verdicts).toEqual(interp.verdicts);
    expect(Object.keys(interp.verdicts).length).toBeGreaterThan(5);
    const failed = frames.filter((f) => (f[0]! & 15) + 4 > f.length);
    expect(interp.verdicts['TC_ACT_UNKNOWN(14)']).toBe(failed.length);
    const odd = frames.filter((f) => (f[0]! & 15) + 4 <= f.length && ((f[0]! >> 1) & 1) === 1);
    expect(odd.length).toBeGreaterThan(0);
    // interp: every call (2 before a failed store, else 5); wasm: the csum at an odd offset (-EFAULT), and
    // the first store of a frame (read-only in place) only until the batch driver copies the frames into the
    // packet area itself (batch-driver.ts copy mode: it does after a few runs of frames JavaScript moved)
    expect(interp.asked).toBe(frames.length * 5 - failed.length * 3);
    expect(wasm.asked - odd.length).toBeGreaterThan(0);
    expect(wasm.asked - odd.length).toBeLessThan(16);
  });
});
