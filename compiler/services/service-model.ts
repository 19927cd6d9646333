// The service model: a virtual IP and port/protocol spread over backends, as `service({...})` declares it.
//
//   service({
//     name: 'web', vip: '10.96.0.10', port: 80, protocol: 'tcp',
//     backends: [{ address: '10.1.0.5', port: 8080 }, { address: '10.1.0.6', port: 8080, weight: 2 }],
//     affinity: { timeoutSeconds: 600 }, removedAction: 'reset',
//   })
//
// Backend states: `active` takes new connections (in proportion to its weight); `drained` (or weight 0)
// keeps its existing connections and takes no new ones; `removed` has its connections reset (TCP RST) or
// dropped, as the service's `removedAction` says. Changing states or weights changes map contents only.
import { parseAddress, type Family } from '../dsl/cidr.ts';
import { PolicyError } from '../dsl/policy-error.ts';
import { callerPosition, type SourcePosition } from '../dsl/source-position.ts';
import { DEFAULT_MAGLEV_SEED, DEFAULT_MAGLEV_SIZE, isPrime, MAX_MAGLEV_SIZE, MIN_MAGLEV_SIZE } from './maglev.ts';

export type BackendState = 'active' | 'drained' | 'removed';
export type ServiceProtocol = 'tcp' | 'udp';
export type Selection = 'maglev' | 'random';
export type RemovedAction = 'reset' | 'drop';
export type NorthSouthMode = 'snat' | 'dsr';

/** Kubernetes' default sessionAffinityConfig timeout: 3 hours */
export const DEFAULT_AFFINITY_SECONDS = 10_800;

export interface BackendSpec {
  readonly address: string;
  readonly port: number;
  /** relative weight (default 1); 0 behaves as drained */
  readonly weight?: number;
  readonly state?: BackendState;
  /** next-hop MAC towards the backend (north-south XDP); default the service's gatewayMac */
  readonly mac?: string;
}

export interface ServiceSpec {
  readonly name: string;
  readonly vip: string;
  readonly port: number;
  readonly protocol?: ServiceProtocol;
  readonly backends: readonly BackendSpec[];
  /** maglev (default) or random, both drawn from the same weighted table */
  readonly selection?: Selection;
  /** session affinity by client IP; `true` uses the 3-hour default */
  readonly affinity?: boolean | { readonly timeoutSeconds: number };
  /** what happens to connections of a removed backend (default reset) */
  readonly removedAction?: RemovedAction;
  readonly maglev?: { readonly size?: number; readonly seed?: number };
  /** north-south: 'snat' (default: replies come back through the load balancer) or 'dsr' (IPIP to the backend, which answers directly) */
  readonly mode?: NorthSouthMode;
}

export interface Backend {
  readonly family: Family;
  readonly address: string;
  readonly addr: bigint;
  readonly port: number;
  readonly weight: number;
  readonly state: BackendState;
  readonly mac: string | undefined;
  /** what Maglev hashes: "10.1.0.5:8080" or "[fd00::5]:8080" */
  readonly key: string;
}

export interface Service {
  readonly name: string;
  readonly family: Family;
  readonly vip: string;
  readonly vipAddr: bigint;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  readonly backends: readonly Backend[];
  readonly selection: Selection;
  /** 0 when affinity is off */
  readonly affinitySeconds: number;
  readonly removedAction: RemovedAction;
  readonly mode: NorthSouthMode;
  readonly tableSize: number;
  readonly seed: number;
  readonly at: SourcePosition | undefined;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function checkPort(port: unknown, what: string, at: SourcePosition | undefined): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PolicyError(`${what}: port ${String(port)} is not in 1 … 65535`, at);
  }
  return port;
}

// every Service service() made: how a policy file's exports are told apart from other values
const declared = new WeakSet<object>();

export function isService(v: unknown): v is Service {
  return typeof v === 'object' && v !== null && declared.has(v);
}

/** Validates a service declaration; errors name the caller's file:line inside a policy file. */
export function service(spec: ServiceSpec): Service {
  const at = callerPosition();
  const where = `service ${spec.name}`;
  if (typeof spec.name !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(spec.name)) {
    throw new PolicyError(`service ${String(spec.name)}: the name must be lower-case letters, digits and dashes`, at);
  }
  const vip = parseAddress(spec.vip);
  if (vip === undefined) throw new PolicyError(`${where}: vip ${spec.vip} is not an IPv4 or IPv6 address`, at);
  const port = checkPort(spec.port, where, at);
  const protocol = spec.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp') throw new PolicyError(`${where}: protocol ${String(protocol)} is not tcp or udp`, at);
  const selection = spec.selection ?? 'maglev';
  if (selection !== 'maglev' && selection !== 'random') throw new PolicyError(`${where}: selection ${String(selection)} is not maglev or random`, at);
  const removedAction = spec.removedAction ?? 'reset';
  if (removedAction !== 'reset' && removedAction !== 'drop') throw new PolicyError(`${where}: removedAction ${String(removedAction)} is not reset or drop`, at);
  const mode = spec.mode ?? 'snat';
  if (mode !== 'snat' && mode !== 'dsr') throw new PolicyError(`${where}: mode ${String(mode)} is not snat or dsr`, at);
  if (mode === 'dsr' && vip.family === 6) throw new PolicyError(`${where}: dsr is IPv4 only so far`, at);
  let affinitySeconds = 0;
  if (spec.affinity === true) affinitySeconds = DEFAULT_AFFINITY_SECONDS;
  else if (typeof spec.affinity === 'object') {
    const t = spec.affinity.timeoutSeconds;
    if (!Number.isInteger(t) || t < 1 || t > 86_400) throw new PolicyError(`${where}: affinity timeout ${t} s is not in 1 … 86400`, at);
    affinitySeconds = t;
  }
  const tableSize = spec.maglev?.size ?? DEFAULT_MAGLEV_SIZE;
  if (!isPrime(tableSize) || tableSize < MIN_MAGLEV_SIZE || tableSize > MAX_MAGLEV_SIZE) {
    throw new PolicyError(`${where}: maglev size ${tableSize} is not a prime in ${MIN_MAGLEV_SIZE} … ${MAX_MAGLEV_SIZE}`, at);
  }
  const seed = spec.maglev?.seed ?? DEFAULT_MAGLEV_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new PolicyError(`${where}: maglev seed ${seed} is not a 32-bit unsigned integer`, at);
  if (!Array.isArray(spec.backends) || spec.backends.length === 0) throw new PolicyError(`${where}: no backends`, at);
  const seen = new Set<string>();
  const backends = spec.backends.map((b, i): Backend => {
    const what = `${where}: backend ${i} (${b.address})`;
    const a = parseAddress(b.address);
    if (a === undefined) throw new PolicyError(`${what}: not an IPv4 or IPv6 address`, at);
    if (a.family !== vip.family) throw new PolicyError(`${what}: IPv${a.family} backend behind an IPv${vip.family} vip`, at);
    const bport = checkPort(b.port, what, at);
    const weight = b.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 0 || weight > 65535) throw new PolicyError(`${what}: weight ${weight} is not in 0 … 65535`, at);
    const state = b.state ?? 'active';
    if (!['active', 'drained', 'removed'].includes(state)) throw new PolicyError(`${what}: state ${String(state)} is not active, drained or removed`, at);
    if (b.mac !== undefined && !MAC.test(b.mac)) throw new PolicyError(`${what}: mac ${b.mac} is not six hex bytes separated by colons`, at);
    const key = a.family === 4 ? `${b.address}:${bport}` : `[${b.address}]:${bport}`;
    if (seen.has(key)) throw new PolicyError(`${what}: ${key} is listed twice`, at);
    seen.add(key);
    return { family: a.family, address: b.address, addr: a.addr, port: bport, weight, state, mac: b.mac?.toLowerCase(), key };
  });
  const declaredService: Service = {
    name: spec.name,
    family: vip.family,
    vip: spec.vip,
    vipAddr: vip.addr,
    port,
    protocol,
    backends,
    selection,
    affinitySeconds,
    removedAction: protocol === 'udp' ? 'drop' : removedAction,
    mode,
    tableSize,
    seed,
    at,
  };
  declared.add(declaredService);
  return declaredService;
}

/** The weight a backend has in the Maglev table: only active backends take new connections. */
export function tableWeight(b: Backend): number {
  return b.state === 'active' ? b.weight : 0;
}
