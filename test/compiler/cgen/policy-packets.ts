// Packets generated from a policy for the model-based tests: addresses at CIDR and except edges (and one past
// them), endpoint and host addresses, random ones; ports at range ends ±1 and named ports; every protocol;
// replies to earlier packets, after a pause or past the connection lifetime; fragments, VLAN tags, truncated
// frames, non-IP frames. The reference evaluator and the compiled datapath (simulator or kernel) must agree.
import fc from 'fast-check';
import type { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { addressInPrefix, familyBits, parseAddress, parsePrefix } from '../../../compiler/dsl/cidr.ts';
import {
  Evaluator,
  EvaluatorState,
  formatPrefix,
  packetFrame,
  type Evaluation,
  type Inventory,
  type Policy,
  type PolicyModel,
  type VectorPacket,
} from '../../../compiler/dsl/index.ts';
import { formatAddress } from '../../../compiler/dsl/cidr.ts';

type Family = 4 | 6;

export interface Pools {
  /** addresses by identity (longest match in the model's IP table) */
  readonly byIdentity: Map<number, string[]>;
  readonly model: PolicyModel;
  readonly local: Record<Family, string[]>;
  readonly remote: Record<Family, string[]>;
  readonly ports: number[];
  readonly icmp: Record<Family, number[]>;
}

function edges(prefix: string): string[] {
  const p = parsePrefix(prefix);
  const bits = familyBits(p.family);
  const size = 1n << BigInt(bits - p.len);
  const max = (1n << BigInt(bits)) - 1n;
  const out = [p.addr, p.addr + size - 1n, p.addr - 1n, p.addr + size, p.addr + size / 2n];
  return out.filter((a) => a >= 0n && a <= max).map((a) => formatAddress(p.family, a));
}

const fam = (ip: string): Family => (ip.includes(':') ? 6 : 4);

export function pools(policies: readonly Policy[], inventory: Inventory, model: PolicyModel): Pools {
  const remote: Record<Family, Set<string>> = { 4: new Set(['192.0.2.77', '8.8.8.8']), 6: new Set(['2001:db8:ffff::1', '2606:4700::1111']) };
  const prefixes = new Set<string>(inventory.clusterCIDRs.map((c) => formatPrefix(c)));
  const ports = new Set<number>([0, 1, 22, 53, 80, 443, 1023, 1024, 8080, 65535]);
  const icmp: Record<Family, Set<number>> = { 4: new Set([0, 3, 8, 11, 13]), 6: new Set([1, 128, 129, 135, 136]) };
  for (const p of policies) {
    for (const r of p.rules) {
      for (const peer of r.peers ?? []) {
        if (peer.kind !== 'cidr') continue;
        prefixes.add(peer.cidr);
        for (const x of peer.except) prefixes.add(x);
      }
      for (const x of r.ports) {
        if (typeof x.port !== 'number') continue;
        const end = x.endPort ?? x.port;
        for (const v of [x.port - 1, x.port, x.port + 1, end - 1, end, end + 1]) if (v >= 0 && v <= 65535) ports.add(v);
      }
      for (const i of r.icmps) for (const v of [i.type - 1, i.type, i.type + 1]) if (v >= 0 && v <= 255) icmp[i.family].add(v);
    }
  }
  for (const e of inventory.endpoints) for (const x of e.ports) for (const v of [x.port - 1, x.port, x.port + 1]) ports.add(v);
  for (const pr of prefixes) for (const a of edges(pr)) remote[fam(a)].add(a);
  const local: Record<Family, Set<string>> = { 4: new Set(), 6: new Set() };
  for (const e of inventory.endpoints) {
    remote[e.family].add(e.ip);
    local[e.family].add(e.ip);
  }
  for (const h of inventory.host) {
    remote[h.family].add(h.ip);
    if (model.mode === 'interface') local[h.family].add(h.ip);
  }
  if (model.mode === 'interface') {
    local[4].add('192.0.2.200');
    local[6].add('2001:db8:ffff::200');
  } else {
    local[4].add('10.255.0.9');
    local[6].add('fd00:ffff::9');
  }
  const table = model.ipcache.map((e) => ({ p: parsePrefix(e.prefix), id: e.identity }));
  const byIdentity = new Map<number, string[]>();
  for (const a of [...remote[4], ...remote[6]]) {
    const ip = parseAddress(a)!;
    let best: { p: { len: number }; id: number } | undefined;
    for (const t of table) if (addressInPrefix(t.p, ip.family, ip.addr) && (best === undefined || t.p.len > best.p.len)) best = t;
    if (best !== undefined) byIdentity.set(best.id, [...(byIdentity.get(best.id) ?? []), a]);
  }
  return {
    byIdentity,
    model,
    local: { 4: [...local[4]], 6: [...local[6]] },
    remote: { 4: [...remote[4]], 6: [...remote[6]] },
    ports: [...ports].sort((a, b) => a - b),
    icmp: { 4: [...icmp[4]], 6: [...icmp[6]] },
  };
}

/** One step of a sequence: a fresh packet, or the reply to the previous packet. */
type Step = { kind: 'packet'; p: VectorPacket } | { kind: 'reply'; flags: string; advanceMs: number } | { kind: 'fragmented'; id: number };

function packetArb(pl: Pools): fc.Arbitrary<VectorPacket> {
  return fc
    .record({
      family: fc.constantFrom<Family>(4, 4, 6),
      ingress: fc.boolean(),
      li: fc.nat(),
      ri: fc.nat(),
      protoPick: fc.constantFrom('tcp', 'tcp', 'udp', 'udp', 'sctp', 'icmp', 'icmp', 'other'),
      port: fc.oneof(fc.constantFrom(...pl.ports), fc.integer({ min: 0, max: 65535 })),
      sport: fc.oneof(fc.constant(40000), fc.integer({ min: 1, max: 65535 })),
      flags: fc.constantFrom('S', 'S', 'SA', 'A', 'PA', 'R', 'F', ''),
      icmpIdx: fc.nat(),
      icmpId: fc.integer({ min: 0, max: 3 }),
      vlan: fc.oneof({ weight: 30, arbitrary: fc.constant([] as number[]) }, { weight: 1, arbitrary: fc.constant([10]) }, { weight: 1, arbitrary: fc.constant([100, 10]) }, { weight: 1, arbitrary: fc.constant([1, 2, 3]) }),
      fragment: fc.oneof(
        { weight: 30, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.record({ offset: fc.constant(0), more: fc.constant(true), id: fc.integer({ min: 1, max: 2 }) }) },
        { weight: 1, arbitrary: fc.record({ offset: fc.constantFrom(8, 1480), more: fc.boolean(), id: fc.integer({ min: 1, max: 2 }) }) },
      ),
      truncate: fc.oneof({ weight: 30, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 14, max: 80 }) }),
      ethertype: fc.oneof({ weight: 60, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(0x0806, 0x88cc) }),
      payloadLength: fc.constantFrom(0, 0, 1, 20),
    })
    .map((r): VectorPacket => {
      const locals = pl.local[r.family];
      const remotes = pl.remote[r.family];
      const local = locals[r.li % locals.length]!;
      const remote = remotes[r.ri % remotes.length]!;
      const protocol = { tcp: 6, udp: 17, sctp: 132, icmp: r.family === 4 ? 1 : 58, other: 47 }[r.protoPick];
      const icmps = pl.icmp[r.family];
      return {
        direction: r.ingress ? 'ingress' : 'egress',
        src: r.ingress ? remote : local,
        dst: r.ingress ? local : remote,
        protocol,
        sport: r.sport,
        dport: r.port,
        icmpType: icmps[r.icmpIdx % icmps.length]!,
        icmpCode: 0,
        icmpId: r.icmpId,
        tcpFlags: protocol === 6 ? r.flags : '',
        payload: new Uint8Array(r.payloadLength).fill(0x61),
        vlan: r.vlan,
        ...(r.fragment !== undefined ? { fragment: r.fragment } : {}),
        ...(r.ethertype !== undefined ? { ethertype: r.ethertype } : {}),
        ...(r.truncate !== undefined ? { truncate: r.truncate } : {}),
        advanceMs: 0,
      };
    });
}

/** A packet aimed at one entry of the model's rule table: its local and remote identities, protocol and ports. */
function directedArb(pl: Pools): fc.Arbitrary<VectorPacket> {
  const entries = pl.model.entries;
  const endpointsOf = (id: number): string[] => pl.byIdentity.get(id) ?? [];
  // a rule first, then one of its entries, so that rules with few entries decide as often as the others
  const byRule = new Map<number, typeof entries[number][]>();
  for (const e of entries) byRule.set(e.rule, [...(byRule.get(e.rule) ?? []), e]);
  const groups = [...byRule.values()];
  return fc.record({ base: packetArb(pl), gi: fc.nat(), ei: fc.nat(), li: fc.nat(), ri: fc.nat(), edge: fc.constantFrom('lo', 'hi', 'mid', 'any') }).map(({ base, gi, ei, li, ri, edge }) => {
    const group = groups[gi % Math.max(groups.length, 1)] ?? [];
    const e = group[ei % Math.max(group.length, 1)];
    if (e === undefined) return base;
    const remotes = e.remote === 0 ? [...pl.remote[4], ...pl.remote[6]] : endpointsOf(e.remote);
    const remote = remotes[ri % Math.max(remotes.length, 1)];
    if (remote === undefined) return base;
    const family = fam(remote);
    const locals = pl.model.mode === 'interface' ? pl.local[family] : endpointsOf(e.local).filter((a) => fam(a) === family);
    const local = locals[li % Math.max(locals.length, 1)];
    if (local === undefined) return base;
    const port = edge === 'lo' ? e.portLo : edge === 'hi' ? e.portHi : edge === 'mid' ? (e.portLo + e.portHi) >> 1 : base.dport;
    let protocol = e.anyProtocol ? base.protocol : e.protocol;
    if (protocol === 1 || protocol === 58) protocol = family === 4 ? 1 : 58;
    const ingress = e.direction === 'ingress';
    return {
      ...base,
      direction: e.direction,
      src: ingress ? remote : local,
      dst: ingress ? local : remote,
      protocol,
      dport: port,
      icmpType: protocol === 1 || protocol === 58 ? (e.anyProtocol ? base.icmpType : port & 0xff) : base.icmpType,
    };
  });
}

/** Sequences of 1 to 8 steps; a reply step answers the packet before it. */
export function sequenceArb(pl: Pools): fc.Arbitrary<VectorPacket[]> {
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: directedArb(pl).map((p) => ({ kind: 'packet' as const, p })) },
    { weight: 2, arbitrary: packetArb(pl).map((p) => ({ kind: 'packet' as const, p })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fragmented' as const), id: fc.integer({ min: 3, max: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('reply' as const), flags: fc.constantFrom('SA', 'A', 'R'), advanceMs: fc.constantFrom(0, 0, 30_000, 61_000) }) },
  );
  return fc.array(step, { minLength: 1, maxLength: 8 }).map((steps) => {
    const out: VectorPacket[] = [];
    for (const s of steps) {
      const prev = out[out.length - 1];
      if (s.kind === 'packet') out.push(s.p);
      else if (s.kind === 'fragmented') {
        // the previous packet again, as a first fragment and the fragment after it
        if (prev === undefined || prev.ethertype !== undefined) continue;
        const { fragment: _f, truncate: _t, ...whole } = prev;
        out.push({ ...whole, fragment: { offset: 0, more: true, id: s.id } }, { ...whole, fragment: { offset: 1480, more: false, id: s.id } });
      } else if (prev !== undefined && prev.ethertype === undefined) {
        const icmpReply = prev.protocol === 1 ? (prev.icmpType === 8 ? 0 : prev.icmpType) : prev.protocol === 58 ? (prev.icmpType === 128 ? 129 : prev.icmpType) : prev.icmpType;
        out.push({
          ...prev,
          direction: prev.direction === 'ingress' ? 'egress' : 'ingress',
          src: prev.dst,
          dst: prev.src,
          sport: prev.dport,
          dport: prev.sport,
          icmpType: icmpReply,
          tcpFlags: prev.protocol === 6 ? s.flags : '',
          advanceMs: s.advanceMs,
        });
      }
    }
    return out;
  });
}

export interface Comparison {
  readonly packet: VectorPacket;
  readonly reference: Evaluation & { readonly verdict: string };
  readonly datapath: { readonly verdict: string; readonly reason: string; readonly rule: string | undefined; readonly l7?: readonly { slot: string; allowed: boolean }[] };
  readonly agree: boolean;
}

/** Runs a sequence from empty state through both; returns the comparisons. */
export function compareSequence(seq: readonly VectorPacket[], sim: PolicySimulation, evaluator: Evaluator, model: PolicyModel): Comparison[] {
  sim.reset();
  const state = new EvaluatorState();
  let now = 0n;
  const ruleName = (id: number | undefined) => (id === undefined ? undefined : id === 0 ? undefined : model.rules.find((r) => r.id === id)?.name);
  return seq.map((packet) => {
    now += BigInt(packet.advanceMs) * 1_000_000n;
    state.now = now;
    const got = sim.run(packet, now);
    const ref = evaluator.evaluate(packet, state, packetFrame(packet).length);
    const verdict = got.reason === 'audit' ? 'audit' : got.verdict;
    const rule = ruleName(got.rule);
    // the per-rule counter moves for rule decisions and default deny (rule id 0), nothing else
    const counted = ['allow', 'deny', 'default-deny', 'audit', 'l7-deny', 'l7-unparseable'].includes(ref.reason);
    // L7 ports: the same requests judged, each counted against the same L7 rule (or none, or cannot-see)
    const l7 = (x: readonly { slot: string; allowed: boolean }[] | undefined) => (x ?? []).map((c) => `${c.allowed ? '+' : '-'}${c.slot}`).sort().join(',');
    const agree = ref.verdict === verdict && ref.reason === got.reason && ref.rule === rule && counted === (got.rule !== undefined) && l7(ref.l7) === l7(got.l7);
    return { packet, reference: ref, datapath: { verdict, reason: got.reason, rule, ...(got.l7 !== undefined ? { l7: got.l7 } : {}) }, agree };
  });
}

export { Evaluator };
