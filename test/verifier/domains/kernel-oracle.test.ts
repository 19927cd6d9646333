// The scalar domains against this machine's kernel verifier: random straight-line scalar programs are
// loaded with log level 2, and every register state the kernel prints on the first path it explores, every
// branch direction it takes and every refined state on a taken edge is compared with the domains' result,
// printed the same way.
import { describe, expect, it } from 'vitest';
import { progLoad } from '../../../loader/index.ts';
import { available, kernelBpf } from '../../support/require.ts';
import { caseBytes, compareWithLog, prng, randomCase, type Case } from './kernel-cases.ts';

const run = available('scalar domains against the kernel verifier', kernelBpf);
const SOCKET_FILTER = 1;

function kernelLog(c: Case): readonly string[] {
  const p = progLoad({ type: SOCKET_FILTER, insns: caseBytes(c), license: 'GPL', logLevel: 2, logSize: 1 << 20 });
  p.fd.close();
  return p.log;
}

function sweep(kind: 'alu' | 'branch', seed: number, n: number): { compared: number; directions: number; failures: string[] } {
  const rng = prng(seed);
  const failures: string[] = [];
  let compared = 0;
  let directions = 0;
  for (let i = 0; i < n; i++) {
    const c = randomCase(rng, kind);
    const r = compareWithLog(c, kernelLog(c));
    compared += r.compared;
    directions += r.directions;
    if (r.mismatches.length > 0 && failures.length < 5) failures.push(`${c.text}\n${r.mismatches.join('\n')}`);
  }
  return { compared, directions, failures };
}

describe.runIf(run)('scalar domains against the kernel verifier', () => {
  it('ALU results on 300 random programs print exactly as the kernel prints them', () => {
    const r = sweep('alu', 1, 300);
    expect(r.failures).toEqual([]);
    expect(r.compared).toBeGreaterThan(3000);
  });

  it('branch directions and both refined branches on 300 random programs match the kernel', () => {
    const r = sweep('branch', 2, 300);
    expect(r.failures).toEqual([]);
    expect(r.directions).toBeGreaterThan(300);
  });

  it.each([
    ['tnum_step makes a one-member range a constant', 'call 7\nr3 = r0\nr3 &= 0x30\nif r3 < 0x11 goto out\nif r3 > 0x2f goto out\nr0 = 0\nexit\nout:\nr0 = 0\nexit'],
    ['the [-1, 0] fork before and/or', 'call 7\nr6 = r0\nr6 s>>= 63\nr6 &= -0x100\nw6 |= 0x3\nr0 = 0\nexit'],
    ['no fork when only the low half of the source is known', 'call 7\nr7 = r0\nr7 >>= 32\nr7 <<= 32\nr7 |= 0x20\ncall 7\nr6 = r0\nr6 s>>= 63\nw6 &= w7\nr0 = 0\nexit'],
    ['sign-extending moves', 'call 7\nr7 = r0\nr7 &= 0xf\nr7 |= 0x80\nr8 = (s8)r7\nw6 = (s8)w7\nr5 = (s16)r0\nr0 = 0\nexit'],
    ['a register compared with itself', 'call 7\nr6 = r0\nr6 &= 1\nif r6 > r6 goto tgt\nr0 = 0\nexit\ntgt:\nr0 = 1\nexit'],
    ['byte swaps', 'call 7\nr5 = r0\nr5 &= 0xff\nr5 = be16 r5\nr4 = r0\nr4 = bswap32 r4\nr3 = r0\nr3 &= 0xff00\nr3 = le16 r3\nr0 = 0\nexit'],
  ])('%s', (_name, text) => {
    const c: Case = { text, kind: 'branch' };
    const r = compareWithLog(c, kernelLog(c));
    expect(r.mismatches).toEqual([]);
    expect(r.compared).toBeGreaterThan(3);
  });
});
