// The L7 datapath in the simulator, on small policies built here: the reference evaluator agrees on every
// packet, and the behaviours docs/l7.md describes hold: a RST answers a violation (violation: reset), what
// cannot be seen passes and is counted (unparseable: allow), more than four pipelined requests in one segment
// cannot be seen, a gap cannot be seen, and a hot update cannot change the L7 rules.
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { applyPolicyUpdate, compilePolicy, ReloadNeededError } from '../../../compiler/cgen/index.ts';
import { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { buildModel, cidr, EMPTY_INVENTORY, Evaluator, EvaluatorState, packetFrame, policy, withSequenceNumbers, type L7SettingsInput, type VectorPacket } from '../../../compiler/dsl/index.ts';
import { available, clang19 } from '../../support/require.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const base = { direction: 'ingress', src: '192.0.2.5', dst: '198.51.100.1', protocol: 6, sport: 40000, dport: 80, icmpType: 0, icmpCode: 0, icmpId: 0, vlan: [], advanceMs: 0 } as const;
const syn: VectorPacket = { ...base, tcpFlags: 'S', payload: new Uint8Array(0) };
const seg = (payload: string, seq?: number): VectorPacket => ({ ...base, tcpFlags: 'PA', payload: enc(payload), ...(seq !== undefined ? { seq } : {}) });

async function build(l7: L7SettingsInput) {
  const p = policy({ name: 'api', host: true, l7, ingress: [{ name: 'reads', from: [cidr('192.0.2.0/24')], ports: [{ port: 80, http: [{ method: 'GET', path: '/a/*' }, { method: 'HEAD' }] }] }] });
  const model = buildModel([p], EMPTY_INVENTORY);
  const compiled = await compilePolicy(model, { driver: 'native' });
  const sim = await PolicySimulation.create(readObject(compiled.object), compiled.programs, compiled.maps, { l7: model.l7, unverified: true });
  const evaluator = new Evaluator([p], EMPTY_INVENTORY);
  /** runs packets from empty state; every packet must agree with the reference evaluator */
  const run = (packets: readonly VectorPacket[]) => {
    sim.reset();
    const state = new EvaluatorState();
    return withSequenceNumbers(packets).map((pk) => {
      const got = sim.run(pk, 0n);
      const ref = evaluator.evaluate(pk, state, packetFrame(pk).length);
      expect({ verdict: got.verdict, reason: got.reason }).toEqual({ verdict: ref.verdict, reason: ref.reason });
      expect((got.l7 ?? []).map((c) => `${c.allowed}:${c.slot}`).sort()).toEqual((ref.l7 ?? []).map((c) => `${c.allowed}:${c.slot}`).sort());
      return got;
    });
  };
  return { model, compiled, sim, run };
}

describe.runIf(available('L7 datapath', clang19))('L7 datapath', () => {
  it('violation reset answers a refused request with a RST, and judges each pipelined request up to four per segment', async () => {
    const { run } = await build({ violation: 'reset' });
    const got = run([syn, seg('GET /a/1 HTTP/1.1\r\n\r\n'), seg('POST /a/1 HTTP/1.1\r\n\r\n')]);
    expect(got.map((g) => g.verdict)).toEqual(['allow', 'allow', 'reset']);
    expect(got[1]!.l7).toEqual([{ slot: 'reads/ports[0]/http[0]', allowed: true }]);
    expect(got[2]!.l7).toEqual([{ slot: '(no rule)', allowed: false }]);
    const four = 'HEAD / HTTP/1.1\r\n\r\n'.repeat(4);
    const pipelined = run([syn, seg(four), seg(four + 'HEAD / HTTP/1.1\r\n\r\n')]);
    expect(pipelined.map((g) => [g.verdict, g.reason])).toEqual([
      ['allow', 'allow'],
      ['allow', 'allow'],
      ['reset', 'l7-unparseable'],
    ]);
    expect(pipelined[1]!.l7).toHaveLength(4);
  }, 60_000);

  it('unparseable allow passes what cannot be seen, counts it, and loses the stream position after it', async () => {
    const { run } = await build({ unparseable: 'allow' });
    const got = run([
      syn,
      seg('GET /a/1 HTTP/1.1\r\nContent-Length: 4\r\n\r\n'),
      seg('body'),
      seg('GET /a/2 HTTP/1.1\r\nX-Split: '),
      seg('GET /a/3 HTTP/1.1\r\n\r\n'),
    ]);
    expect(got.map((g) => [g.verdict, g.reason])).toEqual([
      ['allow', 'allow'],
      ['allow', 'allow'],
      ['allow', 'allow'],
      ['allow', 'l7-unparseable'],
      ['allow', 'l7-unparseable'],
    ]);
    expect(got[3]!.l7).toEqual([{ slot: '(cannot see)', allowed: true }]);
    // a retransmission of judged bytes passes without being judged again; a gap (a lost segment) cannot be seen
    const gap = run([syn, seg('GET /a/1 HTTP/1.1\r\n\r\n'), seg('GET /a/1 HTTP/1.1\r\n\r\n', 1001), seg('GET /a/2 HTTP/1.1\r\n\r\n', 5000)]);
    expect(gap.map((g) => g.reason)).toEqual(['allow', 'allow', 'allow', 'l7-unparseable']);
    expect(gap[2]!.l7).toEqual([]);
  }, 60_000);

  it('a hot update keeps the L7 rules or asks for a reload', async () => {
    const { compiled, sim } = await build({});
    const other = policy({ name: 'api', host: true, ingress: [{ name: 'reads', from: [cidr('192.0.2.0/24')], ports: [{ port: 80, http: [{ method: 'GET' }] }] }] });
    const writer = { update: (m: string, k: Uint8Array, v: Uint8Array) => sim.sim.map(m).set(k, v), delete: (m: string, k: Uint8Array) => sim.sim.map(m).remove(k) };
    expect(() => applyPolicyUpdate(writer, compiled.maps, buildModel([other], EMPTY_INVENTORY))).toThrow(ReloadNeededError);
  }, 60_000);
});
