// The deploy tests' common ground: one call sets up and tears down a veth pair, a scratch directory with the
// test's policy files, a deploy target (pins and state of its own) and, if asked, a metrics exporter
// (deployHarness); real traffic across the pair (datagrams from side A to a port of side B, a TCP connection
// with an echo) and /metrics as name{labels} → value.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { serveMetrics } from '../../cli/commands/metrics.ts';
import { undeployAll, type DeployOptions } from '../../cli/deploy/deploy.ts';
import { ADDR_A, ADDR_B, createNetnsPair, destroyAllNetns, lineReader, liveNetnsPairs, TRAFFIC_SCRIPT, type NetnsPair, type NetnsSide } from './netns.ts';

export interface DeployHarness {
  /** filled in beforeAll */
  readonly pair: NetnsPair;
  readonly dir: string;
  readonly target: DeployOptions;
  /** the interface label of the metrics: `netns/iface` */
  readonly iface: string;
  /** the deployed side */
  readonly side: NetnsSide;
  /** GET /metrics of the exporter (with `metrics: true`): every sample as `name{labels}` → value */
  metrics(): Promise<Map<string, number>>;
}

export interface HarnessOptions {
  /** names the scratch directory and the pin root */
  readonly name: string;
  /** where the deploy goes: side B (default, the receiver) or A */
  readonly side?: 'a' | 'b';
  /** files written into the scratch directory before the first test: name → text */
  readonly files?: Readonly<Record<string, string>>;
  /** the endpoints file (a name among `files`) given to every deploy */
  readonly endpoints?: string;
  /** start a metrics exporter on the target's state directory */
  readonly metrics?: boolean;
  /** more setup once the pair exists (servers, addresses, routes) */
  readonly setup?: (h: DeployHarness) => void | Promise<void>;
}

/**
 * Registers the beforeAll / afterAll of a deploy test (call it in the describe block): a veth pair, a scratch
 * directory, a deploy target with its own pin root and state directory (clang-19), an optional exporter; after
 * all, everything deployed is undeployed, the pair removed and the directory deleted.
 */
export function deployHarness(options: HarnessOptions): DeployHarness {
  const h = {} as { -readonly [K in keyof DeployHarness]: DeployHarness[K] };
  let server: Server | undefined;
  beforeAll(async () => {
    h.pair = createNetnsPair();
    h.dir = mkdtempSync(`/tmp/tsbpf-${options.name}-`);
    for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(h.dir, name), text);
    h.side = options.side === 'a' ? h.pair.a : h.pair.b;
    h.iface = `${h.side.name}/${h.side.iface}`;
    h.target = {
      iface: h.side.iface,
      netns: h.side.name,
      ...(options.endpoints !== undefined ? { endpoints: join(h.dir, options.endpoints) } : {}),
      pinRoot: `/sys/fs/bpf/tsbpf-${options.name}-${process.pid}`,
      stateDir: join(h.dir, 'state'),
      driver: 'native',
    };
    if (options.metrics === true) server = await serveMetrics({ listen: '127.0.0.1:0', stateDir: h.target.stateDir! });
    h.metrics = async () => {
      if (server === undefined) throw new TypeError('deployHarness: no exporter (metrics: true)');
      const { contentType, values } = await scrapeMetrics(server);
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      return values;
    };
    await options.setup?.(h);
  });
  afterAll(() => {
    server?.close();
    try {
      if (h.target !== undefined) undeployAll({ stateDir: h.target.stateDir!, pinRoot: h.target.pinRoot! });
    } finally {
      h.pair?.destroy();
      destroyAllNetns();
      if (h.dir !== undefined) rmSync(h.dir, { recursive: true, force: true });
    }
    expect(liveNetnsPairs()).toBe(0);
  });
  return h;
}

/** `count` datagrams from A to B's `port`, paced at `rate` per second; how many B's socket received. */
export async function udpReceived(pair: NetnsPair, port: number, count: number, rate: number): Promise<number> {
  const recv = pair.spawn(pair.b, process.execPath, [TRAFFIC_SCRIPT, 'recv', ADDR_B, String(port), String(count), '300', '5000']);
  const lines = lineReader(recv);
  expect(await lines.next(5000)).toBe('ready');
  const sent = JSON.parse(pair.exec(pair.a, process.execPath, [TRAFFIC_SCRIPT, 'send', ADDR_A, '47000', ADDR_B, String(port), String(count), String(rate)])) as { sent: number };
  expect(sent.sent).toBe(count);
  return (JSON.parse(await lines.next(8000)) as { received: number }).received;
}

/** A TCP connection from A to B's `port` with an echo: `echoed`, or `timeout` when the SYN is dropped. */
export async function tcpEcho(pair: NetnsPair, port: number): Promise<string> {
  const serverScript = `const s=require('net').createServer(c=>c.pipe(c)).listen(${port},'${ADDR_B}',()=>console.log('ready'));process.stdin.on('end',()=>process.exit(0)).resume()`;
  const srv = pair.spawn(pair.b, process.execPath, ['-e', serverScript]);
  expect(await lineReader(srv).next(5000)).toBe('ready');
  const client = `const c=require('net').connect(${port},'${ADDR_B}',()=>c.write('hi'));c.on('data',d=>{console.log(String(d)==='hi'?'echoed':'wrong');process.exit(0)});c.on('error',e=>{console.log(e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},1000)`;
  const out = pair.exec(pair.a, process.execPath, ['-e', client]).trim();
  srv.kill();
  return out;
}

/** GET /metrics of `server`: its content type and every sample as `name{labels}` → value. */
export async function scrapeMetrics(server: Server): Promise<{ contentType: string | null; values: Map<string, number> }> {
  const { port } = server.address() as AddressInfo;
  // a connection per scrape (agent: false): fetch's pooled keep-alive sockets can meet the server closing them
  // after its keep-alive timeout (ECONNRESET) when the scrapes of a test are seconds apart
  const res = await new Promise<{ status: number; contentType: string | null; text: string }>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (text += d));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, contentType: r.headers['content-type'] ?? null, text }));
      r.on('error', reject);
    }).on('error', reject);
  });
  expect(res.status).toBe(200);
  const values = new Map<string, number>();
  for (const line of res.text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { contentType: res.contentType, values };
}

/**
 * How many of these programs, maps and links bpftool still lists after an undeploy, waiting up to 2 s: the
 * kernel frees programs and maps after an RCU grace period.
 */
export async function bpfObjectsLeft(programIds: ReadonlySet<number>, mapIds: ReadonlySet<number>): Promise<number> {
  const list = <T>(kind: string): T[] => JSON.parse(execFileSync('bpftool', [kind, 'list', '-j'], { encoding: 'utf8' })) as T[];
  const left = () =>
    list<{ id: number }>('prog').filter((p) => programIds.has(p.id)).length +
    list<{ id: number }>('map').filter((m) => mapIds.has(m.id)).length +
    list<{ prog_id?: number }>('link').filter((l) => l.prog_id !== undefined && programIds.has(l.prog_id)).length;
  for (let i = 0; i < 40 && left() > 0; i++) await new Promise((res) => setTimeout(res, 50));
  return left();
}
