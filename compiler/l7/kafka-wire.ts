// Kafka requests as bytes, from the protocol definitions (RequestHeader.json, ApiVersionsRequest.json,
// MetadataRequest.json, ProduceRequest.json, FetchRequest.json), for tests and the model-based generator.
//
//   +-------------+---------+-------------+----------------+---------------------------+--------------+------
//   | size int32  | api_key | api_version | correlation_id | client_id: int16 length,  | header tags  | body
//   | bytes after | int16   | int16       | int32          | -1 = null, then bytes     | (v2 only)    |
//   +-------------+---------+-------------+----------------+---------------------------+--------------+------
//   0             4         6             8                12                          14+n
//
// Header v2 (flexible request versions) adds tagged fields after the client id, which keeps its int16 length.
// Flexible bodies: compact strings/bytes (unsigned varint length + 1, 0 = null), compact arrays (uvarint count + 1,
// 0 = null), and tagged fields (uvarint count, then per field uvarint tag, uvarint size, data) closing every struct.
// Non-flexible: strings int16 length (-1 null), bytes int32 length (-1 null), arrays int32 count (-1 null).
import { KAFKA_ENCODED_VERSIONS, kafkaFlexible } from './kafka-api.ts';

export interface KafkaTaggedField {
  readonly tag: number;
  readonly data: Uint8Array;
}

export interface KafkaWirePartition {
  readonly index?: number;
  /** Produce: the records bytes (null = a null records field) */
  readonly records?: Uint8Array | null;
  /** Fetch */
  readonly fetchOffset?: bigint;
  readonly maxBytes?: number;
  /** tagged fields of the partition (flexible versions) */
  readonly tags?: readonly KafkaTaggedField[];
}

export interface KafkaWireTopic {
  /** null is written only where the protocol allows it (Metadata v10+) */
  readonly name: string | null;
  /** topic id: Fetch v13+ and Metadata v10+ (zeros by default) */
  readonly id?: Uint8Array;
  /** Produce/Fetch; one partition 0 by default */
  readonly partitions?: readonly KafkaWirePartition[];
  readonly tags?: readonly KafkaTaggedField[];
}

export interface KafkaRequestSpec {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** null = the null client id */
  readonly clientId: string | null;
  /** Produce/Fetch/Metadata topics; for Metadata null asks for all topics (v1+) */
  readonly topics?: readonly (string | KafkaWireTopic)[] | null;
  /** Produce v3+ */
  readonly transactionalId?: string | null;
  readonly acks?: number;
  readonly timeoutMs?: number;
  /** ApiVersions v3+ */
  readonly clientSoftwareName?: string;
  readonly clientSoftwareVersion?: string;
  /** Fetch v11+ */
  readonly rackId?: string;
  /** tagged fields of the request header (flexible versions) */
  readonly headerTags?: readonly KafkaTaggedField[];
  /** tagged fields closing the body (flexible versions) */
  readonly bodyTags?: readonly KafkaTaggedField[];
  /** the bytes after the header instead of an encoded body (any API key) */
  readonly body?: Uint8Array;
  /** header v2 for a raw `body` of an API not in the encoder's table */
  readonly flexibleHeader?: boolean;
  /** the size field, when it must be wrong */
  readonly size?: number;
}

const utf8 = new TextEncoder();

class Writer {
  readonly #b: number[] = [];
  i8(v: number): this {
    this.#b.push(v & 0xff);
    return this;
  }
  i16(v: number): this {
    return this.i8(v >> 8).i8(v);
  }
  i32(v: number): this {
    return this.i16(v >> 16).i16(v);
  }
  i64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    return this.i32(Number(u >> 32n) | 0).i32(Number(u & 0xffffffffn) | 0);
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.#b.push(x);
    return this;
  }
  uvarint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`kafka wire: uvarint ${v} out of range`);
    let u = v >>> 0;
    while (u >= 0x80) {
      this.i8((u & 0x7f) | 0x80);
      u >>>= 7;
    }
    return this.i8(u);
  }
  /** a string: compact (uvarint length + 1, 0 = null) in flexible versions, else int16 length (-1 = null) */
  string(s: string | null, flex: boolean): this {
    if (s === null) return flex ? this.uvarint(0) : this.i16(-1);
    const b = utf8.encode(s);
    if (b.length > 0x7fff) throw new RangeError(`kafka wire: string of ${b.length} bytes is too long`);
    return (flex ? this.uvarint(b.length + 1) : this.i16(b.length)).raw(b);
  }
  /** bytes: compact in flexible versions, else int32 length (-1 = null) */
  bytes(b: Uint8Array | null, flex: boolean): this {
    if (b === null) return flex ? this.uvarint(0) : this.i32(-1);
    return (flex ? this.uvarint(b.length + 1) : this.i32(b.length)).raw(b);
  }
  array<T>(items: readonly T[] | null, flex: boolean, each: (t: T) => void): this {
    if (items === null) flex ? this.uvarint(0) : this.i32(-1);
    else {
      flex ? this.uvarint(items.length + 1) : this.i32(items.length);
      items.forEach(each);
    }
    return this;
  }
  tags(fields: readonly KafkaTaggedField[] | undefined): this {
    const sorted = [...(fields ?? [])].sort((a, b) => a.tag - b.tag);
    this.uvarint(sorted.length);
    for (const f of sorted) this.uvarint(f.tag).uvarint(f.data.length).raw(f.data);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.#b);
  }
}

function topicOf(t: string | KafkaWireTopic): KafkaWireTopic {
  return typeof t === 'string' ? { name: t } : t;
}

const ZERO_ID = new Uint8Array(16);

function uuid(w: Writer, id: Uint8Array | undefined): void {
  const b = id ?? ZERO_ID;
  if (b.length !== 16) throw new RangeError(`kafka wire: a topic id has 16 bytes, got ${b.length}`);
  w.raw(b);
}

function nonNullName(t: KafkaWireTopic, what: string): string {
  if (t.name === null) throw new RangeError(`kafka wire: ${what} topic names cannot be null`);
  return t.name;
}

/** ProduceRequest v0–v11: transactional_id (v3+), acks, timeout_ms, [name, [index, records]]. */
function produce(w: Writer, v: number, s: KafkaRequestSpec, flex: boolean): void {
  if (v >= 3) w.string(s.transactionalId ?? null, flex);
  w.i16(s.acks ?? -1).i32(s.timeoutMs ?? 30000);
  w.array((s.topics ?? []).map(topicOf), flex, (t) => {
    w.string(nonNullName(t, 'produce'), flex);
    w.array(t.partitions ?? [{}], flex, (p) => {
      w.i32(p.index ?? 0).bytes(p.records === undefined ? new Uint8Array(0) : p.records, flex);
      if (flex) w.tags(p.tags);
    });
    if (flex) w.tags(t.tags);
  });
}

/**
 * FetchRequest v0–v17: replica_id (v0–v14), max_wait_ms, min_bytes, max_bytes (v3+), isolation_level (v4+),
 * session_id + session_epoch (v7+), [topic name (v0–v12) | topic_id (v13+), [partition, current_leader_epoch (v9+),
 * fetch_offset, last_fetched_epoch (v12+), log_start_offset (v5+), partition_max_bytes]], forgotten topics (v7+),
 * rack_id (v11+). ClusterId (v12+) and ReplicaState (v15+) are tagged fields: pass them in bodyTags.
 */
function fetch(w: Writer, v: number, s: KafkaRequestSpec, flex: boolean): void {
  if (v <= 14) w.i32(-1);
  w.i32(500).i32(1);
  if (v >= 3) w.i32(0x7fffffff);
  if (v >= 4) w.i8(0);
  if (v >= 7) w.i32(0).i32(-1);
  w.array((s.topics ?? []).map(topicOf), flex, (t) => {
    if (v >= 13) uuid(w, t.id);
    else w.string(nonNullName(t, 'fetch'), flex);
    w.array(t.partitions ?? [{}], flex, (p) => {
      w.i32(p.index ?? 0);
      if (v >= 9) w.i32(-1);
      w.i64(p.fetchOffset ?? 0n);
      if (v >= 12) w.i32(-1);
      if (v >= 5) w.i64(-1n);
      w.i32(p.maxBytes ?? 1048576);
      if (flex) w.tags(p.tags);
    });
    if (flex) w.tags(t.tags);
  });
  if (v >= 7) w.array([], flex, () => {});
  if (v >= 11) w.string(s.rackId ?? '', flex);
}

/**
 * MetadataRequest v0–v12: [topic_id (v10+), name (nullable v10+)] (null array = all topics, v1+; v0: empty = all),
 * allow_auto_topic_creation (v4+), include_cluster_authorized_operations (v8–v10), include_topic_authorized_operations (v8+).
 */
function metadata(w: Writer, v: number, s: KafkaRequestSpec, flex: boolean): void {
  const topics = s.topics === undefined || s.topics === null ? (v === 0 ? [] : null) : s.topics.map(topicOf);
  w.array(topics, flex, (t) => {
    if (v >= 10) uuid(w, t.id);
    w.string(v >= 10 ? t.name : nonNullName(t, `metadata v${v}`), flex);
    if (flex) w.tags(t.tags);
  });
  if (v >= 4) w.i8(1);
  if (v >= 8 && v <= 10) w.i8(0);
  if (v >= 8) w.i8(0);
}

/** ApiVersionsRequest v0–v4: empty before v3; then client_software_name and _version. */
function apiVersions(w: Writer, v: number, s: KafkaRequestSpec, flex: boolean): void {
  if (v >= 3) w.string(s.clientSoftwareName ?? 'tsbpf', flex).string(s.clientSoftwareVersion ?? '1.0', flex);
}

const BODIES: Readonly<Record<number, (w: Writer, v: number, s: KafkaRequestSpec, flex: boolean) => void>> = {
  0: produce,
  1: fetch,
  3: metadata,
  18: apiVersions,
};

/**
 * The bytes of a Kafka request: size, request header (v1, or v2 in flexible versions) and body.
 *
 * @example
 * encodeKafkaRequest({ apiKey: 0, apiVersion: 9, correlationId: 7, clientId: 'app', topics: ['orders'] })
 */
export function encodeKafkaRequest(s: KafkaRequestSpec): Uint8Array {
  const { apiKey: key, apiVersion: v } = s;
  let flex: boolean;
  let body: Uint8Array;
  if (s.body !== undefined) {
    flex = s.flexibleHeader ?? kafkaFlexible(key, v);
    body = s.body;
  } else {
    const encode = BODIES[key];
    const range = KAFKA_ENCODED_VERSIONS[key];
    if (encode === undefined || range === undefined) throw new RangeError(`kafka wire: api key ${key} has no encoder (pass body)`);
    if (v < range[0] || v > range[1]) throw new RangeError(`kafka wire: api key ${key} version ${v} is not encoded (${range[0]}..${range[1]})`);
    flex = kafkaFlexible(key, v);
    const w = new Writer();
    encode(w, v, s, flex);
    if (flex) w.tags(s.bodyTags);
    body = w.finish();
  }
  const h = new Writer().i16(key).i16(v).i32(s.correlationId).string(s.clientId, false);
  if (flex) h.tags(s.headerTags);
  const header = h.finish();
  return new Writer()
    .i32(s.size ?? header.length + body.length)
    .raw(header)
    .raw(body)
    .finish();
}
