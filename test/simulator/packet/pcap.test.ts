import { describe, expect, it } from 'vitest';
import { LinkType, packet, readCapture, readPcap, writePcap } from '../../../simulator/packet/index.ts';
import { hex, pythonAvailable, runPython, unhex } from './python.ts';

const P1 = packet.eth().ipv4().udp({ dport: 53 }).payload('q').build();
const P2 = packet.eth().ipv6().tcp({ flags: ['syn'] }).build();

describe('pcap', () => {
  it('writes the libpcap layout byte for byte (little-endian, microseconds)', () => {
    const file = writePcap([{ data: Uint8Array.of(1, 2, 3), timestamp: 1.25 }]);
    expect(hex(file)).toBe(
      hex(
        unhex(`d4c3b2a1 0200 0400 00000000 00000000 00000400 01000000
               01000000 90d00300 03000000 03000000 010203`),
      ),
    );
  });

  it('round-trips packets in both byte orders and both resolutions', () => {
    for (const bigEndian of [false, true]) {
      for (const nanosecond of [false, true]) {
        const file = writePcap(
          [
            { data: P1, timestamp: 1_700_000_000n * 1_000_000_000n + 123_456_789n },
            { data: P2, timestamp: 5, originalLength: 1500 },
          ],
          { bigEndian, nanosecond, linkType: 'ethernet' },
        );
        const read = readCapture(file);
        expect(read).toMatchObject({ format: 'pcap', linkType: LinkType.ETHERNET, nanosecond, littleEndian: !bigEndian, truncated: false });
        expect(read.packets.map((p) => p.data)).toEqual([P1, P2]);
        expect(read.packets[0]!.timestampNs).toBe(1_700_000_000_123_456_789n - (nanosecond ? 0n : 789n));
        expect(read.packets[1]).toMatchObject({ timestamp: 5, originalLength: 1500 });
      }
    }
  });

  it('cuts packets at the snap length and keeps the wire length', () => {
    const read = readPcap(writePcap([{ data: P1 }], { snaplen: 20, linkType: 'raw' }));
    expect(read.linkType).toBe(101);
    expect(read.packets[0]).toMatchObject({ originalLength: P1.length });
    expect(read.packets[0]!.data).toEqual(P1.subarray(0, 20));
  });

  it('keeps the whole records of a file cut short and says so', () => {
    const file = writePcap([{ data: P1 }, { data: P2 }]);
    const read = readPcap(file.subarray(0, file.length - 3));
    expect(read.truncated).toBe(true);
    expect(read.packets).toHaveLength(1);
    expect(() => readPcap(new Uint8Array(24))).toThrow(/^pcap: bad magic 0x00000000$/);
  });

  it.runIf(pythonAvailable('pcap against python'))('agrees with a reader and a writer written in Python with struct', () => {
    const ours = writePcap(
      [
        { data: P1, timestamp: 10.5 },
        { data: P2, timestamp: 11 },
      ],
      { nanosecond: true, bigEndian: true },
    );
    const script = String.raw`
import sys, json, struct
req = json.load(sys.stdin)
f = bytes.fromhex(req['file'])
magic, major, minor, zone, sig, snap, link = struct.unpack('>IHHiIII', f[:24])
recs = []; off = 24
while off < len(f):
    s, frac, incl, orig = struct.unpack('>IIII', f[off:off+16]); off += 16
    recs.append([s, frac, orig, f[off:off+incl].hex()]); off += incl
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)
for i, p in enumerate(req['packets']):
    d = bytes.fromhex(p)
    out += struct.pack('<IIII', 100 + i, 250000, len(d), len(d)) + d
print(json.dumps({'header': [hex(magic), major, minor, snap, link], 'recs': recs, 'written': out.hex()}))`;
    const raw1 = packet.ipv4().icmp().build();
    const raw2 = packet.ipv6().udp().build();
    const py = runPython(script, { file: hex(ours), packets: [hex(raw1), hex(raw2)] }) as {
      header: unknown[];
      recs: unknown[][];
      written: string;
    };
    expect(py.header).toEqual(['0xa1b23c4d', 2, 4, 262144, 1]);
    expect(py.recs).toEqual([
      [10, 500_000_000, P1.length, hex(P1)],
      [11, 0, P2.length, hex(P2)],
    ]);
    const theirs = readPcap(unhex(py.written));
    expect(theirs).toMatchObject({ linkType: LinkType.RAW, snaplen: 65535, nanosecond: false, littleEndian: true });
    expect(theirs.packets.map((p) => [p.timestamp, p.data])).toEqual([
      [100.25, raw1],
      [101.25, raw2],
    ]);
  });
});
