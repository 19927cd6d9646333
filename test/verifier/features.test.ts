// Socket helpers, variable-offset stack access and helper stack arguments: verify() against what the kernel
// said (records in feature-cases.ts and below; test/oracle/verifier-features.test.ts re-checks them live).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { verify } from '../../verifier/index.ts';
import { corpusDir } from '../corpora.ts';
import { corpusItems } from './agreement.ts';
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

/** The kernel's verdicts (root and CAP_BPF+CAP_NET_ADMIN) on corpus programs using these features. */
const CORPUS: readonly { file: string; program: string; profile: string; verdict: 'accept' | 'reject'; insn?: number; reason?: string }[] = [
  { file: 'build/bpf2bpf.o', program: 'func', profile: 'linux-6.18', verdict: 'reject', insn: 49, reason: "R1 invalid mem access 'mem_or_null'" },
  { file: 'build/exposeptr.o', program: 'func', profile: 'linux-6.18', verdict: 'accept' },
  { file: 'build/exposeptr.o', program: 'func', profile: 'linux-6.18-bpf', verdict: 'reject', insn: 10, reason: 'invalid read from stack R3 off -8+0 size 8' },
  { file: 'build/ringbuf_in_map.o', program: 'func', profile: 'linux-6.18', verdict: 'reject', insn: 12, reason: 'invalid zero-sized read' },
  { file: 'build/tail_call_bad.o', program: 'caller', profile: 'linux-6.18', verdict: 'reject', insn: 3, reason: 'expected prog array map for tail call' },
  { file: 'build/stackok.o', program: 'func', profile: 'linux-6.18', verdict: 'accept' },
  { file: 'build/twostackvars.o', program: 'func', profile: 'linux-6.18', verdict: 'accept' },
  {
    file: 'build/twostackvars.o', program: 'func', profile: 'linux-6.18-bpf', verdict: 'reject', insn: 16,
    reason: 'R7 variable stack access prohibited for !root, var_off=(0x0; 0x1c) off=-64',
  },
  { file: 'cilium-core/bpf_overlay.o', program: 'tail_mcast_ep_delivery', profile: 'linux-6.18', verdict: 'accept' },
  { file: 'cilium-core/bpf_overlay.o', program: 'tail_mcast_ep_delivery', profile: 'linux-6.18-bpf', verdict: 'reject', insn: 94, reason: 'R4 pointer comparison prohibited' },
  { file: 'cilium-core/bpf_lxc.o', program: 'tail_ipv4_policy', profile: 'linux-6.18', verdict: 'accept' },
];

const CORPUS_ITEMS = corpusItems();

describe('verify() on corpus programs using these features matches what the kernel said', () => {
  it.each(CORPUS.map((c) => [`${c.file}/${c.program} (${c.profile})`, c] as const))('%s', (_n, c) => {
    const spec = readObject(readFileSync(join(corpusDir('ebpf-samples'), c.file)));
    // the program type the kernel was given (docs/kernel-verdicts.json)
    const type = CORPUS_ITEMS.find((i) => i.name === `ebpf-samples/${c.file}/${c.program}`)!.progType;
    const r = verify(spec, { program: c.program, profile: c.profile, type });
    expect(r.verdict).toBe(c.verdict);
    if (c.verdict === 'reject') {
      expect(r.error?.insn).toBe(c.insn);
      expect(r.error?.lines.at(-1)).toBe(c.reason);
    }
  }, 30_000);
});
