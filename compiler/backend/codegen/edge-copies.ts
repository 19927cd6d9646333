// After register allocation: the copies on a critical edge move up into the branching block when nothing on
// its other paths needs the registers they write, so the edge block and its `goto` go.
//
//   b0: if r1 > 5 goto b7; goto b3          b0: r2 = 1; if r1 > 5 goto b4; goto b3
//   b7: r2 = 1; goto b4               →     (b7 unreachable)
//
// Lowering puts a phi's copies for an edge from a block with several successors into a block of their own
// (the "edge block"): the registers they write may hold something the other successors read. After
// allocation that is known per register, and most often nothing there reads them (phis of constants: flags,
// verdicts, offsets).
import { computeLiveness } from './liveness.ts';
import { type MBlock, type MInsn, successors, usesDefs } from './mir.ts';

function pure(i: MInsn): boolean {
  return (i.kind === 'alu' || i.kind === 'lddw') && i.core === undefined;
}

/** Index of the first of a block's trailing jumps. */
function jumpsStart(b: MBlock): number {
  let k = b.insns.length;
  while (k > 0 && (b.insns[k - 1]!.kind === 'jcc' || b.insns[k - 1]!.kind === 'ja')) k--;
  return k;
}

/**
 * Hoist edge blocks into their only predecessor where allowed (in place; `blocks` in layout order, entry first).
 * Returns how many. One liveness solution serves the whole pass: hoisting only adds definitions before
 * jumps, so live sets computed before it can only be larger than the true ones, never miss a register.
 */
export function hoistEdgeCopies(blocks: readonly MBlock[]): number {
  let hoisted = 0;
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const preds = new Map<number, Set<number>>(blocks.map((b) => [b.id, new Set()]));
  for (const b of blocks) for (const s of successors(b)) preds.get(s)?.add(b.id);
  const live = computeLiveness(blocks);
  for (const e of blocks) {
    // an edge block: pure instructions, then one goto; reached from exactly one block, not the entry
    const last = e.insns[e.insns.length - 1];
    if (e === blocks[0] || last?.kind !== 'ja' || e.insns.length < 2 || !e.insns.slice(0, -1).every(pure)) continue;
    const from = [...preds.get(e.id)!];
    if (from.length !== 1) continue;
    const b = byId.get(from[0]!)!;
    if (b === e) continue;
    const cut = jumpsStart(b);
    const jumps = b.insns.slice(cut);
    // b must end in jumps only (no fall-through into e), and the copies must not change what they compare
    if (jumps.length === 0 || jumps[jumps.length - 1]!.kind !== 'ja') continue;
    const written = new Set(e.insns.slice(0, -1).flatMap((i) => usesDefs(i).defs));
    if (jumps.some((j) => usesDefs(j).uses.some((u) => written.has(u)))) continue;
    // nor what the other successors read
    const others = successors(b).filter((s) => s !== e.id);
    if (others.some((s) => [...(live.liveIn.get(s) ?? [])].some((r) => written.has(r)))) continue;
    b.insns.splice(cut, 0, ...e.insns.slice(0, -1));
    for (const j of jumps) if ((j.kind === 'jcc' || j.kind === 'ja') && j.target === e.id) j.target = last.target;
    preds.get(last.target)?.add(b.id);
    e.insns.splice(0, e.insns.length, last);
    preds.get(last.target)?.delete(e.id);
    hoisted++;
  }
  return hoisted;
}
