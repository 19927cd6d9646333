// The routes, neighbours and devices bpf_fib_lookup (69) consults in the simulator: a configurable table
// instead of the kernel's FIB, with net/core/filter.c's results (bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup).
//
//   struct bpf_fib_lookup (64 bytes)
//   0 family  1 l4_protocol  2 sport  4 dport  6 tot_len / mtu_result  8 ifindex  12 tos / flowinfo
//   16 ipv4_src / ipv6_src[4]  32 ipv4_dst / ipv6_dst[4]  48 h_vlan_proto  50 h_vlan_TCI  52 smac[6]  58 dmac[6]
import { ipv4Bytes, ipv6Bytes, macBytes } from '../packet/index.ts';

export interface FibRoute {
  /** `10.0.0.0/8`, `2001:db8::/32` */
  readonly prefix: string;
  /** the output device */
  readonly ifindex: number;
  /** the next hop, when not directly connected */
  readonly gateway?: string;
  /** 'local' stands for the local table's local and broadcast routes (not forwarded) */
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local';
  /** the route's priority (written to rt_metric) */
  readonly metric?: number;
  /**
   * A locked route MTU (`ip route ... mtu lock N`). Forwarding uses the device's MTU otherwise: an unlocked
   * route MTU counts only with net.ipv4.ip_forward_use_pmtu (ip_mtu_from_fib_result), so leave it out.
   */
  readonly mtu?: number;
  /** the preferred source address (BPF_FIB_LOOKUP_SRC) */
  readonly source?: string;
}

export interface FibDevice {
  readonly mac: string;
  readonly mtu?: number;
  /** net.ipv4.conf.*.forwarding (true by default) */
  readonly forwarding?: boolean;
}

export interface FibTable {
  readonly routes: readonly FibRoute[];
  /** next-hop address -> MAC (reachable neighbours) */
  readonly neighbours?: Readonly<Record<string, string>>;
  /** devices by ifindex; a lookup whose ifindex is not here fails with -ENODEV */
  readonly devices: Readonly<Record<number, FibDevice>>;
}

export const BPF_FIB_LKUP_RET = {
  SUCCESS: 0, BLACKHOLE: 1, UNREACHABLE: 2, PROHIBIT: 3, NOT_FWDED: 4, FWD_DISABLED: 5, UNSUPP_LWT: 6, NO_NEIGH: 7, FRAG_NEEDED: 8, NO_SRC_ADDR: 9,
} as const;

const FLAG = { DIRECT: 1, OUTPUT: 2, SKIP_NEIGH: 4, TBID: 8, SRC: 16, MARK: 32 } as const;
const ALL_FLAGS = 63n;
const AF_INET = 2;
const AF_INET6 = 10;
const EINVAL = 22;
const ENODEV = 19;
const EAFNOSUPPORT = 97;
export const FIB_LOOKUP_SIZE = 64;

function matches(prefix: Uint8Array, bits: number, addr: Uint8Array): boolean {
  for (let i = 0; i < bits; i++) {
    const m = 0x80 >> (i & 7);
    if ((prefix[i >> 3]! & m) !== (addr[i >> 3]! & m)) return false;
  }
  return true;
}

/**
 * bpf_fib_lookup on `params` (the program's 64 bytes, changed in place): a BPF_FIB_LKUP_RET_* value, or a
 * negative errno. `packetLen` is the skb's length (the MTU check when tot_len is 0; -1 for XDP, which checks only
 * tot_len).
 */
export function fibLookup(table: FibTable | undefined, params: Uint8Array, flags: bigint, packetLen: number): number {
  if ((flags & ~ALL_FLAGS) !== 0n) return -EINVAL;
  const f = Number(flags);
  const view = new DataView(params.buffer, params.byteOffset, params.byteLength);
  const family = params[0]!;
  if (family !== AF_INET && family !== AF_INET6) return -EAFNOSUPPORT;
  const v6 = family === AF_INET6;
  const size = v6 ? 16 : 4;
  const device = table?.devices[view.getUint32(8, true)];
  if (device === undefined) return -ENODEV;
  if ((f & FLAG.OUTPUT) === 0 && device.forwarding === false) return BPF_FIB_LKUP_RET.FWD_DISABLED;
  const dst = params.slice(32, 32 + size);
  const ifindex = view.getUint32(8, true);
  // BPF_FIB_LOOKUP_DIRECT skips the policy rules; without rules of its own the kernel keeps the local and
  // main tables merged, so it finds the same routes. BPF_FIB_LOOKUP_OUTPUT looks up with the device as the
  // output interface: unicast and local routes through other devices do not match (blackhole, unreachable
  // and prohibit routes answer before devices are compared).
  let best: FibRoute | undefined;
  let bestBits = -1;
  for (const r of table?.routes ?? []) {
    const [net, len] = r.prefix.split('/');
    const isV6 = net!.includes(':');
    if (isV6 !== v6) continue;
    const special = r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit';
    if ((f & FLAG.OUTPUT) !== 0 && !special && r.ifindex !== ifindex) continue;
    const bytes = v6 ? ipv6Bytes(net!) : ipv4Bytes(net!);
    const bits = len === undefined ? size * 8 : Number(len);
    if (bits > bestBits && matches(bytes, bits, dst)) {
      best = r;
      bestBits = bits;
    }
  }
  if (best === undefined || best.type === 'local') return BPF_FIB_LKUP_RET.NOT_FWDED;
  if (best.type === 'blackhole') return BPF_FIB_LKUP_RET.BLACKHOLE;
  if (best.type === 'unreachable') return BPF_FIB_LKUP_RET.UNREACHABLE;
  if (best.type === 'prohibit') return BPF_FIB_LKUP_RET.PROHIBIT;
  const out = table!.devices[best.ifindex];
  if (out === undefined) return BPF_FIB_LKUP_RET.NOT_FWDED;
  const mtu = best.mtu ?? out.mtu ?? 1500;
  const totLen = view.getUint16(6, true);
  if (totLen !== 0 ? totLen > mtu : packetLen >= 0 && packetLen - 14 > mtu) {
    view.setUint16(6, mtu, true);
    return BPF_FIB_LKUP_RET.FRAG_NEEDED;
  }
  // from here on the kernel fills the output fields in this order, so a later failure leaves the earlier ones
  view.setUint32(12, best.metric ?? 0, true);
  view.setUint32(8, best.ifindex, true);
  if ((f & FLAG.SRC) !== 0) {
    if (best.source === undefined) return BPF_FIB_LKUP_RET.NO_SRC_ADDR;
    params.set(v6 ? ipv6Bytes(best.source) : ipv4Bytes(best.source), 16);
  }
  const nextHop = best.gateway === undefined ? dst : v6 ? ipv6Bytes(best.gateway) : ipv4Bytes(best.gateway);
  if (best.gateway !== undefined) params.set(nextHop, 32);
  if ((f & FLAG.SKIP_NEIGH) === 0) {
    const key = Object.keys(table!.neighbours ?? {}).find((a) => {
      const b = a.includes(':') ? ipv6Bytes(a) : ipv4Bytes(a);
      return b.length === nextHop.length && b.every((x, i) => x === nextHop[i]);
    });
    if (key === undefined) return BPF_FIB_LKUP_RET.NO_NEIGH;
    params.set(macBytes(table!.neighbours![key]!), 58);
    params.set(macBytes(out.mac), 52);
  }
  view.setUint32(48, 0, true);
  view.setUint16(6, mtu, true);
  return BPF_FIB_LKUP_RET.SUCCESS;
}
