// The standalone proof of the generated Kafka matcher: a tc wrapper around kafka_judge, built with clang-19, run in
// the simulator on generated requests and compared with the reference judge (verdict and next), and verified by our
// verifier under seed (header-only rules, unrolled) and linux-6.18 (topic rules too, bounded loops).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readObject, type ObjectSpec } from '../../../bpf/index.ts';
import { PolicyError } from '../../../compiler/dsl/policy-error.ts';
import { generateKafkaMatcherC, type KafkaRuleset } from '../../../compiler/l7/kafka-c.ts';
import { judgeKafka } from '../../../compiler/l7/kafka-judge.ts';
import { normaliseKafkaRule, type KafkaMatch } from '../../../compiler/l7/kafka-rules.ts';
import type { KafkaRuleInput } from '../../../compiler/l7/kafka-types.ts';
import { encodeKafkaRequest } from '../../../compiler/l7/kafka-wire.ts';
import { Simulator } from '../../../simulator/index.ts';
import { verify } from '../../../verifier/index.ts';
import { available, clang19 } from '../../support/require.ts';
import { arbitraryKafkaConversation, arbitraryKafkaRequest } from './kafka-arbitrary.ts';
import { buildKafkaWrapper, ioValue, kafkaFrame, readIo, WRAPPER_PROGRAM } from './kafka-harness.ts';

const rules = (inputs: KafkaRuleInput[], name: string): KafkaMatch[] => inputs.map((r, i) => normaliseKafkaRule(r, `${name} kafka rule ${i + 1}`));

/** header-only rules (api key, version, client id): every profile */
const HEADER_RULES = rules(
  [{ role: 'produce', clientID: 'producer-1' }, { apiKey: 'fetch', apiVersion: 11 }, { apiKey: 12 }, { role: 'consume', clientID: 'consumer' }],
  'header',
);
/** more header-only rules: client ids of other lengths, a version, the null client id never matching */
const HEADER_RULES_2 = rules([{ apiKey: 'metadata', clientID: 'app' }, { apiKey: 'produce', apiVersion: 9 }, { apiKey: 'apiversions' }], 'header2');
/** topic rules: the produce-to-two-topics example and a consumer of one */
const TOPIC_RULES = rules(
  [
    { role: 'produce', clientID: 'producer-1', topic: 'orders' },
    { role: 'produce', clientID: 'producer-1', topic: 'payments' },
    { role: 'consume', topic: 'orders' },
    { apiKey: 'heartbeat' },
  ],
  'topics',
);
const REQUESTS = 1000;
const WINDOW = 256;

interface Case {
  readonly label: string;
  readonly rulesets: readonly KafkaRuleset[];
  readonly loops: boolean;
  readonly profiles: readonly string[];
}

const CASES: readonly Case[] = [
  { label: 'header rules, unrolled', rulesets: [{ id: 1, rules: HEADER_RULES }, { id: 2, rules: HEADER_RULES_2 }], loops: false, profiles: ['seed', 'linux-6.18'] },
  { label: 'header and topic rules, bounded loops', rulesets: [{ id: 7, rules: TOPIC_RULES }, { id: 9, rules: HEADER_RULES_2 }], loops: true, profiles: ['linux-6.18'] },
];

function simulate(sim: Simulator, ruleset: number, payload: Uint8Array): { verdict: number; next: number } {
  sim.map('io').set(Uint8Array.of(0, 0, 0, 0), ioValue(ruleset));
  sim.run(WRAPPER_PROGRAM, kafkaFrame(payload));
  return readIo(sim.map('io').get(Uint8Array.of(0, 0, 0, 0))!);
}

function expected(ruleset: readonly KafkaMatch[], payload: Uint8Array): { verdict: number; next?: number } {
  const j = judgeKafka(ruleset, payload, WINDOW);
  return j.kind === 'match' ? { verdict: j.rule + 1, next: j.next } : j.kind === 'no-match' ? { verdict: 0, next: j.next } : { verdict: -1 };
}

describe.runIf(available('kafka matcher in the simulator', clang19))('generateKafkaMatcherC()', () => {
  const specs = new Map<string, ObjectSpec>();
  const specOf = async (c: Case): Promise<ObjectSpec> => {
    let s = specs.get(c.label);
    if (s === undefined) {
      s = readObject(await buildKafkaWrapper(c.rulesets, WINDOW, c.loops));
      specs.set(c.label, s);
    }
    return s;
  };

  for (const c of CASES) {
    for (const profile of c.profiles) {
      it(`builds a matcher (${c.label}) that our verifier accepts under ${profile}`, async () => {
        const spec = await specOf(c);
        const r = verify(spec, { program: WRAPPER_PROGRAM, profile });
        const insns = spec.functions.reduce((n, f) => n + f.instructions.length, 0);
        console.log(`kafka matcher (${c.label}) under ${profile}: ${insns} instructions in the wrapper, ${r.stats.processed} processed, stack ${r.stats.peakStack}`);
        expect(r.error?.message, r.error?.source?.text).toBeUndefined();
        expect(r.verdict).toBe('accept');
      }, 120_000);
    }

    it(`agrees with judgeKafka on ${REQUESTS} generated requests per rule set (${c.label}): verdicts and next`, async () => {
      const sim = new Simulator(await specOf(c), { unverified: true });
      let compared = 0;
      const verdicts = new Map<number, number>();
      for (const rs of c.rulesets) {
        const samples = fc.sample(arbitraryKafkaRequest(rs.rules), { numRuns: REQUESTS, seed: 8 + rs.id });
        for (const payload of samples) {
          const want = expected(rs.rules, payload);
          const got = simulate(sim, rs.id, payload);
          const hex = Buffer.from(payload).toString('hex');
          expect(got.verdict, `ruleset ${rs.id}, payload ${hex}`).toBe(want.verdict);
          if (want.next !== undefined) expect(got.next, `next, ruleset ${rs.id}, payload ${hex}`).toBe(want.next);
          verdicts.set(want.verdict, (verdicts.get(want.verdict) ?? 0) + 1);
          compared++;
        }
      }
      console.log(`kafka matcher (${c.label}): ${compared} requests agree; by verdict ${JSON.stringify(Object.fromEntries(verdicts))}`);
      // the generator reaches every outcome: matches, misses and cannot-see
      expect(verdicts.get(0)).toBeGreaterThan(20);
      expect(verdicts.get(-1)).toBeGreaterThan(20);
      expect([...verdicts.keys()].filter((v) => v > 0).length).toBeGreaterThanOrEqual(2);
    }, 120_000);
  }

  it('follows a connection (ApiVersions, Metadata, then Produce/Fetch) pipelined in one payload, request by request', async () => {
    const c = CASES[1]!;
    const sim = new Simulator(await specOf(c), { unverified: true });
    let compared = 0;
    for (const conversation of fc.sample(arbitraryKafkaConversation(TOPIC_RULES), { numRuns: 60, seed: 5 })) {
      const stream = new Uint8Array(conversation.reduce((n, r) => n + r.length, 0));
      let at = 0;
      for (const r of conversation) {
        stream.set(r, at);
        at += r.length;
      }
      for (let off = 0, i = 0; off < stream.length; i++) {
        const payload = stream.subarray(off);
        const want = expected(TOPIC_RULES, payload);
        const got = simulate(sim, 7, payload);
        expect(got.verdict, `request ${i} of ${Buffer.from(stream).toString('hex')}`).toBe(want.verdict);
        compared++;
        // every request of a generated conversation has a readable size: next is known even when it cannot see
        expect(got.next).toBe(conversation[i]!.length);
        off += got.next;
      }
    }
    console.log(`kafka matcher: ${compared} pipelined requests of 60 connections agree`);
  }, 60_000);

  it('returns 0 for a rule set it does not know', async () => {
    const sim = new Simulator(await specOf(CASES[0]!), { unverified: true });
    const payload = encodeKafkaRequest({ apiKey: 12, apiVersion: 4, correlationId: 1, clientId: 'app', body: new Uint8Array(8) });
    expect(expected(HEADER_RULES, payload).verdict).toBe(3);
    expect(simulate(sim, 1, payload).verdict).toBe(3);
    expect(simulate(sim, 99, payload)).toMatchObject({ verdict: 0, next: 0 });
  });
});

describe('generateKafkaMatcherC() limits', () => {
  it('refuses topic rules under seed, naming the rule', () => {
    expect(() => generateKafkaMatcherC([{ id: 1, rules: TOPIC_RULES }], { window: 256, loops: false })).toThrow(/topics kafka rule 1: kafka topic rules need profile linux-6.18/);
  });

  it('refuses a topic that cannot fit the window', () => {
    const long = rules([{ role: 'produce', topic: 't'.repeat(60) }], 'p');
    expect(() => generateKafkaMatcherC([{ id: 1, rules: long }], { window: 64, loops: true })).toThrow(PolicyError);
    expect(() => generateKafkaMatcherC([{ id: 1, rules: long }], { window: 64, loops: true })).toThrow(/does not fit the L7 window of 64 bytes/);
  });

  it('refuses a client id longer than the window allows', () => {
    const long = rules([{ apiKey: 0, clientID: 'c'.repeat(60) }], 'p');
    expect(() => generateKafkaMatcherC([{ id: 1, rules: long }], { window: 64, loops: false })).toThrow(/p kafka rule 1: clientID of 60 bytes does not fit the L7 window of 64 bytes \(at most 50\)/);
  });

  it('names the rule that goes over the seed budget', () => {
    const many = rules(
      Array.from({ length: 40 }, (_, i) => ({ apiKey: 0, clientID: `client-number-${i}-${'x'.repeat(20)}` })),
      'big',
    );
    expect(() => generateKafkaMatcherC([{ id: 1, rules: many }], { window: 256, loops: false })).toThrow(/big kafka rule \d+: the kafka rules up to this one need about \d+ instructions, over the matcher's budget of 2500 under profile seed/);
  });

  it('refuses a window that is not a power of two from 64 to 1024', () => {
    expect(() => generateKafkaMatcherC([], { window: 300, loops: true })).toThrow(RangeError);
  });
});
