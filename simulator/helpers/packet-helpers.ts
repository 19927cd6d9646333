// Helpers that change the packet's bounds or its skb, with net/core/filter.c's checks and errno values:
// bpf_xdp_adjust_tail (65), bpf_xdp_adjust_meta (54), bpf_skb_pull_data (39), bpf_skb_change_proto (31),
// bpf_skb_adjust_room (50) and bpf_get_hash_recalc (34). The simulator's skb is always linear, as
// BPF_PROG_TEST_RUN's is, so pulling never moves data; it only fails past the packet's end.
import { ETH_HLEN, XDP_FRAME_SIZE, type PacketBuffer, type SkbContext } from '../context/index.ts';
import type { HelperContext, HelperFunction } from '../vm/index.ts';
import type { HelperEnv } from './helper-env.ts';
import { flowHash } from './flow-hash.ts';

const EINVAL = 22;
const EFAULT = 14;
const ENOMEM = 12;
const EACCES = 13;
/** the kernel-internal ENOTSUPP (524), which these helpers do return to programs */
const ENOTSUPP = 524;
/** skb_shared_info.meta_len is a u8 */
const META_MAX = 255;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const BPF_ADJ_ROOM_NET = 0;
const BPF_ADJ_ROOM_MAC = 1;
/** BPF_F_ADJ_ROOM_FIXED_GSO | ENCAP_L3_IPV4 | ENCAP_L3_IPV6 | ENCAP_L4_GRE | ENCAP_L4_UDP | ENCAP_L2(0xff) | ENCAP_L2_ETH | DECAP_L3_IPV4 | DECAP_L3_IPV6 */
const BPF_F_ADJ_ROOM_MASK = 0x1n | 0x2n | 0x4n | 0x8n | 0x10n | (0xffn << 56n) | 0x40n | 0x80n | 0x100n;
const BPF_F_ADJ_ROOM_NO_CSUM_RESET = 0x20n;
const BPF_F_ADJ_ROOM_FIXED_GSO = 0x1n;
/** loopback's MTU + hard_header_len: __bpf_skb_max_len() */
const SKB_MAX_LEN = 65536 + ETH_HLEN;

function neg(n: number): bigint {
  return BigInt.asUintN(64, BigInt(-n));
}

/** skb->protocol as a host-order ethertype (the context field holds it as loaded: big endian bytes). */
function protocolOf(skb: SkbContext): number {
  const v = skb.field('protocol');
  return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
}

function setProtocol(skb: SkbContext, proto: number): void {
  skb.setField('protocol', ((proto & 0xff) << 8) | (proto >> 8));
}

export function packetHelpers(env: HelperEnv): Record<number, HelperFunction> {
  const xdp = (vm: HelperContext, helper: string): PacketBuffer => {
    if (env.packet === undefined || env.contextKind !== 'xdp') return vm.fault(`${helper} needs an XDP context`);
    return env.packet;
  };
  const tcSkb = (vm: HelperContext, helper: string): { p: PacketBuffer; skb: SkbContext } => {
    if (env.packet === undefined || env.skb === undefined) return vm.fault(`${helper} needs an skb context`);
    if (!env.skb.l2) return vm.fault(`${helper} is for TC programs (the packet from its Ethernet header)`);
    return { p: env.packet, skb: env.skb };
  };
  /** bpf_skb_net_base_len(): the fixed IP header's length */
  const baseLen = (proto: number) => (proto === ETH_P_IP ? 20 : proto === ETH_P_IPV6 ? 40 : 0);

  return {
    65: (r, vm) => {
      const p = xdp(vm, 'bpf_xdp_adjust_tail');
      const offset = Number(BigInt.asIntN(32, r.get(2)));
      const end = p.end + offset;
      if (end > p.hardEnd) return neg(EINVAL);
      if (end < p.data + ETH_HLEN) return neg(EINVAL);
      if (offset > 0) p.region.bytes.fill(0, p.end, end);
      p.setWindow(p.meta, p.data, end);
      return 0;
    },
    54: (r, vm) => {
      const p = xdp(vm, 'bpf_xdp_adjust_meta');
      const offset = Number(BigInt.asIntN(32, r.get(2)));
      const meta = p.meta + offset;
      const metalen = p.data - meta;
      if (meta < XDP_FRAME_SIZE || meta > p.data) return neg(EINVAL);
      if ((metalen & 3) !== 0 || metalen > META_MAX) return neg(EACCES);
      p.setWindow(meta, p.data, p.end);
      return 0;
    },
    39: (r, vm) => {
      if (env.packet === undefined || env.contextKind !== 'skb') return vm.fault('bpf_skb_pull_data needs an skb context');
      const len = r.u32(2);
      return len > env.packet.length ? neg(ENOMEM) : 0;
    },
    31: (r, vm) => {
      const { p, skb } = tcSkb(vm, 'bpf_skb_change_proto');
      const to = ((r.u32(2) & 0xff) << 8) | ((r.u32(2) >> 8) & 0xff);
      if (r.get(3) !== 0n) return neg(EINVAL);
      const from = protocolOf(skb);
      if (from === ETH_P_IP && to === ETH_P_IPV6) {
        p.insert(ETH_HLEN, 20);
      } else if (from === ETH_P_IPV6 && to === ETH_P_IP) {
        if (p.length < ETH_HLEN + 20) return neg(ENOMEM);
        p.remove(ETH_HLEN, 20);
      } else return neg(ENOTSUPP);
      setProtocol(skb, to);
      skb.setField('hash', 0);
      return 0;
    },
    50: (r, vm) => {
      const { p, skb } = tcSkb(vm, 'bpf_skb_adjust_room');
      const lenDiff = Number(BigInt.asIntN(32, r.get(2)));
      const mode = r.u32(3);
      const flags = r.get(4);
      const abs = Math.abs(lenDiff);
      const shrink = lenDiff < 0;
      const proto = protocolOf(skb);
      if ((flags & ~(BPF_F_ADJ_ROOM_MASK | BPF_F_ADJ_ROOM_NO_CSUM_RESET)) !== 0n) return neg(EINVAL);
      if (abs > 0xfff) return neg(EFAULT);
      if (proto !== ETH_P_IP && proto !== ETH_P_IPV6) return neg(ENOTSUPP);
      let off = ETH_HLEN;
      if (mode === BPF_ADJ_ROOM_NET) off += baseLen(proto);
      else if (mode !== BPF_ADJ_ROOM_MAC) return neg(ENOTSUPP);
      if ((flags & ~(BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_NO_CSUM_RESET)) !== 0n) {
        return vm.fault('bpf_skb_adjust_room: the encapsulation and decapsulation flags are not implemented by the simulator');
      }
      const lenCur = p.length - ETH_HLEN;
      if ((shrink && (abs >= lenCur || lenCur - abs < baseLen(proto))) || (!shrink && p.length + abs > SKB_MAX_LEN)) return neg(ENOTSUPP);
      if (shrink) {
        if (off + abs > p.length) return neg(ENOMEM);
        p.remove(off, abs);
      } else p.insert(off, abs);
      return 0;
    },
    34: (_r, vm) => {
      if (env.packet === undefined || env.skb === undefined) return vm.fault('bpf_get_hash_recalc needs an skb context');
      const skb = env.skb;
      const h = skb.field('hash') !== 0 ? skb.field('hash') : flowHash(env.packet.output(), skb.l2 ? 0 : -1);
      skb.setField('hash', h);
      return h;
    },
  };
}
