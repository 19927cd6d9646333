// pcapng files (draft-ietf-opsawg-pcapng), read: section headers in either byte order (several sections
// allowed), interface descriptions with their link types and timestamp resolutions (if_tsresol,
// if_tsoffset), enhanced, simple and obsolete packet blocks; other blocks are skipped.
//
//   every block                                  Enhanced Packet Block (type 6) body
//   +----------------------------------+         +----------------------------------+
//   | block type                       |         | interface id                     |
//   | block total length               |         | timestamp (high 32 bits)         |
//   | body (padded to 32 bits)         |         | timestamp (low 32 bits)          |
//   | block total length               |         | captured length | original length|
//   +----------------------------------+         | data (padded), options           |
//   SHB (0x0a0d0d0a) body: byte-order magic      +----------------------------------+
//   0x1a2b3c4d, version 1.0, section length i64, options
//   IDB (1) body: link type u16, reserved u16, snaplen u32, options (code u16, length u16, value padded)
//   SPB (3) body: original length, data (captured length = min(original, snaplen, what the block holds))
import type { CaptureFile, CapturedPacket } from './pcap.ts';

const SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

interface Interface {
  readonly linkType: number;
  readonly snaplen: number;
  /** Timestamp units per second, as a power: 10^-n (base 10) or 2^-n (base 2). */
  readonly base: 10n | 2n;
  readonly exponent: bigint;
  readonly offsetSeconds: bigint;
}

function toNs(units: bigint, itf: Interface): bigint {
  const per = itf.base ** itf.exponent;
  return (units * 1_000_000_000n) / per + itf.offsetSeconds * 1_000_000_000n;
}

/** Reads a pcapng file; throws a SyntaxError when it does not start with a section header block. */
export function readPcapng(bytes: Uint8Array): CaptureFile {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 28 || v.getUint32(0, true) !== SHB) throw new SyntaxError('pcapng: no section header block at the start');
  const packets: CapturedPacket[] = [];
  let interfaces: Interface[] = [];
  let allInterfaces = 0;
  let le = true;
  let firstLe: boolean | undefined;
  let firstInterface: Interface | undefined;
  let truncated = false;
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) {
      truncated = true;
      break;
    }
    if (v.getUint32(at, true) === SHB) {
      const bom = v.getUint32(at + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (v.getUint32(at + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else throw new SyntaxError(`pcapng: section at offset ${at}: bad byte-order magic 0x${bom.toString(16)}`);
      firstLe ??= le;
      allInterfaces += interfaces.length;
      interfaces = [];
    }
    const type = v.getUint32(at, le);
    const length = v.getUint32(at + 4, le);
    if (length < 12 || length % 4 !== 0) throw new SyntaxError(`pcapng: block at offset ${at}: bad length ${length}`);
    if (at + length > bytes.length) {
      truncated = true;
      break;
    }
    const body = at + 8;
    const bodyEnd = at + length - 4;
    switch (type) {
      case 1: {
        const itf = readInterface(v, body, bodyEnd, le);
        interfaces.push(itf);
        firstInterface ??= itf;
        break;
      }
      case 6:
      case 2: {
        const id = type === 6 ? v.getUint32(body, le) : v.getUint16(body, le);
        const itf = interfaces[id];
        if (itf === undefined) throw new SyntaxError(`pcapng: packet block at offset ${at}: no interface ${id}`);
        const units = (BigInt(v.getUint32(body + 4, le)) << 32n) | BigInt(v.getUint32(body + 8, le));
        const captured = v.getUint32(body + 12, le);
        const original = v.getUint32(body + 16, le);
        if (body + 20 + captured > bodyEnd) throw new SyntaxError(`pcapng: packet block at offset ${at}: ${captured} bytes do not fit`);
        packets.push(packetOf(bytes.slice(body + 20, body + 20 + captured), toNs(units, itf), original, itf, allInterfaces + id));
        break;
      }
      case 3: {
        const itf = interfaces[0];
        if (itf === undefined) throw new SyntaxError(`pcapng: simple packet block at offset ${at}: no interface 0`);
        const original = v.getUint32(body, le);
        let captured = Math.min(original, bodyEnd - body - 4);
        if (itf.snaplen > 0) captured = Math.min(captured, itf.snaplen);
        packets.push(packetOf(bytes.slice(body + 4, body + 4 + captured), 0n, original, itf, allInterfaces));
        break;
      }
      default:
        break;
    }
    at += length;
  }
  const first = firstInterface;
  return {
    format: 'pcapng',
    linkType: first?.linkType ?? 0,
    snaplen: first?.snaplen ?? 0,
    nanosecond: false,
    littleEndian: firstLe ?? true,
    packets,
    truncated,
  };
}

function packetOf(data: Uint8Array, ns: bigint, original: number, itf: Interface, interfaceId: number): CapturedPacket {
  return {
    data,
    timestamp: Number(ns / 1000n) / 1e6,
    timestampNs: ns,
    originalLength: original,
    linkType: itf.linkType,
    interfaceId,
  };
}

function readInterface(v: DataView, body: number, end: number, le: boolean): Interface {
  const linkType = v.getUint16(body, le);
  const snaplen = v.getUint32(body + 4, le);
  let base: 10n | 2n = 10n;
  let exponent = 6n;
  let offsetSeconds = 0n;
  for (let o = body + 8; o + 4 <= end; ) {
    const code = v.getUint16(o, le);
    const len = v.getUint16(o + 2, le);
    if (code === 0) break;
    if (o + 4 + len > end) throw new SyntaxError(`pcapng: interface option ${code} at offset ${o} runs past its block`);
    if (code === 9 && len >= 1) {
      const r = v.getUint8(o + 4);
      base = (r & 0x80) !== 0 ? 2n : 10n;
      exponent = BigInt(r & 0x7f);
    } else if (code === 14 && len >= 8) {
      offsetSeconds = v.getBigInt64(o + 4, le);
    }
    o += 4 + Math.ceil(len / 4) * 4;
  }
  return { linkType, snaplen, base, exponent, offsetSeconds };
}
