// The YAML examples under examples/k8s (Kubernetes and Cilium documentation examples), shared by the tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../corpora.ts';

export const K8S_EXAMPLES_DIR = join(repoRoot, 'examples', 'k8s');

/** Every policy file of examples/k8s (not its `.endpoints.yaml` and `.vectors.yaml` companions). */
export const K8S_EXAMPLES: readonly string[] = readdirSync(K8S_EXAMPLES_DIR)
  .filter((f) => /\.ya?ml$/.test(f) && !/\.(endpoints|vectors)\.ya?ml$/.test(f))
  .map((f) => f.replace(/\.ya?ml$/, ''))
  .sort();
