// Corpus programs that use socket lookups, bpf_for_each_map_elem, variable-offset stack access, global
// functions with pointer arguments, spilled pointers read by helpers and map types a helper refuses: our
// verdict against this kernel's as root and with only CAP_BPF+CAP_NET_ADMIN (same verdict, same error
// instruction); and the assembled cases of test/verifier/feature-cases.ts against the live kernel (root).
import { describe, expect, it } from 'vitest';
import { encode } from '../../bpf/index.ts';
import { progLoad, VerifierError } from '../../loader/index.ts';
import { available, kernelBpf, setpriv } from '../support/require.ts';
import { compareAll, corpusItems } from '../verifier/agreement.ts';
import { asmSpec } from '../verifier/cases.ts';
import { FEATURE_CASES } from '../verifier/feature-cases.ts';

const run = available('verifier feature agreement', kernelBpf, setpriv);

/** One program per feature (the cilium ones are the smallest of their kind). */
const PROGRAMS = [
  'build/ringbuf_in_map.o/func', // ringbuf map passed to bpf_map_lookup_elem
  'build/tail_call_bad.o/caller', // array map passed to bpf_tail_call
  'build/stackok.o/func', // variable-offset stack access
  'build/twostackvars.o/func',
  'build/exposeptr.o/func', // a spilled pointer read by a helper
  'build/bpf2bpf.o/func', // global functions with pointer arguments
  'cilium-core/bpf_overlay.o/tail_mcast_ep_delivery', // bpf_for_each_map_elem
  'cilium-core/bpf_lxc.o/tail_ipv4_policy', // bpf_skc_lookup_tcp, bpf_sk_release
];

describe.runIf(run)('verify() agrees with the kernel on programs using sockets, callbacks and variable stack offsets', () => {
  it('gives the kernel verdict and error instruction under both privileges', { timeout: 60_000 }, async () => {
    const items = corpusItems().filter((i) => PROGRAMS.some((p) => i.name.endsWith(p)));
    expect(items.map((i) => i.name).sort()).toHaveLength(PROGRAMS.length);
    const cs = await compareAll(items, { limitMs: 20_000 });
    const summary = cs.map((c) => ({
      program: `${c.privilege} ${c.item.name}`,
      outcome: c.outcome,
      sameInsn: c.outcome === 'agree' && c.ours.verdict === 'reject' ? c.sameInsn : undefined,
      why: c.why,
    }));
    expect(summary.filter((s) => s.outcome !== 'agree' || s.sameInsn === false)).toEqual([]);
    expect(cs).toHaveLength(2 * PROGRAMS.length);
  });

  it.each(FEATURE_CASES.map((c) => [c.name, c] as const))('the kernel (root) says what feature-cases.ts records: %s', (_n, c) => {
    const spec = asmSpec(c);
    let verdict: 'accept' | 'reject' = 'accept';
    let insn: number | undefined;
    let reason: string | undefined;
    try {
      progLoad({ type: spec.programs[0]!.type!, insns: encode(spec.functions[0]!.instructions), license: 'GPL' }).fd.close();
    } catch (e) {
      let v: unknown = e;
      while (v !== undefined && v !== null && !(v instanceof VerifierError)) v = (v as { cause?: unknown }).cause;
      if (!(v instanceof VerifierError)) throw e;
      verdict = 'reject';
      insn = v.insn;
      reason = v.reason;
    }
    expect(verdict).toBe(c.verdict);
    if (verdict === 'reject') {
      expect(insn).toBe(c.insn);
      expect(reason).toBe(c.lines?.at(-1));
    }
  });
});
