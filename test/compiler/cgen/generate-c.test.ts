import { describe, expect, it } from 'vitest';
import { generatePolicyC, policyMapContents, policyPrograms } from '../../../compiler/cgen/index.ts';
import { buildModel, parseInventory, policy, type PolicyModel } from '../../../compiler/dsl/index.ts';

const inventory = parseInventory({ endpoints: [{ ip: '10.1.0.1', labels: { app: 'web' } }] });
const at = { file: '/src/web.ts', line: 12, column: 3 };

function model(o: Partial<Parameters<typeof policy>[0]> = {}): PolicyModel {
  const m = buildModel([policy({ name: 'web', selector: { matchLabels: { app: 'web' } }, ingress: [{ name: 'http', ports: [{ port: 80 }] }], ...o })], inventory);
  return { ...m, policies: [{ name: 'web', at }] };
}

describe('generatePolicyC()', () => {
  it('lists every rule with its id, ties the programs to the policy line and returns to the C file', () => {
    const c = generatePolicyC(model(), { cFile: 'policy.c' });
    expect(c).toContain('//   id 1: allow ingress http');
    const lines = c.split('\n');
    const i = lines.indexOf(`#line 12 "/src/web.ts"`);
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(/^int policy_to_endpoint\(struct __sk_buff \*skb\)$/);
    // the directive after it names its own next line
    expect(lines[i + 2]).toBe(`#line ${i + 4} "policy.c"`);
  });

  it('has no loops and no global variables, and specialises by mode and features', () => {
    const c = generatePolicyC(model());
    const code = c.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\b(for|while|goto)\b/);
    expect(c).not.toMatch(/^(static )?(__u\d+|int|char) [a-z_]+(\[\d*\])? =/m);
    expect(c).toContain('#define MODE_INTERFACE 0');
    expect(c).toContain('#define FEATURE_AUDIT 0');
    expect(generatePolicyC(model({ audit: true }))).toContain('#define FEATURE_AUDIT 1');
    const host = buildModel([policy({ name: 'h', host: true })], inventory);
    expect(generatePolicyC(host)).toContain('#define MODE_INTERFACE 1');
    expect(policyPrograms(host).map((p) => [p.name, p.section, p.direction])).toEqual([
      ['policy_ingress', 'tcx/ingress', 'ingress'],
      ['policy_egress', 'tcx/egress', 'egress'],
    ]);
  });

  it('sizes each map from its contents with headroom', () => {
    const m = model();
    const maps = policyMapContents(m).maps;
    const c = generatePolicyC(m);
    for (const name of ['ipcache4', 'ipcache6', 'subjects', 'policy']) {
      const content = maps[name]!;
      expect(content.maxEntries).toBeGreaterThanOrEqual(2 * content.entries.length);
      expect(c).toMatch(new RegExp(`__uint\\(max_entries, ${content.maxEntries}\\);\\n[^}]*\\} ${name} SEC`));
    }
  });
});
