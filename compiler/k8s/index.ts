// compiler/k8s: Kubernetes NetworkPolicy and Cilium(Clusterwide)NetworkPolicy YAML as policy sources, and
// their translation into the TypeScript DSL (`tsbpf convert`).
export { parsePolicyYaml, readPolicyYaml, POLICY_KINDS, type ImportedPolicy } from './read-policy-yaml.ts';
export { policyToTypeScript } from './to-typescript.ts';
