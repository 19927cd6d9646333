// Test vectors kept beside a policy (`POLICY.vectors.yaml`):
//
//   cases:
//     - name: web from the office
//       packets:
//         - { direction: ingress, src: 10.1.2.3, dst: 10.0.0.5, protocol: tcp, sport: 40000, dport: 443, tcpFlags: S, expect: allow, rule: web/ingress[0] }
//
// Every case starts from empty state; its packets run in order. `fragment.offset` is in bytes (a multiple of 8);
// `truncate` cuts the built frame to that many bytes (malformed packets); `ethertype` sends a non-IP frame.
import { parseAddress } from './cidr.ts';
import { icmpTypeNumber } from './icmp-types.ts';
import { readDataFile } from './read-data-file.ts';

export type Expectation = 'allow' | 'deny' | 'reset' | 'audit';

export interface VectorPacket {
  readonly direction: 'ingress' | 'egress';
  readonly src: string;
  readonly dst: string;
  /** an IP protocol number: 6 tcp, 17 udp, 132 sctp, 1 icmp, 58 icmpv6, or any other */
  readonly protocol: number;
  readonly sport: number;
  readonly dport: number;
  readonly icmpType: number;
  readonly icmpCode: number;
  /** ICMP echo identifier */
  readonly icmpId: number;
  /** letters of S, A, P, R, F, U */
  readonly tcpFlags: string;
  /** TCP sequence number; parseVectors fills it in per connection when absent (see below) */
  readonly seq?: number;
  /** TCP acknowledgement number (default 1 when the A flag is set) */
  readonly ack?: number;
  readonly payload: Uint8Array;
  /** VLAN ids, outermost first (at most two are parsed by the datapath) */
  readonly vlan: readonly number[];
  readonly fragment?: { readonly offset: number; readonly more: boolean; readonly id: number };
  /** a non-IP frame of this ethertype */
  readonly ethertype?: number;
  readonly truncate?: number;
  readonly advanceMs: number;
  readonly expect?: Expectation;
  readonly rule?: string;
}

export interface VectorCase {
  readonly name: string;
  readonly packets: readonly VectorPacket[];
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 };
const EXPECT = new Set(['allow', 'deny', 'reset', 'audit']);

function int(v: unknown, where: string, lo: number, hi: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new TypeError(`${where}: must be an integer ${lo} to ${hi}`);
  return v;
}

/** Validates one packet of a vector file (`where` names it in messages). */
export function parseVectorPacket(raw: unknown, where: string): VectorPacket {
  if (typeof raw !== 'object' || raw === null) throw new TypeError(`${where}: a packet must be a mapping`);
  const o = raw as Record<string, unknown>;
  const direction = o['direction'];
  if (direction !== 'ingress' && direction !== 'egress') throw new TypeError(`${where}: direction must be ingress or egress`);
  const ethertype = o['ethertype'] === 'arp' ? 0x0806 : o['ethertype'] === undefined ? undefined : int(o['ethertype'], `${where}: ethertype`, 0, 0xffff, 0);
  const src = String(o['src'] ?? '0.0.0.0');
  const dst = String(o['dst'] ?? '0.0.0.0');
  const fs = parseAddress(src);
  const fd = parseAddress(dst);
  if (ethertype === undefined) {
    if (fs === undefined) throw new TypeError(`${where}: src ${src} is not an address`);
    if (fd === undefined) throw new TypeError(`${where}: dst ${dst} is not an address`);
    if (fs.family !== fd.family) throw new TypeError(`${where}: src and dst are of different families`);
  }
  const p = o['protocol'] ?? 'tcp';
  const protocol = typeof p === 'number' ? int(p, `${where}: protocol`, 0, 255, 0) : PROTOCOLS[String(p)];
  if (protocol === undefined) throw new TypeError(`${where}: protocol ${String(p)} is not tcp, udp, sctp, icmp, icmpv6 or a number`);
  const family = fs?.family ?? 4;
  if ((protocol === 1 && family === 6) || (protocol === 58 && family === 4)) throw new TypeError(`${where}: ${String(p)} over IPv${family}`);
  let icmpType = 0;
  if (o['icmpType'] !== undefined) {
    const t = icmpTypeNumber(protocol === 58 ? 6 : 4, o['icmpType'] as number | string);
    if (t === undefined) throw new TypeError(`${where}: unknown ICMP type ${String(o['icmpType'])}`);
    icmpType = t;
  } else if (protocol === 1 || protocol === 58) icmpType = protocol === 1 ? 8 : 128;
  const tcpFlags = String(o['tcpFlags'] ?? (protocol === 6 ? 'S' : ''));
  if (!/^[SAPRFU]*$/.test(tcpFlags)) throw new TypeError(`${where}: tcpFlags ${tcpFlags} must be letters of SAPRFU`);
  let payload = new Uint8Array(0);
  if (typeof o['payload'] === 'string') payload = new TextEncoder().encode(o['payload']);
  if (typeof o['payloadHex'] === 'string') {
    const h = o['payloadHex'].replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new TypeError(`${where}: payloadHex is not hex`);
    payload = Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
  }
  const vlanRaw = o['vlan'];
  const vlan = vlanRaw === undefined ? [] : (Array.isArray(vlanRaw) ? vlanRaw : [vlanRaw]).map((v, i) => int(v, `${where}: vlan[${i}]`, 0, 4095, 0));
  let fragment: VectorPacket['fragment'];
  if (o['fragment'] !== undefined) {
    const f = o['fragment'] as Record<string, unknown>;
    const offset = int(f['offset'], `${where}: fragment.offset`, 0, 65528, 0);
    if (offset % 8 !== 0) throw new TypeError(`${where}: fragment.offset must be a multiple of 8 bytes`);
    fragment = { offset, more: f['more'] === true, id: int(f['id'], `${where}: fragment.id`, 0, 0xffff, 1) };
  }
  const expect = o['expect'];
  if (expect !== undefined && !EXPECT.has(String(expect))) throw new TypeError(`${where}: expect must be allow, deny, reset or audit`);
  return {
    direction,
    src,
    dst,
    protocol,
    sport: int(o['sport'], `${where}: sport`, 0, 65535, 40000),
    dport: int(o['dport'], `${where}: dport`, 0, 65535, 0),
    icmpType,
    icmpCode: int(o['icmpCode'], `${where}: icmpCode`, 0, 255, 0),
    icmpId: int(o['icmpId'], `${where}: icmpId`, 0, 65535, 1),
    tcpFlags,
    ...(o['seq'] !== undefined ? { seq: int(o['seq'], `${where}: seq`, 0, 0xffffffff, 0) } : {}),
    ...(o['ack'] !== undefined ? { ack: int(o['ack'], `${where}: ack`, 0, 0xffffffff, 0) } : {}),
    payload,
    vlan,
    ...(fragment !== undefined ? { fragment } : {}),
    ...(ethertype !== undefined ? { ethertype } : {}),
    ...(o['truncate'] !== undefined ? { truncate: int(o['truncate'], `${where}: truncate`, 14, 65535, 14) } : {}),
    advanceMs: int(o['advanceMs'], `${where}: advanceMs`, 0, 2 ** 40, 0),
    ...(expect !== undefined ? { expect: expect as Expectation } : {}),
    ...(o['rule'] !== undefined ? { rule: String(o['rule']) } : {}),
  };
}

export function parseVectors(data: unknown, source = 'vectors'): VectorCase[] {
  const cases = (data as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(cases)) throw new TypeError(`${source}: expected a mapping with a cases list`);
  return cases.map((c, i) => {
    const o = c as Record<string, unknown>;
    const name = typeof o?.['name'] === 'string' ? o['name'] : `case ${i + 1}`;
    if (!Array.isArray(o?.['packets'])) throw new TypeError(`${source}: ${name}: packets must be a list`);
    return { name, packets: withSequenceNumbers(o['packets'].map((p, j) => parseVectorPacket(p, `${source}: ${name}: packet ${j + 1}`))) };
  });
}

/**
 * TCP sequence numbers for packets that give none, so requests can be written one per packet: per direction
 * of a connection (addresses and ports), a SYN starts at 1000 (its data at 1001) and each packet continues
 * where the previous one of that direction ended (payload bytes, plus one for SYN and FIN). A packet with its
 * own `seq` resets the count from there; a connection's first packet without SYN starts at 1001.
 */
export function withSequenceNumbers(packets: readonly VectorPacket[]): VectorPacket[] {
  const next = new Map<string, number>();
  return packets.map((p) => {
    if (p.protocol !== 6) return p;
    const key = `${p.src}|${p.sport}|${p.dst}|${p.dport}`;
    const syn = p.tcpFlags.includes('S');
    const seq = p.seq ?? (syn ? 1000 : (next.get(key) ?? 1001));
    next.set(key, (seq + p.payload.length + (syn ? 1 : 0) + (p.tcpFlags.includes('F') ? 1 : 0)) >>> 0);
    return p.seq === undefined ? { ...p, seq } : p;
  });
}

export function readVectors(file: string): VectorCase[] {
  return parseVectors(readDataFile(file), file);
}
