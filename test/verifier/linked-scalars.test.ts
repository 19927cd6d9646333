// `rX += K` scalar links (BPF_ADD_CONST): our verdicts, instructions and error lines are the kernel's records
// in linked-scalar-cases.ts (test/oracle/verifier-linked-scalars.test.ts checks those against the kernel).
import { describe, expect, it } from 'vitest';
import { verify } from '../../verifier/index.ts';
import { asmSpec } from './cases.ts';
import { LINKED_SCALAR_32_CASES, LINKED_SCALAR_CASES, LINKED_SCALAR_PRUNE_CASES, LINKED_SCALAR_SYNC } from './linked-scalar-cases.ts';

describe('verify() follows scalars linked by rX += K as the kernel does', () => {
  it.each([...LINKED_SCALAR_CASES, ...LINKED_SCALAR_32_CASES, ...LINKED_SCALAR_PRUNE_CASES].map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = verify(asmSpec(c));
    expect(r.verdict, r.error?.message).toBe(c.verdict);
    if (c.verdict === 'reject') {
      expect(r.error?.insn).toBe(c.insn);
      expect(r.error?.lines).toEqual(c.lines);
    }
  });

  it('prints a linked scalar with its constant after the id, as the kernel log does', () => {
    const r = verify(asmSpec(LINKED_SCALAR_CASES[0]!), { log: true });
    expect(r.log?.find((l) => l.startsWith('7: '))).toContain('R7=scalar(id=1+4,smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=259,var_off=(0x0; 0x1ff))');
  });

  it('narrows the original through its link to the bounds the kernel prints', () => {
    const spec = asmSpec({ name: 'sync', progType: 'xdp', asm: LINKED_SCALAR_SYNC.asm, verdict: 'accept' });
    const r = verify(spec, { log: true });
    // we print r6 where it changes (the branch), the kernel where it is next touched (insn 9)
    expect(r.log?.find((l) => l.startsWith('8: '))).toContain(LINKED_SCALAR_SYNC.r6);
  });

  it('links in seed as with CAP_BPF: seed is bpf_capable, only its loop ban is a design rule', () => {
    const seed = verify(asmSpec(LINKED_SCALAR_CASES[0]!), { profile: 'seed' });
    const capBpf = verify(asmSpec(LINKED_SCALAR_CASES[0]!), { profile: 'linux-6.18-bpf' });
    expect(seed.verdict).toBe(capBpf.verdict);
    expect(seed.error?.insn).toBe(capBpf.error?.insn);
    expect(seed.stats.processed).toBe(capBpf.stats.processed);
  });
});
