// A packet as the kernel holds it for a run: headroom, the data, tailroom, in one 'packet' region whose
// accessible window is [data_meta, data_end) and moves when helpers adjust the head, the tail or the metadata.
//
//   region bytes:  | headroom ........ | meta | data ................. | tailroom |
//                  0                  meta   data                data_end    length (the hard end)
import type { Memory, Region, StoreHook } from '../vm/index.ts';

/** XDP_PACKET_HEADROOM: what BPF_PROG_TEST_RUN reserves before an XDP packet. */
export const XDP_PACKET_HEADROOM = 256;
/** sizeof(struct xdp_frame): the part of the headroom xdp_adjust_head may not reach. */
export const XDP_FRAME_SIZE = 40;

/**
 * Set when a program stored into a watched packet or context (their regions' StoreHooks set it): a batch runs
 * a frame that no run wrote since it was loaded again on the same bytes, without copying them back in.
 * A StoreHook takes the region off the interpreter's store fast path, so only stores pay for it.
 */
export class WriteWatch {
  written = true;
  /** the StoreHook of a watched packet: marks the write, stores the bytes as usual */
  readonly hook: StoreHook = () => {
    this.written = true;
    return false;
  };
}

export class PacketBuffer {
  readonly region: Region;
  /**
   * data_meta, data, data_end (offsets in the region) as the contexts' PointerFields read them: the
   * interpreter loads a context's pointer fields from here (memory.ts).
   */
  readonly window = new Int32Array(3);
  /**
   * The union of the windows since the buffer was made or reloaded: a program and its helpers reach the
   * bytes only through the window, and it moves only through setWindow, so nothing outside was written.
   */
  #touchedLo: number;
  #touchedHi: number;
  /**
   * Bytes in [#staleFrom, #staleEnd) may hold what an earlier frame or run left: reload does not clear the
   * tail past the frame (most frames are shorter than the one before); the window's end grows only through
   * setWindow, which zeroes them first. Everywhere else the bytes are what a new buffer would hold, or what
   * this run wrote.
   */
  #staleFrom: number;
  #staleEnd: number;

  /** `watch`: the program's stores into the packet set watch.written (none of the fast tier's regions has one) */
  constructor(memory: Memory, packet: Uint8Array, headroom: number, tailroom = 0, name = 'packet', watch?: WriteWatch) {
    const bytes = new Uint8Array(headroom + packet.length + tailroom);
    bytes.set(packet, headroom);
    const store = watch?.hook;
    this.region = memory.add({ name, kind: 'packet', bytes, start: headroom, end: headroom + packet.length, ...(store !== undefined ? { store } : {}) });
    this.meta = headroom;
    this.data = headroom;
    this.end = headroom + packet.length;
    this.#touchedLo = headroom;
    this.#touchedHi = this.end;
    this.#staleFrom = this.end;
    this.#staleEnd = this.end;
  }

  /**
   * Hold `frame` at `headroom` with the window on it, every byte a program can reach being what a new
   * PacketBuffer of the same size would hold: the headroom that runs since the last reload could have written
   * is cleared, the tail past the frame only when a window grows over it (see #staleEnd). The bytes are kept
   * (a fast-tier adopted region stays in linear memory). False when the frame does not fit.
   */
  reload(frame: Uint8Array, headroom: number): boolean {
    const b = this.region.bytes;
    const end = headroom + frame.length;
    if (end > b.length) return false;
    const lo = Math.min(this.#touchedLo, this.region.start);
    const hi = Math.max(this.#touchedHi, this.region.end, this.#staleEnd);
    if (lo < headroom) b.fill(0, lo, headroom);
    b.set(frame, headroom);
    this.meta = headroom;
    this.data = headroom;
    this.end = end;
    this.region.start = headroom;
    this.region.end = end;
    this.#touchedLo = headroom;
    this.#touchedHi = end;
    this.#staleFrom = end;
    this.#staleEnd = hi > end ? hi : end;
    return true;
  }

  get meta(): number {
    return this.window[0]!;
  }

  set meta(v: number) {
    this.window[0] = v;
  }

  get data(): number {
    return this.window[1]!;
  }

  set data(v: number) {
    this.window[1] = v;
  }

  get end(): number {
    return this.window[2]!;
  }

  set end(v: number) {
    this.window[2] = v;
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
    if (end > this.end && end > this.#staleFrom && this.#staleEnd > this.end) {
      // the tail grows over bytes an earlier frame or run left: a new buffer has zeros there
      const from = Math.max(this.end, this.#staleFrom);
      const to = Math.min(end, this.#staleEnd);
      if (from < to) this.region.bytes.fill(0, from, to);
      if (to > this.#staleFrom) this.#staleFrom = to;
    }
    this.meta = meta;
    this.data = data;
    this.end = end;
    this.region.start = meta;
    this.region.end = end;
    if (meta < this.#touchedLo) this.#touchedLo = meta;
    if (end > this.#touchedHi) this.#touchedHi = end;
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
      this.#touchedLo += extra;
      this.#touchedHi += extra;
      this.#staleFrom += extra;
      this.#staleEnd += extra;
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
