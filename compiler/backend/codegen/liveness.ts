// Liveness over machine IR (virtual and physical registers r0..r9) and live ranges as position segments.
//
// Positions: instruction k of the linear order reads its operands at 2k and writes its results at 2k+1, so a
// copy's source can end where its destination starts (the pair may share a register). A range is a list of
// half-open segments [start, end); a dead definition still occupies [2k+1, 2k+2), which is how a call's
// clobber of r0..r5 conflicts with every value live across it.
import { FP, type MBlock, type MInsn, type Reg, successors, usesDefs } from './mir.ts';

export interface Segment {
  start: number;
  end: number;
}

export interface Liveness {
  readonly liveIn: Map<number, Set<Reg>>;
  readonly liveOut: Map<number, Set<Reg>>;
}

/**
 * Block-level live-in/live-out sets of any kind of location (registers here, spill slots in spill-slots.ts):
 * `access` names what an instruction reads and writes; `blocks` in layout order.
 */
export function solveLiveness<T>(blocks: readonly MBlock[], access: (i: MInsn) => { readonly uses: readonly T[]; readonly defs: readonly T[] }): {
  liveIn: Map<number, Set<T>>;
  liveOut: Map<number, Set<T>>;
} {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const gen = new Map<number, Set<T>>();
  const kill = new Map<number, Set<T>>();
  for (const b of blocks) {
    const g = new Set<T>();
    const k = new Set<T>();
    for (const i of b.insns) {
      const { uses, defs } = access(i);
      for (const u of uses) if (!k.has(u)) g.add(u);
      for (const d of defs) k.add(d);
    }
    gen.set(b.id, g);
    kill.set(b.id, k);
  }
  const liveIn = new Map<number, Set<T>>(blocks.map((b) => [b.id, new Set(gen.get(b.id))]));
  const liveOut = new Map<number, Set<T>>(blocks.map((b) => [b.id, new Set<T>()]));
  for (let changed = true; changed; ) {
    changed = false;
    for (let n = blocks.length - 1; n >= 0; n--) {
      const b = blocks[n]!;
      const out = liveOut.get(b.id)!;
      for (const s of successors(b)) {
        if (!byId.has(s)) continue;
        for (const r of liveIn.get(s)!) if (!out.has(r)) (out.add(r), (changed = true));
      }
      const inn = liveIn.get(b.id)!;
      const k = kill.get(b.id)!;
      for (const r of out) if (!k.has(r) && !inn.has(r)) (inn.add(r), (changed = true));
    }
  }
  return { liveIn, liveOut };
}

/** Block-level live-in/live-out sets of registers; `blocks` in layout order. */
export function computeLiveness(blocks: readonly MBlock[]): Liveness {
  return solveLiveness<Reg>(blocks, (i) => {
    const { uses, defs } = usesDefs(i);
    return { uses: uses.filter((u) => u !== FP), defs };
  });
}

/** Live ranges of every register, positions numbered over `blocks` in order. */
export function liveRanges(blocks: readonly MBlock[], live: Liveness): Map<Reg, Segment[]> {
  const ranges = new Map<Reg, Segment[]>();
  const add = (r: Reg, start: number, end: number): void => {
    if (r === FP || start >= end) return;
    let list = ranges.get(r);
    if (list === undefined) ranges.set(r, (list = []));
    list.push({ start, end });
  };
  let base = 0;
  for (const b of blocks) {
    const blockStart = 2 * base;
    const blockEnd = 2 * (base + b.insns.length);
    const openEnd = new Map<Reg, number>();
    for (const r of live.liveOut.get(b.id)!) openEnd.set(r, blockEnd);
    for (let k = b.insns.length - 1; k >= 0; k--) {
      const pos = 2 * (base + k);
      const { uses, defs } = usesDefs(b.insns[k]!);
      for (const d of defs) {
        const end = openEnd.get(d);
        if (end !== undefined) {
          add(d, pos + 1, end);
          openEnd.delete(d);
        } else {
          add(d, pos + 1, pos + 2);
        }
      }
      for (const u of uses) if (u !== FP && !openEnd.has(u)) openEnd.set(u, pos + 1);
    }
    for (const [r, end] of openEnd) add(r, blockStart, end);
    base += b.insns.length;
  }
  for (const list of ranges.values()) list.sort((a, b) => a.start - b.start);
  return ranges;
}

export function overlaps(a: readonly Segment[], b: readonly Segment[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.start < y.end && y.start < x.end) return true;
    if (x.end <= y.end) i++;
    else j++;
  }
  return false;
}
