// The XDP context, `struct xdp_md`, as BPF_PROG_TEST_RUN builds it: loads of data, data_end and data_meta
// give packet pointers (the kernel's convert_ctx_access), the rest are scalars; the context is read-only.
//
//   struct xdp_md { __u32 data; __u32 data_end; __u32 data_meta; __u32 ingress_ifindex;
//                   __u32 rx_queue_index; __u32 egress_ifindex; }         (24 bytes)
import { POINTER_DATA, POINTER_END, POINTER_META, type Memory, type Region } from '../vm/index.ts';
import { contextAccess, setPointer } from './context-access.ts';
import { PacketBuffer, XDP_PACKET_HEADROOM, type WriteWatch } from './packet-buffer.ts';

export interface XdpContextOptions {
  /** 1 by default (the loopback device BPF_PROG_TEST_RUN uses) */
  readonly ingressIfindex?: number;
  readonly rxQueueIndex?: number;
  readonly egressIfindex?: number;
  /** the program's stores into the packet set watch.written (the context is read-only) */
  readonly watch?: WriteWatch;
}

/** PAGE_SIZE - XDP_PACKET_HEADROOM - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 (4096 - 256 - 320). */
export const XDP_MAX_LINEAR = 3520;

export const XDP_ACTIONS = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'] as const;

export class XdpContext {
  readonly kind = 'xdp';
  readonly packet: PacketBuffer;
  readonly region: Region;

  constructor(memory: Memory, packet: Uint8Array, options: XdpContextOptions = {}) {
    // BPF_PROG_TEST_RUN's frame is one page: 256 bytes of headroom, up to XDP_MAX_LINEAR bytes of data, and
    // skb_shared_info; xdp_adjust_tail may grow the data up to that limit.
    this.packet = new PacketBuffer(memory, packet, XDP_PACKET_HEADROOM, Math.max(0, XDP_MAX_LINEAR - packet.length), 'packet', options.watch);
    const bytes = new Uint8Array(24);
    const view = new DataView(bytes.buffer);
    view.setUint32(12, options.ingressIfindex ?? 1, true);
    view.setUint32(16, options.rxQueueIndex ?? 0, true);
    view.setUint32(20, options.egressIfindex ?? 0, true);
    const p = this.packet;
    const fields = new Uint8Array(bytes.length);
    fields[0] = POINTER_DATA;
    fields[4] = POINTER_END;
    fields[8] = POINTER_META;
    this.region = memory.add({
      name: 'ctx (xdp_md)',
      kind: 'ctx',
      bytes,
      access: contextAccess('xdp'),
      pureAccess: true,
      pointers: { region: p.region, window: p.window, fields },
      load: (offset) => {
        if (offset === 0) return p.region.address(p.data);
        if (offset === 4) return p.region.address(p.end);
        if (offset === 8) return p.region.address(p.meta);
        return undefined;
      },
      loadReg: (offset, _size, lo, hi, d) => {
        if (offset === 0) setPointer(lo, hi, d, p.region, p.data);
        else if (offset === 4) setPointer(lo, hi, d, p.region, p.end);
        else if (offset === 8) setPointer(lo, hi, d, p.region, p.meta);
        else return false;
        return true;
      },
    });
  }

  /**
   * The packet afterwards as BPF_PROG_TEST_RUN returns it: from data_meta to data_end (metadata a program
   * added with bpf_xdp_adjust_meta comes first).
   */
  output(): Uint8Array {
    const p = this.packet;
    return p.region.bytes.slice(p.meta, p.end);
  }

  /** The action name of an XDP return value. */
  static action(retval: bigint): string {
    return XDP_ACTIONS[Number(retval)] ?? `XDP_UNKNOWN(${retval})`;
  }
}
