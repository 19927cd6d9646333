// docs/kernel-verdicts.json is the verifier's ground truth: a fixed sample of it (accepted, rejected and
// not-loadable programs) is loaded again and must get the same verdict, type and reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { trackFds } from '../../loader/index.ts';
import { verdictFor, verdictObjects, verdictsForObject, type VerdictEntry } from '../../scripts/kernel-verdicts.ts';
import { repoRoot } from '../corpora.ts';
import { available, kernelBpf } from '../support/require.ts';

const run = available('kernel verdicts', kernelBpf);
const committed = JSON.parse(readFileSync(join(repoRoot, 'docs/kernel-verdicts.json'), 'utf8')) as { entries: VerdictEntry[] };

/** [object, program] pairs: every verdict, type source and failure kind is represented. */
const SAMPLE: readonly (readonly [string, string])[] = [
  ['ebpf-samples/build/nullmapref.o', 'test_repro'],
  ['ebpf-samples/build/packet_overflow.o', 'read_write_packet_start'],
  ['ebpf-samples/build/ptr_arith.o', 'test_ptr_arith'],
  ['ebpf-samples/build/wronghelper.o', 'func'],
  ['ebpf-samples/build/tail_call.o', 'caller'],
  ['ebpf-samples/build/tail_call.o', 'callee'],
  ['ebpf-samples/build/bounded_loop.o', 'test_bounded_loop'],
  ['ebpf-samples/build/map_in_map_legacy.o', 'func'],
  ['ebpf-samples/build/exposeptr2.o', 'func'],
  ['ebpf-samples/build/badrelo.o', 'func'],
  ['ebpf-samples/build/byteswap.o', 'func'],
  ['ebpf-samples/cilium/bpf_lxc.o', 'tail_handle_ipv4'],
  ['ebpf-samples/cilium/bpf_xdp.o', 'xdp_start'],
  ['ebpf-samples/cilium-examples/ringbuffer_bpf_bpfel.o', 'kprobe_execve'],
  ['ebpf-samples/linux/sockex3_kern.o', 'main_prog'],
  ['ebpf-samples/linux/tracex7_kern.o', 'bpf_prog1'],
  ['ebpf-samples/linux/tcbpf1_kern.o', '_redirect_xmit'],
  ['ebpf-samples/linux/xdp_fwd_kern.o', 'xdp_fwd_prog'],
  ['ebpf-samples/prototype-kernel/xdp_ddos01_blacklist_kern.o', 'xdp_program'],
  ['test/fixtures/core_task.o', 'core_task'],
  ['test/fixtures/xdp_firewall.o', 'xdp_firewall'],
];

const stable = (e: VerdictEntry) => ({
  object: e.object,
  program: e.program,
  type: e.type,
  typeFrom: e.typeFrom,
  attachType: e.attachType,
  verdict: e.verdict,
  reason: e.reason,
  insn: e.insn,
});

describe.runIf(run)('kernel verdicts', () => {
  const objects = new Map(verdictObjects());

  it('the committed table covers every corpus object and has all three verdicts', () => {
    const names = new Set(committed.entries.map((e) => e.object));
    // fixtures come and go with other work; the corpus is fixed
    for (const name of objects.keys()) if (name.startsWith('ebpf-samples/')) expect(names.has(name), name).toBe(true);
    for (const v of ['accepted', 'rejected', 'not loadable']) expect(committed.entries.some((e) => e.verdict === v)).toBe(true);
    for (const e of committed.entries.filter((x) => x.verdict === 'accepted')) expect(e.processedInsns, `${e.object} ${e.program}`).toBeGreaterThan(0);
  });

  it.each(SAMPLE.map(([o, p]) => [`${o} ${p}`, o, p]))('%s gets the committed verdict again', (_n, object, program) => {
    using fds = trackFds();
    const want = committed.entries.find((e) => e.object === object && e.program === program);
    expect(want, 'in docs/kernel-verdicts.json').toBeDefined();
    const path = objects.get(object)!;
    const spec = readObject(readFileSync(path));
    const got = verdictFor(object, spec, spec.programs.find((p) => p.name === program)!);
    expect(stable(got)).toEqual(stable(want!));
    fds.assertAllClosed();
  });

  it('an unreadable object is not loadable, never rejected', () => {
    const [entry] = verdictsForObject('ebpf-samples/invalid/invalid-lddw.o', objects.get('ebpf-samples/invalid/invalid-lddw.o')!);
    expect(entry!.verdict).toBe('not loadable');
    expect(entry!.reason).toMatch(/^unreadable object: /);
  });
});
