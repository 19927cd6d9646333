// A vector packet as an Ethernet frame (the simulator's and BPF_PROG_TEST_RUN's input), built with the
// simulator's packet toolkit so lengths and checksums are right. Non-first fragments carry no L4 header.
import { packet, type PacketBuilder, type TcpFlag } from '../../simulator/packet/index.ts';
import { parseAddress } from './cidr.ts';
import type { VectorPacket } from './vectors.ts';

const FLAG: Record<string, TcpFlag> = { S: 'syn', A: 'ack', P: 'psh', R: 'rst', F: 'fin', U: 'urg' };

function l4(b: PacketBuilder, p: VectorPacket): PacketBuilder {
  switch (p.protocol) {
    case 6:
      return b.tcp({ sport: p.sport, dport: p.dport, flags: [...p.tcpFlags].map((c) => FLAG[c]!), seq: p.seq ?? 1, ack: p.ack ?? (p.tcpFlags.includes('A') ? 1 : 0) }).payload(p.payload);
    case 17:
      return b.udp({ sport: p.sport, dport: p.dport }).payload(p.payload);
    case 132: {
      // SCTP common header: source port, destination port, verification tag, checksum (not checked here)
      const h = [p.sport >> 8, p.sport & 0xff, p.dport >> 8, p.dport & 0xff, 0, 0, 0, 1, 0, 0, 0, 0];
      return b.bytes([...h, ...p.payload]);
    }
    case 1:
      return b.icmp({ type: p.icmpType, code: p.icmpCode, id: p.icmpId, seq: 1 }).payload(p.payload);
    case 58:
      return b.icmpv6({ type: p.icmpType, code: p.icmpCode, id: p.icmpId, seq: 1 }).payload(p.payload);
    default:
      return b.bytes(p.payload.length > 0 ? p.payload : [0, 0, 0, 0, 0, 0, 0, 0]);
  }
}

/** The frame for `p`. */
export function packetFrame(p: VectorPacket): Uint8Array {
  let b = packet.eth(p.ethertype !== undefined && p.vlan.length === 0 ? { type: p.ethertype } : {});
  p.vlan.forEach((id, i) => {
    const last = i === p.vlan.length - 1;
    b = b.vlan({ id, tpid: i === 0 && p.vlan.length > 1 ? 0x88a8 : 0x8100, ...(last && p.ethertype !== undefined ? { type: p.ethertype } : {}) });
  });
  if (p.ethertype !== undefined) {
    b = p.ethertype === 0x0806 ? b.arp({ op: 'request', senderIp: '10.0.0.1', targetIp: '10.0.0.2' }) : b.bytes(p.payload.length > 0 ? p.payload : new Uint8Array(46));
  } else {
    const family = parseAddress(p.src)!.family;
    const f = p.fragment;
    const nonFirst = f !== undefined && f.offset > 0;
    if (family === 4) {
      b = b.ipv4({
        src: p.src,
        dst: p.dst,
        protocol: p.protocol,
        ...(f !== undefined ? { id: f.id, fragmentOffset: f.offset / 8, flags: f.more ? ['mf'] : [] } : {}),
      });
    } else {
      b = b.ipv6({ src: p.src, dst: p.dst, ...(f === undefined ? { nextHeader: p.protocol } : {}) });
      if (f !== undefined) b = b.fragment({ offset: f.offset / 8, more: f.more, id: f.id, nextHeader: p.protocol });
    }
    b = nonFirst ? b.payload(p.payload.length > 0 ? p.payload : new Uint8Array(16)) : l4(b, p);
  }
  const frame = b.build();
  return p.truncate === undefined ? frame : frame.slice(0, p.truncate);
}
