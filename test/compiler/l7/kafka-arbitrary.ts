// fast-check arbitraries for Kafka requests aimed at a rule set: the client ids and topics of the rules and others,
// API keys of the rules and others, versions across each API's range (flexible ones included), and odd cases
// (truncated requests, tagged fields, more topics than the matcher keeps, a wrong size, raw bodies of other APIs).
import fc from 'fast-check';
import { KAFKA_ENCODED_VERSIONS } from '../../../compiler/l7/kafka-api.ts';
import type { KafkaMatch } from '../../../compiler/l7/kafka-rules.ts';
import { encodeKafkaRequest, type KafkaRequestSpec, type KafkaWirePartition, type KafkaWireTopic } from '../../../compiler/l7/kafka-wire.ts';

const OTHER_TOPICS = ['orders', 'payments', 'audit', 'a', 'x'.repeat(60), 'orders2', 'order'];
const OTHER_CLIENTS = ['app', 'producer-1', 'consumer', '', 'x'.repeat(40)];

function vocabulary(rules: readonly KafkaMatch[]): { topics: string[]; clients: string[]; keys: number[] } {
  const topics = [...new Set([...rules.flatMap((r) => (r.topic === undefined ? [] : [r.topic])), ...OTHER_TOPICS])];
  const clients = [...new Set([...rules.flatMap((r) => (r.clientId === undefined ? [] : [r.clientId])), ...OTHER_CLIENTS])];
  const keys = [...new Set([...rules.flatMap((r) => r.apiKeys ?? []), 0, 1, 3, 18, 2, 8, 12, 19, 40])];
  return { topics, clients, keys };
}

const tag = fc.record({ tag: fc.integer({ min: 0, max: 3 }), data: fc.uint8Array({ maxLength: 3 }) });
/** mostly no tagged fields (what clients send), sometimes one */
const tags = fc.oneof({ weight: 6, arbitrary: fc.constant<{ tag: number; data: Uint8Array }[]>([]) }, { weight: 1, arbitrary: fc.array(tag, { minLength: 1, maxLength: 1 }) });

function partitions(): fc.Arbitrary<KafkaWirePartition[]> {
  return fc.array(
    fc.record({
      index: fc.integer({ min: 0, max: 40 }),
      records: fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.constant(null), fc.uint8Array({ minLength: 100, maxLength: 300 })),
      tags,
    }),
    { minLength: 0, maxLength: 4 },
  );
}

function topicsOf(names: readonly string[]): fc.Arbitrary<KafkaWireTopic[] | null> {
  const topic = fc.record({ name: fc.constantFrom(...names), partitions: partitions(), tags, id: fc.uint8Array({ minLength: 16, maxLength: 16 }) });
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(topic, { minLength: 1, maxLength: 2 }) },
    { weight: 2, arbitrary: fc.array(topic, { minLength: 3, maxLength: 6 }) },
    { weight: 1, arbitrary: fc.constant<KafkaWireTopic[]>([]) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

/** One encoded request (Produce, Fetch, Metadata, ApiVersions, or a raw body of another API key). */
export function arbitraryKafkaSpec(rules: readonly KafkaMatch[]): fc.Arbitrary<KafkaRequestSpec> {
  const v = vocabulary(rules);
  const clientId = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...v.clients) }, { weight: 1, arbitrary: fc.constant(null) });
  return fc
    .record({
      key: fc.constantFrom(...v.keys),
      version: fc.integer({ min: 0, max: 17 }),
      correlationId: fc.integer({ min: 0, max: 0x7fffffff }),
      clientId,
      topics: topicsOf(v.topics),
      transactionalId: fc.oneof(fc.constant(null), fc.constantFrom('tx', 'transaction-id-'.repeat(4))),
      headerTags: tags,
      bodyTags: tags,
      raw: fc.uint8Array({ maxLength: 40 }),
    })
    .map((r): KafkaRequestSpec => {
      const range = KAFKA_ENCODED_VERSIONS[r.key];
      const base = { apiKey: r.key, correlationId: r.correlationId, clientId: r.clientId, headerTags: r.headerTags };
      if (range === undefined) return { ...base, apiVersion: r.version % 10, body: r.raw };
      const version = range[0] + (r.version % (range[1] - range[0] + 1));
      let topics = r.topics;
      // Metadata v0-v9 and Produce/Fetch name every topic (a null name only where Metadata v10+ allows it)
      if (r.key !== 3 && topics === null) topics = [];
      if (r.key === 3 && version === 0 && topics === null) topics = [];
      return { ...base, apiVersion: version, topics, transactionalId: r.transactionalId, bodyTags: r.bodyTags };
    });
}

/** Payload bytes: an encoded request, sometimes truncated, with a wrong size, or followed by the next request. */
export function arbitraryKafkaRequest(rules: readonly KafkaMatch[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      spec: arbitraryKafkaSpec(rules),
      cut: fc.oneof({ weight: 5, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 120 }) }),
      size: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(0, 9, -5, 0x7fffffff, 3) }),
      trailer: fc.oneof({ weight: 3, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 30 }) }),
    })
    .map(({ spec, cut, size, trailer }) => {
      const bytes = encodeKafkaRequest(size === undefined ? spec : { ...spec, size });
      const whole = new Uint8Array(bytes.length + trailer.length);
      whole.set(bytes);
      whole.set(trailer, bytes.length);
      return cut < 0 ? whole : whole.subarray(0, Math.min(cut, whole.length));
    });
}

/** A connection's requests in order: ApiVersions, then Metadata, then Produce/Fetch requests. */
export function arbitraryKafkaConversation(rules: readonly KafkaMatch[]): fc.Arbitrary<Uint8Array[]> {
  const spec = arbitraryKafkaSpec(rules);
  const ofKey = (keys: number[]) => spec.filter((s) => keys.includes(s.apiKey));
  return fc
    .tuple(ofKey([18]), ofKey([3]), fc.array(ofKey([0, 1]), { minLength: 1, maxLength: 4 }))
    .map(([a, m, rest]) => [a, m, ...rest].map((s) => encodeKafkaRequest(s)));
}
