// Integer arithmetic, casts, comparisons and select. Values narrower than 64 bits are computed with 32-bit
// ALU ops (which zero the upper half), so an i32 result is always held zero-extended; i8/i16 results may carry
// garbage in bits 8..31 and are extended where semantics need it (compares, shifts right, division, zext).
import type { Instruction as IrInstruction } from '../../ir/index.ts';
import type { AluOp } from '../../../../bpf/index.ts';
import type { Form } from './form.ts';
import type { IrInst } from './ir-inst.ts';
import type { Lowering, Pred } from './lowering.ts';

type Of<K extends string> = IrInst<K>;

const ALU: Partial<Record<string, AluOp>> = {
  add: 'add', sub: 'sub', mul: 'mul', and: 'and', or: 'or', xor: 'xor', shl: 'lsh', lshr: 'rsh', ashr: 'arsh', udiv: 'div', urem: 'mod',
};
const COMMUTATIVE = new Set(['add', 'mul', 'and', 'or', 'xor']);

export function lowerBinary(L: Lowering, i: IrInst<'add'>): void {
  const bits = L.bits(i.type);
  if (bits === 1 && (i.op === 'and' || i.op === 'or' || i.op === 'xor')) {
    L.define(i.result, { k: 'logic', inst: i });
    return;
  }
  const aluOp = ALU[i.op];
  if (aluOp === undefined) L.fail(i.op === 'sdiv' || i.op === 'srem' ? `signed division (${i.op})` : `operation ${i.op}`);
  let a = narrow(L.form(i.lhs, i.type), bits);
  let b = narrow(L.form(i.rhs, i.type), bits);
  if (a.k === 'imm' && b.k === 'imm') {
    const folded = fold(i.op, a.value, b.value, bits);
    if (folded !== undefined) return L.define(i.result, { k: 'imm', value: folded });
  }
  if (COMMUTATIVE.has(i.op) && a.k === 'imm' && b.k !== 'imm') [a, b] = [b, a];
  const width: 32 | 64 = bits > 32 ? 64 : 32;
  const d = L.vreg();
  let clean = bits >= 32;
  // a context load the kernel turned into a packet pointer becomes a scalar only through a 32-bit move
  // (pointer - pointer is already a scalar)
  const bothPointers = i.op === 'sub' && a.k === 'reg' && a.ptrish === true && b.k === 'reg' && b.ptrish === true;
  if (width === 32 && a.k === 'reg' && a.ptrish === true && !bothPointers) {
    L.emit({ kind: 'alu', width: 32, op: 'mov', dst: d, src: { reg: a.reg } });
    a = { k: 'reg', reg: d, clean: true };
  }
  if (width === 32 && b.k === 'reg' && b.ptrish === true && !bothPointers) {
    const t = L.vreg();
    L.emit({ kind: 'alu', width: 32, op: 'mov', dst: t, src: { reg: b.reg } });
    b = { k: 'reg', reg: t, clean: true };
  }
  if (i.op === 'sub' && a.k === 'imm' && BigInt.asUintN(bits, a.value) === 0n && b.k !== 'imm') {
    // 0 - x: a negation in place (the copy coalesces away when x dies here), not `d = 0; d -= x`
    L.into(d, b);
    L.emit({ kind: 'alu', width, op: 'neg', dst: d, src: { imm: 0 } });
    return L.define(i.result, { k: 'reg', reg: d, clean });
  }
  switch (i.op) {
    case 'lshr':
    case 'udiv':
    case 'urem':
      if (bits < 32) {
        L.into(d, { k: 'reg', reg: L.zext(a, bits), clean: true });
        if (b.k !== 'imm') b = { k: 'reg', reg: L.zext(b, bits), clean: true };
        clean = true;
      } else {
        L.into(d, a);
      }
      break;
    case 'ashr':
      if (bits < 32) L.into(d, { k: 'reg', reg: L.sext(a, bits, 32), clean: false });
      else L.into(d, a);
      break;
    case 'and':
      clean ||= L.isClean(a, bits) || L.isClean(b, bits);
      L.into(d, a);
      break;
    case 'or':
    case 'xor':
      clean ||= L.isClean(a, bits) && L.isClean(b, bits);
      L.into(d, a);
      break;
    default:
      L.into(d, a);
  }
  if (i.op === 'sub' && b.k === 'imm') {
    L.emit({ kind: 'alu', width, op: 'add', dst: d, src: L.operand({ k: 'imm', value: -b.value }, width) });
  } else {
    L.emit({ kind: 'alu', width, op: aluOp, dst: d, src: L.operand(b, width) });
  }
  L.define(i.result, { k: 'reg', reg: d, clean });
}

/** Constants of narrow operations by their unsigned value (the bits above the width do not matter). */
function narrow(f: Form, bits: number): Form {
  return f.k === 'imm' && bits < 64 ? { k: 'imm', value: BigInt.asUintN(bits, f.value) } : f;
}

function fold(op: string, a: bigint, b: bigint, bits: number): bigint | undefined {
  const n = BigInt(bits);
  const ua = BigInt.asUintN(bits, a);
  const ub = BigInt.asUintN(bits, b);
  switch (op) {
    case 'add': return BigInt.asUintN(bits, a + b);
    case 'sub': return BigInt.asUintN(bits, a - b);
    case 'mul': return BigInt.asUintN(bits, a * b);
    case 'and': return ua & ub;
    case 'or': return ua | ub;
    case 'xor': return ua ^ ub;
    case 'shl': return ub < n ? BigInt.asUintN(bits, ua << ub) : undefined;
    case 'lshr': return ub < n ? ua >> ub : undefined;
    default: return undefined;
  }
}

export function lowerCast(L: Lowering, i: Of<'trunc' | 'zext' | 'sext' | 'inttoptr' | 'ptrtoint' | 'bitcast' | 'addrspacecast'>): void {
  const f = L.typed(i.value);
  const from = i.op === 'bitcast' || i.op === 'addrspacecast' ? 64 : L.bits(i.value.type);
  const to = i.op === 'bitcast' || i.op === 'addrspacecast' ? 64 : L.bits(i.to);
  switch (i.op) {
    case 'bitcast':
    case 'addrspacecast':
      return L.define(i.result, f);
    case 'zext':
    case 'inttoptr':
      if (to <= from) return L.define(i.result, f);
      if (f.k === 'imm') return L.define(i.result, { k: 'imm', value: BigInt.asUintN(from, f.value) });
      if (L.isClean(f, from)) return L.define(i.result, f.k === 'reg' ? { ...f, clean: true } : f);
      return L.define(i.result, { k: 'reg', reg: L.zext(f, from), clean: true });
    case 'sext':
      if (f.k === 'imm') return L.define(i.result, { k: 'imm', value: BigInt.asUintN(to, BigInt.asIntN(from, f.value)) });
      if (to > 32) return L.define(i.result, { k: 'reg', reg: L.sext(f, from, 64), clean: true });
      return L.define(i.result, { k: 'reg', reg: L.sext(f, from, 32), clean: to === 32 });
    case 'trunc':
    case 'ptrtoint': {
      if (to >= from) return L.define(i.result, f);
      if (f.k === 'imm') return L.define(i.result, { k: 'imm', value: BigInt.asUintN(to, f.value) });
      if (to === 1) {
        const d = L.vreg();
        L.into(d, f);
        L.emit({ kind: 'alu', width: 32, op: 'and', dst: d, src: { imm: 1 } });
        return L.define(i.result, { k: 'reg', reg: d, clean: true });
      }
      if (f.k === 'reg') return L.define(i.result, { k: 'reg', reg: f.reg, clean: f.clean && from <= to });
      return L.define(i.result, { k: 'reg', reg: L.reg(f), clean: false });
    }
  }
}

export function lowerIcmp(L: Lowering, i: Of<'icmp'>): void {
  const bits = L.bits(i.type);
  L.define(i.result, { k: 'cmp', pred: i.predicate, a: L.form(i.lhs, i.type), b: L.form(i.rhs, i.type), bits });
}

export function lowerSelect(L: Lowering, i: Of<'select'>): void {
  const bits = L.bits(i.ifTrue.type);
  if (bits === 1) return L.define(i.result, { k: 'logic', inst: i });
  const c = L.typed(i.condition);
  const a = L.typed(i.ifTrue);
  const b = L.typed(i.ifFalse);
  if (c.k === 'imm') return L.define(i.result, (c.value & 1n) !== 0n ? a : b);
  L.define(i.result, choose(L, c, a, b, bits));
}

/** `d = c ? a : b` as `d = a; if (c) goto join; d = b; join:`. */
export function choose(L: Lowering, c: Form, a: Form, b: Form, bits: number): Form {
  const d = L.vreg();
  L.into(d, a);
  const start = L.cur;
  const other = L.newBlock();
  const join = L.newBlock();
  L.branch(c, join.id, other.id);
  L.cur = other;
  L.into(d, b);
  L.emit({ kind: 'ja', target: join.id });
  L.joinAt(join, start);
  return { k: 'reg', reg: d, clean: L.isClean(a, bits) && L.isClean(b, bits) };
}

/** umin/umax/smin/smax as a select on a compare. */
export function minMax(L: Lowering, which: 'umin' | 'umax' | 'smin' | 'smax', a: Form, b: Form, bits: number): Form {
  const pred: Pred = which === 'umin' ? 'ult' : which === 'umax' ? 'ugt' : which === 'smin' ? 'slt' : 'sgt';
  return choose(L, { k: 'cmp', pred, a, b, bits }, a, b, bits);
}
