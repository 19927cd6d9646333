// A compiled policy in the simulator: its maps filled from policy.maps.json, both programs sharing them, a
// packet run through the program of its direction, and the verdict read back as the datapath reports it (the
// action, plus the per-verdict and per-rule counters that moved).
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { Simulator } from '../../simulator/index.ts';
import { packetFrame } from '../dsl/packet-frame.ts';
import { REASONS, type Direction, type ModelL7, type Reason } from '../dsl/policy-model.ts';
import { CANNOT_SEE, NO_RULE, type L7Count } from '../l7/evaluate-l7.ts';
import type { VectorPacket } from '../dsl/vectors.ts';
import { hexBytes, type PolicyMaps } from './map-contents.ts';
import type { PolicyProgram } from './programs.ts';

export interface SimulatedVerdict {
  /** reset: an L7 violation sent on as a TCP RST */
  readonly verdict: 'allow' | 'deny' | 'reset';
  readonly reason: Reason;
  /** the rule id whose counter moved (0: default deny), undefined when none did */
  readonly rule: number | undefined;
  readonly action: string;
  readonly instructions: number;
  /** what the L7 counters counted (when the policy has L7 rulesets) */
  readonly l7?: readonly L7Count[];
}

const STATE_MAPS = ['conntrack', 'fragments'];
const COUNTER_MAPS = ['rule_counters', 'verdict_counters'];

export class PolicySimulation {
  readonly sim: Simulator;
  readonly #programs: ReadonlyMap<Direction, string>;
  readonly #maps: PolicyMaps;
  /** l7_counters slot → what it counts (an L7 rule's name, `(no rule)`, `(cannot see)`) */
  readonly #l7Slots: readonly string[];

  private constructor(sim: Simulator, programs: readonly PolicyProgram[], maps: PolicyMaps, l7: ModelL7 | undefined) {
    this.sim = sim;
    this.#programs = new Map(programs.map((p) => [p.direction, p.name]));
    this.#maps = maps;
    this.#l7Slots = (l7?.rulesets ?? []).flatMap((rs) => [NO_RULE, ...rs.rules.map((r) => r.name), CANNOT_SEE]);
    this.loadMaps();
  }

  /** The simulator verifies the programs first (profile linux-6.18) unless `unverified`. `l7` (the model's)
   * names the L7 counter slots in results. */
  static async create(object: Uint8Array | ObjectSpec, programs: readonly PolicyProgram[], maps: PolicyMaps, options: { unverified?: boolean; l7?: ModelL7 } = {}): Promise<PolicySimulation> {
    const spec = object instanceof Uint8Array ? readObject(object) : object;
    const sim = await Simulator.load(spec, { ...(options.unverified === true ? { unverified: true } : {}) });
    return new PolicySimulation(sim, programs, maps, options.l7);
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
    for (const name of this.#counterMaps()) {
      const m = this.sim.map(name);
      const zero = new Uint8Array(m.valueSize);
      for (let i = 0; i < m.maxEntries; i++) m.set(i, Array.from({ length: m.cpus }, () => zero));
    }
  }

  #counterMaps(): string[] {
    return this.#l7Slots.length > 0 ? [...COUNTER_MAPS, 'l7_counters'] : COUNTER_MAPS;
  }

  /** Packets counted so far, per rule id (index) and per verdict counter index; L7 requests allowed and denied
   * per L7 counter slot. */
  counters(): { rules: bigint[]; verdicts: bigint[]; l7Allowed: bigint[]; l7Denied: bigint[] } {
    const read = (name: string, at = 0) => {
      const m = this.sim.map(name);
      const out: bigint[] = [];
      for (let i = 0; i < m.maxEntries; i++) {
        let sum = 0n;
        for (const v of m.getPerCpu(i) ?? []) sum += new DataView(v.buffer, v.byteOffset).getBigUint64(at, true);
        out.push(sum);
      }
      return out;
    };
    const l7 = this.#l7Slots.length > 0;
    return { rules: read('rule_counters'), verdicts: read('verdict_counters'), l7Allowed: l7 ? read('l7_counters', 0) : [], l7Denied: l7 ? read('l7_counters', 8) : [] };
  }

  /** Runs `p` through the program of its direction at time `now` (ns). */
  run(p: VectorPacket, now: bigint): SimulatedVerdict {
    const program = this.#programs.get(p.direction)!;
    const before = this.counters();
    const frame = packetFrame(p);
    const r = this.sim.run(program, frame, { now });
    const after = this.counters();
    const moved = (a: bigint[], b: bigint[]) => a.findIndex((x, i) => x !== b[i]);
    const v = moved(after.verdicts, before.verdicts);
    const movedRule = moved(after.rules, before.rules);
    // rule counters hold two generations: index generation * slots + rule id
    const rule = movedRule < 0 ? -1 : movedRule % (after.rules.length / 2);
    const dirBase = p.direction === 'ingress' ? 0 : REASONS.length;
    const reason = v < 0 ? undefined : REASONS[v - dirBase];
    if (reason === undefined) throw new RangeError(`program ${program}: no verdict counter of direction ${p.direction} moved (index ${v})`);
    const l7: L7Count[] = [];
    after.l7Allowed.forEach((n, i) => {
      for (let k = before.l7Allowed[i]!; k < n; k++) l7.push({ slot: this.#l7Slots[i] ?? `#${i}`, allowed: true });
    });
    after.l7Denied.forEach((n, i) => {
      for (let k = before.l7Denied[i]!; k < n; k++) l7.push({ slot: this.#l7Slots[i] ?? `#${i}`, allowed: false });
    });
    // an L7 refusal that passes is the segment rewritten into a RST (l7.violation: reset)
    const refusal = reason === 'l7-deny' || reason === 'l7-unparseable';
    const rewritten = r.packet.length !== frame.length || r.packet.some((b, i) => b !== frame[i]);
    return {
      verdict: r.action === 'TC_ACT_SHOT' || r.action === 'XDP_DROP' ? 'deny' : refusal && rewritten ? 'reset' : 'allow',
      ...(this.#l7Slots.length > 0 ? { l7 } : {}),
      reason,
      rule: rule < 0 ? undefined : rule,
      action: r.action,
      instructions: r.instructionsExecuted,
    };
  }
}
