// Differential check of the two tiers: the same object, the same map contents and the same packets through a
// Simulator on each tier; every observable thing compared packet by packet (return value, action, packet
// bytes, helper calls, printk, instruction count, or the fault in full) and the maps at the end.
import type { ObjectSpec } from '../../bpf/index.ts';
import type { SimRunResult } from '../simulator.ts';
import { Simulator } from '../simulator.ts';
import { createRng } from '../packet/index.ts';
import { SimFault } from '../vm/index.ts';
import { MapType, hexKey } from '../maps/index.ts';

export interface TierDifference {
  readonly program: string;
  /** packet index, or -1 for the maps at the end, -2 for the batch run (compareBatches) */
  readonly index: number;
  readonly interp: string;
  readonly wasm: string;
}

export interface TierComparison {
  readonly program: string;
  readonly packets: number;
  /** outcome (action or fault kind) → count, from the interpreter's side */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly differences: readonly TierDifference[];
}

export interface CompareOptions {
  /** entries put in each hash and array map before the run, the same on both sides (16 by default) */
  readonly mapEntries?: number;
  readonly seed?: number;
  /** stop collecting after this many differences per program (10 by default) */
  readonly maxDifferences?: number;
  /** also compare sim.runBatch (its lean path: verdicts, first fault, maps afterwards); true by default */
  readonly batch?: boolean;
  /** run on each simulator after the random entries (an object's own map contents, such as a policy's) */
  readonly setup?: (sim: Simulator) => void;
}

const json = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? hexKey(x) : x));

/** Everything a run shows, as one string (equal strings: equal behaviour). */
function describe(outcome: SimRunResult | SimFault): string {
  if (outcome instanceof SimFault) {
    const { kind, slot, program, region, offset, size, address, message } = outcome;
    return json({ fault: { kind, slot, program, region, offset, size, address, message } });
  }
  const { retval, action, packet, helperCalls, printk, instructionsExecuted } = outcome;
  // an skb program's context afterwards: the fields it wrote (mark, priority, cb, …) and helpers changed
  const skb = outcome.skb === undefined ? undefined : Array.from(outcome.skb.region.bytes);
  return json({ retval, action, packet, helperCalls, printk, instructionsExecuted, skb });
}

function mapsOf(sim: Simulator): string {
  const out: Record<string, unknown> = {};
  for (const [name, m] of sim.maps) {
    try {
      out[name] = m.entries().map(([k, v]) => `${hexKey(k)}=${hexKey(v)}`);
    } catch {
      out[name] = 'unreadable';
    }
  }
  return json(out);
}

/**
 * Fill hash and array maps with the same pseudo-random entries on both simulators, and prog arrays with the
 * object's programs (slot i: program i), so tail calls happen.
 */
function fill(sims: readonly Simulator[], entries: number, seed: number): void {
  const rng = createRng(seed);
  for (const [name, m] of sims[0]!.maps) {
    if (m.type === MapType.PROG_ARRAY) {
      const programs = sims[0]!.programs;
      for (let i = 0; i < Math.min(m.maxEntries, programs.length); i++) for (const s of sims) s.setTailCall(name, i, programs[i]);
      continue;
    }
    if (![MapType.HASH, MapType.ARRAY, MapType.LRU_HASH, MapType.PERCPU_ARRAY, MapType.PERCPU_HASH].includes(m.type as 1)) continue;
    if (name.startsWith('.')) continue; // global data keeps the object's values
    for (let i = 0; i < entries; i++) {
      const key = new Uint8Array(m.keySize);
      const value = new Uint8Array(m.valueSize);
      for (let j = 0; j < key.length; j++) key[j] = i < 4 ? (j === 0 ? i : 0) : rng.int(0, 255);
      for (let j = 0; j < value.length; j++) value[j] = rng.int(0, 255);
      for (const s of sims) {
        try {
          s.map(name).set(key, value);
        } catch {
          // a key out of an array's range, a full map: the same on both sides
        }
      }
    }
  }
}

/**
 * Run every program of `object` on `packets` in both tiers and list the differences (none expected).
 * Programs whose type the simulator does not run are skipped.
 */
export function compareTiers(object: ObjectSpec, packets: readonly Uint8Array[], options: CompareOptions = {}): TierComparison[] {
  const out: TierComparison[] = [];
  const probe = new Simulator(object, { unverified: true });
  for (const program of probe.programs) {
    const sims = [new Simulator(object, { unverified: true, tier: 'interp' }), new Simulator(object, { unverified: true, tier: 'wasm' })];
    fill(sims, options.mapEntries ?? 16, options.seed ?? 1);
    if (options.setup !== undefined) for (const s of sims) options.setup(s);
    const outcomes: Record<string, number> = {};
    const differences: TierDifference[] = [];
    const max = options.maxDifferences ?? 10;
    let supported = true;
    for (let index = 0; index < packets.length && supported; index++) {
      const seen = sims.map((sim) => {
        try {
          return sim.run(program, packets[index]!);
        } catch (e) {
          if (e instanceof SimFault) return e;
          if (e instanceof RangeError && /not supported by the simulator|program type/.test(e.message)) return undefined;
          throw e;
        }
      });
      if (seen[0] === undefined || seen[1] === undefined) {
        supported = false;
        break;
      }
      const key = seen[0] instanceof SimFault ? `fault (${seen[0].kind})` : seen[0].action;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      const [a, b] = [describe(seen[0]), describe(seen[1])];
      if (a !== b && differences.length < max) differences.push({ program, index, interp: a, wasm: b });
    }
    if (!supported) continue;
    const [ma, mb] = sims.map(mapsOf);
    if (ma !== mb) differences.push({ program, index: -1, interp: ma!, wasm: mb! });
    if (options.batch !== false) differences.push(...compareBatches(object, program, packets, options));
    out.push({ program, packets: packets.length, outcomes, differences });
  }
  return out;
}

/**
 * The same packets as one sim.runBatch per tier (the lean path: one helper table and context for the batch,
 * helpers answered inside the fast tier): verdict counts, the first fault and the maps afterwards must agree.
 * Differences are reported at index -2.
 */
function compareBatches(object: ObjectSpec, program: string, packets: readonly Uint8Array[], options: CompareOptions): TierDifference[] {
  const sims = [new Simulator(object, { unverified: true, tier: 'interp' }), new Simulator(object, { unverified: true, tier: 'wasm' })];
  fill(sims, options.mapEntries ?? 16, options.seed ?? 1);
  if (options.setup !== undefined) for (const s of sims) options.setup(s);
  const seen = sims.map((sim) => {
    const r = sim.runBatch(program, packets);
    const first = r.firstFault === undefined ? undefined : { index: r.firstFault.index, fault: describe(r.firstFault.fault) };
    return json({ verdicts: r.verdicts, faults: r.faults, first, maps: mapsOf(sim) });
  });
  return seen[0] === seen[1] ? [] : [{ program, index: -2, interp: seen[0]!, wasm: seen[1]! }];
}
