// Register allocation: each virtual register gets one of r0..r9 free over its whole live range (ranges may have
// holes), trying first the register of a copy partner so the copy disappears. Values live across a call can
// only get r6..r9, since the call's clobber of r0..r5 overlaps them. A register that finds no free physical
// register is spilled to an 8-byte stack slot (64-bit stores keep pointer types for the verifier) and
// allocation runs again on the rewritten code, where the spilled value lives only between a load and its use.
import { computeLiveness, liveRanges, overlaps, type Segment } from './liveness.ts';
import { FP, isVirtual, mapRegs, type MBlock, type MFunction, type MInsn, type Reg, usesDefs } from './mir.ts';
import { alignTo } from './ir-types.ts';
import { eliminateDeadCode } from './dead-code.ts';
import { shareSpillSlots } from './spill-slots.ts';
import { dropRedundantConstants } from './redundant-constants.ts';
import { defineBeforeReads } from './undefined-reads.ts';
import { storeImmediates } from './store-immediates.ts';

const ORDER = [1, 2, 3, 4, 5, 0, 6, 7, 8, 9];

export interface Allocation {
  /** bytes of stack used, allocas and spill slots together */
  readonly frameSize: number;
}

/** Allocate registers in place: afterwards every register in `fn` (blocks in `layout` order) is physical. */
export function allocateRegisters(fn: MFunction, layout: readonly number[]): Allocation {
  let frameSize = fn.frameSize;
  const noSpill = new Set<Reg>();
  const spillSlots = new Set<number>();
  for (let round = 0; round < 16; round++) {
    const blocks = layout.map((id) => fn.blocks[id]!);
    eliminateDeadCode(blocks);
    const live = computeLiveness(blocks);
    const ranges = liveRanges(blocks, live);
    const { assignment, spilled } = assign(blocks, ranges, noSpill);
    if (spilled.length === 0) {
      for (const b of blocks) {
        for (const i of b.insns) mapRegs(i, (r) => assignment.get(r) ?? r, (r) => assignment.get(r) ?? r);
        // copies that coalesced into `mov rX, rX` vanish
        const kept = b.insns.filter((i) => !(i.kind === 'alu' && i.op === 'mov' && i.width === 64 && 'reg' in i.src && i.src.reg === i.dst));
        b.insns.splice(0, b.insns.length, ...kept);
      }
      frameSize = shareSpillSlots(blocks, spillSlots, fn.frameSize);
      dropRedundantConstants(blocks);
      storeImmediates(blocks);
      // spill slots lie below the allocas, 8-byte aligned
      defineBeforeReads(blocks, fn.params, -alignTo(fn.frameSize, 8) - 8);
      if (frameSize > 512) throw new RangeError(`function ${fn.name}: stack frame of ${frameSize} bytes after spilling exceeds 512`);
      return { frameSize };
    }
    const slots = new Map<Reg, number>();
    let top = alignTo(frameSize, 8);
    for (const r of spilled) {
      slots.set(r, -(top += 8));
      spillSlots.add(-top);
    }
    // slots are shared once allocation is done (spill-slots.ts); only the unshared total is bounded here
    frameSize = top;
    for (const b of blocks) rewriteSpills(fn, b, slots, noSpill);
  }
  throw new RangeError(`function ${fn.name}: register allocation did not converge`);
}

function assign(blocks: readonly MBlock[], ranges: Map<Reg, Segment[]>, noSpill: ReadonlySet<Reg>): { assignment: Map<Reg, Reg>; spilled: Reg[] } {
  const occupied = new Map<Reg, Segment[]>();
  for (let p = 0; p < 10; p++) occupied.set(p, [...(ranges.get(p) ?? [])]);
  const partners = copyPartners(blocks);
  const weight = spillWeights(blocks);
  const vregs = [...ranges.keys()].filter(isVirtual).sort((a, b) => ranges.get(a)![0]!.start - ranges.get(b)![0]!.start);
  const assignment = new Map<Reg, Reg>();
  const spilled: Reg[] = [];
  const span = (x: Reg): number => ranges.get(x)!.reduce((n, g) => n + g.end - g.start, 0);
  // uses per square root of the range's length: a long-lived value used rarely (a pointer kept across many
  // helper calls) spills before a short busy one (LLVM normalises spill weight by range size the same way)
  const cost = (x: Reg): number => (weight.get(x) ?? 1) / Math.sqrt(Math.max(1, span(x)));
  const take = (x: Reg, p: Reg): void => {
    assignment.set(x, p);
    const occ = occupied.get(p)!;
    occ.push(...ranges.get(x)!);
    occ.sort((a, b) => a.start - b.start);
  };
  for (const v of vregs) {
    const segs = ranges.get(v)!;
    // registers of copy partners, nearest first, looking through partners not yet allocated
    const hints: Reg[] = [];
    const seen = new Set<Reg>([v]);
    let frontier: Reg[] = [v];
    for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
      const next: Reg[] = [];
      for (const x of frontier) {
        for (const p of partners.get(x) ?? []) {
          if (seen.has(p)) continue;
          seen.add(p);
          const r = isVirtual(p) ? assignment.get(p) : p;
          if (r !== undefined) {
            if (!hints.includes(r)) hints.push(r);
          } else {
            next.push(p);
          }
        }
      }
      frontier = next;
    }
    const choice = [...hints, ...ORDER].find((p) => !overlaps(segs, occupied.get(p)!));
    if (choice !== undefined) {
      take(v, choice);
      continue;
    }
    // evict values that cost less to spill (fewer, shallower uses) from the register where they cost least,
    // or spill this one; the short-lived registers that reload a spilled value cannot spill again
    const mine = noSpill.has(v) ? Infinity : cost(v);
    let best: { p: Reg; victims: Reg[]; cost: number } | undefined;
    for (const p of ORDER) {
      if (overlaps(segs, ranges.get(p) ?? [])) continue;
      const victims = [...assignment].filter(([x, r]) => r === p && overlaps(segs, ranges.get(x)!)).map(([x]) => x);
      if (victims.some((x) => noSpill.has(x))) continue;
      const total = victims.reduce((n, x) => n + cost(x), 0);
      if (total < mine && (best === undefined || total < best.cost)) best = { p, victims, cost: total };
    }
    if (best === undefined) {
      spilled.push(v);
      continue;
    }
    for (const x of best.victims) {
      assignment.delete(x);
      spilled.push(x);
    }
    occupied.set(best.p, [...(ranges.get(best.p) ?? []), ...[...assignment].filter(([, r]) => r === best.p).flatMap(([x]) => ranges.get(x)!)]);
    occupied.get(best.p)!.sort((a, b) => a.start - b.start);
    take(v, best.p);
  }
  return { assignment, spilled };
}

function copyPartners(blocks: readonly MBlock[]): Map<Reg, Reg[]> {
  const out = new Map<Reg, Reg[]>();
  const link = (a: Reg, b: Reg): void => {
    if (a === FP || b === FP) return;
    (out.get(a) ?? out.set(a, []).get(a)!).push(b);
    (out.get(b) ?? out.set(b, []).get(b)!).push(a);
  };
  for (const b of blocks) for (const i of b.insns) if (i.kind === 'alu' && i.op === 'mov' && i.width === 64 && 'reg' in i.src) link(i.dst, i.src.reg);
  return out;
}

function spillWeights(blocks: readonly MBlock[]): Map<Reg, number> {
  const w = new Map<Reg, number>();
  for (const b of blocks) {
    const f = 10 ** Math.min(b.depth, 4);
    for (const i of b.insns) {
      const { uses, defs } = usesDefs(i);
      for (const r of [...uses, ...defs]) w.set(r, (w.get(r) ?? 0) + f);
    }
  }
  return w;
}

/** Replace each spilled register by a fresh one loaded before each use and stored after each definition. */
function rewriteSpills(fn: MFunction, b: MBlock, slots: Map<Reg, number>, noSpill: Set<Reg>): void {
  const out: MInsn[] = [];
  for (const i of b.insns) {
    // a plain copy to or from a spilled register becomes the store or the load itself
    if (i.kind === 'alu' && i.op === 'mov' && i.width === 64 && 'reg' in i.src) {
      const ds = slots.get(i.dst);
      const ss = slots.get(i.src.reg);
      if (ds !== undefined && ss === undefined) {
        out.push(tag({ kind: 'stx', size: 8, base: FP, off: ds, src: i.src.reg }, i));
        continue;
      }
      if (ss !== undefined && ds === undefined) {
        out.push(tag({ kind: 'ldx', size: 8, dst: i.dst, base: FP, off: ss }, i));
        continue;
      }
    }
    const { uses, defs } = usesDefs(i);
    const temps = new Map<Reg, Reg>();
    const temp = (r: Reg): Reg => {
      let t = temps.get(r);
      if (t === undefined) {
        temps.set(r, (t = fn.nextVreg++));
        noSpill.add(t);
      }
      return t;
    };
    for (const u of new Set(uses)) {
      const s = slots.get(u);
      if (s !== undefined) out.push(tag({ kind: 'ldx', size: 8, dst: temp(u), base: FP, off: s }, i));
    }
    mapRegs(i, (r) => (slots.has(r) ? temp(r) : r), (r) => (slots.has(r) ? temp(r) : r));
    out.push(i);
    for (const d of new Set(defs)) {
      const s = slots.get(d);
      if (s !== undefined) out.push(tag({ kind: 'stx', size: 8, base: FP, off: s, src: temp(d) }, i));
    }
  }
  // stores after a block's trailing jumps would never run: keep jumps last
  b.insns.splice(0, b.insns.length, ...out);
}

function tag(i: MInsn, from: MInsn): MInsn {
  if (from.dbg !== undefined) i.dbg = from.dbg;
  return i;
}
