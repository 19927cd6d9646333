// Label selectors of manifests. Kubernetes selectors map one to one onto the DSL's LabelSelector. Cilium
// selectors also carry a source prefix on keys (`k8s:app`, `any:app`) and select namespaces through special
// keys: `io.kubernetes.pod.namespace` (the namespace's name) and `io.cilium.k8s.namespace.labels.KEY` (its
// labels). Those are split off into a namespace selector over the inventory's namespace labels, where the
// name is the `kubernetes.io/metadata.name` label, as in Kubernetes.
import { NAMESPACE_LABELS_PREFIX as NAMESPACE_LABELS, POD_NAMESPACE_LABEL as POD_NAMESPACE, type LabelRequirement, type LabelSelector } from '../dsl/index.ts';
import type { ManifestNode } from './manifest-node.ts';

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

interface RawSelector {
  readonly matchLabels: [key: string, value: string, at: ManifestNode][];
  readonly matchExpressions: [LabelRequirement, ManifestNode][];
}

function readRaw(node: ManifestNode): RawSelector {
  const f = node.fields(['matchLabels', 'matchExpressions']);
  const matchLabels: RawSelector['matchLabels'] = [];
  const labels = f.get('matchLabels');
  if (labels !== undefined) for (const [k, v] of labels.entries()) matchLabels.push([k, v.text(), v]);
  const matchExpressions = (f.get('matchExpressions')?.items() ?? []).map((e): [LabelRequirement, ManifestNode] => {
    const g = e.fields(['key', 'operator', 'values']);
    const key = g.get('key');
    const op = g.get('operator');
    if (key === undefined) throw e.error('a match expression needs a key');
    if (op === undefined) throw e.error('a match expression needs an operator');
    const operator = op.string();
    if (!OPERATORS.has(operator)) throw op.error(`operator ${operator} is not In, NotIn, Exists or DoesNotExist`);
    const values = (g.get('values')?.items() ?? []).map((v) => v.text());
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) throw e.error(`operator ${operator} needs values`);
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) throw e.error(`operator ${operator} takes no values`);
    return [{ key: key.text(), operator: operator as LabelRequirement['operator'], ...(values.length > 0 ? { values } : {}) }, e];
  });
  return { matchLabels, matchExpressions };
}

function build(labels: [string, string][], exprs: LabelRequirement[]): LabelSelector {
  return {
    ...(labels.length > 0 ? { matchLabels: Object.fromEntries(labels) } : {}),
    ...(exprs.length > 0 ? { matchExpressions: exprs } : {}),
  };
}

/** A Kubernetes label selector (`podSelector`, `namespaceSelector`). */
export function readLabelSelector(node: ManifestNode): LabelSelector {
  const raw = readRaw(node);
  return build(
    raw.matchLabels.map(([k, v]) => [k, v]),
    raw.matchExpressions.map(([e]) => e),
  );
}

/** A Cilium endpoint selector split into endpoint labels and, when it names any, namespace requirements. */
export interface CiliumSelector {
  readonly selector: LabelSelector;
  /** set when the selector constrains the namespace (its name or its labels) */
  readonly namespaces?: LabelSelector;
  /** whether the namespace's name itself is constrained (Cilium then drops the implicit policy namespace) */
  readonly namesNamespace: boolean;
}

/** Strips Cilium's label source prefix; reserved and other sources are not supported. */
function ciliumKey(key: string, at: ManifestNode): string {
  const m = /^([a-z0-9-]+):(.*)$/.exec(key);
  if (m === null) return key;
  if (m[1] === 'k8s' || m[1] === 'any') return m[2]!;
  throw at.error(`label source ${m[1]}: in ${key} (only k8s: and any: labels are supported yet)`);
}

/**
 * A Cilium endpoint selector as one selector over the endpoints' labels, namespace keys included: the inventory
 * gives every endpoint Cilium's `io.kubernetes.pod.namespace` and `io.cilium.k8s.namespace.labels.KEY` labels
 * (compiler/dsl/inventory.ts), so this selects by namespace name or labels, with any operator. For the subject
 * of a policy (`endpointSelector`); peers use readCiliumSelector, which scopes namespaces explicitly.
 */
export function readCiliumSubjectSelector(node: ManifestNode): LabelSelector {
  const raw = readRaw(node);
  const key = (k: string, at: ManifestNode) => {
    const stripped = ciliumKey(k, at);
    if ((stripped.startsWith('io.cilium.k8s.policy.') || stripped.startsWith('io.kubernetes.pod.')) && stripped !== POD_NAMESPACE) {
      throw at.error(`label ${stripped}: service accounts, cluster names and other pod metadata are not in the inventory (not supported yet)`);
    }
    return stripped;
  };
  return build(
    raw.matchLabels.map(([k, v, at]) => [key(k, at), v]),
    raw.matchExpressions.map(([e, at]) => ({ ...e, key: key(e.key, at) })),
  );
}

export function readCiliumSelector(node: ManifestNode): CiliumSelector {
  const raw = readRaw(node);
  const labels: [string, string][] = [];
  const exprs: LabelRequirement[] = [];
  const nsLabels: [string, string][] = [];
  const nsExprs: LabelRequirement[] = [];
  let namesNamespace = false;
  const place = (key: string, at: ManifestNode): { key: string; ns: boolean } => {
    const k = ciliumKey(key, at);
    if (k === POD_NAMESPACE) {
      namesNamespace = true;
      return { key: NAMESPACE_NAME_LABEL, ns: true };
    }
    if (k.startsWith(NAMESPACE_LABELS)) return { key: k.slice(NAMESPACE_LABELS.length), ns: true };
    if (k.startsWith('io.cilium.k8s.policy.') || k.startsWith('io.kubernetes.pod.')) throw at.error(`label ${k}: service accounts, cluster names and other pod metadata are not in the inventory (not supported yet)`);
    return { key: k, ns: false };
  };
  for (const [k, v, at] of raw.matchLabels) {
    const p = place(k, at);
    (p.ns ? nsLabels : labels).push([p.key, v]);
  }
  for (const [e, at] of raw.matchExpressions) {
    const p = place(e.key, at);
    (p.ns ? nsExprs : exprs).push({ ...e, key: p.key });
  }
  const hasNs = nsLabels.length + nsExprs.length > 0;
  return { selector: build(labels, exprs), ...(hasNs ? { namespaces: build(nsLabels, nsExprs) } : {}), namesNamespace };
}
