// The map contents of the north-south load balancer (generate-lb-c.ts) for a set of services. A backend
// change (weight, drained, removed) recomputes these entries and rewrites the maps: the program stays loaded.
//
// Layouts (little-endian numbers unless marked "net", the byte order of the packet):
//   lb_config value  [snat_addr:4 net][port_min:2][port_span:2][snat_addr6:16 net]
//   services key     [vip:4 net][port:2 net][proto:1][pad:1]        (IPv4 services)
//   services6 key    [vip:16 net][port:2 net][proto:1][pad:1]       (IPv6 services, same value)
//   services value   [id:4][table_offset:4][table_size:4][flags:4][seed:4][pad:4][affinity_ns:8]
//   maglev           key [slot:4] → value [global backend id:4] (0xffffffff: no backend)
//   backends         key [global backend id:4] → [addr:4 net][port:2 net][state:1][pad:1][mac:6][service id:2][addr6:16 net][weight:4]
//   conns, conns6    value [global backend id:4][snat port:2 net][pad:2]   (what tsbpf services counts as live connections)
// Service ids number all services in order (IPv4 and IPv6 alike): they index svc_counters.
// Global backend ids number the backends of all services in order (service 0's first, then service 1's, …)
// unless the caller assigns them: `deploy` keeps a backend's id across redeploys (cli/deploy/backend-ids.ts),
// since connections in conns hold ids and a shift would send their packets to another backend. An id no
// backend has is a hole: a backends entry with no address and state removed, so a connection that still
// names it is forgotten (as a removed backend's) rather than sent to 0.0.0.0.
import { parseAddress } from '../dsl/cidr.ts';
import { buildMaglevTable } from './maglev.ts';
import { tableWeight, type BackendState, type Service } from './service-model.ts';

export const SVC_RANDOM = 1;
export const SVC_RESET = 2;
export const SVC_DSR = 4;
export const NO_BACKEND = 0xffffffff;
export const BACKEND_STATE: Readonly<Record<BackendState, number>> = { active: 0, drained: 1, removed: 2 };

export interface LbConfig {
  /** the load balancer's own IPv4 address: the source of SNATed packets, where replies come back */
  readonly snatAddress: string;
  /** the load balancer's IPv6 address, for IPv6 services (default ::, none) */
  readonly snatAddress6?: string;
  /** SNAT ports: portMin … portMin + portSpan - 1 (default 32768 … 60999, Linux's ephemeral range) */
  readonly portMin?: number;
  readonly portSpan?: number;
  /** next-hop MAC for backends without their own (default 02:00:00:00:00:01) */
  readonly gatewayMac?: string;
}

export interface MapEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface LbMaps {
  /** entries per map name */
  readonly maps: Readonly<Record<string, readonly MapEntry[]>>;
  /** global backend id of backend i of service s: `backendIds[s][i]` */
  readonly backendIds: readonly (readonly number[])[];
  /** the Maglev table of each service, as global backend ids */
  readonly tables: readonly Int32Array[];
}

function le(n: number | bigint, size: number): number[] {
  let v = BigInt.asUintN(size * 8, BigInt(n));
  const out: number[] = [];
  for (let i = 0; i < size; i++, v >>= 8n) out.push(Number(v & 0xffn));
  return out;
}

const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

export function ipv4(address: string, what: string): number[] {
  const a = parseAddress(address);
  if (a === undefined || a.family !== 4) throw new RangeError(`${what}: ${address} is not an IPv4 address`);
  return le(a.addr, 4).reverse();
}

export function ipv6(address: string, what: string): number[] {
  const a = parseAddress(address);
  if (a === undefined || a.family !== 6) throw new RangeError(`${what}: ${address} is not an IPv6 address`);
  return le(a.addr, 16).reverse();
}

const ZERO4 = [0, 0, 0, 0];
const ZERO16 = new Array<number>(16).fill(0);

export function macBytes(mac: string): number[] {
  return mac.split(':').map((x) => Number.parseInt(x, 16));
}

const PROTO = { tcp: 6, udp: 17 } as const;

/** the size of a backends value (the layout above) */
export const BACKEND_VALUE_SIZE = 36;

/** A backends slot no backend has: no address, state removed (what a connection naming it meets). */
export function backendHole(): Uint8Array {
  const v = new Uint8Array(BACKEND_VALUE_SIZE);
  v[6] = BACKEND_STATE.removed;
  return v;
}

/** Ids in order: service 0's backends first, then service 1's, … */
export function sequentialBackendIds(services: readonly Service[]): number[][] {
  let next = 0;
  return services.map((s) => s.backends.map(() => next++));
}

/** `ids`: the global id of each service's backends (default sequentialBackendIds); ids nobody has become holes. */
export function lbMapContents(services: readonly Service[], config: LbConfig, ids: readonly (readonly number[])[] = sequentialBackendIds(services)): LbMaps {
  if (ids.length !== services.length || services.some((s, i) => ids[i]!.length !== s.backends.length)) {
    throw new RangeError(`lb map contents: backend ids for ${ids.map((x) => x.length).join('+')} backends, the services have ${services.map((s) => s.backends.length).join('+')}`);
  }
  const taken = ids.flat();
  if (new Set(taken).size !== taken.length || taken.some((id) => !Number.isInteger(id) || id < 0 || id >= NO_BACKEND)) {
    throw new RangeError(`lb map contents: backend ids ${taken.join(', ')} are not distinct slots`);
  }
  const portMin = config.portMin ?? 32768;
  const portSpan = config.portSpan ?? 28232;
  if (!Number.isInteger(portMin) || !Number.isInteger(portSpan) || portMin < 1 || portSpan < 1 || portMin + portSpan > 65536) {
    throw new RangeError(`lb config: SNAT ports ${portMin} + ${portSpan} do not fit in 1 … 65535`);
  }
  const gateway = macBytes(config.gatewayMac ?? '02:00:00:00:00:01');
  const maps: Record<string, MapEntry[]> = { lb_config: [], services: [], services6: [], maglev: [], backends: [] };
  const snat6 = config.snatAddress6 === undefined ? ZERO16 : ipv6(config.snatAddress6, 'lb config snatAddress6');
  maps.lb_config!.push({ key: Uint8Array.from(le(0, 4)), value: Uint8Array.from([...ipv4(config.snatAddress, 'lb config snatAddress'), ...le(portMin, 2), ...le(portSpan, 2), ...snat6]) });
  const tables: Int32Array[] = [];
  let offset = 0;
  services.forEach((s, id) => {
    const v6 = s.family === 6;
    if (v6 && s.mode === 'dsr') throw new RangeError(`service ${s.name}: dsr is IPv4 only so far`);
    const vip = v6 ? ipv6(s.vip, `service ${s.name}`) : ipv4(s.vip, `service ${s.name}`);
    const own = ids[id]!;
    const flags = (s.selection === 'random' ? SVC_RANDOM : 0) | (s.removedAction === 'reset' ? SVC_RESET : 0) | (s.mode === 'dsr' ? SVC_DSR : 0);
    maps[v6 ? 'services6' : 'services']!.push({
      key: Uint8Array.from([...vip, ...be16(s.port), PROTO[s.protocol], 0]),
      value: Uint8Array.from([...le(id, 4), ...le(offset, 4), ...le(s.tableSize, 4), ...le(flags, 4), ...le(s.seed, 4), ...le(0, 4), ...le(BigInt(s.affinitySeconds) * 1_000_000_000n, 8)]),
    });
    s.backends.forEach((b, i) => {
      const mac = b.mac === undefined ? gateway : macBytes(b.mac);
      maps.backends!.push({
        key: Uint8Array.from(le(own[i]!, 4)),
        value: Uint8Array.from([
          ...(v6 ? ZERO4 : ipv4(b.address, `service ${s.name} backend ${i}`)),
          ...be16(b.port),
          BACKEND_STATE[b.state],
          0,
          ...mac,
          ...le(id, 2),
          ...(v6 ? ipv6(b.address, `service ${s.name} backend ${i}`) : ZERO16),
          ...le(b.weight, 4),
        ]),
      });
    });
    const local = buildMaglevTable(s.backends.map((b) => ({ name: b.key, weight: tableWeight(b) })), { size: s.tableSize, seed: s.seed });
    const global = local.map((owner) => (owner < 0 ? -1 : own[owner]!));
    tables.push(global);
    global.forEach((owner, j) => maps.maglev!.push({ key: Uint8Array.from(le(offset + j, 4)), value: Uint8Array.from(le(owner < 0 ? NO_BACKEND : owner, 4)) }));
    offset += s.tableSize;
  });
  const used = new Set(taken);
  const slots = taken.length === 0 ? 0 : Math.max(...taken) + 1;
  for (let id = 0; id < slots; id++) if (!used.has(id)) maps.backends!.push({ key: Uint8Array.from(le(id, 4)), value: backendHole() });
  maps.backends!.sort((a, b) => new DataView(a.key.buffer).getUint32(0, true) - new DataView(b.key.buffer).getUint32(0, true));
  return { maps, backendIds: ids, tables };
}
