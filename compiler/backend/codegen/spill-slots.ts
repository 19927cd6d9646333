// Spill slot sharing: after register allocation every spilled register has its own 8-byte slot below the
// allocas; slots whose contents are never needed at the same time share one (what LLVM's stack slot colouring
// does). A slot is "defined" by its 64-bit store and "used" by its 64-bit loads; two slots interfere when one is
// stored while the other is live. The verifier tracks each 8-byte stack slot's type per store, so a slot that
// held a pointer and later a scalar is fine.
import { eliminateDeadCode } from './dead-code.ts';
import { solveLiveness } from './liveness.ts';
import { FP, type MBlock, type MInsn, usesDefs } from './mir.ts';

/** the slot an instruction stores to (`def`) or loads from (`use`), when it is one of `slots` */
function slotAccess(i: MInsn, slots: ReadonlySet<number>): { def?: number; use?: number } {
  if (i.kind === 'stx' && i.base === FP && i.size === 8 && slots.has(i.off)) return { def: i.off };
  if (i.kind === 'ldx' && i.base === FP && i.size === 8 && slots.has(i.off)) return { use: i.off };
  return {};
}

/**
 * Give the spill slots at `slots` (offsets from r10, all below `allocaSize`) the fewest distinct offsets,
 * rewriting the loads and stores in place; returns the frame size afterwards.
 */
export function shareSpillSlots(blocks: readonly MBlock[], slots: ReadonlySet<number>, allocaSize: number): number {
  if (slots.size === 0) return allocaSize;
  const { liveOut } = solveLiveness<number>(blocks, (i) => {
    const { def, use } = slotAccess(i, slots);
    return { uses: use !== undefined ? [use] : [], defs: def !== undefined ? [def] : [] };
  });

  const conflicts = new Map<number, Set<number>>([...slots].map((s) => [s, new Set<number>()]));
  const meet = (a: number, b: number): void => {
    if (a === b) return;
    conflicts.get(a)!.add(b);
    conflicts.get(b)!.add(a);
  };
  for (const b of blocks) {
    const live = new Set(liveOut.get(b.id));
    for (let k = b.insns.length - 1; k >= 0; k--) {
      const { def, use } = slotAccess(b.insns[k]!, slots);
      if (def !== undefined) {
        for (const s of live) meet(def, s);
        live.delete(def);
      }
      if (use !== undefined) live.add(use);
    }
    // slots read before any store on some path to the entry: keep them apart from everything live there
    const entry = blocks[0];
    if (b === entry) for (const s of live) for (const t of live) meet(s, t);
  }

  // copies from one slot to another (a spilled phi and its incoming value): `ldx rX, [a]; stx [b], rX`
  const partners = new Map<number, number[]>();
  for (const b of blocks) {
    for (let k = 0; k + 1 < b.insns.length; k++) {
      const x = b.insns[k]!;
      const y = b.insns[k + 1]!;
      const from = slotAccess(x, slots).use;
      const to = slotAccess(y, slots).def;
      if (from === undefined || to === undefined || from === to || x.kind !== 'ldx' || y.kind !== 'stx' || y.src !== x.dst) continue;
      (partners.get(from) ?? partners.set(from, []).get(from)!).push(to);
      (partners.get(to) ?? partners.set(to, []).get(to)!).push(from);
    }
  }

  // greedy colouring, the slot nearest r10 first (allocation order): a copy partner's offset when free (the
  // copy then disappears), else the first offset its conflicts leave
  const base = Math.ceil(allocaSize / 8) * 8;
  const colour = new Map<number, number>();
  let top = base;
  for (const s of [...slots].sort((a, b) => b - a)) {
    const taken = new Set([...conflicts.get(s)!].flatMap((t) => (colour.has(t) ? [colour.get(t)!] : [])));
    const hint = (partners.get(s) ?? []).map((t) => colour.get(t)).find((c) => c !== undefined && !taken.has(c));
    let off = hint ?? -(base + 8);
    while (taken.has(off)) off -= 8;
    colour.set(s, off);
    top = Math.max(top, -off);
  }
  for (const b of blocks) {
    for (const i of b.insns) {
      if ((i.kind === 'stx' || i.kind === 'ldx') && i.base === FP && i.size === 8 && colour.has(i.off)) i.off = colour.get(i.off)!;
    }
    // a copy within one slot stores back what it just loaded; the load goes too when nothing else reads it
    const kept = b.insns.filter((y, k) => {
      const x = b.insns[k - 1];
      return !(x?.kind === 'ldx' && y.kind === 'stx' && x.base === FP && y.base === FP && x.size === 8 && y.size === 8 && x.off === y.off && y.src === x.dst);
    });
    b.insns.splice(0, b.insns.length, ...kept);
    dropRedundantReloads(b, new Set(colour.values()));
  }
  eliminateDeadCode(blocks);
  return top;
}

/**
 * Within a block, a reload into a register that still holds the slot's value (stored from it or loaded into it
 * since, neither the register nor the slot written again) goes. Only spill code writes spill slots.
 */
function dropRedundantReloads(b: MBlock, spill: ReadonlySet<number>): void {
  const holds = new Map<number, number>(); // register → the spill slot whose value it holds
  const kept: MInsn[] = [];
  for (const i of b.insns) {
    if (i.kind === 'ldx' && i.base === FP && i.size === 8 && spill.has(i.off)) {
      if (holds.get(i.dst) === i.off) continue;
      kept.push(i);
      holds.set(i.dst, i.off);
      continue;
    }
    kept.push(i);
    if (i.kind === 'stx' && i.base === FP && i.size === 8 && spill.has(i.off)) {
      for (const [r, s] of holds) if (s === i.off) holds.delete(r);
      holds.set(i.src, i.off);
      continue;
    }
    // any other write to the stack through r10 may be to a slot: forget what overlaps it
    if ((i.kind === 'stx' || i.kind === 'st' || i.kind === 'atomic') && i.base === FP) {
      for (const [r, s] of holds) if (s < i.off + i.size && i.off < s + 8) holds.delete(r);
    }
    for (const d of usesDefs(i).defs) holds.delete(d);
  }
  b.insns.splice(0, b.insns.length, ...kept);
}
