// The L7 protocols as the policy model, the reference evaluator and the generator see them: each protocol
// module's normalise / judge / generate functions (compiler/l7/http-*.ts, kafka-*.ts) behind one table, so the
// integration never depends on a matcher's own data types (its normalised rules are opaque, JSON-safe data).
import type { L7Protocol } from '../dsl/policy-model.ts';
import { generateHttpMatcherC } from './http-c.ts';
import { judgeHttp } from './http-judge.ts';
import { normaliseHttpRule, type HttpMatch } from './http-rules.ts';
import type { HttpRuleInput } from './http-types.ts';
import type { L7Judgement } from './judgement.ts';
import { generateKafkaMatcherC } from './kafka-c.ts';
import { judgeKafka } from './kafka-judge.ts';
import { normaliseKafkaRule, type KafkaMatch } from './kafka-rules.ts';
import type { KafkaRuleInput } from './kafka-types.ts';

export interface L7ProtocolModule {
  /** validated matcher data for one rule; throws PolicyError naming `where` and the field */
  normalise(input: object, where: string): unknown;
  /** the reference judgement of the request at the start of `payload` (only `window` bytes may be looked at) */
  judge(rules: readonly unknown[], payload: Uint8Array, window: number): L7Judgement;
  /** C defining `static __always_inline int <protocol>_judge(__u32 ruleset, const __u8 *w, __u32 len, __u32 *next)` */
  generateC(rulesets: readonly { readonly id: number; readonly rules: readonly unknown[] }[], options: { readonly window: number; readonly loops: boolean }): string;
}

const http: L7ProtocolModule = {
  normalise: (input, where) => normaliseHttpRule(input as HttpRuleInput, where),
  judge: (rules, payload, window) => judgeHttp(rules as readonly HttpMatch[], payload, window),
  generateC: (rulesets, options) => generateHttpMatcherC(rulesets as readonly { id: number; rules: readonly HttpMatch[] }[], options),
};

const kafka: L7ProtocolModule = {
  normalise: (input, where) => normaliseKafkaRule(input as KafkaRuleInput, where),
  judge: (rules, payload, window) => judgeKafka(rules as readonly KafkaMatch[], payload, window),
  generateC: (rulesets, options) => generateKafkaMatcherC(rulesets as readonly { id: number; rules: readonly KafkaMatch[] }[], options),
};

export const L7_PROTOCOLS: Readonly<Record<L7Protocol, L7ProtocolModule>> = { http, kafka };

export function normaliseL7Rule(protocol: L7Protocol, input: object, where: string): unknown {
  return L7_PROTOCOLS[protocol].normalise(input, where);
}
