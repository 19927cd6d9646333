// Attaching programs: BPF_LINK_CREATE / BPF_LINK_UPDATE / BPF_LINK_DETACH (links: the attachment
// lives as long as the link fd or its pin) and the older BPF_PROG_ATTACH / BPF_PROG_DETACH.
import { decode, encode, linkCreateAttr, linkDetachAttr, linkUpdateAttr, progAttachAttr, progQueryAttr } from './attrs.ts';
import { Fd } from './fd.ts';
import { fdNumber, invoke } from './invoke.ts';

/** BPF_F_* attach flags (include/uapi/linux/bpf.h). */
export const AttachFlag = {
  ALLOW_OVERRIDE: 1 << 0,
  ALLOW_MULTI: 1 << 1,
  REPLACE: 1 << 2,
  BEFORE: 1 << 3,
  AFTER: 1 << 4,
  /** `relative` is an id, not an fd. */
  ID: 1 << 5,
} as const;

export interface LinkCreateOptions {
  readonly prog: Fd | number;
  /** A target fd (cgroup, netns, …) or an ifindex (XDP, tcx, netkit), as the attach type needs. */
  readonly target: Fd | number;
  /** enum bpf_attach_type: BPF_XDP (37), BPF_TCX_INGRESS (46), BPF_TCX_EGRESS (47), … */
  readonly attachType: number;
  readonly flags?: number;
  /** tcx/netkit/cgroup: the program or link to insert before/after (an id with AttachFlag.ID). */
  readonly relative?: Fd | number;
  /** tcx/netkit/cgroup: fail with ESTALE unless the attach point is at this revision. */
  readonly expectedRevision?: number | bigint;
  /** Tracing links: the BTF id of the target function. */
  readonly targetBtfId?: number;
}

/** Attaches `prog` with a link; the returned Fd owns the attachment. */
export function linkCreate(options: LinkCreateOptions): Fd {
  if (options.relative !== undefined && options.targetBtfId !== undefined) {
    throw new TypeError('link create: relative and targetBtfId share one field; give one');
  }
  const attr = encode(linkCreateAttr, {
    prog_fd: fdNumber(options.prog),
    target_fd: fdNumber(options.target),
    attach_type: options.attachType,
    flags: options.flags,
    relative_fd: options.relative === undefined ? options.targetBtfId : fdNumber(options.relative),
    expected_revision: options.expectedRevision,
  });
  const label = typeof options.prog === 'number' ? 'link' : `link of ${options.prog.label}`;
  return new Fd(invoke('BPF_LINK_CREATE', attr, `create ${label} (attach type ${options.attachType})`), label);
}

/** Replaces the program of `link` by `prog`; with `oldProg` only if that is the current one. */
export function linkUpdate(
  link: Fd,
  prog: Fd | number,
  options: { readonly oldProg?: Fd | number; readonly flags?: number } = {},
): void {
  const oldProg = options.oldProg === undefined ? undefined : fdNumber(options.oldProg);
  const attr = encode(linkUpdateAttr, {
    link_fd: link.value,
    new_prog_fd: fdNumber(prog),
    // BPF_F_REPLACE tells the kernel to compare old_prog_fd
    flags: (options.flags ?? 0) | (oldProg === undefined ? 0 : AttachFlag.REPLACE),
    old_prog_fd: oldProg,
  });
  invoke('BPF_LINK_UPDATE', attr, `update ${link.label}`);
}

/** Detaches the link's program now; the link fd stays open (and must still be closed). */
export function linkDetach(link: Fd): void {
  invoke('BPF_LINK_DETACH', encode(linkDetachAttr, { link_fd: link.value }), `detach ${link.label}`);
}

export interface ProgAttachOptions {
  readonly prog: Fd | number;
  /** A target fd (cgroup, sockmap, …) or an ifindex (tcx). */
  readonly target: Fd | number;
  readonly attachType: number;
  readonly flags?: number;
  /** With AttachFlag.REPLACE: the program to replace. */
  readonly replaceProg?: Fd | number;
  readonly relative?: Fd | number;
  readonly expectedRevision?: number | bigint;
}

/** BPF_PROG_ATTACH: attaches without a link (the attachment outlives the fd). */
export function progAttach(options: ProgAttachOptions): void {
  const attr = encode(progAttachAttr, {
    target_fd: fdNumber(options.target),
    attach_bpf_fd: fdNumber(options.prog),
    attach_type: options.attachType,
    attach_flags: options.flags,
    replace_bpf_fd: options.replaceProg === undefined ? undefined : fdNumber(options.replaceProg),
    relative_fd: options.relative === undefined ? undefined : fdNumber(options.relative),
    expected_revision: options.expectedRevision,
  });
  invoke('BPF_PROG_ATTACH', attr, `attach program (attach type ${options.attachType})`);
}

export interface ProgDetachOptions {
  /** The program to detach; some attach points (legacy single-program ones) do not need it. */
  readonly prog?: Fd | number;
  readonly target: Fd | number;
  readonly attachType: number;
  readonly flags?: number;
  readonly relative?: Fd | number;
  readonly expectedRevision?: number | bigint;
}

/** BPF_PROG_DETACH. */
export function progDetach(options: ProgDetachOptions): void {
  const attr = encode(progAttachAttr, {
    target_fd: fdNumber(options.target),
    attach_bpf_fd: options.prog === undefined ? undefined : fdNumber(options.prog),
    attach_type: options.attachType,
    attach_flags: options.flags,
    relative_fd: options.relative === undefined ? undefined : fdNumber(options.relative),
    expected_revision: options.expectedRevision,
  });
  invoke('BPF_PROG_DETACH', attr, `detach program (attach type ${options.attachType})`);
}

export interface ProgQueryResult {
  /** ids of the programs attached, in order */
  readonly progIds: readonly number[];
  /** ids of the links holding them (0 where a program was attached without a link); tcx/netkit/cgroup */
  readonly linkIds: readonly number[];
  readonly attachFlags: number;
  /** the attach point's revision (tcx/netkit/cgroup), for `expectedRevision` */
  readonly revision: bigint;
}

/**
 * BPF_PROG_QUERY: the programs attached at `target` (a cgroup fd, or an ifindex for tcx) for `attachType`.
 * Asks once for the count, then for the ids (the list may grow between the calls: then asks again).
 */
export function progQuery(target: Fd | number, attachType: number, options: { readonly flags?: number } = {}): ProgQueryResult {
  const context = `query programs (attach type ${attachType})`;
  let capacity = 0;
  for (;;) {
    const progIds = new Uint8Array(capacity * 4);
    const linkIds = new Uint8Array(capacity * 4);
    const attr = encode(progQueryAttr, {
      target_fd: fdNumber(target),
      attach_type: attachType,
      query_flags: options.flags,
      prog_ids: capacity === 0 ? null : progIds,
      prog_cnt: capacity,
      link_ids: capacity === 0 ? null : linkIds,
    });
    let failed: unknown;
    try {
      invoke('BPF_PROG_QUERY', attr, context);
    } catch (e) {
      failed = e;
    }
    const out = decode(progQueryAttr, attr);
    const count = out.prog_cnt;
    // ENOSPC: more programs than room; the kernel reports the real count
    if (failed !== undefined && !(count > capacity && (failed as { code?: string }).code === 'ENOSPC')) throw failed;
    if (count > capacity) {
      capacity = count;
      continue;
    }
    const ids = (bytes: Uint8Array): number[] =>
      Array.from({ length: count }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(i * 4, true));
    return {
      progIds: capacity === 0 ? [] : ids(progIds),
      linkIds: capacity === 0 ? [] : ids(linkIds),
      attachFlags: out.attach_flags,
      revision: out.revision,
    };
  }
}
