// The load balancer's service and backend counters (per-CPU arrays indexed by service id and global backend
// id: lb-map-contents.ts) carried over a redeploy, so `tsbpf_service_*` and `tsbpf_backend_*` go on rather
// than restarting or landing on another backend:
//
//   new programs (LINK_UPDATE)  the new build's counter maps get the old counts at the new ids before the swap
//                               (no program writes them yet), then what the old programs counted during the
//                               swap is added after it
//   same programs, ids moved    the counts are moved to the new ids in place
//
// A service is followed by VIP:port/protocol, a backend by `service|address:port` (its key in backendKeys).
// Services and backends the new build no longer has are dropped with their counts; new ones start at zero.
import { mapGetInfo, mapLookup, mapUpdate, type Fd } from '../../loader/index.ts';
import { FREE_SLOT } from './backend-ids.ts';

/** old id → new id of every service and backend in both builds */
export interface LbIdMapping {
  readonly services: ReadonlyMap<number, number>;
  readonly backends: ReadonlyMap<number, number>;
}

type ServiceKey = { readonly vip: string; readonly port: number; readonly protocol: string };

/** old index → new index of every key both lists have (FREE_SLOT: nobody's) */
const byKey = (previous: readonly string[], next: readonly string[]): Map<number, number> => {
  const at = new Map(next.flatMap((k, i) => (k === FREE_SLOT ? [] : [[k, i] as const])));
  const out = new Map<number, number>();
  previous.forEach((k, i) => {
    if (k === FREE_SLOT) return;
    const j = at.get(k);
    if (j !== undefined) out.set(i, j);
  });
  return out;
};

const serviceKey = (s: ServiceKey) => `${s.vip}|${s.port}|${s.protocol}`;

/** Services in id order (the state's and the build's lists are), backends as their global-id keys. */
export function lbIdMapping(previous: { readonly services: readonly ServiceKey[]; readonly backendKeys: readonly string[] }, next: { readonly services: readonly ServiceKey[]; readonly backendKeys: readonly string[] }): LbIdMapping {
  return { services: byKey(previous.services.map(serviceKey), next.services.map(serviceKey)), backends: byKey(previous.backendKeys, next.backendKeys) };
}

export const isIdentity = (m: ReadonlyMap<number, number>): boolean => [...m].every(([a, b]) => a === b);

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

/** Every per-CPU u64 of slot `id` (the counters are u64 fields, so words add up field by field). */
function read(fd: Fd, id: number): BigUint64Array | undefined {
  const v = mapLookup(fd, u32(id));
  return v === undefined ? undefined : new BigUint64Array(v.slice().buffer);
}

const isZero = (w: BigUint64Array) => w.every((x) => x === 0n);

/** Counts read from the old map, per old id: what the second pass subtracts. */
export type CounterSnapshot = Map<number, BigUint64Array>;

/**
 * Adds the counts of `from` (less `baseline`, what an earlier pass already carried) to `to` at the new ids.
 * Returns what it read of `from`, the baseline of a next pass. Ids past the new map's room are skipped.
 */
export function carryLbCounters(from: Fd, to: Fd, mapping: ReadonlyMap<number, number>, baseline: CounterSnapshot = new Map()): CounterSnapshot {
  const room = mapGetInfo(to).maxEntries;
  const seen: CounterSnapshot = new Map();
  for (const [old, now] of mapping) {
    const v = read(from, old);
    if (v === undefined || now >= room) continue;
    seen.set(old, v);
    const base = baseline.get(old);
    const delta = base === undefined ? v : v.map((x, i) => x - (base[i] ?? 0n));
    if (isZero(delta)) continue;
    const current = read(to, now);
    const sum = current === undefined ? delta : delta.map((x, i) => x + (current[i] ?? 0n));
    mapUpdate(to, u32(now), new Uint8Array(sum.buffer));
  }
  return seen;
}

/** Moves the counts of one map to their new ids in place (same programs, ids shifted); unmapped slots zeroed. */
export function moveLbCounters(fd: Fd, mapping: ReadonlyMap<number, number>, slots: number): void {
  if (isIdentity(mapping) && mapping.size >= slots) return;
  const room = mapGetInfo(fd).maxEntries;
  const old = new Map<number, BigUint64Array>();
  for (let i = 0; i < Math.min(slots, room); i++) {
    const v = read(fd, i);
    if (v !== undefined) old.set(i, v);
  }
  const size = old.values().next().value?.length;
  if (size === undefined) return;
  const next = new Map<number, BigUint64Array>();
  for (const [o, n] of mapping) if (n < room && old.has(o)) next.set(n, old.get(o)!);
  // every slot that held counts or receives them: the new counts, or zero for a slot nobody inherits
  for (const i of new Set([...old.keys(), ...next.keys()])) {
    const v = next.get(i) ?? new BigUint64Array(size);
    const was = old.get(i);
    if (was !== undefined && was.every((x, k) => x === v[k])) continue;
    mapUpdate(fd, u32(i), new Uint8Array(v.buffer));
  }
}
