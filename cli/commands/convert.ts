// `tsbpf convert POLICY.yaml`: prints the TypeScript DSL equivalent of Kubernetes / Cilium policy YAML, so
// users can move a manifest over; `tsbpf build` of the output gives the same PolicyModel as of the YAML.
import { basename } from 'node:path';
import { existsSync } from 'node:fs';
import { policyToTypeScript, readPolicyYaml } from '../../compiler/k8s/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';

/** The TypeScript text for `file`; unusable input becomes CliError code 2. */
export function convertPolicyYaml(file: string): string {
  if (!/\.ya?ml$/i.test(file)) throw new CliError(`${file}: convert reads Kubernetes / Cilium policy YAML (.yaml, .yml)`, EXIT_USAGE);
  if (!existsSync(file)) throw new CliError(`${file}: no such file`, EXIT_USAGE);
  try {
    return policyToTypeScript(readPolicyYaml(file).imported, basename(file));
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
  }
}

export function convertCommand(file: string): void {
  process.stdout.write(convertPolicyYaml(file));
}
