// Reads of registers and spill slots that some path leaves unwritten get a write of zero where no value can be
// lost.
//
// A phi's undefined incoming value (`phi [ undef, %a ], [ %x, %b ]`) gets no copy on the edge from %a, which is
// what lets the allocator give the phi the register of a value that is live there anyway. When it does not,
// the register (or, once spilled, its stack slot) is read on that path before anything wrote it. The kernel
// refuses the first always (`R6 !read_ok`) and the second without CAP_PERFMON (`invalid read from stack`).
// Any value will do, so zero is written on the unwritten paths only, as late as possible: on an edge out of a
// block that no write reaches, or right before the read when none reaches it at all. Paths that do write the
// register or slot run exactly the code they ran before.
import { FP, type MBlock, type MInsn, successors, usesDefs } from './mir.ts';

/** A register (0..10) or a spill slot (its negative offset from r10). */
type Location = number;

interface Access {
  readonly reads: Location[];
  readonly writes: Location[];
}

/** What `i` reads and writes; spill slots are the 8-byte slots at offsets from r10 at or below `spillTop`. */
function access(i: MInsn, spillTop: number): Access {
  const { uses, defs } = usesDefs(i);
  const slot = (i.kind === 'ldx' || i.kind === 'stx' || i.kind === 'st') && i.base === FP && i.size === 8 && i.off <= spillTop ? i.off : undefined;
  return {
    reads: slot !== undefined && i.kind === 'ldx' ? [...uses, slot] : uses,
    writes: slot !== undefined && i.kind !== 'ldx' ? [...defs, slot] : defs,
  };
}

function zeroOf(x: Location): MInsn {
  return x >= 0 ? { kind: 'alu', width: 64, op: 'mov', dst: x, src: { imm: 0 } } : { kind: 'st', size: 8, base: FP, off: x, imm: 0 };
}

/** Index of the first of a block's trailing jumps (its length when it has none). */
function jumpsStart(b: MBlock): number {
  let k = b.insns.length;
  while (k > 0 && (b.insns[k - 1]!.kind === 'jcc' || b.insns[k - 1]!.kind === 'ja')) k--;
  return k;
}

interface Flow {
  /** written on every path to the block's start (undefined: no path reaches it yet) */
  readonly must: Map<number, Set<Location> | undefined>;
  /** written on some path to the block's start */
  readonly may: Map<number, Set<Location>>;
}

function solve(blocks: readonly MBlock[], preds: ReadonlyMap<number, number[]>, start: ReadonlySet<Location>, spillTop: number): Flow {
  const entry = blocks[0]!;
  const must = new Map<number, Set<Location> | undefined>(blocks.map((b) => [b.id, b === entry ? new Set(start) : undefined]));
  const may = new Map<number, Set<Location>>(blocks.map((b) => [b.id, new Set(b === entry ? start : [])]));
  const writes = new Map(blocks.map((b) => [b.id, new Set(b.insns.flatMap((i) => access(i, spillTop).writes))]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of blocks) {
      if (b === entry) continue;
      let m: Set<Location> | undefined;
      const y = may.get(b.id)!;
      for (const p of preds.get(b.id)!) {
        const w = writes.get(p)!;
        const pm = must.get(p);
        if (pm !== undefined) {
          const out = new Set([...pm, ...w]);
          m = m === undefined ? out : new Set([...m].filter((x) => out.has(x)));
        }
        for (const x of [...may.get(p)!, ...w]) if (!y.has(x)) (y.add(x), (changed = true));
      }
      // must sets only shrink once set, so a change of size is a change
      const old = must.get(b.id);
      if (m !== undefined && (old === undefined || old.size !== m.size)) {
        must.set(b.id, m);
        changed = true;
      }
    }
  }
  return { must, may };
}

/**
 * Insert the writes of zero that make every read of a register or spill slot follow a write on every path
 * (in place; blocks in layout order, `blocks[0]` the entry, which no jump targets). `params` registers
 * (r1 up) arrive written; spill slots are the 8-byte slots at offsets from r10 at or below `spillTop`.
 * Returns how many instructions it added.
 */
export function defineBeforeReads(blocks: readonly MBlock[], params: number, spillTop: number): number {
  if (blocks.length === 0) return 0;
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const preds = new Map<number, number[]>(blocks.map((b) => [b.id, []]));
  for (const b of blocks) for (const s of new Set(successors(b))) preds.get(s)?.push(b.id);
  const start = new Set<Location>([FP, ...Array.from({ length: params }, (_, k) => k + 1)]);
  let added = 0;
  for (let round = 0; ; round++) {
    if (round > blocks.length + 16) throw new RangeError('defineBeforeReads: did not converge');
    const { must, may } = solve(blocks, preds, start, spillTop);
    const outs = new Map<number, { must: Set<Location>; may: Set<Location> }>();
    const out = (id: number): { must: Set<Location>; may: Set<Location> } => {
      let o = outs.get(id);
      if (o === undefined) {
        const w = byId.get(id)!.insns.flatMap((i) => access(i, spillTop).writes);
        outs.set(id, (o = { must: new Set([...(must.get(id) ?? []), ...w]), may: new Set([...may.get(id)!, ...w]) }));
      }
      return o;
    };
    const before = new Map<MInsn, Set<Location>>();
    const atEnd = new Map<number, Set<Location>>();
    const add = <K>(m: Map<K, Set<Location>>, k: K, x: Location): void => void (m.get(k) ?? m.set(k, new Set()).get(k)!).add(x);
    for (const b of blocks) {
      const m0 = must.get(b.id);
      if (m0 === undefined) continue; // unreachable
      const m = new Set(m0);
      const y = new Set(may.get(b.id)!);
      for (const i of b.insns) {
        const a = access(i, spillTop);
        for (const x of a.reads) {
          if (m.has(x)) continue;
          if (!y.has(x)) {
            // no write reaches this read: write zero right before it
            add(before, i, x);
            continue;
          }
          // some paths write it, others not: zero on the edges out of blocks that no write of it reaches
          const seen = new Set<number>([b.id]);
          const work = [b.id];
          while (work.length > 0) {
            for (const p of preds.get(work.pop()!)!) {
              const o = out(p);
              if (o.must.has(x)) continue;
              if (!o.may.has(x)) add(atEnd, p, x);
              else if (!seen.has(p)) (seen.add(p), work.push(p));
            }
          }
        }
        for (const x of a.writes) (m.add(x), y.add(x));
      }
    }
    if (before.size === 0 && atEnd.size === 0) return added;
    for (const b of blocks) {
      const insns: MInsn[] = [];
      for (const i of b.insns) {
        for (const x of before.get(i) ?? []) (insns.push(zeroOf(x)), added++);
        insns.push(i);
      }
      const end = [...(atEnd.get(b.id) ?? [])].map(zeroOf);
      added += end.length;
      const cut = jumpsStart({ ...b, insns });
      b.insns.splice(0, b.insns.length, ...insns.slice(0, cut), ...end, ...insns.slice(cut));
    }
  }
}
