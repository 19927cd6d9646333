// Kafka rules: the user's input (KafkaRuleInput, or a Cilium `rules.kafka[]` entry) checked and normalised into
// KafkaMatch, the plain data the reference judge and the C generator read.
import { PolicyError } from '../dsl/policy-error.ts';
import type { SourcePosition } from '../dsl/source-position.ts';
import { KAFKA_API_KEYS, KAFKA_MAX_API_KEY, KAFKA_ROLES, KAFKA_TOPIC_MAX, KAFKA_TOPIC_PATTERN } from './kafka-api.ts';
import type { KafkaRuleInput } from './kafka-types.ts';

/** A checked Kafka rule. Every field present must hold for a request to match. JSON-safe. */
export interface KafkaMatch {
  /** API keys allowed, sorted; absent = any key */
  readonly apiKeys?: readonly number[];
  readonly apiVersion?: number;
  /** exact client id (never the null client id) */
  readonly clientId?: string;
  /** every topic of a topic-bearing request must be this one */
  readonly topic?: string;
  /** the rule, for messages (`policy p: ingress rule 1: port 9092: kafka rule 2`) */
  readonly where: string;
  readonly at?: SourcePosition;
}

/** Longest client id a rule may name: the largest window (1024) less the 14 bytes before the client id. */
export const KAFKA_CLIENT_ID_MAX = 1024 - 14;

const FIELDS = new Set(['role', 'apiKey', 'apiVersion', 'clientID', 'topic', 'at']);

function apiKeyOf(v: unknown, where: string, at: SourcePosition | undefined): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > KAFKA_MAX_API_KEY) throw new PolicyError(`${where}: apiKey ${v} is not an integer from 0 to ${KAFKA_MAX_API_KEY}`, at);
    return v;
  }
  if (typeof v === 'string') {
    const name = v.trim().toLowerCase();
    if (/^\d+$/.test(name)) return apiKeyOf(Number(name), where, at);
    const key = KAFKA_API_KEYS[name];
    if (key === undefined) throw new PolicyError(`${where}: unknown apiKey "${v}" (known: ${Object.keys(KAFKA_API_KEYS).join(', ')}, or a number)`, at);
    return key;
  }
  throw new PolicyError(`${where}: apiKey must be a number or an API name, got ${typeof v}`, at);
}

/**
 * Checks a Kafka rule and normalises it.
 *
 * @example
 * normaliseKafkaRule({ role: 'produce', topic: 'orders' }, 'kafka rule 1') // { apiKeys: [0, 3, 18], topic: 'orders', where: 'kafka rule 1' }
 */
export function normaliseKafkaRule(input: KafkaRuleInput, where: string): KafkaMatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new PolicyError(`${where}: a kafka rule must be an object`, undefined);
  const at = input.at;
  for (const k of Object.keys(input)) if (!FIELDS.has(k)) throw new PolicyError(`${where}: unknown kafka rule field "${k}" (fields: role, apiKey, apiVersion, clientID, topic)`, at);
  let apiKeys: number[] | undefined;
  if (input.role !== undefined) {
    if (input.apiKey !== undefined) throw new PolicyError(`${where}: role and apiKey are exclusive (role ${String(input.role)} already names its API keys)`, at);
    const keys = KAFKA_ROLES[input.role];
    if (keys === undefined) throw new PolicyError(`${where}: unknown role "${String(input.role)}" (produce or consume)`, at);
    apiKeys = [...keys];
  } else if (input.apiKey !== undefined) {
    apiKeys = [apiKeyOf(input.apiKey, where, at)];
  }
  const v = input.apiVersion;
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fff)) {
    throw new PolicyError(`${where}: apiVersion must be an integer from 0 to 32767, got ${String(v)}`, at);
  }
  const c = input.clientID;
  if (c !== undefined) {
    if (typeof c !== 'string') throw new PolicyError(`${where}: clientID must be a string`, at);
    if (c === '') throw new PolicyError(`${where}: clientID is empty (omit it to allow any client)`, at);
    const bytes = new TextEncoder().encode(c).length;
    if (bytes > KAFKA_CLIENT_ID_MAX) throw new PolicyError(`${where}: clientID of ${bytes} bytes is longer than the largest window allows (${KAFKA_CLIENT_ID_MAX})`, at);
  }
  const t = input.topic;
  if (t !== undefined) {
    if (typeof t !== 'string') throw new PolicyError(`${where}: topic must be a string`, at);
    if (t.length === 0 || t.length > KAFKA_TOPIC_MAX || !KAFKA_TOPIC_PATTERN.test(t)) {
      throw new PolicyError(`${where}: topic "${t}" is not a Kafka topic name (1 to ${KAFKA_TOPIC_MAX} of a-z A-Z 0-9 . _ -)`, at);
    }
  }
  return {
    ...(apiKeys === undefined ? {} : { apiKeys: [...new Set(apiKeys)].sort((a, b) => a - b) }),
    ...(v === undefined ? {} : { apiVersion: v }),
    ...(c === undefined ? {} : { clientId: c }),
    ...(t === undefined ? {} : { topic: t }),
    where,
    ...(at === undefined ? {} : { at }),
  };
}

const CILIUM_FIELDS = new Set(['role', 'apiKey', 'apiVersion', 'clientID', 'topic']);

/**
 * A Cilium `rules.kafka[]` entry (PortRuleKafka) to our input. Cilium writes apiVersion as a string and treats
 * empty strings as absent; role and apiKey names are case-insensitive there.
 */
export function kafkaRuleFromCilium(node: unknown, where: string): KafkaRuleInput {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new PolicyError(`${where}: a kafka rule must be a mapping`, undefined);
  const o = node as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!CILIUM_FIELDS.has(k)) throw new PolicyError(`${where}: unknown kafka rule field "${k}" (fields: role, apiKey, apiVersion, clientID, topic)`, undefined);
  const str = (name: string): string | undefined => {
    const v = o[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && (name === 'apiVersion' || name === 'apiKey')) return String(v);
    if (typeof v !== 'string') throw new PolicyError(`${where}: ${name} must be a string`, undefined);
    return v === '' ? undefined : v;
  };
  const role = str('role')?.toLowerCase();
  if (role !== undefined && role !== 'produce' && role !== 'consume') throw new PolicyError(`${where}: unknown role "${role}" (produce or consume)`, undefined);
  const apiKey = str('apiKey');
  const version = str('apiVersion');
  if (version !== undefined && !/^\d+$/.test(version.trim())) throw new PolicyError(`${where}: apiVersion "${version}" is not a number`, undefined);
  const clientID = str('clientID');
  const topic = str('topic');
  return {
    ...(role === undefined ? {} : { role }),
    ...(apiKey === undefined ? {} : { apiKey: /^\d+$/.test(apiKey.trim()) ? Number(apiKey) : apiKey }),
    ...(version === undefined ? {} : { apiVersion: Number(version) }),
    ...(clientID === undefined ? {} : { clientID }),
    ...(topic === undefined ? {} : { topic }),
  };
}
