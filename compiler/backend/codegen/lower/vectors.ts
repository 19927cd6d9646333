// Small fixed vectors, as clang-19's loop vectoriser leaves them in BPF IR (`load <8 x i16>`, `zext` to
// `<8 x i32>`, `llvm.vector.reduce.add`): scalarised, one form per element. Element results get synthetic
// SSA names (`%x#3`) so the scalar lowerings do the work.
import type { Instruction as IrInstruction, IrType, TypedValue } from '../../ir/index.ts';
import type { Form } from './form.ts';
import type { Lowering } from './lowering.ts';

type Vec = Extract<Form, { k: 'vec' }>;

export function isVector(t: IrType): t is Extract<IrType, { kind: 'vector' }> {
  return t.kind === 'vector' && !t.scalable;
}

/** The element forms of a vector operand. */
export function elements(L: Lowering, tv: TypedValue): Form[] {
  const t = tv.type;
  if (!isVector(t)) return L.fail('a vector operand of scalar type');
  const v = tv.value;
  if (v.kind === 'zeroinitializer' || v.kind === 'undef' || v.kind === 'poison') return Array.from({ length: t.length }, () => ({ k: 'imm', value: 0n }));
  if (v.kind === 'vector') return v.elements.map((e) => L.typed(e));
  if (v.kind === 'splat') return Array.from({ length: t.length }, () => L.typed(v.element));
  const f = L.typed(tv);
  if (f.k !== 'vec') return L.fail('a vector value');
  return [...f.elems];
}

/** Name element `k` of a vector so scalar lowerings can read it. */
function named(L: Lowering, base: string, k: number, f: Form): { kind: 'local'; name: string } {
  const name = `${base}#${k}`;
  L.define(name, f);
  return { kind: 'local', name };
}

/** Lower a scalar instruction per element: `make(k, operand names)` builds the element's instruction. */
export function perElement(L: Lowering, result: string | undefined, operands: Form[][], make: (k: number, names: { kind: 'local'; name: string }[]) => IrInstruction, lower: (i: IrInstruction) => void): void {
  const n = operands[0]!.length;
  const out: Form[] = [];
  for (let k = 0; k < n; k++) {
    const names = operands.map((ops, j) => named(L, `${result ?? 'v'}.op${j}`, k, ops[k]!));
    const elemResult = `${result ?? 'v'}#${k}`;
    lower({ ...make(k, names), result: elemResult } as IrInstruction);
    out.push(L.values.get(elemResult)!);
  }
  L.define(result, { k: 'vec', elems: out } satisfies Vec);
}

/** `llvm.vector.reduce.{add,or,and,xor,mul}` as a chain of scalar operations. */
export function reduce(L: Lowering, i: Extract<IrInstruction, { op: 'call' }>, op: string, lower: (i: IrInstruction) => void): void {
  const arg = i.args[0]!;
  const elems = elements(L, arg);
  const t = arg.type as Extract<IrType, { kind: 'vector' }>;
  let acc = elems[0]!;
  for (let k = 1; k < elems.length; k++) {
    const a = named(L, `${i.result}.acc`, k, acc);
    const b = named(L, `${i.result}.el`, k, elems[k]!);
    const r = `${i.result}.r#${k}`;
    lower({ ...i, op, flags: [], type: t.element, lhs: a, rhs: b, result: r } as unknown as IrInstruction);
    acc = L.values.get(r)!;
  }
  L.define(i.result, acc);
}
