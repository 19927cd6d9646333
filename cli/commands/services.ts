// `tsbpf services [--pin DIR] [--json]`: the services, backends (weight share in the Maglev table, state) and
// counters of a load balancer whose maps are pinned under DIR (DIR/maps/NAME, as `tsbpf load --pin` and
// pinCollection lay them out, or DIR/NAME), decoded by readLbStatus (through the deploy commands' reader).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatLbStatus, type ServiceStatus } from '../../compiler/services/index.ts';
import { isBpffs } from '../../loader/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { PinnedMaps } from '../deploy/pinned-reader.ts';
import { readServiceCounters } from '../deploy/service-counters.ts';

/** Where `tsbpf services` looks without --pin. */
export const DEFAULT_LB_PIN = '/sys/fs/bpf/tsbpf/lb';

/** Every map pinned under `dir` (DIR/maps/NAME, or DIR/NAME), by name. */
function pinnedMapPaths(dir: string): Record<string, string> {
  if (!existsSync(dir)) throw new CliError(`${dir}: no such directory (pin a load balancer: tsbpf load lb.o --pin ${dir})`, EXIT_USAGE);
  if (!isBpffs(dir)) throw new CliError(`${dir}: not a bpffs directory`, EXIT_USAGE);
  const maps = existsSync(join(dir, 'maps')) ? join(dir, 'maps') : dir;
  return Object.fromEntries(readdirSync(maps).map((name) => [name, join(maps, name)]));
}

export function pinnedLbStatus(dir = DEFAULT_LB_PIN): ServiceStatus[] {
  using maps = new PinnedMaps(pinnedMapPaths(dir));
  const status = readServiceCounters(maps);
  if (status === undefined) throw new CliError(`${dir}: no pinned load-balancer maps (services, backends, maglev, svc_counters, backend_counters)`, EXIT_USAGE);
  return status;
}

const jsonSafe = (_k: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v);

export function servicesCommand(options: { pin?: string; json?: boolean }): void {
  const status = pinnedLbStatus(options.pin ?? DEFAULT_LB_PIN);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(status, jsonSafe, 2)}\n`);
    return;
  }
  process.stdout.write(status.length === 0 ? 'no services in the load balancer\n' : `${formatLbStatus(status)}\n`);
}
