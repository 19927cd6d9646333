// Pinning: kernel objects as files on a bpffs (usually /sys/fs/bpf), so they outlive the process that
// made them and other tools (bpftool, another tsbpf) can open them.
//
//   pinCollection(coll, '/sys/fs/bpf/fw')      /sys/fs/bpf/fw/maps/verdicts
//                                              /sys/fs/bpf/fw/maps/_bss          (was .bss: bpffs refuses '.')
//                                              /sys/fs/bpf/fw/programs/xdp_firewall
//   using again = openPinnedCollection('/sys/fs/bpf/fw');
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Collection } from './collection.ts';
import { isBpffs, objGet, objPin, type Fd } from './sys/index.ts';

/**
 * A file name bpffs accepts: `.` (bpffs refuses it in names) and `/` become `_`, so `.bss` pins as `_bss`.
 * Throws a RangeError for an empty name.
 */
export function sanitizePinName(name: string): string {
  if (name === '') throw new RangeError('pin name: empty');
  return name.replace(/[./]/g, '_');
}

/** Pins `fd` at `dir/<sanitised name>`; returns the path. `dir` must exist on a bpffs. */
export function pinObject(fd: Fd, dir: string, name: string): string {
  const path = join(dir, sanitizePinName(name));
  objPin(fd, path);
  return path;
}

/** Opens the object pinned at `path`. */
export function openPinned(path: string, options: { readonly readOnly?: boolean } = {}): Fd {
  return objGet(path, options.readOnly === true ? { fileFlags: 1 << 3 } : {});
}

/** Where `pinCollection` put each object. */
export interface PinnedPaths {
  readonly maps: ReadonlyMap<string, string>;
  readonly programs: ReadonlyMap<string, string>;
}

/**
 * Pins every map at `dir/maps/NAME` and every program at `dir/programs/NAME` (names sanitised), making the
 * directories as needed. `dir` must be on a bpffs. On failure, what was pinned is removed.
 */
export function pinCollection(coll: Collection, dir: string): PinnedPaths {
  const parent = join(dir, '..');
  if (!isBpffs(dir) && !isBpffs(parent)) {
    throw new Error(`pin collection: ${dir} is not on a bpffs (mount one: mount -t bpf bpf /sys/fs/bpf)`);
  }
  const maps = new Map<string, string>();
  const programs = new Map<string, string>();
  const created = !isBpffs(dir);
  try {
    mkdirSync(join(dir, 'maps'), { recursive: true });
    mkdirSync(join(dir, 'programs'), { recursive: true });
    for (const [name, fd] of coll.maps) maps.set(name, pinObject(fd, join(dir, 'maps'), name));
    for (const [name, fd] of coll.programs) programs.set(name, pinObject(fd, join(dir, 'programs'), name));
  } catch (e) {
    for (const path of [...maps.values(), ...programs.values()]) rmSync(path, { force: true });
    if (created) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { maps, programs };
}

/**
 * Opens what `pinCollection` pinned under `dir`. Names are the sanitised file names (`_bss` for `.bss`).
 */
export function openPinnedCollection(dir: string): Collection {
  const coll = new Collection();
  try {
    for (const [sub, into] of [['maps', coll.maps], ['programs', coll.programs]] as const) {
      let names: string[];
      try {
        names = readdirSync(join(dir, sub));
      } catch {
        continue;
      }
      for (const name of names.sort()) into.set(name, objGet(join(dir, sub, name)));
    }
  } catch (e) {
    coll.close();
    throw e;
  }
  return coll;
}

/** Removes the pins under `dir` (the objects go away once nothing else holds them). */
export function unpinCollection(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
