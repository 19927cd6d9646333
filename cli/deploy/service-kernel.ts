// The load balancer of an interface in the kernel: attached, updated, removed. Three ways to apply a build:
//
//   fresh    load → fill maps → pin maps → attach both programs first in their tcx chains → pin links
//   maps     same programs (a backend added, drained, removed, a weight changed: the maps have room):
//            backends, then maglev, then services are rewritten in place; nothing is reloaded
//   code     new programs over the pinned state maps (conns, affinity, ew_rev: reused, so open connections keep
//            their backend) and new content and counter maps, swapped in with LINK_UPDATE, then the pins
//            replaced; the service and backend counts carried into the new counter maps (carry-lb-counters.ts)
//
// A backend keeps its global id across redeploys (backend-ids.ts), so the connection, affinity and reverse
// maps stay valid as they are. A backend that is gone becomes a hole (state removed) once no table names it,
// then the entries naming it are deleted (those flows take a new backend). State from a deployment that
// numbered backends in order (ids shifting) is still rewritten to the new ids (remapIds).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttachFlag,
  BpfLink,
  ifindexOf,
  inNetns,
  linkCreate,
  loadCollection,
  MapCompatibilityError,
  mapDelete,
  mapGetInfo,
  mapGetNextKey,
  mapLookup,
  mapUpdate,
  openPinned,
  openPinnedLink,
  pinObject,
  sanitizePinName,
  TCX_ATTACH_TYPE,
  type Collection,
  type Fd,
  type Link,
} from '../../loader/index.ts';
import { backendHole } from '../../compiler/services/index.ts';
import { FREE_SLOT } from './backend-ids.ts';
import { carryLbCounters, isIdentity, lbIdMapping, moveLbCounters, type CounterSnapshot } from './carry-lb-counters.ts';
import { DEPLOYED_LB_PROGRAMS, type BuiltServices } from './service-build.ts';
import { LinkSwaps } from './link-swaps.ts';
import type { ServiceDeployState } from './service-state.ts';

export interface LbTarget {
  readonly iface: string;
  /** the namespace file */
  readonly netns?: string;
}

export interface LbKernelResult {
  readonly links: ServiceDeployState['links'];
  readonly maps: Record<string, string>;
}

/** Maps whose contents the build decides (rewritten on every change); the others are state. */
const CONTENT_MAPS = ['lb_config', 'services', 'services6', 'maglev', 'backends'];
/** State maps carrying a global backend id: the value offset of that id. */
const ID_FIELDS: Readonly<Record<string, number>> = { conns: 0, conns6: 0, affinity: 8, ew_rev: 8, ew_rev6: 20 };

const programNames = DEPLOYED_LB_PROGRAMS.map((p) => p.name);

/** Only the tc programs (lb_xdp and the maps only it uses stay out), with their tcx attach types. */
function load(built: BuiltServices, reuse: Record<string, string> = {}): Collection {
  return loadCollection(built.spec, {
    programs: programNames,
    programTypes: Object.fromEntries(DEPLOYED_LB_PROGRAMS.map((p) => [p.name, { expectedAttachType: TCX_ATTACH_TYPE[p.direction] }])),
    reuse,
  });
}

/** Attaches `prog` at the head of the interface's tcx chain: before the policy programs, whenever they came. */
function attachFirst(prog: Fd, direction: 'ingress' | 'egress', target: LbTarget): Link {
  return inNetns(target.netns, () => {
    const fd = linkCreate({ prog, target: ifindexOf(target.iface), attachType: TCX_ATTACH_TYPE[direction], flags: AttachFlag.BEFORE });
    return new BpfLink(fd, 'tcx', `tcx ${direction} on ${target.iface} (load balancer)`);
  });
}

function fill(coll: Collection, built: BuiltServices, names: readonly string[] = Object.keys(built.lb.maps.maps)): void {
  // backends before the table that names them, services last: a new service finds its table filled
  const order = ['lb_config', 'backends', 'maglev', 'services', 'services6'];
  for (const name of [...names].sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
    const fd = coll.maps.get(name);
    if (fd === undefined) continue; // services6 when no program uses it
    const entries = built.lb.maps.maps[name] ?? [];
    for (const e of entries) mapUpdate(fd, e.key, e.value);
    // the table's room past the services' tables: no backend (an array starts at 0, backend 0's id)
    if (name === 'maglev') clearSlots(fd, entries.length, mapGetInfo(fd).maxEntries, NO_BACKEND_VALUE);
  }
}

function pinAll(coll: Collection, dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  return Object.fromEntries([...coll.maps].map(([name, fd]) => [name, pinObject(fd, dir, name)]));
}

function keysOf(fd: Fd): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let k = mapGetNextKey(fd, undefined); k !== undefined; k = mapGetNextKey(fd, k)) out.push(k);
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** a maglev slot owned by no backend (NO_BACKEND) */
const NO_BACKEND_VALUE = Uint8Array.of(0xff, 0xff, 0xff, 0xff);

const u32 = (i: number) => Uint8Array.of(i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24);

function clearSlots(fd: Fd, from: number, to: number, value: Uint8Array): void {
  for (let i = from; i < to; i++) mapUpdate(fd, u32(i), value);
}

/** Backend ids the previous deployment had and this build leaves free: the backends that are gone. */
function freedIds(previous: readonly string[], next: readonly string[]): number[] {
  return previous.flatMap((k, id) => (k !== FREE_SLOT && (next[id] ?? FREE_SLOT) === FREE_SLOT ? [id] : []));
}

/** Marks backend slots as holes (no address, state removed): a connection still naming one is forgotten. */
function writeHoles(fd: Fd, ids: readonly number[]): void {
  const value = new Uint8Array(mapGetInfo(fd).valueSize);
  value.set(backendHole().subarray(0, value.length));
  for (const id of ids) mapUpdate(fd, u32(id), value);
}

const idOf = (key: Uint8Array) => new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);

export function freshLb(built: BuiltServices, pinDir: string, target: LbTarget, progress: (m: string) => void): LbKernelResult {
  progress('loading the load balancer');
  const coll = load(built);
  const attached: Link[] = [];
  try {
    fill(coll, built);
    rmSync(pinDir, { recursive: true, force: true });
    const maps = pinAll(coll, join(pinDir, 'maps'));
    mkdirSync(join(pinDir, 'links'), { recursive: true });
    const links: Record<string, ServiceDeployState['links'][string]> = {};
    for (const p of DEPLOYED_LB_PROGRAMS) {
      progress(`attaching ${p.name} first on ${p.hook.replace('/', ' ')} of ${target.iface}`);
      const link = attachFirst(coll.programs.get(p.name)!, p.direction, target);
      attached.push(link);
      const path = join(pinDir, 'links', sanitizePinName(p.name));
      link.pin(path);
      links[p.name] = { path, direction: p.direction, hook: p.hook };
    }
    for (const l of attached) l.close();
    return { links, maps };
  } catch (e) {
    for (const l of attached) {
      try {
        l.detach();
        l.close();
      } catch {
        // already gone
      }
    }
    rmSync(pinDir, { recursive: true, force: true });
    throw e;
  } finally {
    coll.close();
  }
}

/**
 * `backends` (old global id → new one, for backends in both builds; lbIdMapping) when a backend of the previous
 * deployment moved or is gone, so the state maps need rewriting; undefined when every one kept its id.
 */
function movedIds(previous: readonly string[], backends: ReadonlyMap<number, number>): ReadonlyMap<number, number> | undefined {
  const kept = previous.filter((k) => k !== FREE_SLOT).length;
  return backends.size < kept || !isIdentity(backends) ? backends : undefined;
}

/** Rewrites the backend ids in the state maps; deletes entries of backends that are gone. */
function remapIds(open: (name: string) => Fd | undefined, mapping: ReadonlyMap<number, number>, progress: (m: string) => void): void {
  for (const [name, offset] of Object.entries(ID_FIELDS)) {
    const fd = open(name);
    if (fd === undefined) continue;
    let moved = 0;
    let dropped = 0;
    for (const k of keysOf(fd)) {
      const v = mapLookup(fd, k);
      if (v === undefined) continue;
      const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
      const old = view.getUint32(offset, true);
      const now = mapping.get(old);
      if (now === undefined) {
        mapDelete(fd, k);
        dropped++;
      } else if (now !== old) {
        view.setUint32(offset, now, true);
        mapUpdate(fd, k, v);
        moved++;
      }
    }
    if (moved + dropped > 0) progress(`${name}: ${moved} entries moved to their backend's new id, ${dropped} of removed backends deleted`);
  }
}

/** Same programs: the content maps rewritten in place, stale service keys deleted, ids carried. */
export function updateLbMaps(previous: ServiceDeployState, built: BuiltServices, progress: (m: string) => void): LbKernelResult {
  const fds = new Map<string, Fd>();
  const open = (name: string) => {
    const path = previous.maps[name];
    if (path === undefined) return undefined;
    let fd = fds.get(name);
    if (fd === undefined) fds.set(name, (fd = openPinned(path)));
    return fd;
  };
  try {
    progress('updating the services and backends in place');
    const ids = lbIdMapping(previous, { services: built.lb.services, backendKeys: built.backendKeys });
    const mapping = movedIds(previous.backendKeys, ids.backends);
    const freed = freedIds(previous.backendKeys, built.backendKeys);
    const gone = new Set(freed);
    // backends before the table that names them (the gone ones after it: until then the old table may pick
    // them), services last
    const order = ['lb_config', 'backends', 'maglev', 'services', 'services6'];
    for (const name of order) {
      const fd = open(name);
      if (fd === undefined) continue;
      const entries = built.lb.maps.maps[name] ?? [];
      for (const e of entries) if (name !== 'backends' || !gone.has(idOf(e.key))) mapUpdate(fd, e.key, e.value);
      if (name === 'services' || name === 'services6') {
        const keep = new Set(entries.map((e) => hex(e.key)));
        for (const k of keysOf(fd)) if (!keep.has(hex(k))) mapDelete(fd, k);
      }
      // table entries the new build no longer uses: no backend
      if (name === 'maglev') clearSlots(fd, entries.length, previous.tableEntries, NO_BACKEND_VALUE);
    }
    const backends = open('backends');
    if (backends !== undefined) writeHoles(backends, freed);
    if (mapping !== undefined) remapIds(open, mapping, progress);
    // the counters follow their service and backend to the new ids (services and backends removed: zeroed)
    const svc = open('svc_counters');
    const backend = open('backend_counters');
    if (svc !== undefined) moveLbCounters(svc, ids.services, previous.services.length);
    if (backend !== undefined) moveLbCounters(backend, ids.backends, previous.backendKeys.length);
    return { links: previous.links, maps: { ...previous.maps } };
  } finally {
    for (const fd of fds.values()) fd.close();
  }
}

/** New programs: state maps reused when their layout still fits, new content maps, LINK_UPDATE, new pins. */
export function replaceLb(previous: ServiceDeployState, built: BuiltServices, pinDir: string, warnings: string[], progress: (m: string) => void): LbKernelResult {
  const state = Object.fromEntries(Object.entries(previous.maps).filter(([n]) => !CONTENT_MAPS.includes(n) && n !== 'svc_counters' && n !== 'backend_counters'));
  let coll: Collection;
  try {
    progress(`loading new load-balancer programs (keeping ${Object.keys(state).join(', ')})`);
    coll = load(built, state);
  } catch (e) {
    if (!(e instanceof MapCompatibilityError)) throw e;
    warnings.push(`the load balancer's state maps changed layout (${e.message}): they start empty, open connections through the VIP lose their backend`);
    progress(`warning: ${warnings[warnings.length - 1]!}`);
    coll = load(built);
  }
  const swapped = new LinkSwaps();
  let counters: ReturnType<typeof openCounters> = [];
  try {
    counters = openCounters(previous, coll);
    fill(coll, built);
    // the gone backends' slots past the new build's: holes too (reused connection maps may still name them)
    const backends = coll.maps.get('backends');
    if (backends !== undefined) writeHoles(backends, freedIds(previous.backendKeys, built.backendKeys));
    const ids = lbIdMapping(previous, { services: built.lb.services, backendKeys: built.backendKeys });
    const mapping = movedIds(previous.backendKeys, ids.backends);
    if (mapping !== undefined) remapIds((n) => (coll.reused.has(n) ? coll.maps.get(n) : undefined), mapping, progress);
    // before the swap, into maps no program writes yet; what the old programs count meanwhile follows after it
    const carried = counters.map((c) => ({ ...c, ids: ids[c.ids], seen: undefined as CounterSnapshot | undefined }));
    for (const c of carried) c.seen = carryLbCounters(c.from, c.to, c.ids);
    for (const p of DEPLOYED_LB_PROGRAMS) {
      progress(`replacing ${p.name} (LINK_UPDATE)`);
      swapped.swap(previous.links[p.name]!.path, coll.programs.get(p.name)!);
    }
    try {
      for (const c of carried) carryLbCounters(c.from, c.to, c.ids, c.seen);
    } catch (e) {
      warnings.push(`the load balancer's counters lost what they counted during the program swap: ${(e as Error).message}`);
    }
  } catch (e) {
    swapped.rollBack();
    for (const c of counters) c.from.close();
    coll.close();
    throw e;
  }
  for (const c of counters) c.from.close();
  swapped.close();
  try {
    rmSync(join(pinDir, 'maps'), { recursive: true, force: true });
    return { links: previous.links, maps: pinAll(coll, join(pinDir, 'maps')) };
  } finally {
    coll.close();
  }
}

/** The previous deployment's counter maps (read) beside the new build's (written), for the maps both have. */
function openCounters(previous: ServiceDeployState, coll: Collection): { from: Fd; to: Fd; ids: 'services' | 'backends' }[] {
  const pairs = [
    { name: 'svc_counters', ids: 'services' as const },
    { name: 'backend_counters', ids: 'backends' as const },
  ];
  const out: { from: Fd; to: Fd; ids: 'services' | 'backends' }[] = [];
  try {
    for (const { name, ids } of pairs) {
      const path = previous.maps[name];
      const to = coll.maps.get(name);
      if (path !== undefined && to !== undefined) out.push({ from: openPinned(path, { readOnly: true }), to, ids });
    }
  } catch (e) {
    for (const c of out) c.from.close();
    throw e;
  }
  return out;
}

/** Detaches the links and removes the pins. */
export function removeLb(state: ServiceDeployState): void {
  for (const l of Object.values(state.links)) {
    try {
      openPinnedLink(l.path).detach();
    } catch {
      // the interface is gone: removing the pin below releases the link
    }
  }
  rmSync(state.pinDir, { recursive: true, force: true });
}
