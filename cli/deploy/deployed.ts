// Every interface a state directory describes, with what is deployed on it: its policies (state.ts), its
// services (service-state.ts), or both; and their counters read from the pins now. What status, metrics and
// top list.
import type { ServiceStatus } from '../../compiler/services/index.ts';
import { readCounters, type InterfaceCounters } from './counters.ts';
import { PinnedMaps } from './pinned-reader.ts';
import { readServiceCounters } from './service-counters.ts';
import { listServiceStates, type ServiceDeployState } from './service-state.ts';
import { listStates, stateId, type DeployState } from './state.ts';

export interface DeployedInterface {
  readonly iface: string;
  readonly netns?: string;
  readonly policy?: DeployState;
  readonly services?: ServiceDeployState;
}

export function listDeployed(stateDir: string, iface?: string): DeployedInterface[] {
  const byId = new Map<string, { iface: string; netns?: string; policy?: DeployState; services?: ServiceDeployState }>();
  const at = (s: { iface: string; netns?: string }) => {
    const id = stateId(s.iface, s.netns);
    let d = byId.get(id);
    if (d === undefined) byId.set(id, (d = { iface: s.iface, ...(s.netns !== undefined ? { netns: s.netns } : {}) }));
    return d;
  };
  for (const s of listStates(stateDir)) at(s).policy = s;
  for (const s of listServiceStates(stateDir)) at(s).services = s;
  return [...byId.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, d]) => d)
    .filter((d) => iface === undefined || d.iface === iface);
}

/** The load balancer's service and backend counters (readLbStatus through the pinned maps). */
export function readDeployedServices(state: ServiceDeployState): ServiceStatus[] {
  using maps = new PinnedMaps(state.maps);
  return readServiceCounters(maps) ?? [];
}

/** The interface's counters: the policy's (rules, verdicts, L7) and the services'. */
export function deployedCounters(d: DeployedInterface): InterfaceCounters {
  const policy: InterfaceCounters = d.policy !== undefined ? readCounters(d.policy) : { rules: [], verdicts: [] };
  return d.services === undefined ? policy : { ...policy, services: readDeployedServices(d.services) };
}
