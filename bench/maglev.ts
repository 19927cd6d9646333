// Maglev table quality and build time (compiler/services/maglev.ts): for N backends and table size M,
// the largest and smallest share against the ideal M/N, and the entries that change owner when one
// backend is removed against the ideal 1/N (the mean over REMOVALS removed backends).
// Goals (issue 9): shares within 1% for N ≤ 100 at M = 16381; disruption ≤ 1.1 at N = 10,
// ≤ 2.5 at N = 100 / M = 16381, ≤ 1.7 at N = 100 / M = 65521.
import { buildMaglevTable, maglevDisruption, maglevShares, type MaglevBackend } from '../compiler/services/maglev.ts';
import { medianMs, type Benchmark, type BenchResult } from './benchmark.ts';

const COUNTS = [10, 100, 1000];
const SIZES = [16381, 65521];
const REMOVALS = 5;

interface Row {
  backends: number;
  tableSize: number;
  maxOverIdeal: number;
  minOverIdeal: number;
  disruptionRatio: number;
  buildMs: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

const bench: Benchmark = {
  title: 'maglev: table shares against M/N, disruption on removing one backend against 1/N, build time',
  async run(progress) {
    const results: Row[] = [];
    for (const tableSize of SIZES) {
      for (const n of COUNTS) {
        progress(`N = ${n}, M = ${tableSize}`);
        const backends: MaglevBackend[] = Array.from({ length: n }, (_, i) => ({ name: `10.1.${i >> 8}.${i & 255}:8080` }));
        const table = buildMaglevTable(backends, { size: tableSize });
        const shares = maglevShares(table, n);
        const ideal = tableSize / n;
        let disruption = 0;
        for (let k = 0; k < REMOVALS; k++) disruption += maglevDisruption(backends, Math.floor((k * n) / REMOVALS), { size: tableSize });
        const buildMs = await medianMs(5, () => buildMaglevTable(backends, { size: tableSize }));
        results.push({
          backends: n,
          tableSize,
          maxOverIdeal: round(Math.max(...shares) / ideal, 4),
          minOverIdeal: round(Math.min(...shares) / ideal, 4),
          disruptionRatio: round(disruption / REMOVALS, 3),
          buildMs: round(buildMs, 2),
        });
      }
    }
    const goal = (r: Row): string => {
      const share = r.backends <= 100 && r.tableSize === 16381 ? Math.max(r.maxOverIdeal - 1, 1 - r.minOverIdeal) <= 0.01 : true;
      const limit = r.backends === 10 ? 1.1 : r.backends === 100 ? (r.tableSize === 16381 ? 2.5 : 1.7) : undefined;
      if (limit === undefined) return 'report';
      return share && r.disruptionRatio <= limit ? 'met' : 'MISSED';
    };
    const out: BenchResult & { results: Row[] } = {
      columns: ['backends', 'tableSize', 'maxOverIdeal', 'minOverIdeal', 'disruptionRatio', 'buildMs', 'goal'],
      rows: results.map((r) => ({ ...r, goal: goal(r) })),
      notes: [`disruptionRatio: mean over ${REMOVALS} removed backends of (entries changing owner / M) / (1/N)`],
      results,
    };
    return out;
  },
};
export default bench;
