// `tsbpf maps list [DIR]`, `tsbpf maps dump PATH`, `tsbpf maps update PATH KEY VALUE`: pinned maps on bpffs.
//
// Keys and values are bytes, written as hex (`0a000001`, `0x0a 00 00 01`) or as a decimal number, which is
// stored little endian in the map's key or value size. Per-CPU maps dump one value per CPU; an update of a
// per-CPU map sets every CPU to VALUE.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pc from 'picocolors';
import { mapTypeById } from '../bpf/index.ts';
import { BpfSyscallError, isBpffs, isMapFd, KernelMap, mapGetInfo, objGet, possibleCpus, type MapInfo } from '../loader/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './cli-error.ts';
import { table } from './table.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export interface PinnedMapRow {
  readonly path: string;
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

function describe(path: string, info: MapInfo): PinnedMapRow {
  return {
    path,
    id: info.id,
    name: info.name,
    type: mapTypeById(info.type)?.name ?? String(info.type),
    keySize: info.keySize,
    valueSize: info.valueSize,
    maxEntries: info.maxEntries,
  };
}

/** Every pinned map below `dir` (pinned programs and links are skipped). */
export function listPinnedMaps(dir: string): PinnedMapRow[] {
  if (!isBpffs(dir)) throw new CliError(`${dir}: not a bpffs directory`, EXIT_USAGE);
  const out: PinnedMapRow[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      let fd;
      try {
        fd = objGet(p);
      } catch {
        continue;
      }
      try {
        if (isMapFd(fd)) out.push(describe(p, mapGetInfo(fd)));
      } catch {
        // not a map
      } finally {
        fd.close();
      }
    }
  };
  walk(dir);
  return out;
}

function openMap(path: string): KernelMap<Uint8Array, Uint8Array | Uint8Array[]> {
  try {
    return KernelMap.open<Uint8Array, Uint8Array | Uint8Array[]>(path);
  } catch (e) {
    if (e instanceof BpfSyscallError) throw new CliError(e.message, EXIT_USAGE, { cause: e });
    throw new CliError(`${path}: not a pinned map (${(e as Error).message})`, EXIT_USAGE, { cause: e });
  }
}

/** Parses KEY/VALUE text into `size` bytes. */
export function parseBytes(text: string, size: number, what: string): Uint8Array {
  const t = text.trim();
  if (/^-?\d+$/.test(t) && !/^0\d/.test(t)) {
    const n = BigInt.asUintN(size * 8, BigInt(t));
    return Uint8Array.from({ length: size }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  }
  const h = t.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(h)) throw new CliError(`${what} ${text}: neither hex bytes nor a decimal number`, EXIT_USAGE);
  const b = Uint8Array.from(Buffer.from(h, 'hex'));
  if (b.length !== size) throw new CliError(`${what} ${text}: ${b.length} bytes, the map's ${what}s have ${size}`, EXIT_USAGE);
  return b;
}

export function mapsCommand(action: string, args: readonly string[], options: { readonly json: boolean }): void {
  switch (action) {
    case 'list': {
      const rows = listPinnedMaps(args[0] ?? '/sys/fs/bpf');
      if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        const cells = rows.map((r) => [r.path, String(r.id), r.name, r.type, String(r.keySize), String(r.valueSize), String(r.maxEntries)]);
        process.stdout.write(`${table(['path', 'id', 'name', 'type', 'key', 'value', 'max'], cells).join('\n')}\n${pc.dim(`${rows.length} pinned maps`)}\n`);
      }
      return;
    }
    case 'dump': {
      const path = args[0];
      if (path === undefined) throw new CliError('maps dump: give the pinned map path', EXIT_USAGE);
      using m = openMap(path);
      const entries = [...m.entries()].map(([k, v]) => ({ key: hex(k), value: Array.isArray(v) ? v.map(hex) : hex(v) }));
      if (options.json) process.stdout.write(`${JSON.stringify({ map: describe(path, m.info), entries }, null, 2)}\n`);
      else {
        const cells = entries.map((e) => [e.key, Array.isArray(e.value) ? e.value.map((v, i) => `cpu${i}:${v}`).join(' ') : e.value]);
        process.stdout.write(`${table(['key', 'value'], cells).join('\n')}\n${pc.dim(`${entries.length} entries`)}\n`);
      }
      return;
    }
    case 'update': {
      const [path, key, value] = args;
      if (path === undefined || key === undefined || value === undefined) throw new CliError('maps update: give PATH KEY VALUE', EXIT_USAGE);
      using m = openMap(path);
      const k = parseBytes(key, m.info.keySize, 'key');
      const v = parseBytes(value, m.info.valueSize, 'value');
      try {
        m.set(k, m.perCpu ? Array.from({ length: possibleCpus() }, () => v) : v);
      } catch (e) {
        if (e instanceof BpfSyscallError) throw new CliError(e.message, EXIT_FAILED, { cause: e });
        throw e;
      }
      if (options.json) process.stdout.write(`${JSON.stringify({ path, key: hex(k), value: hex(v) })}\n`);
      else process.stdout.write(`${path}: ${hex(k)} = ${hex(v)}\n`);
      return;
    }
    default:
      throw new CliError(`maps: unknown action ${action} (list, dump, update)`, EXIT_USAGE);
  }
}
