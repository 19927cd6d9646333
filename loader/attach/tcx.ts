// tcx: TC ingress/egress hooks with BPF links (BPF_LINK_CREATE with BPF_TCX_INGRESS / BPF_TCX_EGRESS;
// Linux 6.6). The program is a SCHED_CLS program, normally loaded with the matching expected attach type
// (section `tcx/ingress` or `tcx/egress`, as libbpf does; Linux 6.18 also takes one loaded without it); its
// return value is the action (TCX_NEXT -1, TCX_PASS 0, TCX_DROP 2, TCX_REDIRECT 7).
import { linkCreate, type Fd } from '../sys/index.ts';
import { inNetns } from '../netlink/index.ts';
import { ifaceLabel, ifindexOf, type IfaceOptions } from './iface.ts';
import { BpfLink } from './link.ts';

/** enum bpf_attach_type for each tcx hook. */
export const TCX_ATTACH_TYPE = { ingress: 46, egress: 47 } as const;

export type TcxDirection = keyof typeof TCX_ATTACH_TYPE;

/**
 * Attaches a SCHED_CLS program to the tcx hook of an interface, after the programs already there.
 *
 * @example
 * using link = attachTcx(coll.programs.get('tcx_count')!, 'veth0', 'ingress');
 */
export function attachTcx(prog: Fd, iface: string | number, direction: TcxDirection, options: IfaceOptions = {}): BpfLink {
  const attachType = TCX_ATTACH_TYPE[direction];
  if (attachType === undefined) throw new RangeError(`tcx: direction must be ingress or egress, not ${String(direction)}`);
  const label = `tcx ${direction} on ${ifaceLabel(iface, options.netns)}`;
  return inNetns(options.netns, () => {
    const fd = linkCreate({ prog, target: ifindexOf(iface), attachType });
    return new BpfLink(fd, 'tcx', label);
  });
}
