// Kafka API keys by name and number, Cilium's role expansion, and the facts about request versions that the
// Kafka matcher and the wire encoder share (which versions are flexible, which layouts this matcher knows).
// Sources: the Kafka protocol definitions (clients/src/main/resources/common/message/*Request.json,
// RequestHeader.json) and Cilium's pkg/policy/api/kafka.go (names, roles, topic-bearing keys).

/** API key names as Cilium spells them (lower case; `listoffsets` is accepted for `offsets`). */
export const KAFKA_API_KEYS: Readonly<Record<string, number>> = {
  produce: 0,
  fetch: 1,
  offsets: 2,
  listoffsets: 2,
  metadata: 3,
  leaderandisr: 4,
  stopreplica: 5,
  updatemetadata: 6,
  controlledshutdown: 7,
  offsetcommit: 8,
  offsetfetch: 9,
  findcoordinator: 10,
  joingroup: 11,
  heartbeat: 12,
  leavegroup: 13,
  syncgroup: 14,
  describegroups: 15,
  listgroups: 16,
  saslhandshake: 17,
  apiversions: 18,
  createtopics: 19,
  deletetopics: 20,
  deleterecords: 21,
  initproducerid: 22,
  offsetforleaderepoch: 23,
  addpartitionstotxn: 24,
  addoffsetstotxn: 25,
  endtxn: 26,
  writetxnmarkers: 27,
  txnoffsetcommit: 28,
  describeacls: 29,
  createacls: 30,
  deleteacls: 31,
  describeconfigs: 32,
  alterconfigs: 33,
};

/** API keys a rule may name by number: 0..127 (Kafka uses fewer than 100; the matcher keeps them in two 64-bit masks). */
export const KAFKA_MAX_API_KEY = 127;

export const KafkaApi = { produce: 0, fetch: 1, listOffsets: 2, metadata: 3, apiVersions: 18 } as const;

/** Cilium's roles: produce = {Produce, Metadata, ApiVersions}; consume = {Fetch, ListOffsets, Metadata, OffsetCommit,
 * OffsetFetch, FindCoordinator, JoinGroup, Heartbeat, LeaveGroup, SyncGroup, ApiVersions}. */
export const KAFKA_ROLES: Readonly<Record<'produce' | 'consume', readonly number[]>> = {
  produce: [0, 3, 18],
  consume: [1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18],
};

/**
 * API keys whose requests name topics (Cilium's KafkaTopicAPIKeyMap). A rule with a topic constrains these; it
 * ignores the topic for the others (ApiVersions, FindCoordinator, JoinGroup, ...), as Cilium does.
 */
export const KAFKA_TOPIC_API_KEYS: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 19, 20, 21, 23, 24, 27, 28, 34, 35, 37]);

/** The first flexible version (compact strings and arrays, tagged fields, request header v2) of the APIs we encode. */
export const KAFKA_FIRST_FLEXIBLE: Readonly<Record<number, number>> = { 0: 9, 1: 12, 3: 9, 18: 3 };

/** Versions the wire encoder writes, per API key (the protocol JSON's validVersions). */
export const KAFKA_ENCODED_VERSIONS: Readonly<Record<number, readonly [number, number]>> = {
  0: [0, 11],
  1: [0, 17],
  3: [0, 12],
  18: [0, 4],
};

/**
 * Versions whose topic names the matcher reads (a topic rule on another version of these APIs cannot see):
 * Produce v0–v11, Fetch v0–v12 (v13+ name topics by id), Metadata v0–v12.
 */
export const KAFKA_TOPIC_VERSIONS: Readonly<Record<number, readonly [number, number]>> = {
  0: [0, 11],
  1: [0, 12],
  3: [0, 12],
};

/** Whether request `apiKey` at `apiVersion` is a flexible version (header v2, compact encodings). */
export function kafkaFlexible(apiKey: number, apiVersion: number): boolean {
  const first = KAFKA_FIRST_FLEXIBLE[apiKey];
  return first !== undefined && apiVersion >= first;
}

/** Topic names the matcher keeps per request: a request naming more cannot be fully seen. */
export const KAFKA_MAX_TOPICS = 4;
/**
 * Parse steps per request: one per topic name read and one per partition skipped (partitions of every topic but
 * the last sit between topic names). A request needing more cannot be fully seen.
 */
export const KAFKA_PARSE_STEPS = 8;
/** Kafka's own limit on topic names (Topic.MAX_NAME_LENGTH) and their alphabet. */
export const KAFKA_TOPIC_MAX = 249;
export const KAFKA_TOPIC_PATTERN = /^[a-zA-Z0-9._-]+$/;
