// Interfaces named by the caller: a name or an ifindex, in the current or a given network namespace.
import { linkIndex } from '../netlink/index.ts';

/** Where a network program attaches: an interface, optionally inside a network namespace. */
export interface IfaceOptions {
  /**
   * A network namespace file (`/run/netns/NAME`, as `ip netns add` creates): the interface is looked up,
   * and the program attached and later detached, inside it.
   */
  readonly netns?: string;
}

/** The ifindex of `iface` in the current namespace. */
export function ifindexOf(iface: string | number): number {
  if (typeof iface === 'number') {
    if (!Number.isInteger(iface) || iface <= 0) throw new RangeError(`ifindex ${iface} is not a positive integer`);
    return iface;
  }
  return linkIndex(iface);
}

/** `veth0` or `ifindex 4`, plus ` in <netns>`. */
export function ifaceLabel(iface: string | number, netns: string | undefined): string {
  const name = typeof iface === 'number' ? `ifindex ${iface}` : iface;
  return netns === undefined ? name : `${name} in ${netns}`;
}
