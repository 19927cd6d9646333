// Rule counters carried over a change of the counter map's layout (more rules, so more slots): each rule's
// counts, summed over the generations the old map holds them in, are written into the slot its label (policy,
// rule, direction) has in the new map, per CPU, so `tsbpf_rule_packets_total` goes on rather than restarting.
// Rules the new build no longer has are dropped with their counts; new rules start at zero.
import { mapLookup, mapUpdate, possibleCpus, type Fd } from '../../loader/index.ts';

export interface RuleLabel {
  readonly id: number;
  readonly name: string;
  readonly policy: string;
  readonly direction: string;
}

/** slot 0 of every generation counts the packets no rule matched */
const DEFAULT_DENY: RuleLabel = { id: 0, name: 'default-deny', policy: '', direction: 'any' };
const keyOf = (l: RuleLabel) => `${l.policy}\0${l.name}\0${l.direction}`;
const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);

/**
 * Copies the counts of `from` (labelled per generation by `old.labels`, `old.slots` slots per generation) into
 * `to` at generation `next.generation` for the rules of `next.labels`; returns how many rules kept counts.
 * Values are per-CPU `struct counter { __u64 packets; __u64 bytes; }`, added word by word.
 */
export function carryRuleCounters(
  from: Fd,
  old: { readonly slots: number; readonly labels: Readonly<Record<string, readonly RuleLabel[]>> },
  to: Fd,
  next: { readonly slots: number; readonly generation: number; readonly labels: readonly RuleLabel[] },
): number {
  const size = possibleCpus() * 16;
  const sums = new Map<string, BigUint64Array>();
  for (const [gen, labels] of Object.entries(old.labels)) {
    for (const l of [DEFAULT_DENY, ...labels]) {
      const v = mapLookup(from, u32(Number(gen) * old.slots + l.id));
      if (v === undefined || v.byteLength !== size) continue;
      const words = new BigUint64Array(v.slice().buffer);
      const sum = sums.get(keyOf(l)) ?? new BigUint64Array(size / 8);
      for (let i = 0; i < words.length; i++) sum[i]! += words[i]!;
      sums.set(keyOf(l), sum);
    }
  }
  let carried = 0;
  for (const l of [DEFAULT_DENY, ...next.labels]) {
    const sum = sums.get(keyOf(l));
    if (sum === undefined || sum.every((w) => w === 0n)) continue;
    mapUpdate(to, u32(next.generation * next.slots + l.id), new Uint8Array(sum.buffer));
    carried++;
  }
  return carried;
}
