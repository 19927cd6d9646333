// Kafka rules as users write them on a port (`ports: [{ port: 9092, kafka: [...] }]`), Cilium's fields. A request
// passes when any rule of its port matches; every field given must hold; all topics of a request must be allowed.
import type { SourcePosition } from '../dsl/source-position.ts';

export interface KafkaRuleInput {
  /** produce = apiKeys {0 Produce, 3 Metadata, 18 ApiVersions}; consume = {1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18} */
  readonly role?: 'produce' | 'consume';
  /** a number or a Kafka API name (`produce`, `fetch`, `metadata`, `apiversions`, ...); exclusive with role */
  readonly apiKey?: number | string;
  /** exact request version; absent = any */
  readonly apiVersion?: number;
  /** exact client id */
  readonly clientID?: string;
  /** exact topic name (Produce/Fetch/Metadata requests whose layout puts topics inside the window) */
  readonly topic?: string;
  readonly at?: SourcePosition;
}
