// A compiled policy in the simulator: its maps filled from policy.maps.json, both programs sharing them, a
// packet run through the program of its direction, and the verdict read back as the datapath reports it (the
// action, plus the per-verdict and per-rule counters that moved).
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { Simulator } from '../../simulator/index.ts';
import { packetFrame } from '../dsl/packet-frame.ts';
import { REASONS, type Direction, type Reason } from '../dsl/policy-model.ts';
import type { VectorPacket } from '../dsl/vectors.ts';
import { hexBytes, type PolicyMaps } from './map-contents.ts';
import type { PolicyProgram } from './programs.ts';

export interface SimulatedVerdict {
  readonly verdict: 'allow' | 'deny';
  readonly reason: Reason;
  /** the rule id whose counter moved (0: default deny), undefined when none did */
  readonly rule: number | undefined;
  readonly action: string;
  readonly instructions: number;
}

const STATE_MAPS = ['conntrack', 'fragments'];
const COUNTER_MAPS = ['rule_counters', 'verdict_counters'];

export class PolicySimulation {
  readonly sim: Simulator;
  readonly #programs: ReadonlyMap<Direction, string>;
  readonly #maps: PolicyMaps;

  private constructor(sim: Simulator, programs: readonly PolicyProgram[], maps: PolicyMaps) {
    this.sim = sim;
    this.#programs = new Map(programs.map((p) => [p.direction, p.name]));
    this.#maps = maps;
    this.loadMaps();
  }

  /** The simulator verifies the programs first (profile linux-6.18) unless `unverified`. */
  static async create(object: Uint8Array | ObjectSpec, programs: readonly PolicyProgram[], maps: PolicyMaps, options: { unverified?: boolean } = {}): Promise<PolicySimulation> {
    const spec = object instanceof Uint8Array ? readObject(object) : object;
    const sim = await Simulator.load(spec, { ...(options.unverified === true ? { unverified: true } : {}) });
    return new PolicySimulation(sim, programs, maps);
  }

  /** Writes the map contents of policy.maps.json (again: a hot update is the same writes). */
  loadMaps(): void {
    for (const [name, content] of Object.entries(this.#maps.maps)) {
      const m = this.sim.map(name);
      for (const e of content.entries) m.set(hexBytes(e.key), hexBytes(e.value));
    }
  }

  /** Empties connection tracking and fragments and zeroes the counters (unless `counters: false`): a case
   * starts from empty state. */
  reset(options: { counters?: boolean } = {}): void {
    for (const name of STATE_MAPS) {
      const m = this.sim.map(name);
      for (const k of m.keys()) m.remove(k);
    }
    this.sim.clock = 0n;
    if (options.counters === false) return;
    for (const name of COUNTER_MAPS) {
      const m = this.sim.map(name);
      const zero = new Uint8Array(m.valueSize);
      for (let i = 0; i < m.maxEntries; i++) m.set(i, Array.from({ length: m.cpus }, () => zero));
    }
  }

  /** Packets counted so far, per rule id (index) and per verdict counter index. */
  counters(): { rules: bigint[]; verdicts: bigint[] } {
    const read = (name: string) => {
      const m = this.sim.map(name);
      const out: bigint[] = [];
      for (let i = 0; i < m.maxEntries; i++) {
        let sum = 0n;
        for (const v of m.getPerCpu(i) ?? []) sum += new DataView(v.buffer, v.byteOffset).getBigUint64(0, true);
        out.push(sum);
      }
      return out;
    };
    return { rules: read('rule_counters'), verdicts: read('verdict_counters') };
  }

  /** Runs `p` through the program of its direction at time `now` (ns). */
  run(p: VectorPacket, now: bigint): SimulatedVerdict {
    const program = this.#programs.get(p.direction)!;
    const before = this.counters();
    const r = this.sim.run(program, packetFrame(p), { now });
    const after = this.counters();
    const moved = (a: bigint[], b: bigint[]) => a.findIndex((x, i) => x !== b[i]);
    const v = moved(after.verdicts, before.verdicts);
    const movedRule = moved(after.rules, before.rules);
    // rule counters hold two generations: index generation * slots + rule id
    const rule = movedRule < 0 ? -1 : movedRule % (after.rules.length / 2);
    const dirBase = p.direction === 'ingress' ? 0 : REASONS.length;
    const reason = v < 0 ? undefined : REASONS[v - dirBase];
    if (reason === undefined) throw new RangeError(`program ${program}: no verdict counter of direction ${p.direction} moved (index ${v})`);
    return {
      verdict: r.action === 'TC_ACT_SHOT' ? 'deny' : 'allow',
      reason,
      rule: rule < 0 ? undefined : rule,
      action: r.action,
      instructions: r.instructionsExecuted,
    };
  }
}
