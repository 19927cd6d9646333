// The kernel as the oracle for the checksum helpers' pure models: tiny hand-assembled programs call
// bpf_csum_diff (28) from XDP and bpf_l3_csum_replace (10) / bpf_l4_csum_replace (11) from TC on packets
// through BPF_PROG_TEST_RUN, and every result must equal csumDiff / l3CsumReplace / l4CsumReplace.
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../../bpf/asm/index.ts';
import { encode } from '../../../bpf/index.ts';
import { progLoad, progTestRun, type Fd } from '../../../loader/index.ts';
import { createRng, csumDiff, l3CsumReplace, l4CsumReplace, packet } from '../../../simulator/packet/index.ts';
import { available, kernelBpf } from '../../support/require.ts';

const PROG_SCHED_CLS = 3;
const PROG_XDP = 6;
const run = available('csum helpers against the kernel', kernelBpf);

const programs = new Map<string, Fd>();
afterAll(() => {
  for (const fd of programs.values()) fd.close();
  programs.clear();
});

/** XDP: r0 = bpf_csum_diff(data + 8, from, data + 8 + from, to, *(u64 *)data); *(u64 *)data = r0. */
function csumDiffProgram(from: number, to: number): Fd {
  const key = `diff ${from} ${to}`;
  let fd = programs.get(key);
  if (fd === undefined) {
    const text = `
      r6 = *(u32 *)(r1 + 0x0)
      r7 = *(u32 *)(r1 + 0x4)
      r2 = r6
      r2 += ${8 + from + to}
      if r2 > r7 goto +11
      r1 = r6
      r1 += 0x8
      r2 = ${from}
      r3 = r6
      r3 += ${8 + from}
      r4 = ${to}
      r5 = *(u64 *)(r6 + 0x0)
      call 0x1c
      *(u64 *)(r6 + 0x0) = r0
      r0 = 0x2
      exit
      r0 = 0x1
      exit`;
    fd = progLoad({ type: PROG_XDP, insns: encode(assemble(text)), license: 'GPL', name: 'csum_diff' }).fd;
    programs.set(key, fd);
  }
  return fd;
}

const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** TC: return bpf_l3/l4_csum_replace(skb, offset, from, to, flags) with everything immediate. */
function replaceProgram(helper: 10 | 11, offset: number, from: bigint, to: bigint, flags: bigint): Fd {
  const text = `
    r2 = ${offset}
    r3 = ${hex64(from)} ll
    r4 = ${hex64(to)} ll
    r5 = ${hex64(flags)} ll
    call ${helper === 10 ? '0xa' : '0xb'}
    exit`;
  return progLoad({ type: PROG_SCHED_CLS, insns: encode(assemble(text)), license: 'GPL', name: 'csum_replace' }).fd;
}

const le16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

describe.runIf(run)('checksum helpers against the kernel', () => {
  it('csumDiff equals bpf_csum_diff on random data, sizes (odd, zero, over 512 bytes together) and seeds', () => {
    const rng = createRng(2026);
    const sizes = [0, 1, 2, 3, 4, 5, 8, 12, 16, 20, 36, 40, 64, 100, 256, 260, 512, 1000];
    const seeds = [0n, 1n, 0xffffffffn, 0xffffffff_ffffffffn, 0x1_0000_0000n];
    let cases = 0;
    for (let i = 0; i < 400; i++) {
      const from = rng.pick(sizes);
      const to = rng.pick(sizes);
      // XDP test runs need at least an Ethernet header's worth of packet.
      const size = Math.max(64, 8 + from + to);
      const data = i % 7 === 0 ? new Uint8Array(size).fill(0xff) : i % 11 === 0 ? new Uint8Array(size) : rng.bytes(size);
      const seed = i % 3 === 0 ? rng.pick(seeds) : (BigInt(rng.next()) << 32n) | BigInt(rng.next());
      new DataView(data.buffer).setBigUint64(0, seed, true);
      const out = progTestRun(csumDiffProgram(from, to), { data });
      expect(out.retval).toBe(2);
      const kernel = new DataView(out.data.buffer, out.data.byteOffset).getBigInt64(0, true);
      const ours = csumDiff(data.subarray(8, 8 + from), data.subarray(8 + from, 8 + from + to), seed);
      expect(Number(kernel), `from ${from} to ${to} seed ${hex64(seed)}`).toBe(ours);
      cases++;
    }
    expect(cases).toBe(400);
  });

  it('l3CsumReplace and l4CsumReplace equal the helpers on a CHECKSUM_NONE skb, flags and errors included', () => {
    const rng = createRng(1624);
    const base = packet.eth().ipv4().udp().payload('checksum').build();
    const flagChoices = [0n, 2n, 4n, 1n, 8n, 0x10n, 0x12n, 0x14n, 0x20n, 0x24n, 0x62n, 0x74n, 0x84n, 0x90n, 0x94n, 0x100n];
    for (let i = 0; i < 120; i++) {
      const helper = i % 2 === 0 ? 10 : 11;
      const flags = rng.pick(flagChoices);
      const offset = rng.chance(0.1) ? 41 : rng.pick([24, 40]);
      const field = rng.pick([0, 0xffff, 1, rng.int(0, 0xffff)]);
      const from = rng.chance(0.3) ? 0n : (BigInt(rng.next()) << 32n) | BigInt(rng.next());
      const to = (BigInt(rng.next()) << 32n) | BigInt(rng.next());
      const data = base.slice();
      if (offset % 2 === 0) {
        data[offset] = field & 0xff;
        data[offset + 1] = field >> 8;
      }
      using fd = replaceProgram(helper, offset, from, to, flags);
      const out = progTestRun(fd, { data });
      const ours =
        helper === 10
          ? l3CsumReplace(field, from, to, { flags, offset })
          : l4CsumReplace(field, from, to, { flags, offset, skb: { ipSummed: 'none', csum: 0 } });
      const what = `helper ${helper} flags ${hex64(flags)} offset ${offset} field ${field} from ${hex64(from)} to ${hex64(to)}`;
      expect(out.retval, what).toBe(ours.ret >>> 0);
      if (offset % 2 === 0) expect(le16(out.data, offset), what).toBe(ours.field);
    }
  });
});
