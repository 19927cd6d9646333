// What `tsbpf services` shows: the services, backends and counters of a loaded load balancer, decoded from
// its maps (layouts in lb-map-contents.ts and generate-lb-c.ts). The source is any reader of map entries:
// the simulator's maps, or the kernel's through the loader.
import { formatAddress } from '../dsl/cidr.ts';
import { BACKEND_STATE, NO_BACKEND, SVC_DSR, SVC_RANDOM, SVC_RESET } from './lb-map-contents.ts';
import type { BackendState } from './service-model.ts';

export interface LbMapReader {
  /** every [key, value] of a map (for per-CPU maps not needed) */
  entries(map: string): readonly (readonly [Uint8Array, Uint8Array])[];
  /** the per-CPU values of slot `index` of a per-CPU array */
  perCpu(map: string, index: number): readonly Uint8Array[];
}

export interface BackendStatus {
  readonly id: number;
  readonly address: string;
  readonly port: number;
  readonly state: BackendState;
  /** the declared weight (optional for readers built before the field: always set by readLbStatus) */
  readonly weight?: number;
  /** Maglev entries it owns */
  readonly tableEntries: number;
  /** entries of the connection maps (conns, conns6) naming it: connections it holds now */
  readonly liveConnections?: number;
  readonly packets: bigint;
  readonly bytes: bigint;
  readonly replies: bigint;
  readonly resets: bigint;
}

export interface ServiceStatus {
  readonly id: number;
  readonly vip: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp' | number;
  readonly selection: 'maglev' | 'random';
  readonly mode: 'snat' | 'dsr';
  readonly removedAction: 'reset' | 'drop';
  readonly affinitySeconds: number;
  readonly tableSize: number;
  readonly packets: bigint;
  readonly bytes: bigint;
  readonly connections: bigint;
  readonly drops: bigint;
  readonly backends: readonly BackendStatus[];
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const address = (bytes: Uint8Array): string =>
  formatAddress(bytes.length === 16 ? 6 : 4, bytes.reduce((a, b) => (a << 8n) | BigInt(b), 0n));
const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0);
const stateName = (n: number): BackendState => (Object.entries(BACKEND_STATE).find(([, v]) => v === n)?.[0] as BackendState | undefined) ?? 'removed';

/** four u64 counters summed over CPUs */
function sum4(values: readonly Uint8Array[]): bigint[] {
  const out = [0n, 0n, 0n, 0n];
  for (const v of values) for (let i = 0; i < 4; i++) out[i]! += view(v).getBigUint64(i * 8, true);
  return out;
}

export function readLbStatus(reader: LbMapReader): ServiceStatus[] {
  const owners = new Map<number, number>();
  for (const [, v] of reader.entries('maglev')) {
    const owner = view(v).getUint32(0, true);
    if (owner !== NO_BACKEND) owners.set(owner, (owners.get(owner) ?? 0) + 1);
  }
  const live = new Map<number, number>();
  for (const map of ['conns', 'conns6']) {
    for (const [, v] of reader.entries(map)) {
      const id = view(v).getUint32(0, true);
      live.set(id, (live.get(id) ?? 0) + 1);
    }
  }
  const backends = new Map<number, BackendStatus[]>();
  for (const [k, v] of reader.entries('backends')) {
    const id = view(k).getUint32(0, true);
    const dv = view(v);
    const v4 = v.subarray(0, 4);
    const v6 = v.subarray(16, 32);
    if (isZero(v4) && isZero(v6)) continue; // an unused slot of the array
    const [packets, bytes, replies, resets] = sum4(reader.perCpu('backend_counters', id));
    const svc = dv.getUint16(14, true);
    const list = backends.get(svc) ?? [];
    list.push({
      id,
      address: isZero(v4) ? address(v6) : address(v4),
      port: dv.getUint16(4, false),
      state: stateName(v[6]!),
      weight: v.length >= 36 ? dv.getUint32(32, true) : 0,
      tableEntries: owners.get(id) ?? 0,
      liveConnections: live.get(id) ?? 0,
      packets: packets!,
      bytes: bytes!,
      replies: replies!,
      resets: resets!,
    });
    backends.set(svc, list);
  }
  const services: ServiceStatus[] = [];
  const entries = [...reader.entries('services'), ...reader.entries('services6')];
  for (const [k, v] of entries) {
    const vipLength = k.length === 20 ? 16 : 4;
    const dv = view(v);
    const id = dv.getUint32(0, true);
    const flags = dv.getUint32(12, true);
    const proto = k[vipLength + 2]!;
    const [packets, bytes, connections, drops] = sum4(reader.perCpu('svc_counters', id));
    services.push({
      id,
      vip: address(k.subarray(0, vipLength)),
      port: view(k).getUint16(vipLength, false),
      protocol: proto === 6 ? 'tcp' : proto === 17 ? 'udp' : proto,
      selection: flags & SVC_RANDOM ? 'random' : 'maglev',
      mode: flags & SVC_DSR ? 'dsr' : 'snat',
      removedAction: flags & SVC_RESET ? 'reset' : 'drop',
      affinitySeconds: Number(dv.getBigUint64(24, true) / 1_000_000_000n),
      tableSize: dv.getUint32(8, true),
      packets: packets!,
      bytes: bytes!,
      connections: connections!,
      drops: drops!,
      backends: (backends.get(id) ?? []).sort((a, b) => a.id - b.id),
    });
  }
  return services.sort((a, b) => a.id - b.id);
}

/** a plain-text table of readLbStatus's result */
export function formatLbStatus(services: readonly ServiceStatus[]): string {
  const lines: string[] = [];
  for (const s of services) {
    lines.push(
      `service ${s.id} ${s.vip}:${s.port}/${s.protocol} ${s.selection} ${s.mode} M=${s.tableSize}` +
        `${s.affinitySeconds ? ` affinity ${s.affinitySeconds}s` : ''} removed→${s.removedAction}: ` +
        `${s.packets} packets, ${s.bytes} bytes, ${s.connections} connections, ${s.drops} drops`,
    );
    for (const b of s.backends) {
      const share = s.tableSize > 0 ? ((100 * b.tableEntries) / s.tableSize).toFixed(1) : '0.0';
      const endpoint = b.address.includes(':') ? `[${b.address}]:${b.port}` : `${b.address}:${b.port}`;
      lines.push(
        `  ${endpoint} ${b.state} weight ${b.weight ?? '?'} entries ${b.tableEntries} (${share}%): ${b.liveConnections ?? '?'} connections, ` +
          `${b.packets} packets, ${b.bytes} bytes, ${b.replies} replies, ${b.resets} resets`,
      );
    }
  }
  return lines.join('\n');
}
