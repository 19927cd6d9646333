// A multi-document YAML file of Kubernetes NetworkPolicy and Cilium(Clusterwide)NetworkPolicy manifests →
// the DSL's policies, each validated by `policy()` and carrying the file:line of its manifest and rules.
// A `kind: List` (v1, what `kubectl get -o yaml` prints) contributes each of its items. Every other kind, and every
// field the importer does not handle, is an error naming the document (and the item of a List).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseAllDocuments, type Node } from 'yaml';
import { formatPosition, policy, PolicyError, type LoadedPolicies, type Policy, type PolicyInput } from '../dsl/index.ts';
import { readCiliumRule } from './cilium-policy.ts';
import { ManifestNode, type ManifestDocument } from './manifest-node.ts';
import { readNetworkPolicy } from './network-policy.ts';

export const POLICY_KINDS = ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'] as const;
const API_VERSIONS: Record<(typeof POLICY_KINDS)[number], string> = {
  NetworkPolicy: 'networking.k8s.io/v1',
  CiliumNetworkPolicy: 'cilium.io/v2',
  CiliumClusterwideNetworkPolicy: 'cilium.io/v2',
};
/** metadata that carries no policy meaning */
const METADATA = ['name', 'namespace', 'labels', 'annotations', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields'];

/**
 * What tsbpf takes from `metadata.annotations` (other annotations carry no policy meaning and are skipped):
 *   tsbpf.io/profiles: "linux-6.18"            verifier profiles the build must pass (comma-separated)
 *   tsbpf.io/l7-window: "512"                  L7 settings (docs/l7.md)
 *   tsbpf.io/l7-unparseable: deny | allow
 *   tsbpf.io/l7-violation: drop | reset
 *   tsbpf.io/audit: "true"                     count what would be dropped, drop nothing
 */
const ANNOTATION_PREFIX = 'tsbpf.io/';

function readAnnotations(node: ManifestNode | undefined): Pick<PolicyInput, 'profiles' | 'l7' | 'audit'> {
  const out: { profiles?: string[]; l7?: Record<string, unknown>; audit?: boolean } = {};
  for (const [key, v] of node?.entries() ?? []) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const text = v.text();
    switch (key.slice(ANNOTATION_PREFIX.length)) {
      case 'profiles':
        out.profiles = text.split(',').map((x) => x.trim()).filter((x) => x !== '');
        break;
      case 'l7-window':
        if (!/^[0-9]+$/.test(text)) throw v.error(`${key}: expected a number of bytes, not ${JSON.stringify(text)}`);
        out.l7 = { ...out.l7, window: Number(text) };
        break;
      case 'l7-unparseable':
        out.l7 = { ...out.l7, unparseable: text };
        break;
      case 'l7-violation':
        out.l7 = { ...out.l7, violation: text };
        break;
      case 'audit':
        if (text !== 'true' && text !== 'false') throw v.error(`${key}: expected "true" or "false"`);
        out.audit = text === 'true';
        break;
      default:
        throw v.error(`unknown annotation ${key} (tsbpf.io/: profiles, l7-window, l7-unparseable, l7-violation, audit)`);
    }
  }
  return out as Pick<PolicyInput, 'profiles' | 'l7' | 'audit'>;
}

/** One policy read from a manifest: the DSL input (what `convert` prints) and the validated policy. */
export interface ImportedPolicy {
  readonly input: PolicyInput;
  readonly policy: Policy;
  /** `document 2 (NetworkPolicy prod/web)` */
  readonly document: string;
}

/** Runs `policy()` on an input, keeping the manifest's position and naming the document in errors. */
function validate(input: PolicyInput, doc: ManifestDocument, at: ManifestNode['at']): Policy {
  try {
    return { ...policy(input), at };
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    const prefix = e.at === undefined ? '' : `${formatPosition(e.at)}: `;
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    throw new PolicyError(`${doc.label}: ${message}`, e.at ?? at, { cause: e });
  }
}

/** The items of a `kind: List`, each read as a document of its own (`document 1 item 2`). */
function readList(root: ManifestNode, doc: ManifestDocument): ImportedPolicy[] {
  const f = root.fields(['apiVersion', 'kind', 'metadata', 'items']);
  const apiVersion = f.get('apiVersion')?.string();
  if (apiVersion !== 'v1') throw (f.get('apiVersion') ?? root).error(`a List has apiVersion v1, not ${apiVersion ?? 'none'}`);
  return (f.get('items')?.items() ?? []).flatMap((item, i) => {
    const itemDoc: ManifestDocument = { ...doc, label: `${doc.label} item ${i + 1}` };
    return readDocument(new ManifestNode(itemDoc, item.node, '', item.at), itemDoc);
  });
}

function readDocument(root: ManifestNode, doc: ManifestDocument): ImportedPolicy[] {
  if (root.isNull) return [];
  if (root.value !== null && typeof root.value === 'object' && (root.value as { kind?: unknown }).kind === 'List') return readList(root, doc);
  const f = root.fields(['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status']);
  const kind = f.get('kind')?.string();
  if (kind === undefined) throw root.error('a manifest needs a kind');
  if (!(POLICY_KINDS as readonly string[]).includes(kind)) throw f.get('kind')!.error(`kind ${kind} is not a policy (${POLICY_KINDS.join(', ')}, or a List of them)`);
  const k = kind as (typeof POLICY_KINDS)[number];
  const apiVersion = f.get('apiVersion')?.string();
  if (apiVersion !== API_VERSIONS[k]) throw (f.get('apiVersion') ?? root).error(`a ${kind} has apiVersion ${API_VERSIONS[k]}, not ${apiVersion ?? 'none'}`);
  const metadata = f.get('metadata');
  if (metadata === undefined) throw root.error('metadata.name is required');
  const m = metadata.fields(METADATA);
  const name = m.get('name')?.string();
  if (name === undefined) throw metadata.error('metadata.name is required');
  const clusterwide = k === 'CiliumClusterwideNetworkPolicy';
  if (clusterwide && m.has('namespace')) throw m.get('namespace')!.error('a clusterwide policy has no namespace');
  const namespace = clusterwide ? undefined : (m.get('namespace')?.string() ?? 'default');
  const qualified = namespace === undefined ? name : `${namespace}/${name}`;
  doc.label = `${doc.label} (${kind} ${qualified})`;
  const settings = readAnnotations(m.get('annotations'));
  const spec = f.get('spec');
  const specs = f.get('specs');
  if (k === 'NetworkPolicy') {
    if (specs !== undefined) throw specs.error('a NetworkPolicy has spec, not specs');
    if (spec === undefined) throw root.error('spec is required');
    const input = { ...readNetworkPolicy(spec, qualified, namespace!), ...settings };
    return [{ input, policy: validate(input, doc, metadata.at), document: doc.label }];
  }
  if (spec === undefined && specs === undefined) throw root.error('spec or specs is required');
  // each rule of `specs` is its own policy: `name[i]`
  const rules: [ManifestNode, string][] = [];
  if (spec !== undefined) rules.push([spec, qualified]);
  for (const [i, s] of (specs?.items() ?? []).entries()) rules.push([s, `${qualified}[${i}]`]);
  return rules.map(([s, n]) => {
    const input = { ...readCiliumRule(s, n, namespace), ...settings };
    return { input, policy: validate(input, doc, s.at), document: doc.label };
  });
}

/** Reads the policies of a YAML text; `file` names it in positions and messages. */
export function parsePolicyYaml(text: string, file: string): ImportedPolicy[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) return []; // an empty stream
  const out: ImportedPolicy[] = [];
  docs.forEach((d, i) => {
    const doc: ManifestDocument = { file, index: i + 1, lineCounter, label: `document ${i + 1}` };
    const problem = d.errors[0];
    if (problem !== undefined) {
      const { line, col } = lineCounter.linePos(problem.pos[0]);
      throw new SyntaxError(`${file}:${line}:${col}: document ${i + 1}: ${problem.message}`, { cause: problem });
    }
    const root = new ManifestNode(doc, (d.contents as Node | null) ?? null, '');
    if (root.isNull) return; // `---` with nothing after it
    out.push(...readDocument(root, doc));
  });
  if (out.length === 0) throw new PolicyError(`${file}: no NetworkPolicy, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy in it`, undefined);
  return out;
}

/** Reads a policy YAML file as `loadPolicyFile` reads a `.ts` one. */
export function readPolicyYaml(file: string): LoadedPolicies & { readonly imported: readonly ImportedPolicy[] } {
  const path = resolve(file);
  const imported = parsePolicyYaml(readFileSync(path, 'utf8'), path);
  return { file: path, policies: imported.map((x) => x.policy), sources: [path], imported };
}
