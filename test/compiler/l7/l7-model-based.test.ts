// The model-based test extended to L7: sessions of generated requests (l7-sessions.ts) on the L7 examples run
// through the reference evaluator (judging each request with judgeHttp / judgeKafka) and the compiled
// datapath in the simulator; verdicts, reasons, rules and the L7 counters must agree on every packet.
// CI runs a fixed sample; scripts/policy-model-based.ts runs 10,000 requests per example.
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { preparePolicy } from '../../../cli/commands/policy-pipeline.ts';
import { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { Evaluator } from '../../../compiler/dsl/index.ts';
import { repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';
import { compareSequence, pools } from '../cgen/policy-packets.ts';
import { l7SessionArb } from './l7-sessions.ts';

const REQUESTS = 300;

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

describe.runIf(available('L7 model-based', clang19))('L7 model-based', () => {
  for (const example of ['http-api', 'kafka-produce']) {
    it(`${example}: the datapath and the reference evaluator agree on ${REQUESTS} generated requests`, async () => {
      const disagreements: string[] = [];
      const r = await runL7Sessions(example, REQUESTS, 11, (m) => disagreements.push(m));
      expect(disagreements.slice(0, 3)).toEqual([]);
      expect(r.requests).toBeGreaterThanOrEqual(REQUESTS);
      // the sample reaches allowed requests, denied ones and what cannot be seen
      expect(r.reasons.get('allow') ?? 0).toBeGreaterThan(0);
      expect(r.reasons.get('l7-deny') ?? 0).toBeGreaterThan(0);
      expect(r.reasons.get('l7-unparseable') ?? 0).toBeGreaterThan(0);
    }, 120_000);
  }
});
