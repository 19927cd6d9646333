// Classic pcap files (the libpcap format, draft-ietf-opsawg-pcap): read in either byte order with
// microsecond or nanosecond timestamps; written little-endian by default.
//
//   file header (24 bytes)                          record header (16 bytes), then incl_len bytes
//   +-------------------------------------------+   +-------------------------------------------+
//   | magic 0xa1b2c3d4 (µs) / 0xa1b23c4d (ns)   |   | ts_sec                                    |
//   | version_major 2       | version_minor 4   |   | ts_usec (or ts_nsec)                      |
//   | thiszone (0)                              |   | incl_len (bytes captured)                 |
//   | sigfigs (0)                               |   | orig_len (bytes on the wire)              |
//   | snaplen                                   |   +-------------------------------------------+
//   | link type (1 Ethernet, 101 raw IP, …)     |
//   +-------------------------------------------+

export const LinkType = {
  ETHERNET: 1,
  /** Raw IP, version from the first nibble (LINKTYPE_RAW). */
  RAW: 101,
  IPV4: 228,
  IPV6: 229,
} as const;

export interface CapturedPacket {
  readonly data: Uint8Array;
  /** Seconds since the epoch (a float; `timestampNs` is exact). */
  readonly timestamp: number;
  readonly timestampNs: bigint;
  /** Length on the wire (at least data.length unless the file says otherwise). */
  readonly originalLength: number;
  readonly linkType: number;
  /** pcapng interface index (0 for classic pcap). */
  readonly interfaceId: number;
}

export interface CaptureFile {
  readonly format: 'pcap' | 'pcapng';
  /** The first interface's link type (the file's, for classic pcap). */
  readonly linkType: number;
  readonly snaplen: number;
  /** Classic pcap: nanosecond magic. */
  readonly nanosecond: boolean;
  readonly littleEndian: boolean;
  readonly packets: readonly CapturedPacket[];
  /** The file ends inside a record (the packets before it are kept). */
  readonly truncated: boolean;
}

export interface PacketToWrite {
  readonly data: Uint8Array;
  /** Seconds (a number) or nanoseconds (a bigint) since the epoch; 0 by default. */
  readonly timestamp?: number | bigint;
  /** Length on the wire; data.length by default. */
  readonly originalLength?: number;
}

export interface WritePcapOptions {
  /** A number or `ethernet` (1, the default) / `raw` (101). */
  readonly linkType?: number | 'ethernet' | 'raw';
  readonly nanosecond?: boolean;
  /** Little-endian by default. */
  readonly bigEndian?: boolean;
  readonly snaplen?: number;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

function toNs(t: number | bigint | undefined): bigint {
  if (t === undefined) return 0n;
  if (typeof t === 'bigint') return t;
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`pcap: timestamp ${t} is not a time`);
  const sec = Math.floor(t);
  return BigInt(sec) * 1_000_000_000n + BigInt(Math.round((t - sec) * 1e9));
}

/**
 * A classic pcap file holding `packets`.
 *
 * @example
 * writeFileSync('out.pcap', writePcap([{ data: packet.eth().ipv4().udp().build(), timestamp: 1.5 }]))
 */
export function writePcap(packets: readonly PacketToWrite[], options: WritePcapOptions = {}): Uint8Array {
  const linkType = options.linkType === 'raw' ? LinkType.RAW : options.linkType === 'ethernet' || options.linkType === undefined ? LinkType.ETHERNET : options.linkType;
  const le = options.bigEndian !== true;
  const ns = options.nanosecond === true;
  const snaplen = options.snaplen ?? 262144;
  const size = 24 + packets.reduce((n, p) => n + 16 + Math.min(p.data.length, snaplen), 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, ns ? MAGIC_NS : MAGIC_US, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, snaplen, le);
  v.setUint32(20, linkType, le);
  let at = 24;
  for (const p of packets) {
    const t = toNs(p.timestamp);
    const sec = t / 1_000_000_000n;
    if (sec > 0xffffffffn) throw new RangeError(`pcap: timestamp ${t} ns is past 2106`);
    const frac = Number(t % 1_000_000_000n);
    const incl = Math.min(p.data.length, snaplen);
    v.setUint32(at, Number(sec), le);
    v.setUint32(at + 4, ns ? frac : Math.floor(frac / 1000), le);
    v.setUint32(at + 8, incl, le);
    v.setUint32(at + 12, p.originalLength ?? p.data.length, le);
    out.set(p.data.subarray(0, incl), at + 16);
    at += 16 + incl;
  }
  return out;
}

/** Reads a classic pcap file; throws a SyntaxError when it is not one. */
export function readPcap(bytes: Uint8Array): CaptureFile {
  if (bytes.length < 24) throw new SyntaxError(`pcap: ${bytes.length} bytes is too short for a file header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;

  const m = v.getUint32(0, true);
  if (m === MAGIC_US || m === MAGIC_NS) le = true;
  else if (v.getUint32(0, false) === MAGIC_US || v.getUint32(0, false) === MAGIC_NS) le = false;
  else throw new SyntaxError(`pcap: bad magic 0x${m.toString(16).padStart(8, '0')}`);
  const ns = v.getUint32(0, le) === MAGIC_NS;
  const snaplen = v.getUint32(16, le);
  const linkType = v.getUint32(20, le) & 0xffff;
  const packets: CapturedPacket[] = [];
  let at = 24;
  let truncated = false;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) {
      truncated = true;
      break;
    }
    const sec = v.getUint32(at, le);
    const frac = v.getUint32(at + 4, le);
    const incl = v.getUint32(at + 8, le);
    const orig = v.getUint32(at + 12, le);
    if (at + 16 + incl > bytes.length) {
      truncated = true;
      break;
    }
    const timestampNs = BigInt(sec) * 1_000_000_000n + BigInt(ns ? frac : frac * 1000);
    packets.push({
      data: bytes.slice(at + 16, at + 16 + incl),
      timestamp: sec + (ns ? frac / 1e9 : frac / 1e6),
      timestampNs,
      originalLength: orig,
      linkType,
      interfaceId: 0,
    });
    at += 16 + incl;
  }
  return { format: 'pcap', linkType, snaplen, nanosecond: ns, littleEndian: le, packets, truncated };
}
