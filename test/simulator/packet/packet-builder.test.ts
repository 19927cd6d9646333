import { describe, expect, it } from 'vitest';
import { packet, parsePacket } from '../../../simulator/packet/index.ts';
import { hex, PY_VERIFY, pythonAvailable, runPython, unhex } from './python.ts';

// Checksums in these hand-written packets were computed with Python's struct module (RFC 1071 by hand),
// not with our code.
const SYN = unhex(`
  667788 99aabb 001122 334455 0800
  4500 003c 1c46 4000 4006 9c5d c0a8 0001 c0a8 00c7
  d431 0016 3ade68b1 00000000 a002 faf0 70dd 0000
  020405b4 0402 080a 0001e240 00000000 01 030307`);

const SYN_BUILDER = packet
  .eth({ src: '00:11:22:33:44:55', dst: '66:77:88:99:aa:bb' })
  .ipv4({ src: '192.168.0.1', dst: '192.168.0.199', ttl: 64, id: 0x1c46, flags: ['df'] })
  .tcp({
    sport: 54321,
    dport: 22,
    seq: 0x3ade68b1,
    flags: ['syn'],
    window: 64240,
    options: [
      { kind: 'mss', value: 1460 },
      { kind: 'sackPermitted' },
      { kind: 'timestamps', value: 123456, echo: 0 },
      { kind: 'nop' },
      { kind: 'wscale', value: 7 },
    ],
  });

describe('PacketBuilder', () => {
  it('builds a TCP SYN with options byte for byte, checksums included', () => {
    expect(hex(SYN_BUILDER.build())).toBe(hex(SYN));
  });

  it('builds UDP over IPv6 with the pseudo-header checksum', () => {
    const built = packet.eth().ipv6({ src: 'fd00::1', dst: 'fd00::2', hopLimit: 64 }).udp({ sport: 5353, dport: 53 }).payload('hello').build();
    expect(hex(built)).toBe(
      '020000000002' + '020000000001' + '86dd' +
        '60000000' + '000d' + '11' + '40' + 'fd000000000000000000000000000001' + 'fd000000000000000000000000000002' +
        '14e9' + '0035' + '000d' + 'acdf' + hex(new TextEncoder().encode('hello')),
    );
  });

  it('builds an NDP neighbour solicitation with a source link-layer address option', () => {
    const built = packet
      .ipv6({ src: 'fe80::1', dst: 'ff02::1:ff00:2', hopLimit: 255 })
      .icmpv6({ type: 'neighbor-solicitation', target: 'fe80::2', options: [{ type: 'source-lladdr', mac: '00:11:22:33:44:55' }] })
      .build();
    expect(hex(built.subarray(40))).toBe('870015ff00000000fe8000000000000000000000000000020101001122334455');
    expect(hex(built.subarray(0, 8))).toBe('6000000000203aff');
  });

  it('builds an ICMP echo request', () => {
    const built = packet.ipv4().icmp({ type: 'echo-request', id: 0x1234, seq: 1 }).payload('abc').build();
    expect(hex(built.subarray(20))).toBe('08002168123400016162' + '63');
    expect(built[9]).toBe(1);
  });

  it('builds 802.1Q and 802.1ad tags with the right TPIDs and TCIs', () => {
    const q = packet.eth().vlan({ id: 10, pcp: 5, dei: true }).ipv4().build();
    expect(hex(q.subarray(12, 18))).toBe('8100' + 'b00a' + '0800');
    const qinq = packet.eth().qinq(100, { id: 10, pcp: 3 }).ipv6().build();
    expect(hex(qinq.subarray(12, 22))).toBe('88a8' + '0064' + '8100' + '600a' + '86dd');
  });

  it('builds an ARP request', () => {
    const built = packet
      .eth({ dst: 'ff:ff:ff:ff:ff:ff', src: '00:11:22:33:44:55' })
      .arp({ op: 'request', senderMac: '00:11:22:33:44:55', senderIp: '10.0.0.1', targetIp: '10.0.0.2' })
      .build();
    expect(hex(built)).toBe('ffffffffffff001122334455' + '0806' + '0001080006040001' + '001122334455' + '0a000001' + '000000000000' + '0a000002');
  });

  it('fills IPv4 options, fragment fields and the header length', () => {
    const built = packet
      .ipv4({ options: [{ type: 1 }, { type: 7, data: Uint8Array.of(4, 0, 0, 0, 0) }], flags: ['mf'], fragmentOffset: 185, tos: 0x10 })
      .payload(Uint8Array.of(1, 2, 3))
      .build();
    expect(built[0]).toBe(0x47);
    expect(hex(built.subarray(2, 4))).toBe('001f');
    expect(hex(built.subarray(6, 8))).toBe('20b9');
    expect(hex(built.subarray(20, 28))).toBe('0107070400000000');
    expect(built[9]).toBe(253);
  });

  it('chains IPv6 extension headers with next-header numbers and lengths', () => {
    const built = packet
      .ipv6()
      .hopByHop({ options: [{ type: 5, data: Uint8Array.of(0, 0) }] })
      .routing({ routingType: 4, addresses: ['2001:db8::1', '2001:db8::2'], segmentsLeft: 1 })
      .fragment({ id: 0xdeadbeef, offset: 0, more: true })
      .destOptions()
      .udp()
      .build();
    expect(built[6]).toBe(0);
    expect(hex(built.subarray(40, 48))).toBe('2b00' + '05020000' + '0100');
    expect(hex(built.subarray(48, 56))).toBe('2c04' + '0401' + '01000000');
    expect(hex(built.subarray(88, 96))).toBe('3c000001deadbeef');
    expect(hex(built.subarray(96, 104))).toBe('1100' + '01040000' + '0000');
    expect(new DataView(built.buffer).getUint16(4)).toBe(built.length - 40);
  });

  it('writes a requested wrong checksum and wrong length fields', () => {
    const p = parsePacket(
      packet.eth().ipv4({ checksum: 0x1234, totalLength: 1000 }).udp({ checksum: 0x4321, length: 3 }).payload('x').build(),
    );
    expect(p.ipv4).toMatchObject({ checksum: 0x1234, totalLength: 1000, valid: false });
    expect(p.udp).toMatchObject({ checksum: 0x4321, length: 3, valid: false });
    expect(p.errors).toEqual(['ipv4: total length 1000 exceeds the 29 bytes present', 'udp: length 3 is below 8']);
    const t = parsePacket(packet.eth().ipv4({ ihl: 4 }).tcp({ dataOffset: 3 }).build());
    expect(t.errors).toEqual(['ipv4: header length 16 is below 20']);
  });

  it('truncates n bytes into the last layer added, keeping the full lengths and checksums', () => {
    const full = packet.eth().ipv4().tcp().payload('abcdef').build();
    const cut = packet.eth().ipv4().tcp().truncate(7).payload('abcdef').build();
    expect(hex(cut)).toBe(hex(full.subarray(0, 14 + 20 + 7)));
    expect(packet.eth().truncate(5).build()).toHaveLength(5);
    expect(packet.truncate(3).eth().build()).toHaveLength(3);
    expect(parsePacket(cut).errors).toEqual(['ipv4: total length 46 exceeds the 27 bytes present', 'tcp: truncated: needs 20 bytes at offset 34, 7 present']);
  });

  it('fills EtherTypes and protocol numbers for unknown payloads and honours given ones', () => {
    expect(hex(packet.eth().bytes([1, 2]).build().subarray(12))).toBe('88b50102');
    expect(hex(packet.eth({ type: 0x1234 }).build().subarray(12))).toBe('1234');
    expect(packet.ipv4({ protocol: 99 }).tcp().build()[9]).toBe(99);
    expect(packet.ipv6().build()[6]).toBe(59);
    expect(packet.ipv4().ipv6().build()[9]).toBe(41);
  });

  it('is immutable: a shared prefix builds independently', () => {
    const base = packet.eth().ipv4({ src: '10.1.1.1' });
    const a = base.tcp({ dport: 1 }).build();
    const b = base.udp({ dport: 2 }).build();
    expect(parsePacket(a).tcp?.dport).toBe(1);
    expect(parsePacket(b).udp?.dport).toBe(2);
  });

  it('rejects out-of-range fields with a RangeError naming them', () => {
    expect(() => packet.ipv4({ ttl: 256 }).build()).toThrow(/^ipv4 ttl: 256 is not a u8$/);
    expect(() => packet.eth().vlan({ id: 4096 }).build()).toThrow(/vlan: id 4096/);
    expect(() => packet.ipv4({ src: '10.0.0' }).build()).toThrow(SyntaxError);
    expect(() => packet.ipv6({ src: '1::2::3' }).build()).toThrow(/more than one '::'/);
  });

  it.runIf(pythonAvailable('builder checksums against python'))('produces checksums that Python verifies independently', () => {
    const packets = [
      SYN_BUILDER.build(),
      packet.eth().vlan({ id: 3 }).ipv4({ options: [{ type: 1 }] }).udp().payload('odd').build(),
      packet.eth().ipv4().icmp({ type: 'echo-reply', id: 9, seq: 9 }).payload('12345').build(),
      packet.eth().ipv6().tcp({ flags: ['ack', 'psh'] }).payload('GET / HTTP/1.1\r\n\r\n').build(),
      packet.eth().ipv6().hopByHop().routing({ addresses: ['2001:db8::9'] }).udp().payload('via routing').build(),
      packet.eth().ipv6().routing({ routingType: 4, addresses: ['2001:db8::7', '2001:db8::8'] }).icmpv6({ id: 1, seq: 2 }).payload('srh').build(),
      packet.eth().ipv6({ src: 'fe80::1', dst: 'ff02::1' }).icmpv6({ type: 'neighbor-advertisement', solicited: true, target: 'fe80::1', options: [{ type: 'target-lladdr', mac: '02:00:00:00:00:01' }] }).build(),
    ];
    const results = runPython(PY_VERIFY, packets.map((p) => ({ hex: hex(p) }))) as (boolean | null)[][];
    expect(results).toEqual([
      [true, true, 6],
      [true, true, 17],
      [true, true, 1],
      [null, true, 6],
      [null, true, 17],
      [null, true, 58],
      [null, true, 58],
    ]);
  });
});
