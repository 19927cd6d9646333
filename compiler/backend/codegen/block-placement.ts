// Block placement: order blocks so that as many jumps as possible become fall-throughs.
//
// Every block ends in `exit`, `goto T`, or `if … goto A; goto T` (lowering never leaves a block to fall into
// the next), so any order is correct, and emission drops a `goto` to the next block and inverts a conditional
// jump to it. The IR's own order leaves many of those gotos: the copies for a phi sit in an edge block after
// their predecessor, far from the block they jump to. Blocks are joined into chains, each block followed by one
// of its jump targets that no other block precedes yet (blocks with a single candidate choose first, so a
// block with a choice does not take the only target of another); the chains are then laid out in the order of
// their first blocks, the entry's chain first.
import type { JumpOp } from '../../../bpf/index.ts';
import type { MBlock } from './mir.ts';

const INVERTIBLE: ReadonlySet<JumpOp> = new Set(['jeq', 'jne', 'jgt', 'jle', 'jge', 'jlt', 'jsgt', 'jsle', 'jsge', 'jslt']);

/** The blocks `b` can be followed by without keeping a jump, best first; `forced` when it must be. */
function candidates(b: MBlock, next: MBlock | undefined): { forced: boolean; ids: number[] } {
  const last = b.insns[b.insns.length - 1];
  const prev = b.insns[b.insns.length - 2];
  if (last === undefined || last.kind === 'exit') return { forced: false, ids: [] };
  if (last.kind !== 'ja') return { forced: true, ids: next !== undefined ? [next.id] : [] };
  if (prev?.kind === 'jcc' && prev.target !== last.target && INVERTIBLE.has(prev.op)) return { forced: false, ids: [last.target, prev.target] };
  return { forced: false, ids: [last.target] };
}

/** The reachable blocks `blocks` (entry first) in a new order; the blocks themselves are not changed. */
export function placeBlocks(blocks: readonly MBlock[]): MBlock[] {
  const entry = blocks[0];
  if (entry === undefined) return [];
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const position = new Map(blocks.map((b, n) => [b.id, n]));
  // chains as linked blocks: `after` is the block placed right after, `before` its inverse; `head` finds a chain
  const after = new Map<number, number>();
  const before = new Map<number, number>();
  const head = (id: number): number => {
    for (let h = before.get(id); h !== undefined; h = before.get(id)) id = h;
    return id;
  };
  const join = (b: number, s: number): boolean => {
    if (after.has(b) || before.has(s) || s === entry.id || !byId.has(s) || head(b) === s) return false;
    after.set(b, s);
    before.set(s, b);
    return true;
  };
  const all = blocks.map((b, n) => ({ b, ...candidates(b, blocks[n + 1]) }));
  // a fall-through already in the code comes first: it cannot be undone
  for (const c of all) if (c.forced && c.ids[0] !== undefined && !join(c.b.id, c.ids[0])) throw new RangeError(`block ${c.b.id}: falls through to a block that cannot follow it`);
  for (const single of [true, false]) {
    for (const c of all) {
      if (c.forced || (c.ids.length === 1) !== single) continue;
      for (const s of c.ids) if (join(c.b.id, s)) break;
    }
  }
  const heads = blocks.filter((b) => !before.has(b.id)).sort((x, y) => (x === entry ? -1 : y === entry ? 1 : position.get(x.id)! - position.get(y.id)!));
  const out: MBlock[] = [];
  for (const h of heads) for (let id: number | undefined = h.id; id !== undefined; id = after.get(id)) out.push(byId.get(id)!);
  return out;
}
