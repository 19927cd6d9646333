// compiler/l7: HTTP and Kafka rules judged in BPF (docs/l7.md). The protocol modules (rules, reference judges,
// C generators, Cilium import) and the integration's table of them, and the evaluator's per-segment step.
export type { HttpHeaderInput, HttpRuleInput } from './http-types.ts';
export type { KafkaRuleInput } from './kafka-types.ts';
export { DEFAULT_L7_SETTINGS, type L7SettingsInput } from './l7-settings.ts';
export type { L7Judgement } from './judgement.ts';
export { normaliseHttpRule, type HttpMatch } from './http-rules.ts';
export { judgeHttp } from './http-judge.ts';
export { generateHttpMatcherC } from './http-c.ts';
export { httpRuleFromCilium } from './http-cilium.ts';
export { normaliseKafkaRule, kafkaRuleFromCilium, type KafkaMatch } from './kafka-rules.ts';
export { judgeKafka } from './kafka-judge.ts';
export { generateKafkaMatcherC } from './kafka-c.ts';
export { L7_PROTOCOLS, normaliseL7Rule, type L7ProtocolModule } from './protocols.ts';
export { CANNOT_SEE, judgeL7Segment, NO_RULE, type L7Count, type L7SegmentInput, type L7SegmentResult, type L7Stream } from './evaluate-l7.ts';
