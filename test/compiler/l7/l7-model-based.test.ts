// The model-based test extended to L7: sessions of generated requests (l7-sessions.ts) on the L7 examples run
// through the reference evaluator (judging each request with judgeHttp / judgeKafka) and the compiled
// datapath in the simulator; verdicts, reasons, rules and the L7 counters must agree on every packet.
// CI runs a fixed sample; scripts/policy-model-based.ts runs 10,000 requests per example.
import { describe, expect, it } from 'vitest';
import { available, clang19 } from '../../support/require.ts';
import { runL7Sessions } from './l7-sessions.ts';

const REQUESTS = 120;

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
