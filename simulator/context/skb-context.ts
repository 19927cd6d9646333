// The `struct __sk_buff` context of TC (sched_cls/sched_act) and socket filter programs, as
// BPF_PROG_TEST_RUN builds it on the loopback device: eth_type_trans() sets protocol and pkt_type; TC
// programs see the packet from the Ethernet header (data, data_end), socket filters from the L3 header (and
// read it with ld_abs/ld_ind). Loads of data/data_end/data_meta give packet pointers; the other fields are
// bytes of the context region, written where ctxAccess allows (mark, priority, cb, tc_index, …).
import { contextLayout, fieldByName, type ProgTypeName } from '../../bpf/index.ts';
import { LENGTH_FIELD, POINTER_DATA, POINTER_END, POINTER_META, type Memory, type Region } from '../vm/index.ts';
import { contextAccess, setPointer } from './context-access.ts';
import { PacketBuffer, type WriteWatch } from './packet-buffer.ts';

/** ETH_HLEN */
export const ETH_HLEN = 14;
/** NET_SKB_PAD-like headroom before the frame (what skb_push may use). */
export const SKB_HEADROOM = 64;

export interface SkbContextOptions {
  readonly mark?: number;
  readonly priority?: number;
  /** skb->dev->ifindex; 1 (loopback) by default */
  readonly ifindex?: number;
  readonly ingressIfindex?: number;
  readonly hash?: number;
  /** the program's stores into the packet or the context set watch.written */
  readonly watch?: WriteWatch;
}

export const TC_ACTIONS: Readonly<Record<number, string>> = {
  [-1]: 'TC_ACT_UNSPEC', 0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE',
  4: 'TC_ACT_STOLEN', 5: 'TC_ACT_QUEUED', 6: 'TC_ACT_REPEAT', 7: 'TC_ACT_REDIRECT', 8: 'TC_ACT_TRAP',
};

/** eth_type_trans(): skb->protocol as the __be16 value the context field holds (loaded little endian). */
export function ethTypeTrans(frame: Uint8Array): { protocol: number; pktType: number } {
  const proto = (frame[12]! << 8) | frame[13]!;
  let p: number;
  if (proto >= 0x600) p = proto;
  else if (frame.length >= 16 && frame[14] === 0xff && frame[15] === 0xff) p = 0x0001; // ETH_P_802_3
  else p = 0x0004; // ETH_P_802_2
  // pkt_type: PACKET_HOST (0) when the destination is the device's address (loopback: all zero),
  // PACKET_BROADCAST (1) for ff:ff:ff:ff:ff:ff, PACKET_MULTICAST (2) for group addresses, else OTHERHOST (3).
  const dst = frame.subarray(0, 6);
  let pktType = 3;
  if ((dst[0]! & 1) !== 0) pktType = dst.every((b) => b === 0xff) ? 1 : 2;
  else if (dst.every((b) => b === 0)) pktType = 0;
  return { protocol: ((p & 0xff) << 8) | (p >> 8), pktType };
}

export class SkbContext {
  readonly kind = 'skb';
  readonly progType: ProgTypeName;
  readonly packet: PacketBuffer;
  readonly region: Region;
  readonly view: DataView;

  /** `frame` is the whole Ethernet frame (at least ETH_HLEN bytes: BPF_PROG_TEST_RUN refuses shorter ones). */
  constructor(memory: Memory, progType: ProgTypeName, frame: Uint8Array, options: SkbContextOptions = {}) {
    if (frame.length < ETH_HLEN) throw new RangeError(`skb context: a frame needs at least ${ETH_HLEN} bytes, got ${frame.length}`);
    this.progType = progType;
    const l2 = progType === 'sched_cls' || progType === 'sched_act' || progType === 'lwt_xmit';
    this.packet = new PacketBuffer(memory, frame, SKB_HEADROOM, 0, 'packet', options.watch);
    const watch = options.watch;
    if (!l2) this.packet.setWindow(SKB_HEADROOM + ETH_HLEN, SKB_HEADROOM + ETH_HLEN, this.packet.end);
    const layout = contextLayout('__sk_buff')!;
    const bytes = new Uint8Array(layout.size);
    this.view = new DataView(bytes.buffer);
    const { protocol, pktType } = ethTypeTrans(frame);
    const set = (name: string, v: number) => this.view.setUint32(fieldByName(layout, name)!.offset, v >>> 0, true);
    set('pkt_type', pktType);
    set('protocol', protocol);
    set('mark', options.mark ?? 0);
    set('priority', options.priority ?? 0);
    set('ifindex', options.ifindex ?? 1);
    set('ingress_ifindex', options.ingressIfindex ?? 0);
    set('hash', options.hash ?? 0);
    this.#socketFields(layout, frame, protocol);
    const p = this.packet;
    const offData = fieldByName(layout, 'data')!.offset;
    const offEnd = fieldByName(layout, 'data_end')!.offset;
    const offMeta = fieldByName(layout, 'data_meta')!.offset;
    const offLen = fieldByName(layout, 'len')!.offset;
    const offQueue = fieldByName(layout, 'queue_mapping')!.offset;
    const fields = new Uint8Array(bytes.length);
    fields[offData] = POINTER_DATA;
    fields[offEnd] = POINTER_END;
    fields[offMeta] = POINTER_META;
    fields[offLen] = LENGTH_FIELD;
    this.region = memory.add({
      name: 'ctx (__sk_buff)',
      kind: 'ctx',
      bytes,
      access: contextAccess(progType),
      pureAccess: true,
      pointers: { region: p.region, window: p.window, fields },
      // skb->queue_mapping is a u16: the kernel stores a value only when it is below NO_QUEUE_MAPPING (0xffff)
      store: (offset, _size, lo, hi) => {
        if (watch !== undefined) watch.written = true;
        return offset === offQueue && (hi !== 0 || lo >>> 0 >= 0xffff);
      },
      load: (offset) => {
        if (offset === offData) return p.region.address(p.data);
        if (offset === offEnd) return p.region.address(p.end);
        if (offset === offMeta) return p.region.address(p.meta);
        if (offset === offLen) return BigInt(p.length);
        return undefined;
      },
      loadReg: (offset, _size, lo, hi, d) => {
        if (offset === offData) setPointer(lo, hi, d, p.region, p.data);
        else if (offset === offEnd) setPointer(lo, hi, d, p.region, p.end);
        else if (offset === offMeta) setPointer(lo, hi, d, p.region, p.meta);
        else if (offset === offLen) {
          lo[d] = p.length;
          hi[d] = 0;
        } else return false;
        return true;
      },
    });
  }

  /**
   * The fields read through skb->sk: BPF_PROG_TEST_RUN gives the skb a socket whose family and addresses come
   * from the packet (IPv4: local = source, remote = destination; IPv6 likewise), ports 0; family 0 (AF_UNSPEC)
   * for other protocols. Only cgroup skb programs may read them.
   */
  #socketFields(layout: NonNullable<ReturnType<typeof contextLayout>>, frame: Uint8Array, protocol: number): void {
    const proto = ((protocol & 0xff) << 8) | (protocol >> 8);
    const bytes = new Uint8Array(this.view.buffer);
    const put = (name: string, from: number, size: number) => bytes.set(frame.subarray(from, from + size), fieldByName(layout, name)!.offset);
    if (proto === 0x0800) {
      this.view.setUint32(fieldByName(layout, 'family')!.offset, 2, true);
      if (frame.length >= ETH_HLEN + 20) {
        put('local_ip4', ETH_HLEN + 12, 4);
        put('remote_ip4', ETH_HLEN + 16, 4);
      }
    } else if (proto === 0x86dd) {
      this.view.setUint32(fieldByName(layout, 'family')!.offset, 10, true);
      if (frame.length >= ETH_HLEN + 40) {
        put('local_ip6', ETH_HLEN + 8, 16);
        put('remote_ip6', ETH_HLEN + 24, 16);
      }
    }
  }

  /** Whether the program sees the packet from the Ethernet header (TC), not from L3. */
  get l2(): boolean {
    return this.progType === 'sched_cls' || this.progType === 'sched_act' || this.progType === 'lwt_xmit';
  }

  /** Set a 32-bit field (what helpers change: protocol, hash). */
  setField(name: string, value: number): void {
    const f = fieldByName(contextLayout('__sk_buff')!, name);
    if (f === undefined) throw new RangeError(`__sk_buff has no field ${name}`);
    this.view.setUint32(f.offset, value >>> 0, true);
  }

  /** A 32-bit field of the context by name (mark, priority, tc_index, cb…). */
  field(name: string): number {
    const f = fieldByName(contextLayout('__sk_buff')!, name);
    if (f === undefined) throw new RangeError(`__sk_buff has no field ${name}`);
    if (f.name === 'len') return this.packet.length;
    return this.view.getUint32(f.offset, true);
  }

  /**
   * The whole frame afterwards. Programs that see the packet from L3 (socket filters, cgroup skb) get an
   * Ethernet header's worth of zeros pushed back in front, as BPF_PROG_TEST_RUN does (memset after
   * __skb_push): the original header bytes are not returned.
   */
  output(): Uint8Array {
    const p = this.packet;
    if (this.progType === 'sched_cls' || this.progType === 'sched_act' || this.progType === 'lwt_xmit') return p.region.bytes.slice(p.data, p.end);
    const out = new Uint8Array(ETH_HLEN + p.length);
    out.set(p.region.bytes.subarray(p.data, p.end), ETH_HLEN);
    return out;
  }

  static action(retval: bigint): string {
    return TC_ACTIONS[Number(BigInt.asIntN(32, retval))] ?? `TC_ACT_UNKNOWN(${BigInt.asIntN(32, retval)})`;
  }
}
