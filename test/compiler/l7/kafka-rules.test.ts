import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../compiler/dsl/policy-error.ts';
import { kafkaRuleFromCilium, normaliseKafkaRule } from '../../../compiler/l7/kafka-rules.ts';
import type { KafkaRuleInput } from '../../../compiler/l7/kafka-types.ts';

const W = 'policy p: ingress rule 1: port 9092: kafka rule 1';

describe('normaliseKafkaRule()', () => {
  it('expands roles into Cilium\'s API key sets', () => {
    expect(normaliseKafkaRule({ role: 'produce' }, W).apiKeys).toEqual([0, 3, 18]);
    expect(normaliseKafkaRule({ role: 'consume' }, W).apiKeys).toEqual([1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18]);
  });

  it('takes API keys by name (any case) or number, and leaves them open when absent', () => {
    expect(normaliseKafkaRule({ apiKey: 'Produce' }, W).apiKeys).toEqual([0]);
    expect(normaliseKafkaRule({ apiKey: 'apiversions' }, W).apiKeys).toEqual([18]);
    expect(normaliseKafkaRule({ apiKey: 'listoffsets' }, W).apiKeys).toEqual([2]);
    expect(normaliseKafkaRule({ apiKey: 12 }, W).apiKeys).toEqual([12]);
    expect(normaliseKafkaRule({ clientID: 'app' }, W)).toEqual({ clientId: 'app', where: W });
  });

  it('keeps version, client id, topic and the rule\'s position', () => {
    const at = { file: 'p.ts', line: 3, column: 5 };
    expect(normaliseKafkaRule({ apiKey: 'fetch', apiVersion: 11, clientID: 'c-1', topic: 'orders.v1', at }, W)).toEqual({
      apiKeys: [1],
      apiVersion: 11,
      clientId: 'c-1',
      topic: 'orders.v1',
      where: W,
      at,
    });
  });

  it.each([
    [{ role: 'produce', apiKey: 0 }, /role and apiKey are exclusive/],
    [{ role: 'admin' }, /unknown role "admin"/],
    [{ apiKey: 'bogus' }, /unknown apiKey "bogus"/],
    [{ apiKey: 300 }, /apiKey 300 is not an integer from 0 to 127/],
    [{ apiVersion: -1 }, /apiVersion must be an integer from 0 to 32767/],
    [{ clientID: '' }, /clientID is empty/],
    [{ clientID: 'c'.repeat(1011) }, /clientID of 1011 bytes is longer than the largest window allows \(1010\)/],
    [{ topic: 't'.repeat(250) }, /is not a Kafka topic name/],
    [{ topic: 'a b' }, /topic "a b" is not a Kafka topic name/],
    [{ topics: ['a'] }, /unknown kafka rule field "topics"/],
  ] as [Record<string, unknown>, RegExp][])('refuses %j', (input, message) => {
    expect(() => normaliseKafkaRule(input as KafkaRuleInput, W)).toThrow(PolicyError);
    expect(() => normaliseKafkaRule(input as KafkaRuleInput, W)).toThrow(message);
    expect(() => normaliseKafkaRule(input as KafkaRuleInput, W)).toThrow(W);
  });

  it('starts its message with the rule\'s file and line when known', () => {
    expect(() => normaliseKafkaRule({ role: 'x' as 'produce', at: { file: 'p.ts', line: 9, column: 1 } }, W)).toThrow(/^p\.ts:9/);
  });
});

describe('kafkaRuleFromCilium()', () => {
  it('reads a Cilium rule: apiVersion as a string, empty strings as absent, names in any case', () => {
    expect(kafkaRuleFromCilium({ role: 'Produce', topic: 'orders', clientID: '' }, W)).toEqual({ role: 'produce', topic: 'orders' });
    expect(kafkaRuleFromCilium({ apiKey: 'fetch', apiVersion: '11', clientID: 'c' }, W)).toEqual({ apiKey: 'fetch', apiVersion: 11, clientID: 'c' });
    expect(kafkaRuleFromCilium({ apiKey: '12' }, W)).toEqual({ apiKey: 12 });
  });

  it('gives input that normalises like the DSL\'s', () => {
    expect(normaliseKafkaRule(kafkaRuleFromCilium({ role: 'consume', topic: 'orders' }, W), W)).toEqual(normaliseKafkaRule({ role: 'consume', topic: 'orders' }, W));
  });

  it.each([
    [[], /a kafka rule must be a mapping/],
    [{ apiVersion: 'v1' }, /apiVersion "v1" is not a number/],
    [{ role: 'admin' }, /unknown role "admin"/],
    [{ headers: [] }, /unknown kafka rule field "headers"/],
    [{ topic: 5 }, /topic must be a string/],
  ] as [unknown, RegExp][])('refuses %j', (node, message) => {
    expect(() => kafkaRuleFromCilium(node, W)).toThrow(PolicyError);
    expect(() => kafkaRuleFromCilium(node, W)).toThrow(message);
  });
});
