// `tsbpf convert POLICY.yaml` and `tsbpf build POLICY.yaml` from the command line (the YAML examples run
// through `tsbpf check`'s steps in test/compiler/k8s/examples.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, EXIT_USAGE } from '../../cli/cli-error.ts';
import { convertPolicyYaml } from '../../cli/commands/convert.ts';
import { checkPolicy } from '../../cli/commands/policy-check.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19 } from '../support/require.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-convert-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tsbpf = (...args: string[]) => {
  const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'cli/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const examples = join(repoRoot, 'examples/k8s');

describe('tsbpf convert', () => {
  it('prints a TypeScript policy file using the DSL builders, one policy per manifest', () => {
    const r = tsbpf('convert', join(examples, 'ipblock-except.yaml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ Converted from ipblock-except\.yaml by `tsbpf convert`\.\nimport \{ cidr, endpoints, namespaces, policy \} from 'tsbpf';\n/);
    expect(r.stdout).toContain("from: [cidr('172.17.0.0/16', { except: ['172.17.1.0/24'] }), namespaces({ matchLabels: { project: 'myproject' } }), endpoints({ matchLabels: { role: 'frontend' } })]");
    expect(r.stdout).toContain("defaultDeny: ['ingress', 'egress'],");
  });

  it('prints HTTP and Kafka rules as the http and kafka lists of their ports', () => {
    const file = join(tmp, 'l7-ok.yaml');
    writeFileSync(
      file,
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: api, namespace: shop }\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports: [{ port: "80" }]\n      rules:\n        http: [{ method: GET, path: "/public/.*" }]\n    - ports: [{ port: "9092" }]\n      rules:\n        kafka: [{ role: produce, topic: orders }]\n',
    );
    const ts = convertPolicyYaml(file);
    expect(ts).toContain("ports: [{ port: 80, protocol: 'TCP', http: [{ method: 'GET', path: '/public/*' }] }, { port: 9092, protocol: 'TCP', kafka: [{ role: 'produce', topic: 'orders' }] }]");
    expect(ts).not.toContain('at:');
  });

  it('exits 2 naming the file, line, document and field of what it cannot convert', () => {
    const file = join(tmp, 'l7.yaml');
    writeFileSync(file, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: api, namespace: shop }\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports: [{ port: "80" }]\n      rules:\n        http: [{ method: GET, path: "/(a|b)+" }]\n');
    const error = (() => {
      try {
        convertPolicyYaml(file);
      } catch (e) {
        return e as CliError;
      }
      throw new Error('converted');
    })();
    expect(error).toBeInstanceOf(CliError);
    expect(error.code).toBe(EXIT_USAGE);
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:10: document 1 \\(CiliumNetworkPolicy shop/api\\): spec\\.ingress\\[0\\]\\.toPorts\\[0\\]\\.rules\\.http\\[0\\]: http path "/\\(a\\|b\\)\\+" cannot be expressed`));
  });
});

describe.runIf(available('tsbpf build on YAML', clang19))('tsbpf build on a YAML policy', () => {
  it('builds a multi-document Cilium policy with the inventory given by --endpoints', () => {
    const out = join(tmp, 'build');
    const r = tsbpf('build', join(examples, 'cilium-deny.yaml'), '--endpoints', join(examples, 'cilium-deny.endpoints.yaml'), '-o', out, '--clang', 'native');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('built external-lockdown, prod/no-ssh-to-db (endpoint mode, 3 rules)');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { policies: string[]; sources: string[]; inventory: string };
    expect(manifest).toMatchObject({ policies: ['external-lockdown', 'prod/no-ssh-to-db'], sources: [join(examples, 'cilium-deny.yaml')], inventory: join(examples, 'cilium-deny.endpoints.yaml') });
  });

  it('tsbpf check of a YAML policy without vectors names the .vectors.yaml to write', async () => {
    const file = join(tmp, 'lonely.yml');
    writeFileSync(file, readFileSync(join(examples, 'deny-all.yaml'), 'utf8'));
    const report = await checkPolicy(file, { driver: 'native', endpoints: join(examples, 'deny-all.endpoints.yaml') });
    expect(report.warnings).toContain(`${file}: no test vectors (write ${join(tmp, 'lonely')}.vectors.yaml)`);
  });
});

