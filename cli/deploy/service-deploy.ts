// `deploy` for the services of an interface: the files' services built into one load balancer, checked (our
// verifier, each new file's service vectors), then attached ahead of the policy programs on the interface's
// tcx hooks, or updated in place (service-kernel.ts). Planned first (build and checks, nothing changes), applied
// after the policies: a refusal of either leaves both deployments as they were.
import { join } from 'node:path';
import type { PolicyDriver } from '../../compiler/cgen/index.ts';
import type { LoadedPolicies } from '../../compiler/dsl/index.ts';
import { DEFAULT_LB_CONFIG, type LbConfig } from '../../compiler/services/index.ts';
import type { DeployCheck } from './checks.ts';
import { nextVersions } from './plan.ts';
import { buildServiceSet, serviceVectorChecks, verifyServices, type BuiltServices } from './service-build.ts';
import { freshLb, removeLb, replaceLb, updateLbMaps, type LbTarget } from './service-kernel.ts';
import { removeServiceState, writeServiceState, type ServiceDeployState } from './service-state.ts';
import { STATE_LAYOUT, stateId } from './state.ts';

/** fresh: first deploy; maps: contents rewritten in place; code: new programs (LINK_UPDATE) */
export type ServiceAction = 'fresh' | 'maps' | 'code' | 'unchanged' | 'removed';

export interface ServicePlan {
  readonly action: ServiceAction;
  readonly built: BuiltServices | undefined;
  readonly checks: readonly DeployCheck[];
  readonly files: readonly LoadedPolicies[];
}

export interface ServiceResult {
  readonly action: ServiceAction;
  readonly state: ServiceDeployState | undefined;
  readonly checks: readonly DeployCheck[];
}

/** Builds and checks the load balancer of `files` (all the interface's files that export services). */
export async function planServices(
  files: readonly LoadedPolicies[],
  added: readonly string[],
  previous: ServiceDeployState | undefined,
  options: { driver?: PolicyDriver; progress: (m: string) => void },
): Promise<ServicePlan> {
  if (files.length === 0) return { action: previous === undefined ? 'unchanged' : 'removed', built: undefined, checks: [], files };
  const config: LbConfig = previous?.config ?? DEFAULT_LB_CONFIG;
  const driver = options.driver !== undefined ? { driver: options.driver } : {};
  const count = files.reduce((n, l) => n + (l.services?.length ?? 0), 0);
  options.progress(`building the load balancer for ${count} ${count === 1 ? 'service' : 'services'}`);
  const built = await buildServiceSet(files, { ...driver, config, ...(previous !== undefined ? { previousKeys: previous.backendKeys } : {}) });
  options.progress('verifying the load balancer');
  const checks = verifyServices(built);
  for (const l of files.filter((f) => added.includes(f.file))) {
    options.progress(`running the service vectors of ${l.file}`);
    checks.push(...(await serviceVectorChecks(l.file, l.services ?? [], { ...driver, config })));
  }
  const action: ServiceAction =
    previous === undefined ? 'fresh' : previous.codeHash !== built.codeHash ? 'code' : previous.contentHash !== built.contentHash || !sameFiles(previous, built) ? 'maps' : 'unchanged';
  return { action, built, checks, files };
}

function sameFiles(previous: ServiceDeployState, built: BuiltServices): boolean {
  return JSON.stringify(previous.files.map((f) => [f.file, f.hash])) === JSON.stringify(built.files.map((f) => [f.file, f.hash]));
}

/** Applies a plan: the kernel first, the state last (a failure leaves the previous state describing what runs). */
export function applyServices(
  plan: ServicePlan,
  previous: ServiceDeployState | undefined,
  target: LbTarget & { readonly iface: string; readonly netnsName?: string; readonly pinDir: string; readonly stateDir: string },
  warnings: string[],
  progress: (m: string) => void,
): ServiceResult {
  const id = stateId(target.iface, target.netnsName);
  if (plan.action === 'removed') {
    progress('removing the load balancer');
    removeLb(previous!);
    removeServiceState(target.stateDir, id);
    return { action: 'removed', state: undefined, checks: plan.checks };
  }
  if (plan.action === 'unchanged' || plan.built === undefined) return { action: 'unchanged', state: previous, checks: plan.checks };
  const built = plan.built;
  const pinDir = join(target.pinDir, 'lb');
  const kernel =
    plan.action === 'fresh' ? freshLb(built, pinDir, target, progress) : plan.action === 'maps' ? updateLbMaps(previous!, built, progress) : replaceLb(previous!, built, pinDir, warnings, progress);
  const versions = nextVersions(previous?.files ?? [], built.files);
  const state: ServiceDeployState = {
    layout: STATE_LAYOUT,
    iface: target.iface,
    ...(target.netnsName !== undefined ? { netns: target.netnsName } : {}),
    files: built.files.map((f, i) => ({ ...f, version: versions[i]! })),
    services: built.lb.services.map((s) => ({ name: s.name, vip: s.vip, port: s.port, protocol: s.protocol, backends: s.backends.map((b) => `${b.key} ${b.state}${b.weight !== 1 ? ` weight ${b.weight}` : ''}`) })),
    config: built.lb.config,
    codeHash: built.codeHash,
    contentHash: built.contentHash,
    backendKeys: built.backendKeys,
    tableEntries: built.lb.maps.maps['maglev']?.length ?? 0,
    pinDir,
    links: kernel.links,
    maps: kernel.maps,
    generation: (previous?.generation ?? 0) + 1,
    deployedAt: new Date().toISOString(),
  };
  writeServiceState(target.stateDir, state);
  return { action: plan.action, state, checks: plan.checks };
}
