import { describe, expect, it } from 'vitest';
import { judgeKafka, kafkaTopics } from '../../../compiler/l7/kafka-judge.ts';
import { normaliseKafkaRule, type KafkaMatch } from '../../../compiler/l7/kafka-rules.ts';
import type { KafkaRuleInput } from '../../../compiler/l7/kafka-types.ts';
import { encodeKafkaRequest, type KafkaRequestSpec } from '../../../compiler/l7/kafka-wire.ts';

const rules = (...inputs: KafkaRuleInput[]): KafkaMatch[] => inputs.map((r, i) => normaliseKafkaRule(r, `kafka rule ${i + 1}`));
const PRODUCER = rules({ role: 'produce', clientID: 'producer-1', topic: 'orders' }, { role: 'produce', clientID: 'producer-1', topic: 'payments' });
const CONSUMER = rules({ role: 'consume', topic: 'orders' });
const req = (s: Partial<KafkaRequestSpec> & Pick<KafkaRequestSpec, 'apiKey' | 'apiVersion'>): Uint8Array =>
  encodeKafkaRequest({ correlationId: 1, clientId: 'producer-1', ...s });

describe('judgeKafka()', () => {
  it('matches a Produce to an allowed topic in old and flexible versions, with next = 4 + size', () => {
    for (const v of [0, 3, 8, 9, 11]) {
      const b = req({ apiKey: 0, apiVersion: v, topics: ['payments'] });
      expect(judgeKafka(PRODUCER, b, 256), `v${v}`).toEqual({ kind: 'match', rule: 1, next: b.length });
    }
  });

  it('denies a Produce to a third topic, and one from another client', () => {
    const b = req({ apiKey: 0, apiVersion: 9, topics: ['audit'] });
    expect(judgeKafka(PRODUCER, b, 256)).toEqual({ kind: 'no-match', next: b.length });
    expect(judgeKafka(PRODUCER, req({ apiKey: 0, apiVersion: 9, clientId: 'other', topics: ['orders'] }), 256).kind).toBe('no-match');
    expect(judgeKafka(PRODUCER, req({ apiKey: 0, apiVersion: 9, clientId: null, topics: ['orders'] }), 256).kind).toBe('no-match');
  });

  it('needs every topic of a request allowed by the one rule that matches', () => {
    expect(judgeKafka(PRODUCER, req({ apiKey: 0, apiVersion: 7, topics: ['orders', 'payments'] }), 256).kind).toBe('no-match');
    expect(judgeKafka(PRODUCER, req({ apiKey: 0, apiVersion: 7, topics: ['orders', 'orders'] }), 256)).toMatchObject({ kind: 'match', rule: 0 });
  });

  it('lets the role\'s requests without topics through a topic rule (ApiVersions, Heartbeat)', () => {
    expect(judgeKafka(PRODUCER, req({ apiKey: 18, apiVersion: 3 }), 256)).toMatchObject({ kind: 'match', rule: 0 });
    expect(judgeKafka(CONSUMER, req({ apiKey: 12, apiVersion: 4, body: new Uint8Array(20), flexibleHeader: true }), 256)).toMatchObject({ kind: 'match', rule: 0 });
  });

  it('does not match a topic rule with a request naming no topic (Metadata for all topics)', () => {
    expect(judgeKafka(PRODUCER, req({ apiKey: 3, apiVersion: 1, topics: null }), 256).kind).toBe('no-match');
    expect(judgeKafka(PRODUCER, req({ apiKey: 3, apiVersion: 12, topics: [] }), 256).kind).toBe('no-match');
    expect(judgeKafka(PRODUCER, req({ apiKey: 3, apiVersion: 12, topics: ['orders'] }), 256)).toMatchObject({ kind: 'match', rule: 0 });
  });

  it('cannot see topics named by id (Fetch v13+), nor those of APIs it does not read', () => {
    expect(judgeKafka(CONSUMER, req({ apiKey: 1, apiVersion: 12, topics: ['orders'] }), 256)).toMatchObject({ kind: 'match' });
    expect(judgeKafka(CONSUMER, req({ apiKey: 1, apiVersion: 13, topics: ['orders'] }), 256)).toMatchObject({ kind: 'cannot-see', reason: expect.stringMatching(/api key 1 version 13/) });
    expect(judgeKafka(CONSUMER, req({ apiKey: 2, apiVersion: 5, body: new Uint8Array(30) }), 256).kind).toBe('cannot-see');
    // a rule needing no topic still judges them
    expect(judgeKafka(rules({ role: 'consume' }), req({ apiKey: 1, apiVersion: 15, topics: ['orders'] }), 256)).toMatchObject({ kind: 'match' });
  });

  it('looks at no more than the window', () => {
    const b = req({ apiKey: 0, apiVersion: 3, transactionalId: 't'.repeat(250), topics: ['orders'] });
    expect(judgeKafka(PRODUCER, b, 256).kind).toBe('cannot-see');
    expect(judgeKafka(PRODUCER, b, 512)).toMatchObject({ kind: 'match', rule: 0 });
    expect(judgeKafka(PRODUCER, b.subarray(0, 270), 512).kind).toBe('cannot-see');
  });

  it('denies on a visible topic that differs even when later topics cannot be seen', () => {
    const b = req({ apiKey: 0, apiVersion: 3, topics: [{ name: 'audit', partitions: [{ records: new Uint8Array(400) }] }, 'orders'] });
    expect(judgeKafka(PRODUCER, b, 256).kind).toBe('no-match');
    const c = req({ apiKey: 0, apiVersion: 3, topics: [{ name: 'orders', partitions: [{ records: new Uint8Array(400) }] }, 'orders'] });
    expect(judgeKafka(PRODUCER, c, 256).kind).toBe('cannot-see');
  });

  it('follows empty tagged fields only, and at most four topics', () => {
    const tagged = req({ apiKey: 0, apiVersion: 9, topics: ['orders'], headerTags: [{ tag: 0, data: Uint8Array.of(1) }] });
    expect(judgeKafka(PRODUCER, tagged, 256).kind).toBe('cannot-see');
    expect(judgeKafka(rules({ role: 'produce', clientID: 'producer-1' }), tagged, 256).kind).toBe('match');
    const five = req({ apiKey: 3, apiVersion: 4, topics: Array(5).fill('orders') });
    expect(judgeKafka(PRODUCER, five, 256)).toMatchObject({ kind: 'cannot-see', reason: expect.stringMatching(/more than 4 topics/) });
    expect(judgeKafka(PRODUCER, req({ apiKey: 3, apiVersion: 4, topics: Array(4).fill('orders') }), 256).kind).toBe('match');
  });

  it('cannot see a request whose size or header is not there', () => {
    expect(judgeKafka(PRODUCER, Uint8Array.of(0, 0, 0), 256).kind).toBe('cannot-see');
    expect(judgeKafka(PRODUCER, req({ apiKey: 18, apiVersion: 0, size: 5 }), 256)).toMatchObject({ kind: 'cannot-see', reason: expect.stringMatching(/size 5/) });
    expect(judgeKafka(PRODUCER, req({ apiKey: 18, apiVersion: 0 }).subarray(0, 7), 256).kind).toBe('cannot-see');
  });

  it('judges the first of pipelined requests and says where the next starts', () => {
    const a = req({ apiKey: 18, apiVersion: 0 });
    const b = req({ apiKey: 0, apiVersion: 3, topics: ['audit'] });
    const both = new Uint8Array([...a, ...b]);
    expect(judgeKafka(PRODUCER, both, 256)).toEqual({ kind: 'match', rule: 0, next: a.length });
    expect(judgeKafka(PRODUCER, both.subarray(a.length), 256)).toEqual({ kind: 'no-match', next: b.length });
  });

  it('matches on version and key alone when the client id is beyond the window', () => {
    const b = req({ apiKey: 12, apiVersion: 4, clientId: 'c'.repeat(100), body: new Uint8Array(4) });
    expect(judgeKafka(rules({ apiKey: 12, apiVersion: 4 }), b, 64)).toMatchObject({ kind: 'match', rule: 0 });
    expect(judgeKafka(rules({ apiKey: 12, clientID: 'x' }), b, 64).kind).toBe('cannot-see');
    expect(judgeKafka(rules({ apiKey: 12, apiVersion: 3, clientID: 'x' }), b, 64).kind).toBe('no-match');
  });
});

describe('kafkaTopics()', () => {
  it('reads the topics of each version it supports and none of the others', () => {
    for (const [key, lo, hi] of [[0, 0, 11], [1, 0, 12], [3, 0, 12]] as const) {
      for (let v = lo; v <= hi; v++) {
        const b = req({ apiKey: key, apiVersion: v, topics: ['orders', 'payments'] });
        const body = 14 + 'producer-1'.length;
        expect(kafkaTopics(b, body, b.length, key, v), `key ${key} v${v}`).toEqual({ names: ['orders', 'payments'], complete: true });
      }
    }
    expect(kafkaTopics(new Uint8Array(40), 20, 40, 1, 13)).toBeUndefined();
    expect(kafkaTopics(new Uint8Array(40), 20, 40, 0, 12)).toBeUndefined();
  });
});
