// TCP sessions carrying L7 requests, for the model-based tests: a connection to a port of the model that has
// an L7 ruleset (its local and remote identities taken from the entry), opened by a SYN (or seen mid-stream),
// then the protocol's requests packed into segments in the ways a datapath meets them: one per segment,
// pipelined pairs and bursts past the per-segment bound, a request split across two segments, bodies in their
// own segment, retransmissions, a gap (a lost segment), and the server's replies between them.
import fc from 'fast-check';
import { join } from 'node:path';
import { readObject } from '../../../bpf/index.ts';
import { preparePolicy } from '../../../cli/commands/policy-pipeline.ts';
import { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { Evaluator, type ModelL7Ruleset, type VectorPacket } from '../../../compiler/dsl/index.ts';
import { repoRoot } from '../../corpora.ts';
import { compareSequence, pools } from '../cgen/policy-packets.ts';
import type { HttpMatch } from '../../../compiler/l7/http-rules.ts';
import type { KafkaMatch } from '../../../compiler/l7/kafka-rules.ts';
import type { Pools } from '../cgen/policy-packets.ts';
import { arbitraryHttpRequest } from './http-arbitrary.ts';
import { arbitraryKafkaConversation } from './kafka-arbitrary.ts';

/** Requests (each one payload, possibly holding several) generated for a ruleset by its protocol's arbitrary. */
export function requestsArb(rs: ModelL7Ruleset): fc.Arbitrary<Uint8Array[]> {
  if (rs.protocol === 'http') return fc.array(arbitraryHttpRequest(rs.matches as HttpMatch[]), { minLength: 1, maxLength: 5 });
  return arbitraryKafkaConversation(rs.matches as KafkaMatch[]);
}

type Packing = 'alone' | 'pipelined' | 'split' | 'retransmitted' | 'after-gap' | 'burst' | 'reply-after';

const fam = (ip: string) => (ip.includes(':') ? 6 : 4);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One session: its packets in order (sequence numbers explicit), the client's segments carrying the requests. */
export function l7SessionArb(pl: Pools): fc.Arbitrary<VectorPacket[]> {
  const entries = pl.model.entries.filter((e) => (e.l7 ?? 0) !== 0);
  if (entries.length === 0) throw new RangeError('the model has no L7 entries');
  const rulesets = new Map(pl.model.l7.rulesets.map((r) => [r.id, r]));
  return fc
    .record({ ei: fc.nat(), li: fc.nat(), ri: fc.nat(), sport: fc.integer({ min: 1024, max: 65535 }), isn: fc.integer({ min: 0, max: 0xffffffff }), syn: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) })
    .chain((r) => {
      const e = entries[r.ei % entries.length]!;
      const rs = rulesets.get(e.l7!)!;
      const packing = fc.constantFrom<Packing>('alone', 'alone', 'alone', 'pipelined', 'split', 'retransmitted', 'after-gap', 'burst', 'reply-after');
      return fc.record({ r: fc.constant(r), e: fc.constant(e), requests: requestsArb(rs), packings: fc.array(packing, { minLength: 8, maxLength: 8 }), cut: fc.nat() });
    })
    .map(({ r, e, requests, packings, cut }) => {
      const remotes = e.remote === 0 ? [...pl.remote[4], ...pl.remote[6]] : (pl.byIdentity.get(e.remote) ?? []);
      const remote = remotes[r.ri % Math.max(1, remotes.length)] ?? '192.0.2.1';
      const family = fam(remote);
      const locals = pl.model.mode === 'interface' ? pl.local[family] : (pl.byIdentity.get(e.local) ?? []).filter((a) => fam(a) === family);
      const local = locals[r.li % Math.max(1, locals.length)] ?? (family === 4 ? '10.255.0.9' : 'fd00:ffff::9');
      const ingress = e.direction === 'ingress';
      const client = ingress ? remote : local;
      const server = ingress ? local : remote;
      const dport = e.portLo + (r.sport % (e.portHi - e.portLo + 1));
      const base = { src: client, dst: server, protocol: 6, sport: r.sport, dport, icmpType: 0, icmpCode: 0, icmpId: 0, vlan: [], advanceMs: 0 };
      const toClient = { ...base, direction: (ingress ? 'egress' : 'ingress') as VectorPacket['direction'], src: server, dst: client, sport: dport, dport: r.sport };
      const out: VectorPacket[] = [];
      let seq = r.isn >>> 0;
      const send = (payload: Uint8Array, at = seq, flags = 'PA') => {
        out.push({ ...base, direction: e.direction, tcpFlags: flags, seq: at >>> 0, payload });
      };
      if (r.syn) {
        send(new Uint8Array(0), seq, 'S');
        out.push({ ...toClient, tcpFlags: 'SA', payload: new Uint8Array(0) });
        seq = (seq + 1) >>> 0;
      }
      let prev: { payload: Uint8Array; seq: number } | undefined;
      for (let i = 0; i < requests.length; i++) {
        const how = packings[i % packings.length]!;
        let payload = requests[i]!;
        if (how === 'pipelined' && i + 1 < requests.length) payload = concat([payload, requests[++i]!]);
        if (how === 'burst') payload = concat([payload, ...requests.slice(i), payload, payload, payload].slice(0, 6));
        if (how === 'after-gap') seq = (seq + 1 + (cut % 300)) >>> 0;
        if (how === 'split' && payload.length > 1) {
          const at = 1 + (cut % (payload.length - 1));
          send(payload.subarray(0, at));
          send(payload.subarray(at), (seq + at) >>> 0);
        } else send(payload);
        prev = { payload, seq };
        seq = (seq + payload.length) >>> 0;
        if (how === 'retransmitted' && prev !== undefined) send(prev.payload, prev.seq);
        if (how === 'reply-after') out.push({ ...toClient, tcpFlags: 'PA', payload: new Uint8Array([0x48, 0x54, 0x54, 0x50]) });
      }
      return out;
    });
}

/** Runs sessions until `target` requests were judged; returns what the reference counted. */
export async function runL7Sessions(example: string, target: number, seed: number, onDisagreement: (message: string) => void): Promise<{ requests: number; packets: number; slots: Map<string, number>; reasons: Map<string, number> }> {
  const p = await preparePolicy(join(repoRoot, 'examples', `${example}.ts`), { driver: 'native' });
  const sim = await PolicySimulation.create(readObject(p.compiled.object), p.compiled.programs, p.compiled.maps, { l7: p.model.l7, unverified: true });
  const evaluator = new Evaluator(p.loaded.policies, p.inventory);
  const pl = pools(p.loaded.policies, p.inventory, p.model);
  let requests = 0;
  let packets = 0;
  const slots = new Map<string, number>();
  const reasons = new Map<string, number>();
  fc.assert(
    fc.property(l7SessionArb(pl), (session) => {
      if (requests >= target) return;
      for (const c of compareSequence(session, sim, evaluator, p.model)) {
        packets++;
        reasons.set(c.reference.reason, (reasons.get(c.reference.reason) ?? 0) + 1);
        for (const x of c.reference.l7 ?? []) {
          if (x.slot !== '(cannot see)') requests++;
          const k = `${x.allowed ? 'allowed' : 'denied'} ${x.slot}`;
          slots.set(k, (slots.get(k) ?? 0) + 1);
        }
        if (!c.agree) {
          const pkt = { ...c.packet, payload: Buffer.from(c.packet.payload).toString('latin1') };
          onDisagreement(`${JSON.stringify(pkt)}: reference ${JSON.stringify(c.reference)}, datapath ${JSON.stringify(c.datapath)}`);
        }
      }
    }),
    { numRuns: target * 10, seed },
  );
  return { requests, packets, slots, reasons };
}

