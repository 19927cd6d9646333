// Legacy TC over rtnetlink: the clsact qdisc and `bpf` classifiers in direct-action mode, as
// `tc qdisc add dev X clsact` and `tc filter add dev X ingress bpf da fd N` do.
//
//   tcmsg { family AF_UNSPEC, ifindex, handle, parent, info = prio << 16 | htons(protocol) }
//   + TCA_KIND "clsact" | "bpf"
//   + TCA_OPTIONS (nested, filters only) { TCA_BPF_FD u32, TCA_BPF_NAME str, TCA_BPF_FLAGS u32 (ACT_DIRECT) }
//
// clsact: handle ffff:0000, parent ffff:fff1. Its two hooks: ingress parent ffff:fff2, egress ffff:fff3.
import { attr, parseAttrs, read } from './attributes.ts';
import { ETH_P_ALL, NLM_F, RTM, TCA, TCA_BPF, TCA_BPF_FLAG_ACT_DIRECT, TC_H } from './constants.ts';
import { NL_LAYOUTS, nlDecode } from './layout.ts';
import { RtNetlink } from './rtnetlink.ts';

export type TcDirection = 'ingress' | 'egress';

const CLSACT_HANDLE = TC_H.make(TC_H.CLSACT, 0);
const htons = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);

function withSocket<T>(nl: RtNetlink | undefined, fn: (nl: RtNetlink) => T): T {
  if (nl) return fn(nl);
  using own = RtNetlink.open();
  return fn(own);
}

/** Whether `ifindex` has a clsact qdisc. */
export function hasClsact(ifindex: number, nl?: RtNetlink): boolean {
  return withSocket(nl, (s) => {
    const replies = s.request(`list qdiscs of ifindex ${ifindex}`, { type: RTM.GETQDISC, flags: NLM_F.DUMP, header: { tcmsg: { ifindex } } });
    return replies.some((m) => {
      const h = nlDecode('tcmsg', m.body);
      if (h['ifindex'] !== ifindex || h['parent'] !== TC_H.CLSACT) return false;
      return read.str(parseAttrs(m.body, NL_LAYOUTS.tcmsg.size).get(TCA.KIND)) === 'clsact';
    });
  });
}

/** Adds the clsact qdisc to `ifindex`; returns false when it was already there. */
export function addClsact(ifindex: number, nl?: RtNetlink): boolean {
  return withSocket(nl, (s) => {
    try {
      s.request(`add clsact qdisc to ifindex ${ifindex}`, {
        type: RTM.NEWQDISC,
        flags: NLM_F.CREATE | NLM_F.EXCL,
        header: { tcmsg: { ifindex, handle: CLSACT_HANDLE, parent: TC_H.CLSACT } },
        attrs: [attr.str(TCA.KIND, 'clsact')],
      });
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') return false;
      throw e;
    }
  });
}

/** Deletes the clsact qdisc of `ifindex` (and with it every filter on its hooks). */
export function delClsact(ifindex: number, nl?: RtNetlink): void {
  withSocket(nl, (s) =>
    s.request(`delete clsact qdisc of ifindex ${ifindex}`, {
      type: RTM.DELQDISC,
      header: { tcmsg: { ifindex, handle: CLSACT_HANDLE, parent: TC_H.CLSACT } },
      attrs: [attr.str(TCA.KIND, 'clsact')],
    }),
  );
}

/** Where one `bpf` filter sits: interface, hook, priority and handle. */
export interface TcFilterId {
  readonly ifindex: number;
  readonly direction: TcDirection;
  /** 1..65535; 1 by default */
  readonly priority?: number;
  /** the filter's handle; 1 by default */
  readonly handle?: number;
}

function filterHeader(id: TcFilterId): Record<string, number> {
  const minor = id.direction === 'ingress' ? TC_H.MIN_INGRESS : TC_H.MIN_EGRESS;
  return {
    ifindex: id.ifindex,
    handle: id.handle ?? 1,
    parent: TC_H.make(TC_H.CLSACT, minor),
    info: TC_H.make((id.priority ?? 1) << 16, htons(ETH_P_ALL)),
  };
}

/**
 * Adds (or with `replace`, atomically swaps the program of) a direct-action `bpf` filter running `progFd`.
 * Without `replace` an existing filter at the same place is an error (EEXIST).
 */
export function addBpfFilter(
  id: TcFilterId,
  progFd: number,
  options: { readonly name?: string; readonly replace?: boolean; readonly nl?: RtNetlink } = {},
): void {
  const flags = NLM_F.CREATE | (options.replace === true ? NLM_F.REPLACE : NLM_F.EXCL);
  const opts = [
    attr.u32(TCA_BPF.FD, progFd),
    attr.str(TCA_BPF.NAME, options.name ?? 'tsbpf'),
    attr.u32(TCA_BPF.FLAGS, TCA_BPF_FLAG_ACT_DIRECT),
  ];
  const what = `${options.replace === true ? 'replace' : 'add'} tc bpf filter on ifindex ${id.ifindex} ${id.direction}`;
  withSocket(options.nl, (s) =>
    s.request(what, {
      type: RTM.NEWTFILTER,
      flags,
      header: { tcmsg: filterHeader(id) },
      attrs: [attr.str(TCA.KIND, 'bpf'), attr.nested(TCA.OPTIONS, opts)],
    }),
  );
}

/** Deletes the `bpf` filter at `id`. */
export function delBpfFilter(id: TcFilterId, nl?: RtNetlink): void {
  withSocket(nl, (s) =>
    s.request(`delete tc bpf filter on ifindex ${id.ifindex} ${id.direction}`, {
      type: RTM.DELTFILTER,
      header: { tcmsg: filterHeader(id) },
      attrs: [attr.str(TCA.KIND, 'bpf')],
    }),
  );
}

/** Program ids of the `bpf` filters on one clsact hook of an interface. */
export function bpfFilterProgIds(hook: { readonly ifindex: number; readonly direction: TcDirection }, nl?: RtNetlink): number[] {
  const { ifindex, direction } = hook;
  return withSocket(nl, (s) => {
    const header = filterHeader({ ifindex, direction });
    const replies = s.request(`list tc filters on ifindex ${ifindex} ${direction}`, {
      type: RTM.GETTFILTER,
      flags: NLM_F.DUMP,
      header: { tcmsg: { ifindex, parent: header['parent']! } },
    });
    const ids: number[] = [];
    for (const m of replies) {
      const attrs = parseAttrs(m.body, NL_LAYOUTS.tcmsg.size);
      if (read.str(attrs.get(TCA.KIND)) !== 'bpf') continue;
      const options = attrs.get(TCA.OPTIONS);
      const id = options ? read.u32(parseAttrs(options).get(TCA_BPF.ID)) : undefined;
      if (id !== undefined) ids.push(id);
    }
    return ids;
  });
}
