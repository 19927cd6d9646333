// Stack slot sharing (what LLVM's stack colouring does): allocas whose live ranges never meet share bytes.
// An alloca is live from its `llvm.lifetime.start` (or the entry) to its last use, uses counted through
// getelementptr chains. An address that escapes into anything else (phi, select, a stored value, an integer)
// keeps its alloca apart from every other one. Sharing matters twice: the 512-byte limit, and identical
// inlined sequences (each inlined `count()` with its own key) becoming identical code that merges.
import type { Instruction as IrInstruction, IrFunction, IrModule } from '../../ir/index.ts';
import { alignTo, typeSize } from '../ir-types.ts';
import { localOperands } from './ir-operands.ts';

export interface FrameLayout {
  /** alloca result → offset from r10 (negative) */
  readonly offsets: Map<string, number>;
  readonly size: number;
}

interface Slot {
  readonly name: string;
  readonly size: number;
  readonly align: number;
}

const operandsOf = localOperands;

function calleeName(i: IrInstruction): string | undefined {
  return i.op === 'call' && i.callee.kind === 'global' ? i.callee.name : undefined;
}

export function layoutFrame(mod: IrModule, fn: IrFunction): FrameLayout {
  const slots: Slot[] = [];
  for (const b of fn.blocks) {
    for (const i of b.instructions) {
      if (i.op !== 'alloca' || i.result === undefined) continue;
      let count = 1;
      if (i.count !== undefined && i.count.value.kind === 'int') count = Number(i.count.value.value);
      const size = Math.max(1, typeSize(mod, i.type) * count);
      const natural = size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
      slots.push({ name: i.result, size, align: Math.min(8, Math.max(i.align ?? 1, natural)) });
    }
  }
  if (slots.length === 0) return { offsets: new Map(), size: 0 };

  // root alloca of every pointer derived from one through getelementptr/bitcast
  const root = new Map<string, string>(slots.map((s) => [s.name, s.name]));
  const escaped = new Set<string>();
  for (const b of fn.blocks) {
    for (const i of b.instructions) {
      if ((i.op === 'getelementptr' || i.op === 'bitcast' || i.op === 'addrspacecast') && i.result !== undefined) {
        const base = i.op === 'getelementptr' ? i.base.value : i.value.value;
        if (base.kind === 'local' && root.has(base.name)) root.set(i.result, root.get(base.name)!);
      }
    }
  }
  for (const b of fn.blocks) {
    for (const i of b.instructions) {
      const harmless =
        i.op === 'load' || i.op === 'getelementptr' || i.op === 'bitcast' || i.op === 'call' || i.op === 'atomicrmw' || i.op === 'cmpxchg';
      for (const v of operandsOf(i)) {
        if (v.kind !== 'local') continue;
        const r = root.get(v.name);
        if (r === undefined) continue;
        if (i.op === 'store' && i.value.value.kind === 'local' && i.value.value.name === v.name) escaped.add(r);
        else if (!harmless && i.op !== 'store' && i.op !== 'icmp') escaped.add(r);
      }
    }
  }

  // backward liveness per block; `live` sets hold root alloca names
  const names = slots.map((s) => s.name);
  const useDef = (i: IrInstruction): { uses: string[]; starts: string[] } => {
    const callee = calleeName(i);
    if (callee?.startsWith('llvm.lifetime.start')) {
      // LLVM 19: (i64 size, ptr p); LLVM 22: (ptr p)
      const p = i.op === 'call' ? i.args[i.args.length - 1]?.value : undefined;
      const r = p?.kind === 'local' ? root.get(p.name) : undefined;
      return { uses: [], starts: r !== undefined ? [r] : [] };
    }
    if (callee?.startsWith('llvm.lifetime.end')) return { uses: [], starts: [] };
    const uses = operandsOf(i).flatMap((v) => (v.kind === 'local' && root.has(v.name) ? [root.get(v.name)!] : []));
    return { uses, starts: [] };
  };
  const succ = (i: IrInstruction | undefined): string[] => {
    if (i === undefined) return [];
    if (i.op === 'br') return [i.target];
    if (i.op === 'condbr') return [i.ifTrue, i.ifFalse];
    if (i.op === 'switch') return [i.defaultTarget, ...i.cases.map((c) => c.target)];
    return [];
  };
  const liveIn = new Map<string, Set<string>>(fn.blocks.map((b) => [b.name, new Set<string>()]));
  // what each instruction does to the allocas, computed once (only instructions that touch one are kept)
  const effects = new Map<string, { k: number; uses: string[]; starts: string[] }[]>(
    fn.blocks.map((b) => [
      b.name,
      b.instructions.flatMap((i, k) => {
        const e = useDef(i);
        return e.uses.length > 0 || e.starts.length > 0 ? [{ k, ...e }] : [];
      }),
    ]),
  );
  const flow = (b: (typeof fn.blocks)[number], visit?: (live: Set<string>) => void): Set<string> => {
    const live = new Set<string>();
    for (const s of succ(b.instructions[b.instructions.length - 1])) for (const r of liveIn.get(s) ?? []) live.add(r);
    visit?.(live);
    const list = effects.get(b.name)!;
    for (let n = list.length - 1; n >= 0; n--) {
      const { uses, starts } = list[n]!;
      for (const s of starts) live.delete(s);
      for (const u of uses) live.add(u);
      visit?.(live);
    }
    return live;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let n = fn.blocks.length - 1; n >= 0; n--) {
      const b = fn.blocks[n]!;
      const inn = flow(b);
      const old = liveIn.get(b.name)!;
      for (const r of inn) if (!old.has(r)) (old.add(r), (changed = true));
    }
  }
  const interferes = new Set<string>();
  const pair = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  for (const b of fn.blocks) {
    flow(b, (live) => {
      const l = [...live];
      for (let x = 0; x < l.length; x++) for (let y = x + 1; y < l.length; y++) interferes.add(pair(l[x]!, l[y]!));
    });
  }
  const conflict = (a: string, b: string): boolean => escaped.has(a) || escaped.has(b) || interferes.has(pair(a, b));

  // place the largest first, each at the lowest offset clear of the slots it conflicts with
  const placed: { name: string; start: number; end: number }[] = [];
  const offsets = new Map<string, number>();
  let size = 0;
  for (const s of [...slots].sort((a, b) => b.size - a.size || names.indexOf(a.name) - names.indexOf(b.name))) {
    const others = placed.filter((p) => conflict(p.name, s.name));
    // the slot covers distances [end - size, end) below r10; `end` a multiple of the alignment keeps it aligned
    let end = alignTo(s.size, s.align);
    while (others.some((o) => o.start < end && end - s.size < o.end)) end += s.align;
    placed.push({ name: s.name, start: end - s.size, end });
    offsets.set(s.name, -end);
    size = Math.max(size, end);
  }
  return { offsets, size };
}
