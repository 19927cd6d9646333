// Legacy TC: a clsact qdisc plus a direct-action `bpf` filter, through netlink (what `tc filter add … bpf da`
// does). For kernels without tcx, or to coexist with tools that manage TC filters.
import type { Fd } from '../sys/index.ts';
import { addBpfFilter, addClsact, bpfFilterProgIds, delBpfFilter, delClsact, inNetns, type TcDirection } from '../netlink/index.ts';
import { KernelAttachment } from './attachment.ts';
import { ifaceLabel, ifindexOf, type IfaceOptions } from './iface.ts';
import type { Link } from './link.ts';

export interface TcOptions extends IfaceOptions {
  /** Filter priority, 1 by default. */
  readonly priority?: number;
  /** Filter handle, 1 by default. */
  readonly handle?: number;
}

/**
 * Attaches a SCHED_CLS program as a direct-action `bpf` filter on the clsact qdisc of an interface (the
 * qdisc is added when missing, and removed on detach when it was added here and holds no other filter).
 *
 * @example
 * using tc = attachTc(coll.programs.get('tc_mark')!, 'veth0', 'egress');
 */
export function attachTc(prog: Fd, iface: string | number, direction: TcDirection, options: TcOptions = {}): Link {
  if (direction !== 'ingress' && direction !== 'egress') {
    throw new RangeError(`tc: direction must be ingress or egress, not ${String(direction)}`);
  }
  const netns = options.netns;
  const label = `tc ${direction} on ${ifaceLabel(iface, netns)} (netlink)`;
  // the filter's name, shown by `tc filter show`: the program's name when its label has one
  const name = prog.label.startsWith('program ') ? prog.label.slice('program '.length) : 'tsbpf';
  return inNetns(netns, () => {
    const ifindex = ifindexOf(iface);
    const id = {
      ifindex,
      direction,
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.handle !== undefined ? { handle: options.handle } : {}),
    };
    const createdQdisc = addClsact(ifindex);
    try {
      addBpfFilter(id, prog.value, { name });
      return new KernelAttachment(prog, 'tc', 'netlink', label, {
        update: (newFd) => inNetns(netns, () => addBpfFilter(id, newFd, { name, replace: true })),
        detach: () =>
          inNetns(netns, () => {
            delBpfFilter(id);
            if (createdQdisc && bpfFilterProgIds({ ifindex, direction: 'ingress' }).length === 0 && bpfFilterProgIds({ ifindex, direction: 'egress' }).length === 0) {
              delClsact(ifindex);
            }
          }),
      });
    } catch (e) {
      if (createdQdisc) delClsact(ifindex);
      throw e;
    }
  });
}
