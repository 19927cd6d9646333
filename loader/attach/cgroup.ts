// cgroup skb programs with BPF links on a cgroup v2 directory. The cgroup2 mount is found in
// /proc/self/mountinfo (it is not always /sys/fs/cgroup: hybrid systems mount it at /sys/fs/cgroup/unified).
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { linkCreate, type Fd } from '../sys/index.ts';
import { BpfLink } from './link.ts';

/** enum bpf_attach_type: BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS. */
export const CGROUP_SKB_ATTACH_TYPE = { ingress: 0, egress: 1 } as const;

export type CgroupSkbDirection = keyof typeof CGROUP_SKB_ATTACH_TYPE;

/** The mount point of the cgroup v2 hierarchy, from /proc/self/mountinfo; undefined when none. */
export function cgroup2Mount(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string | undefined {
  // 36 35 0:30 / /sys/fs/cgroup/unified rw,nosuid … shared:9 - cgroup2 cgroup2 rw,…
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = line.slice(sep + 3).split(' ')[0];
    if (fstype !== 'cgroup2') continue;
    const mountPoint = line.slice(0, sep).split(' ')[4];
    // mountinfo escapes space, tab, newline and backslash as \ooo
    if (mountPoint !== undefined) return mountPoint.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  }
  return undefined;
}

/** `path` as an absolute cgroup directory: relative paths are below the cgroup2 mount. */
export function cgroupPath(path: string): string {
  if (isAbsolute(path)) return path;
  const mount = cgroup2Mount();
  if (mount === undefined) throw new Error(`cgroup ${path}: no cgroup2 file system is mounted`);
  return join(mount, path);
}

/**
 * Attaches a CGROUP_SKB program to the ingress or egress hook of a cgroup v2 directory (absolute, or
 * relative to the cgroup2 mount). The program returns 1 to let a packet through and 0 to drop it.
 *
 * @example
 * using link = attachCgroupSkb(prog, 'my-test-cgroup', 'egress');
 */
export function attachCgroupSkb(prog: Fd, cgroup: string, direction: CgroupSkbDirection): BpfLink {
  const attachType = CGROUP_SKB_ATTACH_TYPE[direction];
  if (attachType === undefined) throw new RangeError(`cgroup skb: direction must be ingress or egress, not ${String(direction)}`);
  const dir = cgroupPath(cgroup);
  let dirFd: number;
  try {
    dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    throw new Error(`cgroup skb ${direction}: cannot open cgroup ${dir}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const fd = linkCreate({ prog, target: dirFd, attachType });
    return new BpfLink(fd, 'cgroup_skb', `cgroup_skb ${direction} on ${dir}`);
  } finally {
    closeSync(dirFd);
  }
}
