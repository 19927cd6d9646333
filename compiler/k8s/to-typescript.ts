// PolicyInputs read from YAML → a TypeScript policy file using the DSL's builders (`tsbpf convert`). The
// output builds the same PolicyModel as the YAML (the round-trip test holds it to that), so rule names are
// written out: they are the YAML's (`ns/name/ingress[0]`), which vectors and counters refer to.
import type { LabelSelector, Peer, PolicyInput, RuleInput } from '../dsl/index.ts';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A plain value as a one-line TypeScript literal. */
function lit(v: unknown): string {
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    // source positions (`at` of L7 rules) belong to the YAML, not to the TypeScript written from it
    const entries = Object.entries(v).filter(([k, x]) => x !== undefined && k !== 'at');
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, x]) => `${IDENT.test(k) ? k : str(k)}: ${lit(x)}`).join(', ')} }`;
  }
  throw new TypeError(`convert: cannot write ${String(v)}`);
}

function peer(p: Peer, used: Set<string>): string {
  switch (p.kind) {
    case 'entity':
      used.add(p.entity);
      return p.entity;
    case 'cidr':
      used.add('cidr');
      return p.except.length === 0 ? `cidr(${str(p.cidr)})` : `cidr(${str(p.cidr)}, { except: ${lit(p.except)} })`;
    case 'endpoints': {
      const sel: LabelSelector = p.selector ?? {};
      if (p.namespaces === undefined) {
        used.add('endpoints');
        return `endpoints(${lit(sel)})`;
      }
      if (Object.keys(sel).length === 0) {
        used.add('namespaces');
        return `namespaces(${lit(p.namespaces)})`;
      }
      used.add('endpoints');
      return `endpoints(${lit(sel)}, { namespaces: ${lit(p.namespaces)} })`;
    }
  }
}

function rule(r: RuleInput, used: Set<string>): string {
  const parts: string[] = [];
  if (r.name !== undefined) parts.push(`name: ${str(r.name)}`);
  if (r.from !== undefined) parts.push(`from: [${r.from.map((p) => peer(p, used)).join(', ')}]`);
  if (r.to !== undefined) parts.push(`to: [${r.to.map((p) => peer(p, used)).join(', ')}]`);
  if (r.ports !== undefined) parts.push(`ports: ${lit(r.ports)}`);
  if (r.icmps !== undefined) parts.push(`icmps: ${lit(r.icmps)}`);
  return `{ ${parts.join(', ')} }`;
}

function policyCall(input: PolicyInput, comment: string, used: Set<string>): string {
  const lines = [`  // ${comment}`, '  policy({', `    name: ${str(input.name)},`];
  if (input.namespace !== undefined) lines.push(`    namespace: ${str(input.namespace)},`);
  if (input.host === true) lines.push('    host: true,');
  if (input.selector !== undefined) lines.push(`    selector: ${lit(input.selector)},`);
  for (const list of ['ingressDeny', 'ingress', 'egressDeny', 'egress'] as const) {
    const rules = input[list];
    if (rules === undefined) continue;
    lines.push(`    ${list}: [`, ...rules.map((r) => `      ${rule(r, used)},`), '    ],');
  }
  if (input.defaultDeny !== undefined && input.defaultDeny.length > 0) lines.push(`    defaultDeny: ${lit(input.defaultDeny)},`);
  if (input.enableDefaultDeny !== undefined) lines.push(`    enableDefaultDeny: ${lit(input.enableDefaultDeny)},`);
  // settings from tsbpf.io/ annotations
  if (input.audit === true) lines.push('    audit: true,');
  if (input.profiles !== undefined) lines.push(`    profiles: ${lit(input.profiles)},`);
  if (input.l7 !== undefined) lines.push(`    l7: ${lit(input.l7)},`);
  lines.push('  }),');
  return lines.join('\n');
}

/** The TypeScript policy file equivalent to `policies` (each with the document it came from, for a comment). */
export function policyToTypeScript(policies: readonly { readonly input: PolicyInput; readonly document: string }[], source: string): string {
  const used = new Set<string>(['policy']);
  const body = policies.map((p) => policyCall(p.input, p.document, used)).join('\n');
  const imports = [...used].sort().join(', ');
  return `// Converted from ${source} by \`tsbpf convert\`.\nimport { ${imports} } from 'tsbpf';\n\nexport default [\n${body}\n];\n`;
}
