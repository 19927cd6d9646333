// Attachments of programs to hooks, as closeable handles.
//
//   using link = attachXdp(prog, 'veth0', { mode: 'drv' });   // attached
//   link.update(newProg);                                      // atomically replaced
//   link.pin('/sys/fs/bpf/fw-link');                           // outlives this process (BPF links only)
//   // leaving the block closes the handle: the program is detached unless the link is pinned
//
// Two families share the `Link` interface: BPF links (BPF_LINK_CREATE: xdp, tcx, cgroup), whose fd owns
// the attachment, and the older paths (netlink XDP, TC filters, SO_ATTACH_BPF), where the kernel keeps the
// attachment and the handle detaches on close. The latter hold a duplicate of the program's fd, so an
// attachment left open shows up in `trackFds()` like any other kernel object.
import { Fd, linkDetach, linkGetInfo, linkUpdate, objGet, objPin, type LinkInfo } from '../sys/index.ts';

/** Hook families. */
export type AttachKind = 'xdp' | 'tcx' | 'tc' | 'cgroup_skb' | 'socket_filter';
/** How the attachment was made. */
export type AttachVia = 'link' | 'netlink' | 'setsockopt';

export interface Link extends Disposable {
  readonly kind: AttachKind;
  readonly via: AttachVia;
  /** For messages: `xdp on veth0 (link, drv)`. */
  readonly label: string;
  readonly closed: boolean;
  /**
   * Atomically replaces the attached program by `prog` (packets see either the old or the new one, none
   * are missed). With `oldProg`, only if that is the one attached.
   */
  update(prog: Fd, options?: { readonly oldProg?: Fd }): void;
  /** Pins the attachment at `path` on a bpffs so it outlives this handle (BPF links only). */
  pin(path: string): void;
  /** Detaches now, pinned or not, and closes the handle. */
  detach(): void;
  /** Releases the handle; the program is detached unless the attachment is pinned. Idempotent. */
  close(): void;
}

/** bpf_link_type values (include/uapi/linux/bpf.h) of the links tsbpf makes. */
export const BpfLinkType = { CGROUP: 3, NETNS: 5, XDP: 6, TCX: 11, NETKIT: 13 } as const;

const KIND_OF_LINK_TYPE: Readonly<Record<number, AttachKind>> = {
  [BpfLinkType.CGROUP]: 'cgroup_skb',
  [BpfLinkType.XDP]: 'xdp',
  [BpfLinkType.TCX]: 'tcx',
};

/** A BPF link (BPF_LINK_CREATE): the link fd owns the attachment. */
export class BpfLink implements Link {
  readonly kind: AttachKind;
  readonly via = 'link' as const;
  readonly label: string;
  /** The link's file descriptor. */
  readonly fd: Fd;

  constructor(fd: Fd, kind: AttachKind, label: string) {
    this.fd = fd;
    this.kind = kind;
    this.label = label;
  }

  get closed(): boolean {
    return this.fd.closed;
  }

  /** The kernel's view: link type, link id, program id. */
  info(): LinkInfo {
    return linkGetInfo(this.fd);
  }

  update(prog: Fd, options: { readonly oldProg?: Fd } = {}): void {
    linkUpdate(this.fd, prog, options.oldProg === undefined ? {} : { oldProg: options.oldProg });
  }

  pin(path: string): void {
    objPin(this.fd, path);
  }

  detach(): void {
    try {
      linkDetach(this.fd);
    } finally {
      this.close();
    }
  }

  close(): void {
    this.fd.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens the BPF link pinned at `path` (its kind is read from the kernel). */
export function openPinnedLink(path: string): BpfLink {
  const fd = objGet(path);
  try {
    const info = linkGetInfo(fd);
    const kind = KIND_OF_LINK_TYPE[info.type];
    if (kind === undefined) throw new TypeError(`${path}: link type ${info.type} is not one tsbpf attaches`);
    return new BpfLink(fd, kind, `${kind} link ${info.id} (pinned ${path})`);
  } catch (e) {
    fd.close();
    throw e;
  }
}
