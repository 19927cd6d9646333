import { describe, expect, it } from 'vitest';
import { packet, readCapture, readPcapng } from '../../../simulator/packet/index.ts';

const P1 = packet.eth().ipv4().udp({ dport: 53 }).payload('q').build();

/** A pcapng block: type, total length, body padded to 4 bytes, total length again. */
function block(type: number, body: Uint8Array, le = true): Uint8Array {
  const padded = Math.ceil(body.length / 4) * 4;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, out.length, le);
  out.set(body, 8);
  v.setUint32(out.length - 4, out.length, le);
  return out;
}

function fields(spec: readonly (readonly [number, number | bigint])[], le = true): Uint8Array {
  const size = spec.reduce((n, [w]) => n + w, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [w, x] of spec) {
    if (w === 1) v.setUint8(at, Number(x));
    else if (w === 2) v.setUint16(at, Number(x), le);
    else if (w === 4) v.setUint32(at, Number(x), le);
    else v.setBigInt64(at, BigInt(x), le);
    at += w;
  }
  return out;
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('pcapng', () => {
  // Built by hand from the block layouts of draft-ietf-opsawg-pcapng, independently of the reader.
  function handMade(le: boolean): Uint8Array {
    const shb = block(0x0a0d0d0a, fields([[4, 0x1a2b3c4d], [2, 1], [2, 0], [8, -1n]], le), le);
    // Interface 0: Ethernet, snaplen 0, default microsecond resolution.
    const idb0 = block(1, fields([[2, 1], [2, 0], [4, 0]], le), le);
    // Interface 1: raw IP, snaplen 9000, if_tsresol = 9 (nanoseconds), then opt_endofopt.
    const idb1 = block(1, cat(fields([[2, 101], [2, 0], [4, 9000], [2, 9], [2, 1]], le), Uint8Array.of(9, 0, 0, 0), fields([[2, 0], [2, 0]], le)), le);
    const epb = (itf: number, ts: bigint, data: Uint8Array, orig = data.length): Uint8Array =>
      block(6, cat(fields([[4, itf], [4, ts >> 32n], [4, ts & 0xffffffffn], [4, data.length], [4, orig]], le), data, new Uint8Array((4 - (data.length % 4)) % 4)), le);
    const unknown = block(0x0bad, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), le);
    const nrb = block(4, fields([[2, 0], [2, 0]], le), le);
    const spb = block(3, cat(fields([[4, P1.length]], le), P1), le);
    const raw = packet.ipv4().icmp().build();
    return cat(shb, idb0, epb(0, 1_700_000_000_000_001n, P1), unknown, idb1, nrb, epb(1, 1_700_000_000_000_000_002n, raw, 1000), spb);
  }

  for (const le of [true, false]) {
    it(`reads a hand-made ${le ? 'little' : 'big'}-endian file: interfaces, resolutions, EPB and SPB, unknown blocks skipped`, () => {
      const file = readCapture(handMade(le));
      expect(file).toMatchObject({ format: 'pcapng', linkType: 1, littleEndian: le, truncated: false });
      expect(file.packets.map((p) => [p.interfaceId, p.linkType, p.timestampNs, p.originalLength])).toEqual([
        [0, 1, 1_700_000_000_000_001_000n, P1.length],
        [1, 101, 1_700_000_000_000_000_002n, 1000],
        [0, 1, 0n, P1.length],
      ]);
      expect(file.packets[0]!.data).toEqual(P1);
      expect(file.packets[2]!.data).toEqual(P1);
      expect(file.packets[0]!.timestamp).toBeCloseTo(1_700_000_000.000001, 6);
    });
  }

  it('numbers interfaces across sections and reads a section in the other byte order', () => {
    const both = cat(handMade(true), handMade(false));
    const file = readPcapng(both);
    expect(file.packets.map((p) => p.interfaceId)).toEqual([0, 1, 0, 2, 3, 2]);
  });

  it('refuses what is not pcapng and keeps packets before a cut', () => {
    expect(() => readPcapng(new Uint8Array(40))).toThrow(/no section header block/);
    const made = handMade(true);
    const cut = readPcapng(made.subarray(0, made.length - 10));
    expect(cut.truncated).toBe(true);
    expect(cut.packets).toHaveLength(2);
  });
});
