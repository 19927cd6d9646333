// The order in which a BPF function's blocks become nested wasm blocks. A wasm branch can only leave blocks
// (forward) or re-enter a loop (backward), so a jump to an earlier block goes through a dispatch: a loop
// around all blocks with a br_table on a label local at its head. That makes every block a successor of the
// loop head, and V8 then keeps the BPF registers in stack slots across the whole function (most of a policy's
// time went to those spills). Clang lays out loop-free code with backward jumps too (a shared tail placed
// before its users), so when the function's control flow graph has no cycle the blocks are emitted in a
// topological order instead: every jump goes forward, no dispatch is needed, and a block whose fallthrough
// successor is no longer next branches to it explicitly.
import { isJump } from './handlers.ts';

export interface BlockOrder {
  /** the blocks' first slots, ascending (the function's first slot and every jump target) */
  readonly leaders: readonly number[];
  /** leader indices in the order their wasm blocks are emitted; the entry block first */
  readonly order: readonly number[];
  /** position of each block (by leader index) in `order` */
  readonly position: Int32Array;
  /** whether some jump still goes backward in `order` (a cycle): the loop and its br_table are needed */
  readonly dispatch: boolean;
}

/** The blocks of the function at slots [first, end) of `code` (CompiledProgram.code) and their order. */
export function blockOrder(code: Int32Array, first: number, end: number): BlockOrder {
  const set = new Set<number>([first]);
  for (let s = first; s < end; s++) {
    const h = code[s * 4]!;
    if (isJump(h) || h === 0xd9) set.add(code[s * 4 + 2]!); // 0xd9: may_goto
  }
  const leaders = [...set].sort((a, b) => a - b);
  const n = leaders.length;
  const index = new Map<number, number>();
  leaders.forEach((s, i) => index.set(s, i));
  const succ: number[][] = leaders.map(() => []);
  const indegree = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    for (const t of successors(code, leaders, j, end)) {
      const m = t === n ? -1 : t < 0 ? index.get(-t - 1)! : t;
      if (m < 0) continue;
      succ[j]!.push(m);
      indegree[m]!++;
    }
  }
  const order = topological(succ, indegree);
  if (order === undefined || order[0] !== 0) {
    const identity = leaders.map((_, i) => i);
    return { leaders, order: identity, position: Int32Array.from(identity), dispatch: true };
  }
  const position = new Int32Array(n);
  order.forEach((j, p) => (position[j] = p));
  return { leaders, order, position, dispatch: false };
}

/**
 * Block j's successors: its jumps' targets as -(slot + 1), and its fallthrough block's index (j + 1; n when
 * it would fall off the function's end) unless its last instruction is ja or exit.
 */
function successors(code: Int32Array, leaders: readonly number[], j: number, end: number): number[] {
  const out: number[] = [];
  const last = leaders[j + 1] ?? end;
  let lastH = -1;
  for (let s = leaders[j]!; s < last; s++) {
    const h = code[s * 4]!;
    if (h === 0xf9) continue; // an ld_imm64's second half
    lastH = h;
    if (isJump(h) || h === 0xd9) out.push(-code[s * 4 + 2]! - 1);
  }
  if (lastH !== 0x05 && lastH !== 0x95) out.push(j + 1);
  return out;
}

/**
 * Kahn's algorithm, taking the lowest-numbered ready block each time (the order stays the original one
 * wherever the graph allows, so the code keeps clang's layout); undefined when there is a cycle.
 */
function topological(succ: readonly (readonly number[])[], indegree: Int32Array): number[] | undefined {
  const n = succ.length;
  const ready: number[] = [];
  for (let j = 0; j < n; j++) if (indegree[j] === 0) ready.push(j);
  const order: number[] = [];
  while (ready.length > 0) {
    let k = 0;
    for (let i = 1; i < ready.length; i++) if (ready[i]! < ready[k]!) k = i;
    const j = ready[k]!;
    ready[k] = ready[ready.length - 1]!;
    ready.pop();
    order.push(j);
    for (const m of succ[j]!) if (--indegree[m]! === 0) ready.push(m);
  }
  return order.length === n ? order : undefined;
}
