// Many packets through one program: the verdicts counted, faults counted (the first kept), and the rate.
import type { SimRunOptions, SimRunResult, Simulator } from '../simulator.ts';
import { SimFault } from '../vm/index.ts';

export interface BatchOptions extends SimRunOptions {
  /** called with each packet's result (or its fault), in order */
  readonly onResult?: (index: number, result: SimRunResult | SimFault) => void;
}

export interface BatchResult {
  readonly packets: number;
  /** action (`XDP_DROP`, `TC_ACT_OK`, …, or `fault`) → how many packets ended so */
  readonly verdicts: Readonly<Record<string, number>>;
  readonly faults: number;
  /** the first packet's fault, when one faulted */
  readonly firstFault?: { readonly index: number; readonly fault: SimFault };
  readonly elapsedMs: number;
  readonly packetsPerSecond: number;
}

/**
 * Run `name` on each packet with `sim.run` (so every packet sees the maps as the previous ones left them).
 * A fault of the program counts as the verdict `fault` and the batch goes on; any other error stops it.
 */
export function runBatch(sim: Simulator, name: string, packets: Iterable<Uint8Array>, options: BatchOptions = {}): BatchResult {
  const { onResult, ...runOptions } = options;
  const verdicts: Record<string, number> = {};
  let count = 0;
  let faults = 0;
  let firstFault: BatchResult['firstFault'];
  const t0 = performance.now();
  for (const packet of packets) {
    let verdict: string;
    try {
      const r = sim.run(name, packet, runOptions);
      verdict = r.action;
      onResult?.(count, r);
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      verdict = 'fault';
      faults++;
      firstFault ??= { index: count, fault: e };
      onResult?.(count, e);
    }
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    count++;
  }
  const elapsedMs = performance.now() - t0;
  return {
    packets: count,
    verdicts,
    faults,
    ...(firstFault !== undefined ? { firstFault } : {}),
    elapsedMs,
    packetsPerSecond: elapsedMs > 0 ? (count * 1000) / elapsedMs : 0,
  };
}
