// Service vectors: the cases of a vectors file split into policy and service cases, and the service cases run
// in the simulator against the load balancer (expectDst / expectSrc, replies, the TypeScript reference model).
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEndpoint, parseVectorFile, runServiceVectors, type LbUnderTest } from '../../../compiler/services/index.ts';
import { backendsOf, compileTestLb, CONFIG, testServices } from './lb-harness.ts';

let lb: LbUnderTest;
beforeAll(async () => {
  lb = { object: await compileTestLb(), services: testServices(), config: CONFIG };
}, 120_000);

const WEB = backendsOf(4).map((b) => `${b.address}:${b.port}`);

describe('parseVectorFile', () => {
  it('keeps policy cases for the policy runner and parses the service cases', () => {
    const f = parseVectorFile({
      cases: [
        { name: 'policy', packets: [{ direction: 'ingress', src: '10.0.0.1', dst: '10.0.0.2', dport: 22, expect: 'deny' }] },
        { name: 'service', packets: [{ src: '10.0.0.1', dst: '10.96.0.10', dport: 80, expectDst: 'maglev' }, { replyTo: 1, expectSrc: '10.96.0.10:80' }] },
        { name: 'ns', topology: 'north-south', snatAddress: '192.168.1.1', packets: [{ src: '10.0.0.1', dst: '10.96.0.10', dport: 80 }] },
      ],
    });
    expect(f.policy.map((c) => c.name)).toEqual(['policy']);
    expect(f.services.map((c) => [c.name, c.topology])).toEqual([
      ['service', 'east-west'],
      ['ns', 'north-south'],
    ]);
    expect(f.services[0]!.packets.map((p) => p.direction)).toEqual(['egress', 'ingress']);
    expect(f.services[0]!.packets[1]).toMatchObject({ replyTo: 1, expectSrc: { kind: 'any-of', endpoints: ['10.96.0.10:80'] } });
    expect(f.services[1]!.config).toEqual({ snatAddress: '192.168.1.1' });
  });

  it('spells endpoints canonically and refuses what is not one', () => {
    expect(parseEndpoint('[fd00:0:0::5]:8080')).toBe('[fd00::5]:8080');
    expect(parseEndpoint('10.1.0.5:8080')).toBe('10.1.0.5:8080');
    expect(parseEndpoint('10.1.0.5')).toBeUndefined();
    expect(parseEndpoint('10.1.0.5:70000')).toBeUndefined();
    expect(() => parseVectorFile({ cases: [{ name: 'x', packets: [{ src: '10.0.0.1', dst: '10.0.0.2', expectDst: 'nowhere' }] }] })).toThrow(/packet 1: expectDst: nowhere is not address:port/);
    expect(() => parseVectorFile({ cases: [{ name: 'x', packets: [{ src: '10.0.0.1', dst: '10.0.0.2', expectDst: { sameAs: 1 } }] }] })).toThrow(/sameAs must name an earlier packet/);
    expect(() => parseVectorFile({ cases: [{ name: 'x', packets: [{ replyTo: 1 }] }] })).toThrow(/replyTo must name an earlier packet/);
  });
});

describe('runServiceVectors', () => {
  it('passes when the datapath and the reference model agree, flow after flow, with replies translated back', async () => {
    const packets = Array.from({ length: 30 }, (_, i) => [
      { src: `203.0.113.${i + 1}`, dst: '10.96.0.10', sport: 30000 + i, dport: 80, expectDst: 'maglev', expectSrc: `203.0.113.${i + 1}:${30000 + i}` },
      { replyTo: 2 * i + 1, tcpFlags: 'SA', expectSrc: '10.96.0.10:80', expectDst: `203.0.113.${i + 1}:${30000 + i}` },
    ]).flat();
    const { services } = parseVectorFile({ cases: [{ name: 'many', packets }] });
    const [r] = await runServiceVectors(lb, services);
    expect(r!.packets.filter((p) => p.problems.length > 0)).toEqual([]);
    expect(r!.passed).toBe(true);
    const dsts = new Set(r!.packets.filter((_, i) => i % 2 === 0).map((p) => p.dst));
    expect([...dsts].every((d) => WEB.includes(d!))).toBe(true);
    expect(dsts.size).toBeGreaterThan(2);
  });

  it('runs north-south cases through lb_xdp, SNAT included, IPv4 and IPv6', async () => {
    const { services } = parseVectorFile({
      cases: [
        {
          name: 'ns',
          topology: 'north-south',
          packets: [
            { src: '198.51.100.7', dst: '10.96.0.10', sport: 1234, dport: 80, expectDst: 'maglev' },
            { replyTo: 1, tcpFlags: 'SA', expectSrc: '10.96.0.10:80', expectDst: '198.51.100.7:1234' },
            { src: '2001:db8::7', dst: 'fd00:96::10', sport: 1234, dport: 80, expectDst: 'maglev' },
            { replyTo: 3, tcpFlags: 'SA', expectSrc: '[fd00:96::10]:80', expectDst: '[2001:db8::7]:1234' },
          ],
        },
      ],
    });
    const [r] = await runServiceVectors(lb, services);
    expect(r!.packets.map((p) => p.problems)).toEqual([[], [], [], []]);
    expect(r!.packets[0]!.src).toMatch(/^192\.168\.1\.1:\d+$/);
    expect(r!.packets[2]!.src).toMatch(/^\[fd00:ffff::1\]:\d+$/);
  });

  it('fails a case whose expectation the datapath does not meet, and says why', async () => {
    const { services } = parseVectorFile({
      cases: [
        {
          name: 'wrong',
          packets: [
            { src: '203.0.113.1', dst: '10.96.0.10', sport: 30000, dport: 80, expectDst: 'maglev' },
            { src: '203.0.113.1', dst: '10.96.0.10', sport: 30000, dport: 80, tcpFlags: 'A', expectDst: WEB },
            { src: '203.0.113.2', dst: '10.96.0.10', sport: 30000, dport: 80, expect: 'deny' },
          ],
        },
      ],
    });
    const first = (await runServiceVectors(lb, services))[0]!;
    expect(first.packets[0]!.problems).toEqual([]);
    expect(first.packets[1]!.problems).toEqual([]);
    // the same flow again, but naming every backend except the one it has
    const others = WEB.filter((w) => w !== first.packets[0]!.dst);
    const again = parseVectorFile({ cases: [{ name: 'wrong', packets: [{ src: '203.0.113.1', dst: '10.96.0.10', sport: 30000, dport: 80, expectDst: others }] }] });
    const r = (await runServiceVectors(lb, again.services))[0]!;
    expect(r.passed).toBe(false);
    expect(r.packets[0]!.problems[0]).toMatch(new RegExp(`^dst ${first.packets[0]!.dst!.replaceAll('.', '\\.')}, expected`));
    expect(first.passed).toBe(false);
    expect(first.packets[2]!.problems).toEqual(['expected deny, got allow']);
  });

  it('gives no new connection to a drained or removed backend: the flow goes to another one', async () => {
    const { services } = parseVectorFile({ cases: [{ name: 'x', packets: [{ src: '203.0.113.1', dst: '10.96.0.10', sport: 30000, dport: 80, expectDst: 'maglev' }] }] });
    const chosen = (await runServiceVectors(lb, services))[0]!.packets[0]!.dst!;
    for (const state of ['drained', 'removed'] as const) {
      const changed = testServices({ web: { backends: backendsOf(4).map((b) => (`${b.address}:${b.port}` === chosen ? { ...b, state } : b)) } });
      const f = parseVectorFile({ cases: [{ name: state, packets: [{ src: '203.0.113.1', dst: '10.96.0.10', sport: 30000, dport: 80, expectDst: WEB.filter((w) => w !== chosen) }, { src: '203.0.113.1', dst: '10.96.0.10', sport: 30000, dport: 80, expectDst: 'maglev' }] }] });
      const r = (await runServiceVectors({ ...lb, services: changed }, f.services))[0]!;
      expect(r.packets.map((p) => p.problems), state).toEqual([[], []]);
    }
  });
});
