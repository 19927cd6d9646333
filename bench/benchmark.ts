// The shape every bench/NAME.ts exports as default.
export interface BenchResult {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, string | number>[];
  readonly notes?: readonly string[];
  /** what --json prints instead of the rows, when a benchmark has a fixed output format */
  readonly json?: unknown;
}

export interface Benchmark {
  readonly title: string;
  /** `progress` writes to standard error, so --json output stays clean */
  run(progress: (msg: string) => void): Promise<BenchResult>;
}

/** Median wall time in milliseconds of `fn` over `runs` runs (after one warm-up). */
export async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
