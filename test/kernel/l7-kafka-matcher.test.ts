// The generated Kafka matcher in the kernel: the standalone wrapper (test/compiler/l7/kafka-harness.ts) loaded
// through BPF_PROG_LOAD (the kernel's verifier: header rules unrolled, topic rules with bounded loops) and run with
// BPF_PROG_TEST_RUN on a sample of generated requests; verdicts and `next` must be the reference judge's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { judgeKafka } from '../../compiler/l7/kafka-judge.ts';
import { normaliseKafkaRule, type KafkaMatch } from '../../compiler/l7/kafka-rules.ts';
import type { KafkaRuleInput } from '../../compiler/l7/kafka-types.ts';
import { loadCollection, mapLookup, mapUpdate, progTestRun } from '../../loader/index.ts';
import { arbitraryKafkaRequest } from '../compiler/l7/kafka-arbitrary.ts';
import { buildKafkaWrapper, ioValue, kafkaFrame, readIo, WRAPPER_PROGRAM } from '../compiler/l7/kafka-harness.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

const WINDOW = 256;
const SAMPLE = 300;
const rules = (inputs: KafkaRuleInput[]): KafkaMatch[] => inputs.map((r, i) => normaliseKafkaRule(r, `kafka rule ${i + 1}`));

const CASES = [
  { label: 'header rules, unrolled', loops: false, rules: rules([{ role: 'produce', clientID: 'producer-1' }, { apiKey: 'fetch', apiVersion: 11 }, { apiKey: 12 }]) },
  {
    label: 'topic rules, bounded loops',
    loops: true,
    rules: rules([
      { role: 'produce', clientID: 'producer-1', topic: 'orders' },
      { role: 'produce', clientID: 'producer-1', topic: 'payments' },
      { role: 'consume', topic: 'orders' },
    ]),
  },
] as const;

describe.runIf(available('kafka matcher in the kernel', kernelBpf, clang19))('kafka matcher in the kernel', () => {
  for (const c of CASES) {
    it(`gives the reference judge's verdicts under BPF_PROG_TEST_RUN (${c.label})`, async () => {
      const spec = readObject(await buildKafkaWrapper([{ id: 3, rules: c.rules }], WINDOW, c.loops));
      const coll = loadCollection(spec, { logLevel: 4 });
      try {
        const prog = coll.programs.get(WRAPPER_PROGRAM)!;
        const io = coll.maps.get('io')!;
        const key = Uint8Array.of(0, 0, 0, 0);
        mapUpdate(io, key, ioValue(3));
        const stats = (coll.logs.get(WRAPPER_PROGRAM) ?? []).find((l) => l.startsWith('processed'));
        let compared = 0;
        for (const payload of fc.sample(arbitraryKafkaRequest(c.rules), { numRuns: SAMPLE, seed: 21 })) {
          const r = progTestRun(prog, { data: kafkaFrame(payload) });
          const got = readIo(mapLookup(io, key)!);
          const j = judgeKafka(c.rules, payload, WINDOW);
          const hex = Buffer.from(payload).toString('hex');
          const want = j.kind === 'match' ? j.rule + 1 : j.kind === 'no-match' ? 0 : -1;
          expect(got.verdict, hex).toBe(want);
          expect(r.retval, hex).toBe(want + 1);
          if (j.kind !== 'cannot-see') expect(got.next, hex).toBe(j.next);
          compared++;
        }
        console.log(`kafka matcher in the kernel (${c.label}): ${compared} requests agree; kernel verifier: ${stats ?? 'no statistics'}`);
      } finally {
        coll.close();
      }
    }, 60_000);
  }
});
