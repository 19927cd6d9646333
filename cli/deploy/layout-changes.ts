// Which pinned maps the new build cannot reuse (their shape differs), found before anything is loaded, so a
// deploy can say that connection tracking and counters will start afresh before it happens.
import type { ObjectSpec } from '../../bpf/index.ts';
import { mapGetInfo, openPinned } from '../../loader/index.ts';

/** One line per pinned map whose type, key or value size, capacity or flags the new object defines otherwise. */
export function layoutChanges(spec: ObjectSpec, pinned: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const m of spec.maps) {
    const path = pinned[m.name];
    if (path === undefined) {
      out.push(`map ${m.name} is new`);
      continue;
    }
    const fd = openPinned(path, { readOnly: true });
    try {
      const info = mapGetInfo(fd);
      const diff: string[] = [];
      const cmp = (what: string, old: number, next: number) => void (old !== next && diff.push(`${what} ${old} → ${next}`));
      cmp('type', info.type, m.type);
      cmp('key size', info.keySize, m.keySize);
      cmp('value size', info.valueSize, m.valueSize);
      cmp('max entries', info.maxEntries, m.maxEntries);
      cmp('flags', info.mapFlags, m.flags);
      if (diff.length > 0) out.push(`map ${m.name}: ${diff.join(', ')}`);
    } finally {
      fd.close();
    }
  }
  return out;
}

/**
 * What happens to the state a deployment keeps (connection tracking, fragments, verdict counters: every map the
 * rules do not fill) when the new build's maps cannot all be reused: a state map of unchanged layout is reused
 * as it is; one whose capacity, flags or type changed within the same kind (hash and LRU hash, per-CPU or not)
 * keeps its key and value layout, so its entries are copied into the new map before the switch; conntrack, whose
 * value only ever grows or shrinks at its end (L7 stream fields after `expires`, zero meaning "position unknown"),
 * is copied with its values cut or padded with zeros; any other map whose key or value changed cannot be carried
 * over and starts empty. Said before anything is loaded.
 */
export interface CarryOver {
  readonly reuse: Readonly<Record<string, string>>;
  readonly copy: Readonly<Record<string, string>>;
  /** maps of `copy` whose values change size: the new value size */
  readonly resize: Readonly<Record<string, number>>;
  /** `map conntrack: value size 8 → 16` */
  readonly lost: readonly string[];
}

const HASH = 1;
const ARRAY = 2;
const PERCPU_HASH = 5;
const PERCPU_ARRAY = 6;
const LRU_HASH = 9;
const LRU_PERCPU_HASH = 10;
/**
 * Maps whose value is a fixed head (conntrack's `expires`) followed by fields whose zero value is neutral, so a
 * value can be cut or padded with zeros (compiler/cgen/generate-c.ts: struct ct_value).
 */
const RESIZABLE_VALUES: Readonly<Record<string, number>> = { conntrack: 8 };

/** types whose entries mean the same in one another: key → value, per CPU or not */
const KIND: Readonly<Record<number, string>> = { [HASH]: 'hash', [LRU_HASH]: 'hash', [ARRAY]: 'array', [PERCPU_HASH]: 'percpu-hash', [LRU_PERCPU_HASH]: 'percpu-hash', [PERCPU_ARRAY]: 'percpu-array' };

/** The carry-over of the state maps of `spec` (all but `fresh`: maps the build fills, counters it relabels). */
export function carryOverPlan(spec: ObjectSpec, pinned: Readonly<Record<string, string>>, fresh: ReadonlySet<string>): CarryOver {
  const reuse: Record<string, string> = {};
  const copy: Record<string, string> = {};
  const resize: Record<string, number> = {};
  const lost: string[] = [];
  for (const m of spec.maps) {
    const path = pinned[m.name];
    if (fresh.has(m.name) || path === undefined) continue;
    const fd = openPinned(path, { readOnly: true });
    try {
      const info = mapGetInfo(fd);
      const same = info.type === m.type && info.keySize === m.keySize && info.valueSize === m.valueSize && info.maxEntries === m.maxEntries && info.mapFlags === m.flags;
      if (same) reuse[m.name] = path;
      else if (KIND[info.type] !== undefined && KIND[info.type] === KIND[m.type] && info.keySize === m.keySize && info.valueSize === m.valueSize) copy[m.name] = path;
      else if (
        KIND[info.type] === 'hash' &&
        KIND[m.type] === 'hash' &&
        info.keySize === m.keySize &&
        RESIZABLE_VALUES[m.name] !== undefined &&
        Math.min(info.valueSize, m.valueSize) >= RESIZABLE_VALUES[m.name]!
      ) {
        copy[m.name] = path;
        resize[m.name] = m.valueSize;
      } else {
        const diff = [['type', info.type, m.type], ['key size', info.keySize, m.keySize], ['value size', info.valueSize, m.valueSize]].filter(([, a, b]) => a !== b);
        lost.push(`map ${m.name}: ${diff.map(([what, a, b]) => `${what} ${a} → ${b}`).join(', ')}`);
      }
    } finally {
      fd.close();
    }
  }
  return { reuse, copy, resize, lost };
}
