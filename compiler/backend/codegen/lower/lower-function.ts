// Lower one IR function to machine IR: blocks in reverse postorder (so every definition is lowered before its
// uses), one lowering per concern, and the layout order (IR text order, each block followed by the blocks its
// lowering split off).
import type { BasicBlock, Instruction as IrInstruction, IrFunction, IrModule, Value } from '../../ir/index.ts';
import { BINARY_OPS } from '../../ir/index.ts';
import type { GlobalPlacement } from '../contract.ts';
import type { MFunction, Reg } from '../mir.ts';
import { lowerBinary, lowerCast, lowerIcmp, lowerSelect } from './arithmetic.ts';
import { lowerAtomicRmw, lowerCmpxchg, lowerExtractValue } from './atomics.ts';
import { lowerCall } from './calls.ts';
import { lowerTerminator, type ControlState } from './control.ts';
import { layoutFrame } from './frame-layout.ts';
import { localOperands } from './ir-operands.ts';
import { Lowering } from './lowering.ts';
import { elements, isVector, perElement, reduce } from './vectors.ts';
import type { IrInst } from './ir-inst.ts';
import { lowerAlloca, lowerGep, lowerLoad, lowerStore, offsetForm } from './memory.ts';

type PhiInst = Extract<IrInstruction, { op: 'phi' }>;

export interface LoweredFunction {
  readonly mfn: MFunction;
  /** machine block ids in layout order */
  readonly layout: number[];
}

const TERMINATORS = new Set(['ret', 'br', 'condbr', 'switch', 'unreachable']);
const BINARY = new Set<string>(BINARY_OPS);

export function lowerFunction(mod: IrModule, fn: IrFunction, placements: ReadonlyMap<string, GlobalPlacement>): LoweredFunction {
  const L = new Lowering(mod, fn, placements);
  countUses(L, fn);
  L.frame = layoutFrame(mod, fn);
  L.frameSize = L.frame.size;
  if (L.frameSize > 512) L.fail(`a stack frame of ${L.frameSize} bytes (the limit is 512)`);
  const blockOf = new Map<string, number>();
  for (const b of fn.blocks) blockOf.set(b.name, L.newBlock(0).id);
  const order = reversePostorder(fn);
  setDepths(L, fn, order, blockOf);

  // phis with one distinct incoming value are aliases; the rest get a register and copies on their edges
  const phis = new Map<string, PhiInst[]>();
  const phiReg = new Map<string, Reg>();
  for (const b of fn.blocks) {
    for (const i of b.instructions) {
      if (i.op !== 'phi') continue;
      if (aliasOf(i) !== undefined) continue;
      const list = phis.get(b.name) ?? [];
      list.push(i);
      phis.set(b.name, list);
      const r = L.vreg();
      phiReg.set(i.result!, r);
      // like clang, narrow phis carry whatever their incoming registers hold above their width (booleans
      // excepted: branches test them against zero)
      const bits = L.bits(i.type);
      L.define(i.result, { k: 'reg', reg: r, clean: bits === 1 || bits === 64 });
    }
  }
  const S: ControlState = { blockOf, phis, phiReg, edges: new Map() };

  const extras = new Map<string, number[]>();
  for (const b of order) {
    L.cur = L.blocks[blockOf.get(b.name)!]!;
    const first = L.blocks.length;
    if (b === fn.blocks[0]) {
      fn.params.forEach((p, n) => {
        if (n >= 5) L.fail(`a function with ${fn.params.length} parameters (BPF passes at most 5)`);
        const r = L.vreg();
        L.into(r, { k: 'reg', reg: n + 1, clean: true });
        const bits = p.type.kind === 'int' ? p.type.bits : 64;
        L.define(p.name, { k: 'reg', reg: r, clean: bits >= 64 });
        if (n === 0 && fn.section !== undefined && fn.section !== '.text') L.ctx = r;
      });
    }
    lowerBlock(L, S, b);
    extras.set(b.name, Array.from({ length: L.blocks.length - first }, (_, k) => first + k));
  }
  const layout = fn.blocks.flatMap((b) => [blockOf.get(b.name)!, ...(extras.get(b.name) ?? [])]);
  return { mfn: L.result(), layout };
}

function lowerBlock(L: Lowering, S: ControlState, b: BasicBlock): void {
  for (const i of b.instructions) {
    L.at = i;
    if (i.dbg !== undefined) L.dbg = i.dbg;
    if (TERMINATORS.has(i.op)) {
      lowerTerminator(L, S, b, i);
      continue;
    }
    lowerInstruction(L, i);
  }
}

function lowerInstruction(L: Lowering, i: IrInstruction): void {
  if (lowerVector(L, i)) return;
  if (BINARY.has(i.op)) return lowerBinary(L, i as IrInst<'add'>);
  switch (i.op) {
    case 'trunc':
    case 'zext':
    case 'sext':
    case 'inttoptr':
    case 'ptrtoint':
    case 'bitcast':
    case 'addrspacecast':
      return lowerCast(L, i);
    case 'icmp':
      return lowerIcmp(L, i);
    case 'select':
      return lowerSelect(L, i);
    case 'phi': {
      const alias = aliasOf(i);
      if (alias !== undefined) L.define(i.result, L.form(alias, i.type));
      return;
    }
    case 'freeze':
      return L.define(i.result, L.typed(i.value));
    case 'alloca':
      return lowerAlloca(L, i);
    case 'getelementptr':
      return lowerGep(L, i);
    case 'load':
      return lowerLoad(L, i);
    case 'store':
      return lowerStore(L, i);
    case 'call':
      return lowerCall(L, i);
    case 'atomicrmw':
      return lowerAtomicRmw(L, i);
    case 'cmpxchg':
      return lowerCmpxchg(L, i);
    case 'extractvalue':
      return lowerExtractValue(L, i);
    case 'fence':
      return;
    default:
      L.fail(`instruction ${i.op === 'other' ? i.opcode : i.op}`);
  }
}

function sameValue(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'local' && b.kind === 'local') return a.name === b.name;
  if (a.kind === 'global' && b.kind === 'global') return a.name === b.name;
  if (a.kind === 'int' && b.kind === 'int') return a.value === b.value;
  return a.kind === 'null';
}

/** The single value a phi always takes (ignoring itself and undef), if there is one. */
function aliasOf(phi: PhiInst): Value | undefined {
  let v: Value | undefined;
  for (const x of phi.incoming) {
    if (x.value.kind === 'local' && x.value.name === phi.result) continue;
    if (x.value.kind === 'undef' || x.value.kind === 'poison') continue;
    if (v === undefined) v = x.value;
    else if (!sameValue(v, x.value)) return undefined;
  }
  return v;
}

function countUses(L: Lowering, fn: IrFunction): void {
  for (const b of fn.blocks) {
    for (const i of b.instructions) {
      if (i.result !== undefined) L.defs.set(i.result, i);
      for (const v of localOperands(i)) L.useCount.set(v.name, (L.useCount.get(v.name) ?? 0) + 1);
    }
  }
}

function terminatorOf(b: BasicBlock): IrInstruction | undefined {
  return b.instructions[b.instructions.length - 1];
}

function succs(b: BasicBlock): string[] {
  const t = terminatorOf(b);
  if (t === undefined) return [];
  if (t.op === 'br') return [t.target];
  if (t.op === 'condbr') return [t.ifTrue, t.ifFalse];
  if (t.op === 'switch') return [t.defaultTarget, ...t.cases.map((c) => c.target)];
  return [];
}

function reversePostorder(fn: IrFunction): BasicBlock[] {
  const byName = new Map(fn.blocks.map((b) => [b.name, b]));
  const seen = new Set<string>();
  const post: BasicBlock[] = [];
  const entry = fn.blocks[0];
  if (entry === undefined) return [];
  // iterative DFS
  const stack: { b: BasicBlock; next: number; s: string[] }[] = [{ b: entry, next: 0, s: succs(entry) }];
  seen.add(entry.name);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.s.length) {
      const n = top.s[top.next++]!;
      const nb = byName.get(n);
      if (nb !== undefined && !seen.has(n)) {
        seen.add(n);
        stack.push({ b: nb, next: 0, s: succs(nb) });
      }
    } else {
      post.push(top.b);
      stack.pop();
    }
  }
  return post.reverse();
}

/** Loop depth estimate: every back edge (to an earlier block in reverse postorder) deepens the blocks between. */
function setDepths(L: Lowering, fn: IrFunction, order: BasicBlock[], blockOf: Map<string, number>): void {
  const index = new Map(order.map((b, n) => [b.name, n]));
  const depth = new Array<number>(order.length).fill(0);
  for (const b of order) {
    const from = index.get(b.name)!;
    for (const s of succs(b)) {
      const to = index.get(s);
      if (to !== undefined && to <= from) for (let k = to; k <= from; k++) depth[k]!++;
    }
  }
  order.forEach((b, n) => (L.blocks[blockOf.get(b.name)!]!.depth = depth[n]!));
  void fn;
}

/** Vector loads, casts, binary operations and reductions, element by element; false when `i` is scalar. */
function lowerVector(L: Lowering, i: IrInstruction): boolean {
  if (i.op === 'load' && isVector(i.type)) {
    const t = i.type;
    const size = Math.max(1, L.bits(t.element) / 8);
    const p = L.typed(i.pointer);
    perElement(L, i.result, [Array.from({ length: t.length }, () => p)], (k, [ptr]) => {
      const gep = { kind: 'local' as const, name: `${i.result}.p#${k}` };
      L.define(gep.name, offsetForm(L, L.form(ptr!, { kind: 'ptr', addrspace: 0 }), k * size));
      return { ...i, type: t.element, pointer: { type: { kind: 'ptr', addrspace: 0 }, value: gep } } as IrInstruction;
    }, (x) => lowerInstruction(L, x));
    return true;
  }
  if ((i.op === 'zext' || i.op === 'sext' || i.op === 'trunc') && isVector(i.value.type) && isVector(i.to)) {
    const from = i.value.type.element;
    const to = i.to.element;
    perElement(L, i.result, [elements(L, i.value)], (_k, [v]) => ({ ...i, value: { type: from, value: v! }, to }) as IrInstruction, (x) => lowerInstruction(L, x));
    return true;
  }
  if (BINARY.has(i.op) && 'lhs' in i && 'type' in i && isVector(i.type)) {
    const t = i.type;
    const a = elements(L, { type: t, value: i.lhs });
    const b = elements(L, { type: t, value: i.rhs });
    perElement(L, i.result, [a, b], (_k, [x, y]) => ({ ...i, type: t.element, lhs: x!, rhs: y! }) as IrInstruction, (x) => lowerInstruction(L, x));
    return true;
  }
  if (i.op === 'call' && i.callee.kind === 'global') {
    const m = /^llvm\.vector\.reduce\.(add|or|and|xor|mul)\./.exec(i.callee.name);
    if (m !== null) {
      reduce(L, i, m[1]!, (x) => lowerInstruction(L, x));
      return true;
    }
  }
  return false;
}
