// A smoke check of the cost of the hot paths (the verifier runs them up to a million times per program).
// Figures on an idle machine: about 4 µs per reg_bounds_sync and 5-7 µs per ALU op or branch refinement.
import { describe, expect, it } from 'vitest';
import {
  adjustScalarMinMaxVals,
  cloneScalar,
  isScalarBranchTaken,
  knownScalar,
  regBoundsSync,
  regSetMinMax,
  type ScalarState,
} from '../../../verifier/domains/index.ts';
import { randomSet, scalarOfSet } from './concrete.ts';
import { prng } from './kernel-cases.ts';

/** CPU microseconds per call of `f` over `n` calls. */
function cost(n: number, f: (i: number) => void): number {
  for (let i = 0; i < 2000; i++) f(i);
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / n;
}

describe('scalar domain cost', () => {
  const rng = prng(3);
  const states: ScalarState[] = Array.from({ length: 500 }, () => {
    const s = scalarOfSet(randomSet(rng));
    regBoundsSync(s);
    return s;
  });
  const k = knownScalar(3n);
  const ops = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'lsh'] as const;
  const jops = ['jgt', 'jlt', 'jeq', 'jne', 'jsgt', 'jset'] as const;

  it('syncs, ALU ops and branch refinements each stay well under 100 µs', () => {
    const sync = cost(20000, (i) => regBoundsSync(cloneScalar(states[i % 500]!)));
    const alu = cost(20000, (i) =>
      adjustScalarMinMaxVals(cloneScalar(states[i % 500]!), i & 1 ? k : states[(i * 7) % 500]!, { op: ops[i % 7]!, alu32: (i & 2) !== 0 }),
    );
    const branch = cost(20000, (i) => {
      const a = states[i % 500]!;
      const b = i & 1 ? k : states[(i * 13) % 500]!;
      const op = jops[i % 6]!;
      if (isScalarBranchTaken(a, b, op, false) !== 'unknown') return;
      regSetMinMax({ trueReg1: cloneScalar(a), trueReg2: cloneScalar(b), falseReg1: cloneScalar(a), falseReg2: cloneScalar(b) }, op, { isJmp32: false });
    });
    console.log(`scalar domain cost (CPU µs/op): sync ${sync.toFixed(2)}, alu ${alu.toFixed(2)}, branch ${branch.toFixed(2)}`);
    expect(Math.max(sync, alu, branch)).toBeLessThan(100);
  });
});
