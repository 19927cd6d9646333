// Kafka requests as payload bytes (the Kafka protocol guide, "non-flexible" versions), and a parser for
// the request header and, for the versions encoded here, the topic names that L7 policies match on.
//
// Every request is a size-prefixed message with request header v1:
//
//   +----------------+----------+-------------+----------------+---------------------------+------
//   | size (int32)   | api_key  | api_version | correlation_id | client_id (int16 length,  | body
//   | bytes after it | (int16)  | (int16)     | (int32)        | -1 = null, then bytes)    |
//   +----------------+----------+-------------+----------------+---------------------------+------
//
// Bodies encoded (big-endian; strings int16-length-prefixed, arrays int32-count-prefixed):
//   Produce (0) v3–v8: transactional_id, acks int16, timeout_ms int32,
//       [topic name, [partition int32, records: int32 length + one RecordBatch (magic 2, CRC-32C)]]
//   Fetch (1) v0–v11: replica_id, max_wait_ms, min_bytes, max_bytes (v3+), isolation_level (v4+),
//       session_id + session_epoch (v7+), [topic, [partition, current_leader_epoch (v9+), fetch_offset int64,
//       log_start_offset int64 (v5+), partition_max_bytes]], forgotten_topics (v7+, empty), rack_id (v11+)
//   Metadata (3) v0–v8: [topic name] (null = all topics, v1+), allow_auto_topic_creation (v4+),
//       include_cluster/topic_authorized_operations (v8+)
// Flexible versions (Produce v9+, Fetch v12+, Metadata v9+, with tagged fields) are not encoded: pass
// `body` with the bytes after the header for those and for other API keys.

export const KafkaApiKey = { produce: 0, fetch: 1, metadata: 3 } as const;

export interface KafkaPartition {
  readonly partition?: number;
  /** Produce: record values (keys null). */
  readonly records?: readonly (Uint8Array | string)[];
  /** Fetch. */
  readonly fetchOffset?: number | bigint;
  readonly maxBytes?: number;
}

export interface KafkaTopic {
  readonly name: string;
  /** Partition 0 alone when omitted. */
  readonly partitions?: readonly KafkaPartition[];
}

export interface KafkaRequestOptions {
  readonly apiKey: number | keyof typeof KafkaApiKey;
  /** Produce 3, Fetch 4, Metadata 4 by default. */
  readonly apiVersion?: number;
  readonly correlationId?: number;
  /** `null` is the null string. */
  readonly clientId?: string | null;
  /** Topics by name or with partitions; for Metadata, `undefined` asks for all topics (null array, v1+). */
  readonly topics?: readonly (string | KafkaTopic)[];
  readonly acks?: number;
  readonly timeoutMs?: number;
  readonly transactionalId?: string | null;
  readonly maxWaitMs?: number;
  readonly minBytes?: number;
  readonly maxBytes?: number;
  readonly isolationLevel?: number;
  readonly allowAutoTopicCreation?: boolean;
  /** The bytes after the header, instead of an encoded body. */
  readonly body?: Uint8Array;
  /** The size field, when it must be wrong. */
  readonly size?: number;
}

const DEFAULT_VERSION: Readonly<Record<number, number>> = { 0: 3, 1: 4, 3: 4 };
const SUPPORTED: Readonly<Record<number, readonly [number, number]>> = { 0: [3, 8], 1: [0, 11], 3: [0, 8] };

class Writer {
  #chunks: number[] = [];
  i8(v: number): this {
    this.#chunks.push(v & 0xff);
    return this;
  }
  i16(v: number): this {
    return this.i8(v >> 8).i8(v);
  }
  i32(v: number): this {
    return this.i16(v >> 16).i16(v);
  }
  i64(v: number | bigint): this {
    const b = BigInt.asUintN(64, BigInt(v));
    return this.i32(Number(b >> 32n) | 0).i32(Number(b & 0xffffffffn) | 0);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.#chunks.push(x);
    return this;
  }
  string(s: string | null): this {
    if (s === null) return this.i16(-1);
    const b = new TextEncoder().encode(s);
    if (b.length > 0x7fff) throw new RangeError(`kafka: string of ${b.length} bytes is too long`);
    return this.i16(b.length).bytes(b);
  }
  varint(v: number): this {
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    while (z >= 0x80) {
      this.i8((z & 0x7f) | 0x80);
      z >>>= 7;
    }
    return this.i8(z);
  }
  array<T>(items: readonly T[] | null, each: (t: T) => void): this {
    if (items === null) return this.i32(-1);
    this.i32(items.length);
    items.forEach(each);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.#chunks);
  }
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), as Kafka record batches carry it. crc32c("123456789") = 0xe3069283. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC32C_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A RecordBatch (magic 2) of values with null keys, offsets from 0, timestamps 0, no producer id. */
function recordBatch(values: readonly (Uint8Array | string)[]): Uint8Array {
  const records = new Writer();
  values.forEach((v, i) => {
    const value = typeof v === 'string' ? new TextEncoder().encode(v) : v;
    const rec = new Writer().i8(0).varint(0).varint(i).varint(-1).varint(value.length).bytes(value).varint(0).finish();
    records.varint(rec.length).bytes(rec);
  });
  const afterCrc = new Writer()
    .i16(0)
    .i32(Math.max(0, values.length - 1))
    .i64(0)
    .i64(0)
    .i64(-1)
    .i16(-1)
    .i32(-1)
    .i32(values.length)
    .bytes(records.finish())
    .finish();
  const tail = new Writer().i32(-1).i8(2).i32(crc32c(afterCrc) | 0).bytes(afterCrc).finish();
  return new Writer().i64(0).i32(tail.length).bytes(tail).finish();
}

function topicList(topics: readonly (string | KafkaTopic)[]): KafkaTopic[] {
  return topics.map((t) => (typeof t === 'string' ? { name: t } : t));
}

function body(key: number, version: number, o: KafkaRequestOptions): Uint8Array {
  const w = new Writer();
  const topics = topicList(o.topics ?? []);
  const parts = (t: KafkaTopic): readonly KafkaPartition[] => t.partitions ?? [{ partition: 0 }];
  switch (key) {
    case 0:
      w.string(o.transactionalId ?? null).i16(o.acks ?? -1).i32(o.timeoutMs ?? 30000);
      w.array(topics, (t) => {
        w.string(t.name).array(parts(t), (p) => {
          const batch = recordBatch(p.records ?? []);
          w.i32(p.partition ?? 0).i32(batch.length).bytes(batch);
        });
      });
      break;
    case 1:
      w.i32(-1).i32(o.maxWaitMs ?? 500).i32(o.minBytes ?? 1);
      if (version >= 3) w.i32(o.maxBytes ?? 0x7fffffff);
      if (version >= 4) w.i8(o.isolationLevel ?? 0);
      if (version >= 7) w.i32(0).i32(-1);
      w.array(topics, (t) => {
        w.string(t.name).array(parts(t), (p) => {
          w.i32(p.partition ?? 0);
          if (version >= 9) w.i32(-1);
          w.i64(p.fetchOffset ?? 0);
          if (version >= 5) w.i64(-1);
          w.i32(p.maxBytes ?? 1048576);
        });
      });
      if (version >= 7) w.array([], () => {});
      if (version >= 11) w.string('');
      break;
    case 3:
      if (o.topics === undefined && version === 0) w.array([], () => {});
      else w.array(o.topics === undefined ? null : topics, (t) => w.string(t.name));
      if (version >= 4) w.i8(o.allowAutoTopicCreation === false ? 0 : 1);
      if (version >= 8) w.i8(0).i8(0);
      break;
  }
  return w.finish();
}

/**
 * The bytes of a Kafka request: size, header v1 and body.
 *
 * @example
 * kafka.request({ apiKey: 'produce', correlationId: 7, clientId: 'app', topics: [{ name: 'orders', partitions: [{ records: ['hi'] }] }] })
 */
function request(o: KafkaRequestOptions): Uint8Array {
  const key = typeof o.apiKey === 'number' ? o.apiKey : KafkaApiKey[o.apiKey];
  const version = o.apiVersion ?? DEFAULT_VERSION[key] ?? 0;
  let rest = o.body;
  if (rest === undefined) {
    const range = SUPPORTED[key];
    if (range === undefined) throw new RangeError(`kafka request: api key ${key} has no encoder here (pass body)`);
    if (version < range[0] || version > range[1]) {
      throw new RangeError(`kafka request: api key ${key} version ${version} is not encoded here (${range[0]}..${range[1]}; pass body)`);
    }
    rest = body(key, version, o);
  }
  const header = new Writer()
    .i16(key)
    .i16(version)
    .i32(o.correlationId ?? 0)
    .string(o.clientId === undefined ? 'tsbpf' : o.clientId)
    .finish();
  return new Writer().i32(o.size ?? header.length + rest.length).bytes(header).bytes(rest).finish();
}

export const kafka = { request } as const;

export interface KafkaRequestHeader {
  /** The size field (bytes after it). */
  readonly size: number;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** Topic names, for the API keys and versions encoded here. */
  readonly topics?: readonly string[];
  /** The message is all present (`size` bytes follow the size field). */
  readonly complete: boolean;
}

export interface ParsedKafkaRequest {
  readonly request?: KafkaRequestHeader;
  readonly errors: readonly string[];
}

class Reader {
  readonly #v: DataView;
  at: number;
  readonly end: number;
  constructor(b: Uint8Array, at: number, end: number) {
    this.#v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.at = at;
    this.end = end;
  }
  #take(n: number): number {
    if (this.at + n > this.end) throw new RangeError(`truncated at offset ${this.at} (needs ${n} bytes)`);
    const at = this.at;
    this.at += n;
    return at;
  }
  i8(): number {
    return this.#v.getInt8(this.#take(1));
  }
  i16(): number {
    return this.#v.getInt16(this.#take(2));
  }
  i32(): number {
    return this.#v.getInt32(this.#take(4));
  }
  skip(n: number): void {
    if (n < 0) throw new RangeError(`negative length ${n} at offset ${this.at}`);
    this.#take(n);
  }
  string(): string | null {
    const n = this.i16();
    if (n === -1) return null;
    const at = this.#take(Math.max(0, n));
    if (n < 0) throw new RangeError(`string length ${n}`);
    return new TextDecoder().decode(new Uint8Array(this.#v.buffer, this.#v.byteOffset + at, n));
  }
  count(): number {
    const n = this.i32();
    if (n < -1 || n > this.end - this.at) throw new RangeError(`array count ${n} at offset ${this.at - 4}`);
    return n;
  }
}

/** Topic names from a body of a version encoded here. */
function bodyTopics(r: Reader, key: number, version: number): string[] | undefined {
  const names: string[] = [];
  const topics = (partition: () => void): void => {
    const n = r.count();
    for (let i = 0; i < n; i++) {
      names.push(r.string() ?? '');
      const m = r.count();
      for (let j = 0; j < m; j++) partition();
    }
  };
  if (key === 0 && version >= 3 && version <= 8) {
    r.string();
    r.i16();
    r.i32();
    topics(() => {
      r.i32();
      const n = r.i32();
      if (n > 0) r.skip(n);
    });
    return names;
  }
  if (key === 1 && version <= 11) {
    r.skip(12 + (version >= 3 ? 4 : 0) + (version >= 4 ? 1 : 0) + (version >= 7 ? 8 : 0));
    topics(() => r.skip(4 + (version >= 9 ? 4 : 0) + 8 + (version >= 5 ? 8 : 0) + 4));
    return names;
  }
  if (key === 3 && version <= 8) {
    const n = r.count();
    for (let i = 0; i < n; i++) names.push(r.string() ?? '');
    return names;
  }
  return undefined;
}

/**
 * Parses a Kafka request's size and header v1 (and topic names where this module knows the body).
 * Never throws: what cannot be read is in `errors`.
 */
export function parseKafkaRequest(bytes: Uint8Array): ParsedKafkaRequest {
  const errors: string[] = [];
  if (bytes.length < 4) return { errors: [`kafka: ${bytes.length} bytes is too short for the size field`] };
  const r = new Reader(bytes, 0, bytes.length);
  const size = r.i32();
  if (size < 0) return { errors: [`kafka: negative size ${size}`] };
  const complete = bytes.length >= 4 + size;
  const body = new Reader(bytes, 4, Math.min(bytes.length, 4 + size));
  let header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null };
  try {
    header = { apiKey: body.i16(), apiVersion: body.i16(), correlationId: body.i32(), clientId: body.string() };
  } catch (e) {
    return { errors: [`kafka: header: ${(e as Error).message}`] };
  }
  let topics: string[] | undefined;
  try {
    topics = bodyTopics(body, header.apiKey, header.apiVersion);
  } catch (e) {
    errors.push(`kafka: body: ${(e as Error).message}`);
  }
  if (!complete) errors.push(`kafka: size ${size} exceeds the ${bytes.length - 4} bytes present`);
  return { request: { size, ...header, ...(topics === undefined ? {} : { topics }), complete }, errors };
}
