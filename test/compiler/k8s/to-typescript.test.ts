// `tsbpf convert` round trip: for every YAML example, the policies of its converted TypeScript (run through
// esbuild and the DSL's builders, as any policy file) build the same PolicyModel as the YAML, positions aside.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, loadPolicyFile, readInventory, type PolicyModel } from '../../../compiler/dsl/index.ts';
import { policyToTypeScript, readPolicyYaml } from '../../../compiler/k8s/index.ts';
import { K8S_EXAMPLES, K8S_EXAMPLES_DIR } from './k8s-examples.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-k8s-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The model without source positions (the YAML's lines and the TypeScript's differ by design). */
function withoutPositions(m: PolicyModel): unknown {
  return JSON.parse(JSON.stringify(m, (k, v: unknown) => (k === 'at' ? undefined : v)));
}

describe('convert round trip', () => {
  for (const name of K8S_EXAMPLES) {
    it(`${name}: the converted TypeScript builds the same PolicyModel as the YAML`, async () => {
      const yaml = readPolicyYaml(join(K8S_EXAMPLES_DIR, `${name}.yaml`));
      const ts = join(tmp, `${name}.ts`);
      writeFileSync(ts, policyToTypeScript(yaml.imported, `${name}.yaml`));
      const converted = await loadPolicyFile(ts);
      const inventory = readInventory(join(K8S_EXAMPLES_DIR, `${name}.endpoints.yaml`));
      const fromYaml = buildModel(yaml.policies, inventory);
      expect(fromYaml.subjects.length).toBeGreaterThan(0);
      expect(withoutPositions(buildModel(converted.policies, inventory))).toEqual(withoutPositions(fromYaml));
      // the converted policies still point into the TypeScript, the YAML ones into the YAML
      expect(converted.policies[0]!.at?.file).toBe(ts);
      expect(yaml.policies[0]!.at?.file).toBe(join(K8S_EXAMPLES_DIR, `${name}.yaml`));
    });
  }
});
