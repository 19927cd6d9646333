// BPF_OBJ_PIN and BPF_OBJ_GET: kernel objects as files on a bpffs (usually mounted at /sys/fs/bpf).
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { encode, objAttr } from './attrs.ts';
import type { BpfCommandName } from './cmd.ts';
import { BpfSyscallError } from './errors.ts';
import { Fd } from './fd.ts';
import { fdNumber, tryInvoke } from './invoke.ts';

/** statfs(2) f_type of a bpffs (include/uapi/linux/magic.h). */
export const BPF_FS_MAGIC = 0xcafe4a11;

/** Whether `dir` is on a bpffs mount (false when it does not exist). */
export function isBpffs(dir: string): boolean {
  try {
    return Number(statfsSync(dir).type) === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

function cPath(path: string): Uint8Array {
  return new TextEncoder().encode(`${path}\0`);
}

function run(command: BpfCommandName, attr: Uint8Array, path: string, context: string): number {
  const ret = tryInvoke(command, attr);
  if (ret >= 0) return ret;
  // The usual cause of a failed pin or get: the directory is not a bpffs (or does not exist).
  const dir = dirname(path);
  const hint = isBpffs(dir) ? undefined : `${dir} is not on a bpffs mount: mount -t bpf bpf <dir>`;
  throw new BpfSyscallError({ command, errno: -ret, context, ...(hint === undefined ? {} : { hint }) });
}

/** Pins the object behind `fd` at `path` (in an existing directory of a bpffs). */
export function objPin(fd: Fd | number, path: string): void {
  run('BPF_OBJ_PIN', encode(objAttr, { pathname: cPath(path), bpf_fd: fdNumber(fd) }), path, `pin ${path}`);
}

/** BPF_F_RDONLY (1 << 3) and BPF_F_WRONLY (1 << 4) for `objGet`'s `fileFlags`. */
export const ObjFileFlag = { RDONLY: 1 << 3, WRONLY: 1 << 4 } as const;

/** Opens the object pinned at `path`. */
export function objGet(path: string, options: { readonly fileFlags?: number } = {}): Fd {
  const attr = encode(objAttr, { pathname: cPath(path), file_flags: options.fileFlags });
  return new Fd(run('BPF_OBJ_GET', attr, path, `get pinned ${path}`), `pinned ${path}`);
}
