// The policy DSL (`import { policy, cidr } from 'tsbpf'`): builders, the endpoint inventory, the merge of all
// policies of one interface into a PolicyModel, test vectors and the reference evaluator.
export { service, type BackendSpec, type ServiceSpec } from '../services/service-model.ts';
export { all, cidr, cluster, endpoints, entity, host, namespaces, policy, rule, world } from './builders.ts';
export type * from './types.ts';
export { buildModel } from './build-model.ts';
export { formatPrefix, parseAddress, parsePrefix, prefixContains, type Family, type Prefix } from './cidr.ts';
export { Evaluator, EvaluatorState, type Evaluation } from './evaluate.ts';
export { icmpTypeNumber, ICMP_TYPE_NAMES, ICMPV6_TYPE_NAMES } from './icmp-types.ts';
export { EMPTY_INVENTORY, NAMESPACE_LABELS_PREFIX, parseInventory, POD_NAMESPACE_LABEL, readInventory, type Inventory, type InventoryEndpoint, type NamedPort } from './inventory.ts';
export { loadPolicyFile, type LoadedPolicies } from './load-policy.ts';
export { matchesSelector } from './match-labels.ts';
export { packetFrame } from './packet-frame.ts';
export { formatWarning, PolicyError, type PolicyWarning } from './policy-error.ts';
export * from './policy-model.ts';
export { formatPosition, type SourcePosition } from './source-position.ts';
export { parseVectorPacket, parseVectors, readVectors, withSequenceNumbers, type Expectation, type VectorCase, type VectorPacket } from './vectors.ts';
export { judgeL7Segment, CANNOT_SEE, NO_RULE, type L7Count, type L7Stream } from '../l7/evaluate-l7.ts';
