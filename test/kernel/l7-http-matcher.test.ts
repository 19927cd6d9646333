// The HTTP matcher through the kernel (issue 8): the standalone tc wrapper of http_judge, unrolled and with
// loops, loaded by our loader (the kernel's verifier accepts both) and run with BPF_PROG_TEST_RUN on a sample
// of generated requests; the kernel's verdict and `next` must be the reference judge's, as the simulator's are
// (test/compiler/l7/http-c.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { judgeHttp } from '../../compiler/l7/http-judge.ts';
import { normaliseHttpRule } from '../../compiler/l7/http-rules.ts';
import { loadCollection, mapLookup, progTestRun } from '../../loader/index.ts';
import { arbitraryHttpRequest } from '../compiler/l7/http-arbitrary.ts';
import { buildHttpWrapper, httpFrame } from '../compiler/l7/http-wrapper.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

const WINDOW = 256;
const SAMPLE = 300;
const RULES = [
  normaliseHttpRule({ method: 'GET', path: '/public/*' }, 'r0'),
  normaliseHttpRule({ method: ['PUT', 'POST'], path: '/v1/items', headers: ['X-Token: abc'] }, 'r1'),
  normaliseHttpRule({ host: '*.example.com', headers: ['X-Debug'] }, 'r2'),
  normaliseHttpRule({ host: 'api.example.org', method: 'DELETE' }, 'r3'),
  normaliseHttpRule({ path: '/g/*/b/*' }, 'r4'),
];

describe.runIf(available('l7 http matcher (kernel)', kernelBpf, clang19))('the HTTP matcher in the kernel', () => {
  for (const loops of [false, true]) {
    it(`gives the reference judge's verdicts on ${SAMPLE} requests (${loops ? 'bounded loops' : 'unrolled'})`, async () => {
      const spec = readObject(await buildHttpWrapper([{ id: 1, rules: RULES }], WINDOW, loops, 3600)); // the wrapper leaves room for more than a policy would
      const coll = loadCollection(spec, { programs: ['judge'] });
      try {
        const prog = coll.programs.get('judge')!;
        const nextMap = coll.maps.get('http_next')!;
        const mismatches: string[] = [];
        const verdicts = new Set<number>();
        for (const [i, payload] of fc.sample(arbitraryHttpRequest(RULES), { numRuns: SAMPLE, seed: 11 }).entries()) {
          const r = progTestRun(prog, { data: httpFrame(1, payload) });
          const got = r.retval | 0;
          const next = new DataView(mapLookup(nextMap, new Uint8Array(4))!.buffer).getUint32(0, true);
          const j = judgeHttp(RULES, payload, WINDOW);
          const want = j.kind === 'match' ? j.rule + 1 : j.kind === 'no-match' ? 0 : -1;
          verdicts.add(want);
          if (got !== want || next !== (j.kind === 'cannot-see' ? 0 : j.next)) mismatches.push(`request ${i}: judge ${JSON.stringify(j)}, kernel ${got} next ${next}`);
        }
        expect(mismatches.slice(0, 5)).toEqual([]);
        expect([...verdicts].sort()).toEqual([-1, 0, 1, 2, 3, 4, 5]);
      } finally {
        coll.close();
      }
    });
  }
});
