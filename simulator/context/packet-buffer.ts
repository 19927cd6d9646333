// A packet as the kernel holds it for a run: headroom, the data, tailroom, in one 'packet' region whose
// accessible window is [data_meta, data_end) and moves when helpers adjust the head, the tail or the metadata.
//
//   region bytes:  | headroom ........ | meta | data ................. | tailroom |
//                  0                  meta   data                data_end    length (the hard end)
import type { Memory, Region } from '../vm/index.ts';

/** XDP_PACKET_HEADROOM: what BPF_PROG_TEST_RUN reserves before an XDP packet. */
export const XDP_PACKET_HEADROOM = 256;
/** sizeof(struct xdp_frame): the part of the headroom xdp_adjust_head may not reach. */
export const XDP_FRAME_SIZE = 40;

export class PacketBuffer {
  readonly region: Region;
  meta: number;
  data: number;
  end: number;

  constructor(memory: Memory, packet: Uint8Array, headroom: number, tailroom = 0, name = 'packet') {
    const bytes = new Uint8Array(headroom + packet.length + tailroom);
    bytes.set(packet, headroom);
    this.region = memory.add({ name, kind: 'packet', bytes, start: headroom, end: headroom + packet.length });
    this.meta = headroom;
    this.data = headroom;
    this.end = headroom + packet.length;
  }

  /** bytes from data to data_end */
  get length(): number {
    return this.end - this.data;
  }

  /** the end of the buffer (how far data_end may grow) */
  get hardEnd(): number {
    return this.region.bytes.length;
  }

  /** Move the window (after a head or meta adjustment). */
  setWindow(meta: number, data: number, end: number): void {
    this.meta = meta;
    this.data = data;
    this.end = end;
    this.region.start = meta;
    this.region.end = end;
  }

  /** the address of `offset` bytes past data */
  address(offset = 0): bigint {
    return this.region.address(this.data + offset);
  }

  /** The packet's bytes now (a copy). */
  output(): Uint8Array {
    return this.region.bytes.slice(this.data, this.end);
  }

  /** A view of `len` bytes at `offset` past data, or undefined when out of [data, data_end). */
  view(offset: number, len: number): Uint8Array | undefined {
    if (offset < 0 || len < 0 || offset + len > this.length) return undefined;
    return this.region.bytes.subarray(this.data + offset, this.data + offset + len);
  }

  /**
   * Insert `len` zero bytes `offset` bytes past data, moving the `offset` bytes before them back into the
   * headroom (the kernel's bpf_skb_generic_push: skb_push, memmove the header, memset the gap). Grows the
   * headroom when it is too small, as skb_cow does.
   */
  insert(offset: number, len: number): void {
    if (this.data - len < 0) {
      const extra = len - this.data + 64;
      const bytes = new Uint8Array(this.region.bytes.length + extra);
      bytes.set(this.region.bytes, extra);
      this.region.setBytes(bytes);
      this.meta += extra;
      this.data += extra;
      this.end += extra;
    }
    const b = this.region.bytes;
    b.copyWithin(this.data - len, this.data, this.data + offset);
    b.fill(0, this.data - len + offset, this.data + offset);
    this.setWindow(this.data - len, this.data - len, this.end);
  }

  /** Remove `len` bytes `offset` bytes past data, moving the bytes before them forward (bpf_skb_generic_pop). */
  remove(offset: number, len: number): void {
    const b = this.region.bytes;
    b.copyWithin(this.data + len, this.data, this.data + offset);
    this.setWindow(this.data + len, this.data + len, this.end);
  }
}
