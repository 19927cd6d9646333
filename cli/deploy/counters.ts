// The counters a deployed policy keeps, read from its pinned per-CPU maps and labelled with the rule labels
// the deploy state recorded for each generation (struct counter { __u64 packets; __u64 bytes; } per CPU).
import { REASONS } from '../../compiler/dsl/index.ts';
import { mapLookup, openPinned, possibleCpus, type Fd } from '../../loader/index.ts';
import type { ServiceStatus } from '../../compiler/services/index.ts';
import { readL7Counters, type L7Counters } from './l7-counters.ts';
import { PinnedMaps } from './pinned-reader.ts';
import { readServiceCounters } from './service-counters.ts';
import type { DeployState } from './state.ts';

export interface Counter {
  readonly packets: bigint;
  readonly bytes: bigint;
}

export interface RuleCounter extends Counter {
  readonly policy: string;
  readonly rule: string;
  readonly direction: string;
  readonly verdict: string;
}

export interface VerdictCounter extends Counter {
  readonly direction: 'ingress' | 'egress';
  /** why: allow, deny, default-deny, reply, … (REASONS) */
  readonly match: string;
  /** Hubble's action vocabulary: forwarded, dropped, audit; `unknown` for fragments, which follow their first */
  readonly action: 'forwarded' | 'dropped' | 'audit' | 'unknown';
}

export interface InterfaceCounters {
  readonly rules: readonly RuleCounter[];
  readonly verdicts: readonly VerdictCounter[];
  /** L7 request counters, when the deployed policies have L7 rules */
  readonly l7?: L7Counters;
  /** services and backends, when the deployed object carries the load balancer's maps */
  readonly services?: readonly ServiceStatus[];
}

const DROPPED = new Set(['deny', 'default-deny', 'malformed', 'fragment-unknown']);

export function actionOf(reason: string): VerdictCounter['action'] {
  if (reason === 'audit') return 'audit';
  if (reason === 'fragment') return 'unknown';
  return DROPPED.has(reason) ? 'dropped' : 'forwarded';
}

/** Sums a per-CPU `struct counter` value over `cpus` CPUs (each CPU's value padded to 8 bytes: 16 bytes). */
export function sumPerCpu(value: Uint8Array | undefined, cpus: number): Counter {
  if (value === undefined) return { packets: 0n, bytes: 0n };
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  let packets = 0n;
  let bytes = 0n;
  for (let c = 0; c < cpus && (c + 1) * 16 <= value.byteLength; c++) {
    packets += view.getBigUint64(c * 16, true);
    bytes += view.getBigUint64(c * 16 + 8, true);
  }
  return { packets, bytes };
}

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);

/** Reads `fd`'s slots as counters. */
function readSlots(fd: Fd, slots: readonly number[]): Counter[] {
  const cpus = possibleCpus();
  return slots.map((i) => sumPerCpu(mapLookup(fd, u32(i)), cpus));
}

/**
 * Rule counters summed over both generations by (policy, rule, direction); verdict counters by direction and
 * reason. Only non-zero rule rows of the older generation are kept; every live rule appears.
 */
export function readCounters(state: DeployState): InterfaceCounters {
  const slots = state.manifest.counters.rule_counters.slots;
  const ruleFd = openPinned(state.maps['rule_counters']!, { readOnly: true });
  const verdictFd = openPinned(state.maps['verdict_counters']!, { readOnly: true });
  try {
    const byLabel = new Map<string, RuleCounter>();
    const liveGen = String(state.live.generation);
    const gens = Object.keys(state.ruleLabels).sort((a, b) => (a === liveGen ? 1 : b === liveGen ? -1 : 0));
    for (const gen of gens) {
      const labels = [{ id: 0, name: 'default-deny', policy: '', direction: 'any', verdict: 'deny' }, ...state.ruleLabels[gen]!];
      const counts = readSlots(ruleFd, labels.map((l) => Number(gen) * slots + l.id));
      labels.forEach((l, i) => {
        const key = `${l.policy}\0${l.name}\0${l.direction}`;
        const c = counts[i]!;
        const old = byLabel.get(key);
        if (old === undefined && c.packets === 0n && gen !== liveGen) return;
        byLabel.set(key, { policy: l.policy, rule: l.name, direction: l.direction, verdict: l.verdict, packets: (old?.packets ?? 0n) + c.packets, bytes: (old?.bytes ?? 0n) + c.bytes });
      });
    }
    const verdicts: VerdictCounter[] = [];
    const directions = ['ingress', 'egress'] as const;
    const counts = readSlots(verdictFd, Array.from({ length: 2 * REASONS.length }, (_, i) => i));
    directions.forEach((direction, d) =>
      REASONS.forEach((match, r) => {
        const c = counts[d * REASONS.length + r]!;
        verdicts.push({ direction, match, action: actionOf(match), ...c });
      }),
    );
    using pinned = new PinnedMaps(state.maps);
    const l7 = readL7Counters(state.l7Counters, pinned);
    const services = readServiceCounters(pinned);
    return { rules: [...byLabel.values()], verdicts, ...(l7 !== undefined ? { l7 } : {}), ...(services !== undefined ? { services } : {}) };
  } finally {
    ruleFd.close();
    verdictFd.close();
  }
}
