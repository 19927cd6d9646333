// xdp mode on examples/: the receive-side program compiled for XDP (built with clang-19) passes the
// linux-6.18-bpf profile (it loads with CAP_BPF+CAP_NET_ADMIN only; it does not fit seed's 131,072 processed
// instructions: without CAP_PERFMON the head copy's speculative paths take about 150,000), gives every vector packet the verdict, reason and rule the tc build gives (and the vectors expect), counts
// the same bytes, and agrees with the reference evaluator on generated packets; L7 rules on received packets
// refuse xdp mode in one line.
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { compilePolicy, generatePolicyC, l7ReceiveRefusal, policyPrograms } from '../../../compiler/cgen/index.ts';
import { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { buildModel, Evaluator, parseInventory, policy } from '../../../compiler/dsl/index.ts';
import { readVectorFile } from '../../../compiler/services/index.ts';
import { runPolicyVectors } from '../../../cli/commands/policy-check.ts';
import { preparePolicy } from '../../../cli/commands/policy-pipeline.ts';
import { verify } from '../../../verifier/index.ts';
import { repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';
import { compareSequence, pools, sequenceArb } from './policy-packets.ts';

const EXAMPLES = ['host-firewall', 'web-tier', 'namespace-default-deny', 'http-api'];
const PACKETS = 300;

describe('xdp mode: programs and C', () => {
  it('moves only the receive-side program to XDP, in both modes', () => {
    const host = buildModel([policy({ name: 'h', host: true })], parseInventory({ endpoints: [] }));
    expect(policyPrograms(host, 'xdp').map((p) => [p.name, p.section, p.direction])).toEqual([
      ['policy_ingress', 'xdp', 'ingress'],
      ['policy_egress', 'tcx/egress', 'egress'],
    ]);
    const ep = buildModel([policy({ name: 'w', selector: { matchLabels: { app: 'web' } }, ingress: [{ name: 'http', ports: [{ port: 80 }] }] })], parseInventory({ endpoints: [{ ip: '10.1.0.1', labels: { app: 'web' } }] }));
    expect(policyPrograms(ep, 'xdp').map((p) => [p.name, p.section, p.direction])).toEqual([
      ['policy_to_endpoint', 'tcx/egress', 'ingress'],
      ['policy_from_endpoint', 'xdp', 'egress'],
    ]);
    const c = generatePolicyC(ep, { attachMode: 'xdp' });
    expect(c).toMatch(/^int policy_from_endpoint\(struct xdp_md \*ctx\)$/m);
    // one body text, instantiated per context (not a second hand-written copy)
    expect(c.match(/static __always_inline int HANDLE\(CTX \*ctx, const int dir\)/g)).toHaveLength(2);
    expect(generatePolicyC(ep).match(/static __always_inline int HANDLE\(/g)).toHaveLength(1);
    expect(generatePolicyC(ep)).not.toContain('xdp_head');
  });

  it('refuses xdp mode in one line when L7 rules judge received packets', async () => {
    const host = buildModel([policy({ name: 'h', host: true, ingress: [{ name: 'web', ports: [{ port: 80, http: [{ method: 'GET' }] }] }] })], parseInventory({ endpoints: [] }));
    const why = l7ReceiveRefusal(host);
    expect(why).toMatch(/^--mode xdp: rule web has L7 rules on received packets \(ingress\)/);
    expect(why).not.toContain('\n');
    await expect(compilePolicy(host, { attachMode: 'xdp', driver: 'native' })).rejects.toThrow(RangeError);
  });
});

describe.runIf(available('xdp mode on the policy examples', clang19))('xdp mode on the policy examples', () => {
  for (const name of EXAMPLES) {
    it(`${name}: the XDP build passes linux-6.18-bpf and its vectors get the tc build's verdicts`, async () => {
      const file = join(repoRoot, 'examples', `${name}.ts`);
      const p = await preparePolicy(file, { driver: 'native' });
      const xdp = await compilePolicy(p.model, { attachMode: 'xdp', driver: 'native' });
      const spec = readObject(xdp.object);
      for (const prog of xdp.programs) {
        const r = verify(spec, { program: prog.name, profile: 'linux-6.18-bpf' });
        expect({ prog: prog.name, verdict: r.verdict }).toEqual({ prog: prog.name, verdict: 'accept' });
      }
      const cases = readVectorFile(join(repoRoot, 'examples', `${name}.vectors.yaml`)).policy;
      const tc = await runPolicyVectors(p, readObject(p.compiled.object), cases);
      const onXdp = await runPolicyVectors({ ...p, compiled: xdp }, spec, cases);
      expect(onXdp.every((c) => c.passed)).toBe(true);
      expect(onXdp).toEqual(tc);
      expect(onXdp.flatMap((c) => c.packets).length).toBeGreaterThan(5);
    });
  }

  it('host-firewall: the XDP build counts the bytes tc counts, and agrees with the reference evaluator on generated packets', async () => {
    const p = await preparePolicy(join(repoRoot, 'examples', 'host-firewall.ts'), { driver: 'native' });
    const xdp = await compilePolicy(p.model, { attachMode: 'xdp', driver: 'native' });
    const sim = await PolicySimulation.create(readObject(xdp.object), xdp.programs, xdp.maps);
    const tcSim = await PolicySimulation.create(readObject(p.compiled.object), p.compiled.programs, p.compiled.maps);
    const evaluator = new Evaluator(p.loaded.policies, p.inventory);
    const pl = pools(p.loaded.policies, p.inventory, p.model);
    let packets = 0;
    const reasons = new Set<string>();
    fc.assert(
      fc.property(sequenceArb(pl), (seq) => {
        if (packets >= PACKETS) return;
        const onXdp = compareSequence(seq, sim, evaluator, p.model);
        const onTc = compareSequence(seq, tcSim, evaluator, p.model);
        for (const c of onXdp) {
          packets++;
          reasons.add(c.reference.reason);
          if (!c.agree) throw new Error(`disagreement on ${JSON.stringify({ ...c.packet, payload: c.packet.payload.length })}: reference ${JSON.stringify(c.reference)}, xdp ${JSON.stringify(c.datapath)}`);
        }
        expect(onXdp.map((c) => c.datapath)).toEqual(onTc.map((c) => c.datapath));
        // the bytes each verdict counted: the frame's length on both (the XDP length comes from its head copy)
        expect(sim.counters().verdicts).toEqual(tcSim.counters().verdicts);
      }),
      { numRuns: 10_000, seed: 11 },
    );
    expect(packets).toBeGreaterThanOrEqual(PACKETS);
    for (const r of ['allow', 'default-deny', 'reply', 'malformed']) expect(reasons).toContain(r);
  });
});
