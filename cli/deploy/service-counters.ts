// Service and backend counters of a deployment whose object carries the load balancer's maps (services,
// backends, maglev, svc_counters, backend_counters: compiler/services/generate-lb-c.ts), decoded by the same
// readLbStatus that `tsbpf services` uses. Undefined when the deployment has no load balancer.
import { readLbStatus, type ServiceStatus } from '../../compiler/services/index.ts';
import type { PinnedMaps } from './pinned-reader.ts';

const REQUIRED = ['services', 'backends', 'maglev', 'svc_counters', 'backend_counters'];

/** What the counters need of PinnedMaps (a test hands in map contents without a kernel). */
export type ServiceMapReader = Pick<PinnedMaps, 'has' | 'entries' | 'perCpu'>;

export function readServiceCounters(maps: ServiceMapReader): ServiceStatus[] | undefined {
  if (!REQUIRED.every((m) => maps.has(m))) return undefined;
  return readLbStatus({
    // services6 exists only in objects built with IPv6 services
    entries: (m) => (maps.has(m) ? maps.entries(m) : []),
    perCpu: (m, i) => maps.perCpu(m, i),
  });
}
