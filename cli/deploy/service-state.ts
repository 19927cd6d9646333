// What `deploy` put in the kernel for the services of an interface (the load balancer), kept beside the
// policies' state: /run/tsbpf/services/<id>.json. The policies and the services of one interface are two
// deployments that share the interface, its pin directory and the set of files:
//
//   /run/tsbpf/services/<id>.json                 this ServiceDeployState
//   /sys/fs/bpf/tsbpf/<id>/lb/maps/<map>          the load balancer's maps (services, maglev, backends, conns, …)
//   /sys/fs/bpf/tsbpf/<id>/lb/links/<program>     its two tcx links (lb_tc_egress on ingress, lb_tc_ingress on egress)
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LbConfig } from '../../compiler/services/index.ts';
import { STATE_LAYOUT, stateId, type DeployedPolicy } from './state.ts';

export interface DeployedService {
  readonly name: string;
  readonly vip: string;
  readonly port: number;
  readonly protocol: string;
  readonly backends: readonly string[];
}

export interface ServiceDeployState {
  readonly layout: number;
  readonly iface: string;
  readonly netns?: string;
  /** the files whose services are deployed (same shape as the policies': `names` are service names) */
  readonly files: readonly DeployedPolicy[];
  readonly services: readonly DeployedService[];
  /** the node settings written into lb_config */
  readonly config: LbConfig;
  /** sha256 of the programs and map shapes: equal hashes mean a backend change rewrites maps in place */
  readonly codeHash: string;
  /** sha256 of the map contents */
  readonly contentHash: string;
  /** `service|address:port` of every global backend id (the index), to carry connections across id shifts */
  readonly backendKeys: readonly string[];
  /** maglev slots in use (the tables of all services, back to back) */
  readonly tableEntries: number;
  /** <pin dir of the interface>/lb */
  readonly pinDir: string;
  readonly links: Readonly<Record<string, { readonly path: string; readonly direction: string; readonly hook: string }>>;
  readonly maps: Readonly<Record<string, string>>;
  readonly generation: number;
  readonly deployedAt: string;
}

const dirOf = (stateDir: string) => join(stateDir, 'services');

export function serviceStateFile(stateDir: string, id: string): string {
  return join(dirOf(stateDir), `${id}.json`);
}

export function readServiceState(stateDir: string, id: string): ServiceDeployState | undefined {
  const file = serviceStateFile(stateDir, id);
  if (!existsSync(file)) return undefined;
  let state: ServiceDeployState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as ServiceDeployState;
  } catch (e) {
    throw new SyntaxError(`${file}: unreadable service deploy state: ${(e as Error).message}`, { cause: e });
  }
  if (state.layout !== STATE_LAYOUT) throw new RangeError(`${file}: deploy state layout ${state.layout}, this tsbpf reads ${STATE_LAYOUT}: undeploy with the tsbpf that deployed it`);
  return state;
}

/** Atomic, as the policies' state. */
export function writeServiceState(stateDir: string, state: ServiceDeployState): void {
  mkdirSync(dirOf(stateDir), { recursive: true });
  const file = serviceStateFile(stateDir, stateId(state.iface, state.netns));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeServiceState(stateDir: string, id: string): void {
  rmSync(serviceStateFile(stateDir, id), { force: true });
  try {
    // the directory too, once empty
    if (readdirSync(dirOf(stateDir)).length === 0) rmSync(dirOf(stateDir), { recursive: true });
  } catch {
    // gone already
  }
}

export function listServiceStates(stateDir: string): ServiceDeployState[] {
  if (!existsSync(dirOf(stateDir))) return [];
  return readdirSync(dirOf(stateDir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const s = readServiceState(stateDir, f.slice(0, -'.json'.length));
      return s === undefined ? [] : [s];
    });
}
