// `tsbpf metrics [--iface IFACE] [--listen ADDR]`: a Prometheus exporter reading the pinned counters on every
// scrape of /metrics (prom-client's registry, families in cli/deploy/prometheus.ts). Default 127.0.0.1:9464.
import { createServer, type Server } from 'node:http';
import { deployedCounters, listDeployed } from '../deploy/deployed.ts';
import { metricsRegistry, type DeployedSnapshot } from '../deploy/prometheus.ts';
import { DEFAULT_STATE_DIR } from '../deploy/state.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { packageVersion } from '../package-version.ts';

const VERSION = packageVersion();

/** The deployed interfaces (all, or only `iface`) with their counters, read from the pinned maps now. */
export function readDeployed(options: { iface?: string; stateDir?: string } = {}): DeployedSnapshot[] {
  return listDeployed(options.stateDir ?? DEFAULT_STATE_DIR, options.iface).map((d) => ({
    state: { iface: d.iface, ...(d.netns !== undefined ? { netns: d.netns } : {}), policies: d.policy?.policies ?? [] },
    counters: deployedCounters(d),
  }));
}

/**
 * A scraper: its registry's collect()s read the pinned maps once per call (the first collect reads, the others
 * reuse it), so one exposition is one consistent reading.
 */
export function scraper(options: { iface?: string; stateDir?: string } = {}): { readonly contentType: string; scrape(): Promise<string> } {
  let current: DeployedSnapshot[] | undefined;
  const registry = metricsRegistry(() => (current ??= readDeployed(options)), VERSION);
  return {
    contentType: registry.contentType,
    async scrape() {
      current = undefined;
      try {
        return await registry.metrics();
      } finally {
        current = undefined;
      }
    },
  };
}

/** `:9090`, `9090`, `127.0.0.1:9464`, `[::1]:9464` → host and port. */
export function parseListen(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(addr);
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) throw new CliError(`--listen ${addr}: expected [HOST]:PORT`, EXIT_USAGE);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Starts the exporter; resolves once listening. */
export function serveMetrics(options: { listen?: string; iface?: string; stateDir?: string } = {}): Promise<Server> {
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:9464');
  const metrics = scraper({ ...(options.iface !== undefined ? { iface: options.iface } : {}), ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}) });
  // scrapes one at a time: each resets and refills the registry's metrics
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((req, res) => {
    if (req.url !== '/metrics' && !req.url?.startsWith('/metrics?')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('tsbpf metrics: see /metrics\n');
      return;
    }
    queue = queue.then(() =>
      metrics.scrape().then(
        (body) => void res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
        (e: unknown) => void res.writeHead(500, { 'content-type': 'text/plain' }).end(`tsbpf metrics: ${(e as Error).message}\n`),
      ),
    );
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePromise(server));
  });
}

export async function metricsCommand(options: { listen?: string; iface?: string }): Promise<void> {
  const server = await serveMetrics(options);
  const a = server.address();
  const where = typeof a === 'object' && a !== null ? `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : String(a);
  process.stderr.write(`serving Prometheus metrics on http://${where}/metrics\n`);
  await new Promise<void>((r) => server.once('close', () => r()));
}
