// Network interfaces over rtnetlink: name → ifindex, and XDP through IFLA_XDP (the path that predates
// BPF links, kept for older kernels). Everything resolves in the caller's current network namespace.
import { attr, parseAttrs, read } from './attributes.ts';
import { IFLA, IFLA_XDP, RTM, XDP_FLAGS } from './constants.ts';
import { NL_LAYOUTS, nlDecode } from './layout.ts';
import { RtNetlink } from './rtnetlink.ts';

function withSocket<T>(nl: RtNetlink | undefined, fn: (nl: RtNetlink) => T): T {
  if (nl) return fn(nl);
  using own = RtNetlink.open();
  return fn(own);
}

/** What RTM_GETLINK says about one interface. */
export interface NetLink {
  readonly index: number;
  readonly name: string;
  /** The XDP program attached through any path, 0 when none. */
  readonly xdpProgId: number;
  /** XDP_ATTACHED_*: 0 none, 1 driver, 2 generic (skb), 3 offload, 4 several. */
  readonly xdpAttached: number;
}

/** Looks up an interface by name (or ifindex). Throws a NetlinkError (ENODEV) when there is none. */
export function netLink(nameOrIndex: string | number, nl?: RtNetlink): NetLink {
  return withSocket(nl, (s) => {
    const byName = typeof nameOrIndex === 'string';
    const replies = s.request(`look up interface ${nameOrIndex}`, {
      type: RTM.GETLINK,
      header: { ifinfomsg: { index: byName ? 0 : nameOrIndex } },
      attrs: byName ? [attr.str(IFLA.IFNAME, nameOrIndex)] : [],
    });
    const reply = replies.find((m) => m.type === RTM.NEWLINK);
    if (!reply) throw new Error(`look up interface ${nameOrIndex}: the kernel sent no RTM_NEWLINK`);
    const ifi = NL_LAYOUTS.ifinfomsg.size;
    const index = nlDecode('ifinfomsg', reply.body)['index']!;
    const attrs = parseAttrs(reply.body, ifi);
    const xdp = attrs.get(IFLA.XDP);
    const xdpAttrs = xdp ? parseAttrs(xdp) : new Map<number, Uint8Array>();
    return {
      index,
      name: read.str(attrs.get(IFLA.IFNAME)) ?? String(nameOrIndex),
      xdpProgId: read.u32(xdpAttrs.get(IFLA_XDP.PROG_ID)) ?? 0,
      xdpAttached: read.u8(xdpAttrs.get(IFLA_XDP.ATTACHED)) ?? 0,
    };
  });
}

/** The ifindex of interface `name`. */
export function linkIndex(name: string, nl?: RtNetlink): number {
  return netLink(name, nl).index;
}

export interface SetXdpOptions {
  /** XDP_FLAGS_*: SKB_MODE, DRV_MODE, UPDATE_IF_NOEXIST, … (REPLACE is added when `expectedFd` is given) */
  readonly flags?: number;
  /** Replace only if this program is the one attached (IFLA_XDP_EXPECTED_FD with XDP_FLAGS_REPLACE). */
  readonly expectedFd?: number;
  /** A socket to use (one is opened and closed otherwise). */
  readonly nl?: RtNetlink;
}

/**
 * Sets (fd ≥ 0) or clears (fd = -1) the XDP program of `ifindex` through RTM_SETLINK / IFLA_XDP:
 *
 *   ifinfomsg { family AF_UNSPEC, index } + IFLA_XDP (nested) { IFLA_XDP_FD s32, IFLA_XDP_FLAGS u32,
 *                                                               IFLA_XDP_EXPECTED_FD s32 }
 */
export function setXdp(ifindex: number, fd: number, options: SetXdpOptions = {}): void {
  const flags = (options.flags ?? 0) | (options.expectedFd === undefined ? 0 : XDP_FLAGS.REPLACE);
  const xdp = [attr.s32(IFLA_XDP.FD, fd), ...(flags !== 0 ? [attr.u32(IFLA_XDP.FLAGS, flags)] : [])];
  if (options.expectedFd !== undefined) xdp.push(attr.s32(IFLA_XDP.EXPECTED_FD, options.expectedFd));
  const what = fd < 0 ? `detach xdp from ifindex ${ifindex}` : `attach xdp to ifindex ${ifindex}`;
  withSocket(options.nl, (s) =>
    s.request(`${what} (netlink)`, { type: RTM.SETLINK, header: { ifinfomsg: { index: ifindex } }, attrs: [attr.nested(IFLA.XDP, xdp)] }),
  );
}
