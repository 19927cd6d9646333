import { describe, expect, it } from 'vitest';
import { KAFKA_API_KEYS, KAFKA_ROLES, KAFKA_TOPIC_VERSIONS, kafkaFlexible } from '../../../compiler/l7/kafka-api.ts';

describe('kafka-api', () => {
  it('names API keys as Cilium does', () => {
    expect([KAFKA_API_KEYS['produce'], KAFKA_API_KEYS['fetch'], KAFKA_API_KEYS['metadata'], KAFKA_API_KEYS['apiversions'], KAFKA_API_KEYS['alterconfigs']]).toEqual([0, 1, 3, 18, 33]);
  });

  it('expands roles into Cilium\'s sets, ApiVersions and Metadata in both', () => {
    expect(KAFKA_ROLES.produce).toEqual([0, 3, 18]);
    expect(KAFKA_ROLES.consume).toEqual([1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18]);
  });

  it('knows the first flexible versions of the protocol definitions', () => {
    expect([8, 9].map((v) => kafkaFlexible(0, v))).toEqual([false, true]);
    expect([11, 12].map((v) => kafkaFlexible(1, v))).toEqual([false, true]);
    expect([8, 9].map((v) => kafkaFlexible(3, v))).toEqual([false, true]);
    expect([2, 3].map((v) => kafkaFlexible(18, v))).toEqual([false, true]);
    expect(kafkaFlexible(12, 4)).toBe(false);
  });

  it('reads topic names up to Fetch v12, where topic ids take over', () => {
    expect(KAFKA_TOPIC_VERSIONS[1]).toEqual([0, 12]);
  });
});
