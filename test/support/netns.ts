// A pair of network namespaces joined by a veth, made and removed by one test file.
//
//   namespace A (sender)                         namespace B (receiver, where programs attach)
//   +---------------------------+                +---------------------------+
//   | lo (up)                   |                | lo (up)                   |
//   | a.iface 192.0.2.1/24 ─────┼──── veth ──────┼─ b.iface 192.0.2.2/24     |
//   |   02:00:5e:00:53:01       |                |   02:00:5e:00:53:02       |
//   +---------------------------+                +---------------------------+
//
// Names are unique per run (`tsbpf-veth-<pid36>-<n>-a`, interfaces `tb<pid36><n>a`), IPv6 is disabled in both
// namespaces before the veth exists (no router solicitations or MLD reports), and both sides have static
// neighbour entries (no ARP), so the only traffic on the link is what a test sends. The addresses
// (192.0.2.0/24, TEST-NET-1, RFC 5737) exist only inside the namespaces.
//
// Cleanup: `using pair = createNetnsPair()` removes it at the end of the block; `destroyAllNetns()` (call it
// from afterAll) and a process exit hook remove any pair still alive, even after failures; namespaces of
// test processes that were killed outright are removed by the next createNetnsPair().
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Fd, progGetInfo } from '../../loader/index.ts';

export const ADDR_A = '192.0.2.1';
export const ADDR_B = '192.0.2.2';
const MAC_A = '02:00:5e:00:53:01';
const MAC_B = '02:00:5e:00:53:02';

export interface NetnsSide {
  /** `ip netns` name. */
  readonly name: string;
  /** The namespace file, for `inNetns` / `{ netns }` options of loader/attach. */
  readonly path: string;
  /** This side's veth end. */
  readonly iface: string;
  readonly addr: string;
  readonly mac: string;
}

/** Interface counters, from /sys/class/net/IFACE/statistics inside the namespace. */
export interface IfaceStats {
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly rxDropped: number;
  readonly txDropped: number;
  readonly rxErrors: number;
  readonly txErrors: number;
}

export interface NetnsPair extends Disposable {
  readonly a: NetnsSide;
  readonly b: NetnsSide;
  /** Counters of one side's veth end. */
  stats(side: NetnsSide): IfaceStats;
  /** UDP counters of a namespace's /proc/net/snmp (InDatagrams, RcvbufErrors, …). */
  udpStats(side: NetnsSide): Readonly<Record<string, number>>;
  /** Runs `cmd args` inside the namespace (ip netns exec), returning stdout. */
  exec(side: NetnsSide, cmd: string, args: readonly string[], options?: { readonly timeoutMs?: number }): string;
  /** Starts `cmd args` inside the namespace; the child is killed when the pair is destroyed. */
  spawn(side: NetnsSide, cmd: string, args: readonly string[]): ChildProcess;
  destroy(): void;
}

/** Namespace names: `tsbpf-veth-<pid base 36>-<n base 36>-a|b`. */
const PREFIX = 'tsbpf-veth-';
const OURS = /^tsbpf-veth-([0-9a-z]+)-[0-9a-z]+-[ab]$/;

const live = new Set<NetnsPair>();

/**
 * Removes namespaces left by test processes that died without cleaning up (killed by a timeout, say):
 * those whose name carries the pid of a process that no longer exists.
 */
function reapStale(): void {
  let names: string[];
  try {
    names = ip(['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '');
  } catch {
    return;
  }
  for (const name of names) {
    const m = OURS.exec(name);
    if (!m) continue;
    const pid = parseInt(m[1]!, 36);
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') quiet(() => ip(['netns', 'del', name]));
    }
  }
}
let counter = 0;
let hooked = false;

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

function quiet(fn: () => void): void {
  try {
    fn();
  } catch {
    // already gone
  }
}

/** Creates the pair. Throws (after removing whatever it made) when `ip` fails. */
export function createNetnsPair(): NetnsPair {
  if (!hooked) {
    hooked = true;
    process.once('exit', destroyAllNetns);
  }
  if (counter === 0) reapStale();
  const tag = `${process.pid.toString(36)}-${(++counter).toString(36)}`;
  const short = `tb${process.pid.toString(36)}${counter.toString(36)}`.slice(0, 13);
  const a: NetnsSide = { name: `${PREFIX}${tag}-a`, path: `/run/netns/${PREFIX}${tag}-a`, iface: `${short}a`, addr: ADDR_A, mac: MAC_A };
  const b: NetnsSide = { name: `${PREFIX}${tag}-b`, path: `/run/netns/${PREFIX}${tag}-b`, iface: `${short}b`, addr: ADDR_B, mac: MAC_B };
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const pair: NetnsPair = {
    a,
    b,
    stats(side) {
      // `ip netns exec` mounts the namespace's own /sys, so these are the counters of its veth end
      const files = ['rx_packets', 'tx_packets', 'rx_dropped', 'tx_dropped', 'rx_errors', 'tx_errors'];
      const out = pair.exec(side, 'cat', files.map((f) => `/sys/class/net/${side.iface}/statistics/${f}`));
      const values = out.trim().split('\n').map(Number);
      if (values.length !== files.length || values.some((v) => Number.isNaN(v))) {
        throw new Error(`netns ${side.name}: cannot read the counters of ${side.iface}: ${out}`);
      }
      const [rxPackets = 0, txPackets = 0, rxDropped = 0, txDropped = 0, rxErrors = 0, txErrors = 0] = values;
      return { rxPackets, txPackets, rxDropped, txDropped, rxErrors, txErrors };
    },
    udpStats(side) {
      const lines = pair.exec(side, 'cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Udp:'));
      const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
      const out: Record<string, number> = {};
      names?.forEach((n, i) => (out[n] = Number(values?.[i] ?? NaN)));
      return out;
    },
    exec(side, cmd, args, options = {}) {
      return execFileSync('ip', ['netns', 'exec', side.name, cmd, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: options.timeoutMs ?? 20_000,
      });
    },
    spawn(side, cmd, args) {
      const child = spawn('ip', ['netns', 'exec', side.name, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(pair);
      for (const child of children) quiet(() => child.kill('SIGKILL'));
      // deleting a namespace deletes the veth end inside it, and with it the peer
      quiet(() => ip(['netns', 'del', a.name]));
      quiet(() => ip(['netns', 'del', b.name]));
    },
    [Symbol.dispose]() {
      pair.destroy();
    },
  };
  live.add(pair);

  try {
    for (const side of [a, b]) {
      ip(['netns', 'add', side.name]);
      pair.exec(side, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    ip(['link', 'add', a.iface, 'netns', a.name, 'address', a.mac, 'type', 'veth', 'peer', 'name', b.iface, 'netns', b.name, 'address', b.mac]);
    for (const [side, peer] of [[a, b], [b, a]] as const) {
      pair.exec(side, 'sysctl', ['-q', '-w', `net.ipv6.conf.${side.iface}.disable_ipv6=1`]);
      ip(['-n', side.name, 'addr', 'add', `${side.addr}/24`, 'dev', side.iface]);
      ip(['-n', side.name, 'link', 'set', 'lo', 'up']);
      ip(['-n', side.name, 'link', 'set', side.iface, 'up']);
      ip(['-n', side.name, 'neigh', 'replace', peer.addr, 'lladdr', peer.mac, 'dev', side.iface, 'nud', 'permanent']);
    }
  } catch (e) {
    pair.destroy();
    throw e;
  }
  return pair;
}

/** Removes every pair this process created and has not removed yet. */
export function destroyAllNetns(): void {
  for (const pair of [...live]) pair.destroy();
}

/** How many pairs are alive (tests assert 0 at the end). */
export function liveNetnsPairs(): number {
  return live.size;
}

// ─── traffic between the two sides ───────────────────────────────────────────────────────────────

/** The paced UDP sender and counting receiver (plain JavaScript, run with `node` inside a namespace). */
export const TRAFFIC_SCRIPT = new URL('../kernel/traffic-udp.mjs', import.meta.url).pathname;

/** The 5-tuple the traffic fixtures count: 192.0.2.1:47000 -> 192.0.2.2:47001, UDP. */
export const SRC_PORT = 47000;
export const DST_PORT = 47001;

export interface SendOptions {
  readonly count: number;
  /** packets per second */
  readonly rate: number;
  /** payload bytes (32 by default) */
  readonly size?: number;
}

export interface SendResult {
  readonly sent: number;
  /** failed sends by errno code (EPERM when a cgroup program drops on egress) */
  readonly errors: Readonly<Record<string, number>>;
  readonly ms: number;
}

export function senderArgs(options: SendOptions): string[] {
  return [TRAFFIC_SCRIPT, 'send', ADDR_A, String(SRC_PORT), ADDR_B, String(DST_PORT), String(options.count), String(options.rate), String(options.size ?? 32)];
}

/** Sends the test's 5-tuple from side A to side B and waits for the sender to finish. */
export function sendUdp(pair: NetnsPair, options: SendOptions): SendResult {
  return JSON.parse(pair.exec(pair.a, process.execPath, senderArgs(options), { timeoutMs: 25_000 })) as SendResult;
}

/** Reads a child's stdout line by line; create it right after spawning so no output is missed. */
export interface LineReader {
  /** The next line; rejects when the child closes its output first, or after `timeoutMs`. */
  next(timeoutMs: number): Promise<string>;
}

export function lineReader(child: ChildProcess): LineReader {
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let closed: { code: number | null } | undefined;
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.on('data', (d: Buffer) => {
    partial += String(d);
    for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    wake();
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  // 'close' comes after the output streams ended ('exit' may come before the last data)
  child.once('close', (code) => {
    closed = { code };
    wake();
  });
  return {
    next: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        const check = (): void => {
          if (lines.length > 0) {
            clearTimeout(timer);
            resolve(lines.shift()!);
          } else if (closed !== undefined) {
            clearTimeout(timer);
            reject(new Error(`exited with ${closed.code} before printing a line; stderr: ${stderr}`));
          } else {
            waiters.push(check);
          }
        };
        check();
      }),
  };
}

/** Sum of the u64 values of one per-CPU map value (all CPUs). */
export function perCpuSum(value: Uint8Array | undefined): number {
  if (value === undefined) return 0;
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  let sum = 0n;
  for (let i = 0; i + 8 <= value.byteLength; i += 8) sum += dv.getBigUint64(i, true);
  return Number(sum);
}

/** Waits until `fn()` stops changing for `quietMs` (or `timeoutMs` passes); returns its last value. */
export async function settled(fn: () => number, quietMs = 150, timeoutMs = 5_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = fn();
  let since = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    const now = fn();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      break;
    }
  }
  return last;
}

// ─── leftovers ───────────────────────────────────────────────────────────────────────────────────

/** Ids of the programs a test file loaded, so the leftover check ignores other files' programs. */
export class ProgramIds {
  readonly ids = new Set<number>();
  /** Records the programs of `coll` (or one program) and returns it. */
  add<T extends { readonly programs: ReadonlyMap<string, Fd> } | Fd>(loaded: T): T {
    const fds = loaded instanceof Fd ? [loaded] : [...loaded.programs.values()];
    for (const fd of fds) this.ids.add(progGetInfo(fd).id);
    return loaded;
  }
}

/** Programs among `ids` that `bpftool prog list` still shows, and links running one of them. */
export function bpftoolLeftovers(ids: ProgramIds): { programs: string[]; links: string[] } {
  const progs = JSON.parse(execFileSync('bpftool', ['prog', 'list', '-j'], { encoding: 'utf8' })) as { id: number; name?: string }[];
  const links = JSON.parse(execFileSync('bpftool', ['link', 'list', '-j'], { encoding: 'utf8' })) as { id: number; prog_id?: number; type?: string }[];
  return {
    programs: progs.filter((p) => ids.ids.has(p.id)).map((p) => `${p.name ?? 'program'} (id ${p.id})`),
    links: links.filter((l) => l.prog_id !== undefined && ids.ids.has(l.prog_id)).map((l) => `${l.type ?? 'link'} ${l.id} (program ${l.prog_id})`),
  };
}

/**
 * Waits (up to 2 s: the kernel frees programs after an RCU grace period) until none of `ids` is listed
 * by bpftool, and returns what is still there: `{ programs: [], links: [] }` when the file cleaned up.
 */
export async function leftoversAfterCleanup(ids: ProgramIds): Promise<{ programs: string[]; links: string[] }> {
  let left = bpftoolLeftovers(ids);
  for (let i = 0; i < 40 && left.programs.length + left.links.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    left = bpftoolLeftovers(ids);
  }
  return left;
}
