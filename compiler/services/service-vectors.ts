// Test vectors for services, in the policy vectors' file (`NAME.vectors.yaml`, compiler/dsl/vectors.ts): a case
// is a service case when it names a `topology` or one of its packets has `expectDst`, `expectSrc` or `replyTo`.
//
//   cases:
//     - name: a new connection goes to the backend Maglev picks, the reply comes back from the VIP
//       topology: east-west                  # default; or north-south (then snatAddress: …, snatAddress6: …)
//       packets:
//         - { src: 10.0.0.7, dst: 10.96.0.10, sport: 40000, dport: 80, expectDst: maglev }
//         - { replyTo: 1, tcpFlags: SA, expectSrc: 10.96.0.10:80, expectDst: 10.0.0.7:40000 }
//         - { src: 10.0.0.7, dst: 10.96.0.10, sport: 40001, dport: 80, expectDst: { sameAs: 1 } }
//         - { src: 10.0.0.7, dst: 10.96.0.10, sport: 40002, dport: 80, expectDst: [10.1.0.5:8080, 10.1.0.6:8080] }
//
// Packet fields are the policy vectors' (direction defaults to egress, replies to ingress; north-south: ingress),
// plus, on the packet as the program leaves it:
//   expectDst / expectSrc   "address:port" ("[v6]:port"), a list of acceptable ones, `maglev` (what the reference
//                           model below gives: connection table, affinity, then the Maglev table and flow hash
//                           computed in TypeScript), or { sameAs: N } (the same field of packet N's output)
//   replyTo: N              the packet is the answer to packet N's output: its source and destination swapped
//   expect                  allow (forwarded or passed), deny (dropped), reset (answered with a TCP RST)
// East-west runs the client's packets (egress) through lb_tc_egress and replies (ingress) through lb_tc_ingress;
// north-south runs everything through lb_xdp. Each case starts from empty connection, affinity and SNAT maps.
import { Simulator } from '../../simulator/index.ts';
import { parsePacket, type ParsedPacket } from '../../simulator/packet/index.ts';
import { formatAddress, parseAddress } from '../dsl/cidr.ts';
import { packetFrame } from '../dsl/packet-frame.ts';
import { readDataFile } from '../dsl/read-data-file.ts';
import { parseVectorPacket, parseVectors, type VectorCase, type VectorPacket } from '../dsl/vectors.ts';
import { flowHash, flowHash6 } from './flow-hash.ts';
import { EW_EGRESS_PROGRAM, EW_INGRESS_PROGRAM } from './generate-ew-c.ts';
import { LB_PROGRAM } from './generate-lb-c.ts';
import { ipv4, ipv6, lbMapContents, type LbConfig, type LbMaps } from './lb-map-contents.ts';
import type { Backend, Service } from './service-model.ts';

export type Topology = 'east-west' | 'north-south';

export type EndpointExpectation =
  | { readonly kind: 'any-of'; readonly endpoints: readonly string[] }
  | { readonly kind: 'maglev' }
  | { readonly kind: 'same-as'; readonly packet: number };

export interface ServiceVectorPacket extends VectorPacket {
  readonly expectDst?: EndpointExpectation;
  readonly expectSrc?: EndpointExpectation;
  /** 1-based index of the packet this one answers */
  readonly replyTo?: number;
}

export interface ServiceVectorCase {
  readonly name: string;
  readonly topology: Topology;
  /** north-south: the load balancer's addresses for this case (lb_config) */
  readonly config?: Partial<LbConfig>;
  readonly packets: readonly ServiceVectorPacket[];
}

export interface VectorFile {
  readonly policy: VectorCase[];
  readonly services: ServiceVectorCase[];
}

const SERVICE_KEYS = ['expectDst', 'expectSrc', 'replyTo'];

/** "10.1.0.5:8080", "[fd00::5]:8080" → the canonical spelling; undefined when it is not one */
export function parseEndpoint(text: string): string | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text) ?? /^([0-9.]+):(\d+)$/.exec(text);
  if (m === null) return undefined;
  const a = parseAddress(m[1]!);
  const port = Number(m[2]);
  if (a === undefined || port > 65535) return undefined;
  return endpoint(a.family, a.addr, port);
}

const endpoint = (family: 4 | 6, addr: bigint, port: number): string => (family === 4 ? `${formatAddress(4, addr)}:${port}` : `[${formatAddress(6, addr)}]:${port}`);

function parseExpectation(raw: unknown, where: string, index: number): EndpointExpectation {
  if (raw === 'maglev') return { kind: 'maglev' };
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'sameAs' in raw) {
    const n = (raw as { sameAs: unknown }).sameAs;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n >= index) throw new TypeError(`${where}: sameAs must name an earlier packet (1 … ${index - 1})`);
    return { kind: 'same-as', packet: n };
  }
  const list = Array.isArray(raw) ? raw : [raw];
  const endpoints = list.map((x) => {
    const e = typeof x === 'string' ? parseEndpoint(x) : undefined;
    if (e === undefined) throw new TypeError(`${where}: ${String(x)} is not address:port ([v6]:port), maglev or { sameAs: N }`);
    return e;
  });
  if (endpoints.length === 0) throw new TypeError(`${where}: an empty list accepts nothing`);
  return { kind: 'any-of', endpoints };
}

function isServiceCase(o: Record<string, unknown>): boolean {
  if (o['topology'] !== undefined) return true;
  const packets = o['packets'];
  return Array.isArray(packets) && packets.some((p) => typeof p === 'object' && p !== null && SERVICE_KEYS.some((k) => k in p));
}

function parseServiceCase(o: Record<string, unknown>, i: number, source: string): ServiceVectorCase {
  const name = typeof o['name'] === 'string' ? o['name'] : `case ${i + 1}`;
  const topology = o['topology'] ?? 'east-west';
  if (topology !== 'east-west' && topology !== 'north-south') throw new TypeError(`${source}: ${name}: topology must be east-west or north-south`);
  const config: Record<string, string> = {};
  for (const k of ['snatAddress', 'snatAddress6'] as const) if (typeof o[k] === 'string') config[k] = o[k];
  const raw = o['packets'];
  if (!Array.isArray(raw)) throw new TypeError(`${source}: ${name}: packets must be a list`);
  const packets = raw.map((p, j): ServiceVectorPacket => {
    const where = `${source}: ${name}: packet ${j + 1}`;
    if (typeof p !== 'object' || p === null) throw new TypeError(`${where}: a packet must be a mapping`);
    const r = p as Record<string, unknown>;
    let replyTo: number | undefined;
    if (r['replyTo'] !== undefined) {
      const n = r['replyTo'];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > j) throw new TypeError(`${where}: replyTo must name an earlier packet (1 … ${j})`);
      replyTo = n;
    }
    // a reply's addresses and ports come from the packet it answers, when it runs
    const direction = r['direction'] ?? (topology === 'north-south' || replyTo !== undefined ? 'ingress' : 'egress');
    const base = parseVectorPacket({ ...r, direction, ...(replyTo !== undefined ? { src: '0.0.0.0', dst: '0.0.0.0', protocol: 'tcp' } : {}) }, where);
    return {
      ...base,
      ...(r['expectDst'] !== undefined ? { expectDst: parseExpectation(r['expectDst'], `${where}: expectDst`, j + 1) } : {}),
      ...(r['expectSrc'] !== undefined ? { expectSrc: parseExpectation(r['expectSrc'], `${where}: expectSrc`, j + 1) } : {}),
      ...(replyTo !== undefined ? { replyTo } : {}),
    };
  });
  return { name, topology, ...(Object.keys(config).length > 0 ? { config } : {}), packets };
}

/** Splits a vectors file's cases into policy cases (parsed by compiler/dsl/vectors.ts) and service cases. */
export function parseVectorFile(data: unknown, source = 'vectors'): VectorFile {
  const cases = (data as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(cases)) throw new TypeError(`${source}: expected a mapping with a cases list`);
  const policy: unknown[] = [];
  const services: ServiceVectorCase[] = [];
  cases.forEach((c, i) => {
    const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    if (isServiceCase(o)) services.push(parseServiceCase(o, i, source));
    else policy.push(c);
  });
  return { policy: parseVectors({ cases: policy }, source), services };
}

export function readVectorFile(file: string): VectorFile {
  return parseVectorFile(readDataFile(file), file);
}

// --- running -------------------------------------------------------------------------------------------------

export interface ServicePacketReport {
  /** what the vector expects, as text (null: nothing) */
  readonly expect: string | null;
  /** what happened: the verdict, and the packet's source and destination as it left the program */
  readonly got: string;
  readonly rule: null;
  /** the program and its action */
  readonly reason: string;
  readonly src: string | null;
  readonly dst: string | null;
  readonly problems: readonly string[];
}

export interface ServiceCaseReport {
  readonly name: string;
  readonly passed: boolean;
  readonly packets: readonly ServicePacketReport[];
}

/** The load balancer to run vectors against: its object, services and the map contents it was built with. */
export interface LbUnderTest {
  readonly object: Uint8Array;
  readonly services: readonly Service[];
  readonly config: LbConfig;
}

const STATE_MAPS = ['conns', 'conns6', 'affinity', 'snat_rev', 'snat_rev6', 'ew_rev', 'ew_rev6'];
const COUNTER_MAPS = ['svc_counters', 'backend_counters'];

interface Endpoints {
  readonly family: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly sport: number;
  readonly dport: number;
  readonly protocol: number;
}

function endpointsOf(p: ParsedPacket): Endpoints | undefined {
  const ip = p.ipv4 ?? p.ipv6;
  const l4 = p.tcp ?? p.udp;
  if (ip === undefined || l4 === undefined) return undefined;
  const family = p.ipv4 !== undefined ? 4 : 6;
  const norm = (a: string) => formatAddress(family, parseAddress(a)!.addr);
  const srcAddr = norm(ip.src);
  const dstAddr = norm(ip.dst);
  return {
    family,
    srcAddr,
    dstAddr,
    src: family === 4 ? `${srcAddr}:${l4.sport}` : `[${srcAddr}]:${l4.sport}`,
    dst: family === 4 ? `${dstAddr}:${l4.dport}` : `[${dstAddr}]:${l4.dport}`,
    sport: l4.sport,
    dport: l4.dport,
    protocol: p.tcp !== undefined ? 6 : 17,
  };
}

/**
 * The reference model `expectDst: maglev` names: the datapath's choice for a flow, computed in TypeScript —
 * a known connection keeps its backend; a new one takes the client's affinity backend while it is younger than
 * the timeout and active, else the Maglev table entry the flow hash picks.
 */
class ReferenceModel {
  readonly #conns = new Map<string, Backend>();
  readonly #affinity = new Map<string, { backend: Backend; last: bigint }>();

  constructor(
    readonly services: readonly Service[],
    readonly maps: LbMaps,
  ) {}

  backendFor(pkt: Endpoints, now: bigint): Backend | undefined {
    const s = this.services.findIndex((x) => x.family === pkt.family && formatAddress(x.family, x.vipAddr) === pkt.dstAddr && x.port === pkt.dport && (x.protocol === 'tcp' ? 6 : 17) === pkt.protocol);
    const svc = this.services[s];
    if (svc === undefined) return undefined;
    const flow = `${pkt.src}|${pkt.dst}|${pkt.protocol}`;
    const known = this.#conns.get(flow);
    if (known !== undefined) return known;
    const affinityKey = `${pkt.srcAddr}|${s}`;
    const af = this.#affinity.get(affinityKey);
    let backend: Backend | undefined;
    if (svc.affinitySeconds > 0 && af !== undefined && now - af.last < BigInt(svc.affinitySeconds) * 1_000_000_000n && af.backend.state === 'active') backend = af.backend;
    else {
      const f = { sport: pkt.sport, dport: pkt.dport, proto: pkt.protocol };
      const h =
        pkt.family === 4
          ? flowHash({ ...f, saddr: ipv4(pkt.srcAddr, 'client'), daddr: ipv4(pkt.dstAddr, 'vip') }, svc.seed)
          : flowHash6({ ...f, saddr: ipv6(pkt.srcAddr, 'client'), daddr: ipv6(pkt.dstAddr, 'vip') }, svc.seed);
      const owner = this.maps.tables[s]![h % svc.tableSize]!;
      if (owner < 0) return undefined;
      backend = svc.backends[this.maps.backendIds[s]!.indexOf(owner)];
    }
    if (backend === undefined) return undefined;
    this.#conns.set(flow, backend);
    if (svc.affinitySeconds > 0) this.#affinity.set(affinityKey, { backend, last: now });
    return backend;
  }
}

const backendEndpoint = (b: Backend): string => endpoint(b.family, b.addr, b.port);

function describeExpectation(e: EndpointExpectation): string {
  if (e.kind === 'maglev') return 'maglev';
  if (e.kind === 'same-as') return `as packet ${e.packet}`;
  return e.endpoints.join(' | ');
}

function verdictOf(action: string, out: ParsedPacket): 'allow' | 'deny' | 'reset' {
  if (action === 'XDP_DROP' || action === 'XDP_ABORTED' || action === 'TC_ACT_SHOT') return 'deny';
  if (action === 'XDP_TX' && out.tcp?.flags.includes('rst') === true) return 'reset';
  return 'allow';
}

/** Runs the service cases in the simulator against the load balancer's programs (verified first unless
 * `unverified`: `tsbpf check` has verified them with its own profile just before). */
export async function runServiceVectors(lb: LbUnderTest, cases: readonly ServiceVectorCase[], options: { readonly unverified?: boolean } = {}): Promise<ServiceCaseReport[]> {
  if (cases.length === 0) return [];
  const sim = await Simulator.load(lb.object, { ...(options.unverified === true ? { unverified: true } : {}) });
  // the services, backends and tables are the same for every case (programs only read them): written once
  const maps = lbMapContents(lb.services, lb.config);
  for (const [name, entries] of Object.entries(maps.maps)) for (const e of entries) sim.map(name).set(e.key, e.value);
  return cases.map((c) => runCase(sim, lb, maps, c));
}

function runCase(sim: Simulator, lb: LbUnderTest, maps: LbMaps, c: ServiceVectorCase): ServiceCaseReport {
  for (const name of [...STATE_MAPS, ...COUNTER_MAPS]) {
    const m = sim.maps.get(name);
    if (m === undefined) continue; // ew_rev6 before IPv6 east-west
    if (COUNTER_MAPS.includes(name)) {
      const zero = new Uint8Array(m.valueSize);
      for (let i = 0; i < m.maxEntries; i++) m.set(i, Array.from({ length: m.cpus }, () => zero));
    } else for (const k of m.keys()) m.remove(k);
  }
  // lb_config holds the case's own addresses, if it names them
  for (const e of lbMapContents([], { ...lb.config, ...c.config }).maps['lb_config']!) sim.map('lb_config').set(e.key, e.value);
  const model = new ReferenceModel(lb.services, maps);
  const outputs: (Endpoints | undefined)[] = [];
  let now = 0n;
  let passed = true;
  const packets = c.packets.map((pkt, i): ServicePacketReport => {
    now += BigInt(pkt.advanceMs) * 1_000_000n;
    const problems: string[] = [];
    let input: VectorPacket = pkt;
    if (pkt.replyTo !== undefined) {
      const answered = outputs[pkt.replyTo - 1];
      if (answered === undefined) problems.push(`packet ${pkt.replyTo} left no TCP/UDP packet to reply to`);
      else {
        const a = (e: string) => (answered.family === 4 ? e.replace(/:\d+$/, '') : e.replace(/^\[(.*)\]:\d+$/, '$1'));
        input = { ...pkt, src: a(answered.dst), dst: a(answered.src), sport: answered.dport, dport: answered.sport, protocol: answered.protocol, tcpFlags: answered.protocol === 6 ? pkt.tcpFlags : '' };
      }
    }
    const program = c.topology === 'north-south' ? LB_PROGRAM : input.direction === 'egress' ? EW_EGRESS_PROGRAM : EW_INGRESS_PROGRAM;
    const inputEndpoints = endpointsOf(parsePacket(packetFrame(input)));
    // the reference model sees only the client's packets to a service
    const predicted = pkt.replyTo === undefined && inputEndpoints !== undefined ? model.backendFor(inputEndpoints, now) : undefined;
    if (problems.length > 0) {
      passed = false;
      outputs.push(undefined);
      return { expect: null, got: 'not run', rule: null, reason: problems[0]!, src: null, dst: null, problems };
    }
    const r = sim.run(program, packetFrame(input), { now });
    const out = parsePacket(r.packet);
    const verdict = verdictOf(r.action, out);
    const got = verdict === 'deny' ? undefined : endpointsOf(out);
    outputs.push(got);
    if (got !== undefined && verdict === 'allow') {
      const ipValid = out.ipv4?.valid ?? true;
      const l4Valid = (out.tcp ?? out.udp)?.valid ?? true;
      if (!ipValid || !l4Valid) problems.push(`invalid ${!ipValid ? 'IPv4 header' : out.tcp ? 'TCP' : 'UDP'} checksum`);
    }
    if (pkt.expect !== undefined && pkt.expect !== verdict) problems.push(`expected ${pkt.expect}, got ${verdict}`);
    const check = (field: 'src' | 'dst', e: EndpointExpectation | undefined) => {
      if (e === undefined) return;
      const value = got?.[field];
      let want: readonly string[];
      if (e.kind === 'any-of') want = e.endpoints;
      else if (e.kind === 'maglev') want = predicted === undefined ? [] : [backendEndpoint(predicted)];
      else {
        const earlier = outputs[e.packet - 1]?.[field];
        want = earlier === undefined ? [] : [earlier];
      }
      if (value === undefined || !want.includes(value)) problems.push(`${field} ${value ?? 'none'}, expected ${want.length > 0 ? want.join(' | ') : describeExpectation(e)}`);
    };
    check('dst', pkt.expectDst);
    check('src', pkt.expectSrc);
    if (problems.length > 0) passed = false;
    const expected = [pkt.expect, pkt.expectSrc && `src ${describeExpectation(pkt.expectSrc)}`, pkt.expectDst && `dst ${describeExpectation(pkt.expectDst)}`].filter((x) => x !== undefined);
    return {
      expect: expected.length > 0 ? expected.join(', ') : null,
      got: got === undefined ? verdict : `${verdict} ${got.src} → ${got.dst}`,
      rule: null,
      reason: problems.length > 0 ? `${program} ${r.action}: ${problems.join('; ')}` : `${program} ${r.action}`,
      src: got?.src ?? null,
      dst: got?.dst ?? null,
      problems,
    };
  });
  return { name: c.name, passed, packets };
}

