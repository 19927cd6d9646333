// Terminators (ret, br, switch as a compare chain, unreachable) and phi elimination: each edge into a block
// with phis gets parallel copies, placed in the predecessor when it has one successor, else in a new block on
// the (critical) edge.
import type { BasicBlock, Instruction as IrInstruction } from '../../ir/index.ts';
import type { Reg } from '../mir.ts';
import type { Form } from './form.ts';
import type { Lowering, Pred } from './lowering.ts';

type PhiInst = Extract<IrInstruction, { op: 'phi' }>;

export interface ControlState {
  /** IR block name → its first machine block */
  readonly blockOf: ReadonlyMap<string, number>;
  /** IR block name → the phis needing copies (those not folded into an alias) */
  readonly phis: ReadonlyMap<string, readonly PhiInst[]>;
  /** phi result → its register */
  readonly phiReg: ReadonlyMap<string, Reg>;
  /** `pred->succ` → edge block */
  readonly edges: Map<string, number>;
}

function irSuccessors(i: IrInstruction): string[] {
  if (i.op === 'br') return [i.target];
  if (i.op === 'condbr') return [i.ifTrue, i.ifFalse];
  if (i.op === 'switch') return [i.defaultTarget, ...i.cases.map((c) => c.target)];
  return [];
}

export function lowerTerminator(L: Lowering, S: ControlState, block: BasicBlock, i: IrInstruction): void {
  const distinct = new Set(irSuccessors(i));
  const edge = (succ: string): number => edgeTarget(L, S, block.name, succ, distinct.size === 1);
  switch (i.op) {
    case 'ret': {
      if (i.value !== undefined) {
        L.into(0, L.sized(L.typed(i.value), L.bits(i.value.type)));
      }
      L.emit({ kind: 'exit', usesR0: i.value !== undefined });
      return;
    }
    case 'br':
      L.emit({ kind: 'ja', target: edge(i.target) });
      return;
    case 'condbr': {
      const c = L.form(i.condition, { kind: 'int', bits: 1 });
      if (i.ifTrue === i.ifFalse) {
        L.emit({ kind: 'ja', target: edge(i.ifTrue) });
        return;
      }
      const t = edge(i.ifTrue);
      const e = edge(i.ifFalse);
      L.branch(c, t, e);
      return;
    }
    case 'switch': {
      const bits = L.bits(i.type);
      let v: Form = L.form(i.value, i.type);
      if (v.k !== 'imm' && bits < 32) v = { k: 'reg', reg: L.zext(v, bits), clean: true };
      else if (v.k !== 'imm') v = { k: 'reg', reg: L.reg(v), clean: true };
      const targets = new Map<string, number>();
      for (const c of i.cases) {
        let t = targets.get(c.target);
        if (t === undefined) targets.set(c.target, (t = edge(c.target)));
        L.compareJump('eq' as Pred, v, { k: 'imm', value: BigInt.asUintN(bits, c.value) }, Math.max(bits, 32), t);
      }
      L.emit({ kind: 'ja', target: targets.get(i.defaultTarget) ?? edge(i.defaultTarget) });
      return;
    }
    case 'unreachable':
      L.emit({ kind: 'exit', usesR0: false });
      return;
    default:
      L.fail(`terminator ${i.op}`);
  }
}

/** The machine block a branch from `pred` to `succ` goes to, after emitting the phi copies the edge needs. */
function edgeTarget(L: Lowering, S: ControlState, pred: string, succ: string, onlySuccessor: boolean): number {
  const target = S.blockOf.get(succ);
  if (target === undefined) return L.fail(`branch to unknown block %${succ}`);
  const phis = S.phis.get(succ) ?? [];
  if (phis.length === 0) return target;
  if (onlySuccessor) {
    phiCopies(L, S, phis, pred);
    return target;
  }
  const key = `${pred}->${succ}`;
  const known = S.edges.get(key);
  if (known !== undefined) return known;
  const saved = L.cur;
  const e = L.newBlock();
  S.edges.set(key, e.id);
  L.cur = e;
  phiCopies(L, S, phis, pred);
  L.emit({ kind: 'ja', target });
  L.cur = saved;
  return e.id;
}

/** Parallel copies into the phi registers for the edge from `pred` (i1 phis hold exactly 0 or 1). */
function phiCopies(L: Lowering, S: ControlState, phis: readonly PhiInst[], pred: string): void {
  const moves: { dst: Reg; src: Reg }[] = [];
  const consts: { dst: Reg; form: Form }[] = [];
  for (const phi of phis) {
    const incoming = phi.incoming.find((x) => x.block === pred);
    if (incoming === undefined) L.fail(`phi %${phi.result} without a value from %${pred}`);
    if (incoming.value.kind === 'undef' || incoming.value.kind === 'poison') continue;
    const dst = S.phiReg.get(phi.result!)!;
    const bits = L.bits(phi.type);
    const f = L.form(incoming.value, phi.type);
    if (f.k === 'imm') {
      consts.push({ dst, form: L.sized(f, bits) });
      continue;
    }
    // forms are materialised before any copy, so none reads a phi register already overwritten
    const src = bits === 1 ? L.zext(f, bits) : L.reg(f);
    moves.push({ dst, src });
  }
  parallelMove(L, moves);
  for (const c of consts) L.into(c.dst, c.form);
}

/** Sequentialise simultaneous register copies, breaking cycles with a temporary. */
export function parallelMove(L: Lowering, moves: { dst: Reg; src: Reg }[]): void {
  let pending = moves.filter((m) => m.dst !== m.src);
  while (pending.length > 0) {
    const ready = pending.findIndex((m) => !pending.some((o) => o !== m && o.src === m.dst));
    if (ready >= 0) {
      const m = pending[ready]!;
      L.emit({ kind: 'alu', width: 64, op: 'mov', dst: m.dst, src: { reg: m.src } });
      pending.splice(ready, 1);
      continue;
    }
    const m = pending[0]!;
    const t = L.vreg();
    L.emit({ kind: 'alu', width: 64, op: 'mov', dst: t, src: { reg: m.dst } });
    pending = pending.map((o) => (o.src === m.dst ? { dst: o.dst, src: t } : o));
  }
}
