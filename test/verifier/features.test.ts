// Socket helpers, variable-offset stack access and helper stack arguments: verify() against what the kernel
// said (records in feature-cases.ts; test/oracle/verifier-features.test.ts re-checks them live).
import { describe, expect, it } from 'vitest';
import { verify } from '../../verifier/index.ts';
import { asmSpec } from './cases.ts';
import { FEATURE_CASES } from './feature-cases.ts';

describe('verify() on socket, variable-offset stack and helper-stack programs matches what the kernel said', () => {
  it.each(FEATURE_CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = verify(asmSpec(c));
    expect(r.verdict).toBe(c.verdict);
    if (c.verdict === 'reject') {
      expect(r.error?.lines).toEqual(c.lines);
      expect(r.error?.insn).toBe(c.insn);
    }
  });

  it('refuses a variable-offset stack pointer without CAP_PERFMON where the pointer is made', () => {
    const c = FEATURE_CASES.find((x) => x.name === 'a stack read at a variable offset as root')!;
    const r = verify(asmSpec(c), { profile: 'linux-6.18-bpf' });
    expect(r.verdict).toBe('reject');
    expect(r.error?.insn).toBe(7);
    expect(r.error?.lines.at(-1)).toBe('R1 variable stack access prohibited for !root, var_off=(0x0; 0x8) off=-16');
  });
});
