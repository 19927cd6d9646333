// `tsbpf attach HOOK TARGET [FILE.o] …` and `tsbpf detach …`: put a program on a hook (xdp, tcx, tc,
// cgroup) from an object file or a pinned program, and take it off again.
//
// A BPF link lives as long as its file descriptor or a pin: this command exits right after attaching, so
// link-based attachments (xdp via link, tcx, cgroup) need --pin PATH, and are detached with
// `tsbpf detach --pinned PATH`. Netlink attachments (xdp --via netlink, tc) are kept by the kernel.
// Socket filters attach to a socket the calling process owns, which a command cannot hand over.
import pc from 'picocolors';
import { readObject, type ObjectSpec, type ProgramSpec } from '../bpf/index.ts';
import {
  BpfLink,
  BpfSyscallError,
  NetlinkError,
  OsError,
  TCX_ATTACH_TYPE,
  CGROUP_SKB_ATTACH_TYPE,
  attachCgroupSkb,
  attachTc,
  attachTcx,
  attachXdp,
  inNetns,
  linkIndex,
  loadCollection,
  objGet,
  openPinnedLink,
  pinCollection,
  progGetInfo,
  type Fd,
  type Link,
  type XdpMode,
} from '../loader/index.ts';
import { XDP_FLAGS, delBpfFilter, setXdp } from '../loader/netlink/index.ts';
import { existsSync, rmSync } from 'node:fs';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './cli-error.ts';
import { readInputBytes } from './read-input.ts';

export type Hook = 'xdp' | 'tcx' | 'tc' | 'cgroup';

const HOOKS: readonly Hook[] = ['xdp', 'tcx', 'tc', 'cgroup'];
/** enum bpf_prog_type each hook runs. */
const PROG_TYPE: Record<Hook, number> = { xdp: 6, tcx: 3, tc: 3, cgroup: 8 };
const SOCKET_REFUSAL =
  'socket filters attach to a socket owned by the calling process (SO_ATTACH_BPF), which a command cannot hand over; ' +
  'use attachSocketFilter(prog, socketFd) from the loader API';

export interface AttachCommandOptions {
  readonly program?: string;
  readonly pinnedProgram?: string;
  readonly direction?: string;
  readonly mode?: string;
  readonly via?: string;
  readonly pin?: string;
  readonly pinDir?: string;
  readonly netns?: string;
  readonly priority?: string;
  readonly handle?: string;
  readonly json: boolean;
}

export interface AttachReport {
  readonly hook: Hook;
  readonly target: string;
  readonly program: string;
  readonly programId: number;
  readonly via: string;
  readonly mode?: string;
  readonly direction?: string;
  readonly netns?: string;
  readonly linkId?: number;
  readonly pinned?: string;
  readonly pinDir?: string;
}

function usage(message: string): never {
  throw new CliError(message, EXIT_USAGE);
}

function hookOf(hook: string): Hook {
  if (hook === 'socket') usage(SOCKET_REFUSAL);
  if (!(HOOKS as readonly string[]).includes(hook)) usage(`unknown hook ${hook} (expected ${HOOKS.join(', ')})`);
  return hook as Hook;
}

function netnsPath(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const path = name.includes('/') ? name : `/run/netns/${name}`;
  if (!existsSync(path)) usage(`network namespace ${name}: ${path} does not exist`);
  return path;
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 0xffff) usage(`--${name} must be an integer from 1 to 65535, not ${value}`);
  return n;
}

function directionOf(hook: Hook, value: string | undefined): 'ingress' | 'egress' | undefined {
  if (hook === 'xdp') {
    if (value !== undefined) usage('xdp has no direction (it runs on ingress only)');
    return undefined;
  }
  if (value === undefined) {
    if (hook === 'cgroup') usage('cgroup needs --direction ingress or egress');
    return 'ingress';
  }
  if (value !== 'ingress' && value !== 'egress') usage(`--direction must be ingress or egress, not ${value}`);
  return value;
}

/** Kernel refusals are judgements (exit 1); everything else propagates. */
function judged<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof BpfSyscallError || e instanceof NetlinkError || e instanceof OsError || (e as Error).name === 'ProgramLoadError') {
      throw new CliError(`${what}: ${(e as Error).message}`, EXIT_FAILED, { cause: e });
    }
    throw e;
  }
}

function chooseProgram(spec: ObjectSpec, file: string, hook: Hook, name: string | undefined): ProgramSpec {
  if (name !== undefined) {
    const p = spec.programs.find((q) => q.name === name);
    if (!p) usage(`${file}: no program ${name} (programs: ${spec.programs.map((q) => q.name).join(', ') || 'none'})`);
    return p;
  }
  const fitting = spec.programs.filter((p) => p.type === PROG_TYPE[hook]);
  if (fitting.length === 1) return fitting[0]!;
  usage(
    fitting.length === 0
      ? `${file}: no program fits hook ${hook}; name one with --program`
      : `${file}: several programs fit hook ${hook} (${fitting.map((p) => p.name).join(', ')}); name one with --program`,
  );
}

/** `tsbpf attach`. */
export function attachCommand(hookName: string, target: string, file: string | undefined, options: AttachCommandOptions): void {
  const hook = hookOf(hookName);
  const direction = directionOf(hook, options.direction);
  const netns = netnsPath(options.netns);
  const mode = options.mode ?? 'auto';
  if (!['skb', 'drv', 'auto'].includes(mode)) usage(`--mode must be skb, drv or auto, not ${mode}`);
  if (options.mode !== undefined && hook !== 'xdp') usage('--mode is for xdp only');
  const via = options.via ?? (hook === 'tc' ? 'netlink' : 'link');
  if (hook === 'xdp' ? !['link', 'netlink'].includes(via) : via !== (hook === 'tc' ? 'netlink' : 'link')) {
    usage(`${hook} attaches via ${hook === 'tc' ? 'netlink' : hook === 'xdp' ? 'link or netlink' : 'link'} only, not ${via}`);
  }
  if (via === 'link' && options.pin === undefined) {
    usage(`a ${hook} link lives only as long as this command or a pin: give --pin PATH (on a bpffs), or for xdp use --via netlink`);
  }
  if (via === 'netlink' && options.pin !== undefined) usage('--pin is for link-based attachments only (netlink attachments are kept by the kernel)');
  if (hook === 'cgroup' && netns !== undefined) usage('--netns does not apply to cgroup');
  const priority = intOption('priority', options.priority);
  const handle = intOption('handle', options.handle);
  if ((priority !== undefined || handle !== undefined) && hook !== 'tc') usage('--priority and --handle are for tc only');
  if ((file === undefined) === (options.pinnedProgram === undefined)) usage('give either FILE.o (with --program NAME) or --pinned-program PATH');
  if (options.pinDir !== undefined && file === undefined) usage('--pin-dir needs FILE.o');

  // the program: from a pin, or loaded from the object
  let prog: Fd;
  let progName: string;
  let release = (): void => {};
  if (options.pinnedProgram !== undefined) {
    try {
      prog = objGet(options.pinnedProgram);
    } catch (e) {
      throw new CliError(`${options.pinnedProgram}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
    }
    progName = progGetInfo(prog).name || options.pinnedProgram;
    release = () => prog.close();
  } else {
    const path = file!;
    let spec: ObjectSpec;
    try {
      spec = readObject(readInputBytes(path));
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`${path}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
    }
    const chosen = chooseProgram(spec, path, hook, options.program);
    const expectedAttachType =
      hook === 'tcx' ? TCX_ATTACH_TYPE[direction!] : hook === 'cgroup' ? CGROUP_SKB_ATTACH_TYPE[direction!] : chosen.expectedAttachType;
    const one: ProgramSpec = { ...chosen, type: chosen.type ?? PROG_TYPE[hook], expectedAttachType };
    const coll = judged(`load ${chosen.name}`, () => loadCollection({ ...spec, programs: [one] }));
    prog = coll.programs.get(chosen.name)!;
    progName = chosen.name;
    release = () => coll.close();
    if (options.pinDir !== undefined) judged(`pin ${path}`, () => pinCollection(coll, options.pinDir!));
  }

  try {
    const label = `attach ${progName} to ${hook} ${target}`;
    const link: Link = judged(label, () => {
      switch (hook) {
        case 'xdp':
          return attachXdp(prog, target, { mode: mode as XdpMode, via: via as 'link' | 'netlink', ...(netns ? { netns } : {}) });
        case 'tcx':
          return attachTcx(prog, target, direction!, netns ? { netns } : {});
        case 'tc':
          return attachTc(prog, target, direction!, {
            ...(netns ? { netns } : {}),
            ...(priority !== undefined ? { priority } : {}),
            ...(handle !== undefined ? { handle } : {}),
          });
        case 'cgroup':
          return attachCgroupSkb(prog, target, direction!);
      }
    });
    let linkId: number | undefined;
    if (options.pin !== undefined && link instanceof BpfLink) {
      try {
        judged(`pin link at ${options.pin}`, () => link.pin(options.pin!));
        linkId = link.info().id;
      } finally {
        link.close(); // the pin holds the link now (or, when pinning failed, closing detaches)
      }
    }
    // netlink attachments stay when this process exits: their handle is deliberately not closed
    const report: AttachReport = {
      hook,
      target,
      program: progName,
      programId: progGetInfo(prog).id,
      via,
      ...(hook === 'xdp' ? { mode } : {}),
      ...(direction !== undefined ? { direction } : {}),
      ...(netns !== undefined ? { netns } : {}),
      ...(linkId !== undefined ? { linkId } : {}),
      ...(options.pin !== undefined ? { pinned: options.pin } : {}),
      ...(options.pinDir !== undefined ? { pinDir: options.pinDir } : {}),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const where = `${hook}${direction ? ` ${direction}` : ''} on ${target}${netns ? ` (netns ${netns})` : ''}`;
      const how = via === 'link' ? `link ${linkId} pinned at ${options.pin}` : 'netlink';
      process.stdout.write(`${pc.green('attached')} ${pc.bold(progName)} (id ${report.programId}) to ${where} via ${how}${hook === 'xdp' ? `, mode ${mode}` : ''}\n`);
    }
  } finally {
    release();
  }
}

export interface DetachCommandOptions {
  readonly pinned?: string;
  readonly direction?: string;
  readonly mode?: string;
  readonly netns?: string;
  readonly priority?: string;
  readonly handle?: string;
  readonly json: boolean;
}

/** `tsbpf detach`: a pinned link (any hook), or the netlink attachments of xdp and tc by interface. */
export function detachCommand(hookName: string | undefined, target: string | undefined, options: DetachCommandOptions): void {
  let report: Record<string, unknown>;
  if (options.pinned !== undefined) {
    if (hookName !== undefined) usage('give either --pinned PATH or HOOK TARGET');
    const path = options.pinned;
    let link;
    try {
      link = openPinnedLink(path);
    } catch (e) {
      throw new CliError(`${path}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
    }
    const info = link.info();
    judged(`detach ${path}`, () => link.detach());
    rmSync(path, { force: true });
    report = { detached: link.kind, linkId: info.id, programId: info.progId, unpinned: path };
  } else {
    if (hookName === undefined || target === undefined) usage('give HOOK TARGET (xdp or tc) or --pinned PATH');
    const hook = hookOf(hookName);
    const netns = netnsPath(options.netns);
    if (hook === 'tcx' || hook === 'cgroup') usage(`${hook} attachments are links: detach them with --pinned PATH`);
    if (hook === 'xdp') {
      const mode = options.mode ?? 'auto';
      if (!['skb', 'drv', 'auto'].includes(mode)) usage(`--mode must be skb, drv or auto, not ${mode}`);
      const flags = mode === 'skb' ? XDP_FLAGS.SKB_MODE : mode === 'drv' ? XDP_FLAGS.DRV_MODE : 0;
      judged(`detach xdp from ${target}`, () => inNetns(netns, () => setXdp(linkIndex(target), -1, { flags })));
      report = { detached: 'xdp', target, via: 'netlink', mode };
    } else {
      const direction = directionOf(hook, options.direction)!;
      const priority = intOption('priority', options.priority);
      const handle = intOption('handle', options.handle);
      judged(`detach tc ${direction} filter from ${target}`, () =>
        inNetns(netns, () =>
          delBpfFilter({
            ifindex: linkIndex(target),
            direction,
            ...(priority !== undefined ? { priority } : {}),
            ...(handle !== undefined ? { handle } : {}),
          }),
        ),
      );
      report = { detached: 'tc', target, direction, priority: priority ?? 1, handle: handle ?? 1 };
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const r = report as Record<string, string | number>;
  const what =
    r['unpinned'] !== undefined
      ? `${r['detached']} link ${r['linkId']} (program id ${r['programId']}); removed ${r['unpinned']}`
      : r['detached'] === 'xdp'
        ? `xdp from ${r['target']} (netlink, mode ${r['mode']})`
        : `tc ${r['direction']} filter ${r['priority']}:${r['handle']} from ${r['target']}`;
  process.stdout.write(`${pc.green('detached')} ${what}\n`);
}
