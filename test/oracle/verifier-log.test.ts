// The verification log against this kernel's log level 2: for small straight-line, branching, pruned and looping
// programs, the instructions our log walks through (`N: (op) …` lines), its `safe` lines and its processed count
// are the kernel's.
import { describe, expect, it } from 'vitest';
import { encode } from '../../bpf/index.ts';
import { progLoad } from '../../loader/index.ts';
import { verify } from '../../verifier/index.ts';
import { available, kernelBpf } from '../support/require.ts';
import { asmSpec } from '../verifier/cases.ts';
import { insnIndices, LOG_ASM } from '../verifier/log-cases.ts';

const BPF_LOG_LEVEL2 = 2;

describe.runIf(available('verifier log against the kernel', kernelBpf))('the verification log agrees with the kernel log level 2', () => {
  it.each(Object.keys(LOG_ASM) as (keyof typeof LOG_ASM)[])('verify({ log: true }) on %s walks the kernel\'s instructions', (name) => {
    const spec = asmSpec({ name, progType: 'xdp', asm: LOG_ASM[name], verdict: 'accept' });
    const loaded = progLoad({ type: spec.programs[0]!.type!, insns: encode(spec.functions[0]!.instructions), license: 'GPL', logLevel: BPF_LOG_LEVEL2 });
    loaded.fd.close();
    const ours = verify(spec, { log: true }).log!;
    const kernel = loaded.log;
    const safe = (log: readonly string[]) => log.filter((l) => l.endsWith(': safe'));
    const processed = (log: readonly string[]) => log.find((l) => l.startsWith('processed '))?.split(' ')[1];
    expect(insnIndices(ours)).toEqual(insnIndices(kernel));
    expect(insnIndices(ours).length).toBeGreaterThan(0);
    expect(safe(ours)).toEqual(safe(kernel));
    expect(processed(ours)).toBe(processed(kernel));
  });
});
