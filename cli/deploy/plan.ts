// What a deploy has to do, decided from the previous state and the new build alone (no kernel): nothing, a
// rules-only update through the generation flip, new programs over the same maps, or a first deploy.
import type { DeployState } from './state.ts';

export type DeployAction = 'fresh' | 'unchanged' | 'rules' | 'code';

export interface PlanInput {
  readonly codeHash: string;
  /** sha256 of the map contents the new rules produce */
  readonly rulesHash: string;
}

export function planDeploy(previous: Pick<DeployState, 'codeHash' | 'rulesHash'> | undefined, next: PlanInput): DeployAction {
  if (previous === undefined) return 'fresh';
  if (previous.codeHash !== next.codeHash) return 'code';
  return previous.rulesHash === next.rulesHash ? 'unchanged' : 'rules';
}

/**
 * The set of policy files after deploying `added` over `current`: a file already deployed is replaced in
 * place (its position kept), new ones are appended. Paths must be absolute.
 */
export function policySetAfterDeploy(current: readonly string[], added: readonly string[]): string[] {
  const out = [...current];
  for (const f of added) if (!out.includes(f)) out.push(f);
  return out;
}

/** Versions: a file keeps its version when its hash is unchanged, else gets the next one (1 when new). */
export function nextVersions(
  previous: readonly { readonly file: string; readonly hash: string; readonly version: number }[],
  files: readonly { readonly file: string; readonly hash: string }[],
): number[] {
  return files.map((f) => {
    const old = previous.find((p) => p.file === f.file);
    if (old === undefined) return 1;
    return old.hash === f.hash ? old.version : old.version + 1;
  });
}
