// The reference Kafka judge: which rule of a port allows the request at the start of a TCP payload, read from the
// Kafka protocol definitions and independent of the generated C. It looks at min(window, payload length) bytes
// only, and at nothing past the request's own `size`. Supported layouts and limits: docs/l7-kafka.md.
//
// Each rule is three-valued: yes, no, or unknown (a field it needs lies beyond what may be seen). The first rule
// that says yes matches; else any unknown makes the request cannot-see; else no-match. Topics: a rule with a topic
// constrains the topic-bearing API keys only (Cilium's set); of those, the matcher reads topic names of Produce
// v0–v11, Fetch v0–v12 and Metadata v0–v12 (others: unknown). A topic name seen that differs from the rule's topic
// is a definite no even when later topics cannot be seen; a request naming no topic (an empty or null array:
// Metadata for all topics) does not match a topic rule, as in Cilium.
import { KAFKA_MAX_TOPICS, KAFKA_PARSE_STEPS, KAFKA_TOPIC_API_KEYS, KAFKA_TOPIC_VERSIONS, kafkaFlexible } from './kafka-api.ts';
import type { KafkaMatch } from './kafka-rules.ts';
import type { L7Judgement } from './judgement.ts';

type Tri = 'yes' | 'no' | 'unknown';

/** What the topic array revealed: the names read (at most KAFKA_MAX_TOPICS), and whether they are all of them. */
export interface KafkaTopicsSeen {
  readonly names: readonly string[];
  readonly complete: boolean;
  /** why not complete */
  readonly reason?: string;
}

/** Bytes as a string of char codes 0..255: names compare byte for byte, as the C does. */
function binary(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

const utf8 = new TextEncoder();

/** A read past the visible bytes, or a layout the matcher does not follow. */
class Unseen extends Error {}

class Reader {
  readonly #b: Uint8Array;
  readonly #lim: number;
  at: number;
  constructor(b: Uint8Array, at: number, lim: number) {
    this.#b = b;
    this.at = at;
    this.#lim = lim;
  }
  #need(n: number, what: string): void {
    if (this.at + n > this.#lim) throw new Unseen(`${what} at byte ${this.at} ends beyond the ${this.#lim} visible bytes`);
  }
  u8(what: string): number {
    this.#need(1, what);
    return this.#b[this.at++]!;
  }
  i16(what: string): number {
    this.#need(2, what);
    const v = (this.#b[this.at]! << 8) | this.#b[this.at + 1]!;
    this.at += 2;
    return (v << 16) >> 16;
  }
  i32(what: string): number {
    this.#need(4, what);
    const v = ((this.#b[this.at]! << 24) | (this.#b[this.at + 1]! << 16) | (this.#b[this.at + 2]! << 8) | this.#b[this.at + 3]!) | 0;
    this.at += 4;
    return v;
  }
  skip(n: number, what: string): void {
    this.#need(n, what);
    this.at += n;
  }
  text(n: number, what: string): string {
    this.#need(n, what);
    const s = binary(this.#b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  /** an unsigned varint; the matcher follows encodings of at most 2 bytes (values below 16384) */
  uvarint(what: string): number {
    const b0 = this.u8(what);
    if (b0 < 0x80) return b0;
    const b1 = this.u8(what);
    if (b1 >= 0x80) throw new Unseen(`${what}: a varint longer than 2 bytes`);
    return (b0 & 0x7f) | (b1 << 7);
  }
  /** tagged fields closing a struct: the matcher follows empty ones only */
  noTags(what: string): void {
    if (this.u8(`${what} tagged fields`) !== 0) throw new Unseen(`${what} carries tagged fields`);
  }
  /** a nullable string's length: -1 = null */
  stringLength(flex: boolean, what: string): number {
    if (flex) return this.uvarint(what) - 1;
    const n = this.i16(what);
    if (n < -1) throw new Unseen(`${what}: negative length ${n}`);
    return n;
  }
  /** a nullable array's count: -1 = null */
  arrayCount(flex: boolean, what: string): number {
    if (flex) return this.uvarint(what) - 1;
    const n = this.i32(what);
    if (n < -1) throw new Unseen(`${what}: negative count ${n}`);
    return n;
  }
}

/** Fixed bytes of the body before the topic array (after Produce's transactional_id). */
function fixedBefore(key: number, v: number): number {
  if (key === 0) return 6; // acks int16, timeout_ms int32
  if (key === 1) return 12 + (v >= 3 ? 4 : 0) + (v >= 4 ? 1 : 0) + (v >= 7 ? 8 : 0); // replica_id, max_wait, min_bytes, ...
  return 0;
}

/** Bytes of one Fetch partition (flexible ones end with tagged fields, read apart). */
function fetchPartitionBytes(v: number): number {
  return 4 + (v >= 9 ? 4 : 0) + 8 + (v >= 12 ? 4 : 0) + (v >= 5 ? 8 : 0) + 4;
}

/**
 * The topic names of a Produce, Fetch or Metadata request whose body starts at `body` (after the header), reading
 * no byte at or past `lim`. Undefined when this API key and version are not followed.
 */
export function kafkaTopics(b: Uint8Array, body: number, lim: number, key: number, v: number): KafkaTopicsSeen | undefined {
  const range = KAFKA_TOPIC_VERSIONS[key];
  if (range === undefined || v < range[0] || v > range[1]) return undefined;
  const flex = kafkaFlexible(key, v);
  const r = new Reader(b, body, lim);
  const names: string[] = [];
  try {
    if (flex) r.noTags('request header');
    if (key === 0 && v >= 3) {
      const n = r.stringLength(flex, 'transactional_id');
      if (n > 0) r.skip(n, 'transactional_id');
    }
    r.skip(fixedBefore(key, v), 'fields before the topics');
    const count = r.arrayCount(flex, 'topic array');
    if (count <= 0) return { names, complete: true };
    let steps = 0;
    for (let t = 0; t < count; t++) {
      if (names.length === KAFKA_MAX_TOPICS) return { names, complete: false, reason: `more than ${KAFKA_MAX_TOPICS} topics` };
      if (steps === KAFKA_PARSE_STEPS) return { names, complete: false, reason: `more than ${KAFKA_PARSE_STEPS} topics and partitions to read` };
      steps++;
      if (key === 3 && v >= 10) r.skip(16, 'topic id');
      const n = r.stringLength(flex, 'topic name');
      if (n < 0) throw new Unseen('a null topic name (a topic by id)');
      names.push(r.text(n, 'topic name'));
      if (t === count - 1) break;
      if (key === 0 || key === 1) {
        const parts = r.arrayCount(flex, 'partition array');
        if (parts < 0) throw new Unseen('a null partition array');
        for (let p = 0; p < parts; p++) {
          if (steps === KAFKA_PARSE_STEPS) return { names, complete: false, reason: `more than ${KAFKA_PARSE_STEPS} topics and partitions to read` };
          steps++;
          if (key === 0) {
            r.skip(4, 'partition index');
            const len = flex ? r.uvarint('records') - 1 : r.i32('records');
            if (len < -1) throw new Unseen(`records: negative length ${len}`);
            if (len > 0) r.skip(len, 'records');
          } else r.skip(fetchPartitionBytes(v), 'fetch partition');
          if (flex) r.noTags('partition');
        }
      }
      if (flex) r.noTags('topic');
    }
    return { names, complete: true };
  } catch (e) {
    if (e instanceof Unseen) return { names, complete: false, reason: e.message };
    throw e;
  }
}

function and(a: Tri, b: Tri): Tri {
  return a === 'no' || b === 'no' ? 'no' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'yes';
}

/**
 * Judges the Kafka request at the start of `payload` against `rules` (a port's), looking at no more than
 * `window` bytes. `next` = 4 + size.
 */
export function judgeKafka(rules: readonly KafkaMatch[], payload: Uint8Array, window: number): L7Judgement {
  const visible = Math.min(window, payload.length);
  if (visible < 4) return { kind: 'cannot-see', reason: `kafka: ${visible} bytes do not hold the size field` };
  const b = payload.subarray(0, visible);
  const size = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  if (size < 10 || size > 0x7fffffff) return { kind: 'cannot-see', reason: `kafka: size ${size | 0} is not a request's (10 bytes at least)` };
  const next = 4 + size;
  const lim = Math.min(visible, next);
  if (lim < 8) return { kind: 'cannot-see', reason: `kafka: ${lim} bytes do not hold the api key and version` };
  const r = new Reader(b, 4, lim);
  const key = r.i16('api_key');
  const version = r.i16('api_version');
  // client_id: int16 length (-1 = null) at 12, bytes at 14, in every header version this matcher reads (v1, v2)
  let clientId: string | null | undefined;
  let body = -1;
  try {
    r.skip(4, 'correlation_id');
    const n = r.i16('client_id length');
    if (n === -1) clientId = null;
    else if (n >= 0) clientId = r.text(n, 'client_id');
    if (clientId !== undefined) body = r.at;
  } catch (e) {
    if (!(e instanceof Unseen)) throw e;
  }
  let topics: KafkaTopicsSeen | undefined | null = null; // null = not read yet
  const topicsSeen = (): KafkaTopicsSeen | undefined => {
    if (topics === null) topics = body < 0 ? { names: [], complete: false, reason: 'the client id cannot be seen' } : kafkaTopics(b, body, lim, key, version);
    return topics;
  };
  let reason: string | undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.apiKeys !== undefined && !rule.apiKeys.includes(key)) continue;
    if (rule.apiVersion !== undefined && rule.apiVersion !== version) continue;
    let verdict: Tri = 'yes';
    let why = '';
    if (rule.clientId !== undefined) {
      if (clientId === undefined) {
        verdict = 'unknown';
        why = `the client id, beyond the ${lim} visible bytes`;
      } else if (clientId !== binary(utf8.encode(rule.clientId))) verdict = 'no';
    }
    if (rule.topic !== undefined && KAFKA_TOPIC_API_KEYS.has(key)) {
      const seen = topicsSeen();
      let t: Tri;
      if (seen === undefined) {
        t = 'unknown';
        why ||= `the topics of api key ${key} version ${version}, a layout this matcher does not read`;
      } else if (seen.names.some((n) => n !== rule.topic)) t = 'no';
      else if (!seen.complete) {
        t = 'unknown';
        why ||= `every topic: ${seen.reason ?? 'not all visible'}`;
      } else t = seen.names.length === 0 ? 'no' : 'yes';
      verdict = and(verdict, t);
    }
    if (verdict === 'yes') return { kind: 'match', rule: i, next };
    if (verdict === 'unknown') reason ??= `kafka: rule ${i + 1} (${rule.where}) needs ${why}`;
  }
  return reason === undefined ? { kind: 'no-match', next } : { kind: 'cannot-see', reason };
}
