// The kernel's verdicts on the `rX += K` link programs of test/verifier/linked-scalar-cases.ts (as root): the
// records our verifier is checked against (test/verifier/linked-scalars.test.ts) are what this kernel says.
import { describe, expect, it } from 'vitest';
import { encode } from '../../bpf/index.ts';
import { progLoad, VerifierError } from '../../loader/index.ts';
import { available, kernelBpf } from '../support/require.ts';
import { asmSpec } from '../verifier/cases.ts';
import { LINKED_SCALAR_32_CASES, LINKED_SCALAR_CASES, LINKED_SCALAR_PRUNE_CASES, LINKED_SCALAR_SYNC } from '../verifier/linked-scalar-cases.ts';

describe.runIf(available('rX += K links against the kernel', kernelBpf))('the kernel agrees with the rX += K link records', () => {
  it.each([...LINKED_SCALAR_CASES, ...LINKED_SCALAR_32_CASES, ...LINKED_SCALAR_PRUNE_CASES].map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const spec = asmSpec(c);
    const p = spec.programs[0]!;
    try {
      progLoad({ type: p.type!, insns: encode(spec.functions[0]!.instructions), license: 'GPL' }).fd.close();
      expect(c.verdict).toBe('accept');
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      expect(c.verdict, e.message).toBe('reject');
      expect(e.insn).toBe(c.insn);
      expect(e.reason).toBe(c.lines?.at(-1));
    }
  });

  it('prints the original narrowed through its link as recorded', () => {
    const spec = asmSpec({ name: 'sync', progType: 'xdp', asm: LINKED_SCALAR_SYNC.asm, verdict: 'accept' });
    const loaded = progLoad({ type: spec.programs[0]!.type!, insns: encode(spec.functions[0]!.instructions), license: 'GPL', logLevel: 2 });
    loaded.fd.close();
    expect(loaded.log.find((l) => l.startsWith('9: '))).toContain(LINKED_SCALAR_SYNC.r6);
  });
});
