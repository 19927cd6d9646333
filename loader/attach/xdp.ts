// XDP: with a BPF link (BPF_LINK_CREATE, attach type BPF_XDP; Linux 5.9) or through netlink (IFLA_XDP,
// every kernel with XDP).
import { linkCreate, type Fd } from '../sys/index.ts';
import { XDP_FLAGS, inNetns, setXdp } from '../netlink/index.ts';
import { KernelAttachment } from './attachment.ts';
import { ifaceLabel, ifindexOf, type IfaceOptions } from './iface.ts';
import { BpfLink, type Link } from './link.ts';

const BPF_XDP = 37;

/** `skb`: generic XDP (any device, after the skb is built); `drv`: in the driver; `auto`: the kernel picks. */
export type XdpMode = 'skb' | 'drv' | 'auto';

export interface XdpOptions extends IfaceOptions {
  /** `auto` by default. */
  readonly mode?: XdpMode;
  /** `link` (default) or `netlink`. */
  readonly via?: 'link' | 'netlink';
}

function modeFlags(mode: XdpMode): number {
  switch (mode) {
    case 'skb':
      return XDP_FLAGS.SKB_MODE;
    case 'drv':
      return XDP_FLAGS.DRV_MODE;
    case 'auto':
      return 0;
  }
}

/**
 * Attaches an XDP program to an interface. The netlink path refuses to replace a program someone else
 * attached (XDP_FLAGS_UPDATE_IF_NOEXIST) and only detaches its own (XDP_FLAGS_REPLACE with expected fd).
 *
 * @example
 * using link = attachXdp(coll.programs.get('xdp_firewall')!, 'eth0', { mode: 'skb' });
 */
export function attachXdp(prog: Fd, iface: string | number, options: XdpOptions = {}): Link {
  const mode = options.mode ?? 'auto';
  const via = options.via ?? 'link';
  const netns = options.netns;
  const flags = modeFlags(mode);
  const label = `xdp on ${ifaceLabel(iface, netns)} (${via}, ${mode})`;
  return inNetns(netns, () => {
    const ifindex = ifindexOf(iface);
    if (via === 'link') {
      const fd = linkCreate({ prog, target: ifindex, attachType: BPF_XDP, flags });
      return new BpfLink(fd, 'xdp', label);
    }
    setXdp(ifindex, prog.value, { flags: flags | XDP_FLAGS.UPDATE_IF_NOEXIST });
    try {
      return new KernelAttachment(prog, 'xdp', 'netlink', label, {
        update: (newFd, oldFd) => inNetns(netns, () => setXdp(ifindex, newFd, { flags, expectedFd: oldFd })),
        detach: (progFd) => inNetns(netns, () => setXdp(ifindex, -1, { flags, expectedFd: progFd })),
      });
    } catch (e) {
      setXdp(ifindex, -1, { flags, expectedFd: prog.value });
      throw e;
    }
  });
}
