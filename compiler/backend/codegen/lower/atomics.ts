// atomicrmw and cmpxchg on 4- and 8-byte locations (-mcpu=v3 atomics). An `add` whose result is unused is
// the plain locked add; everything else uses the fetch form, which returns the old value in the source register.
import type { AtomicOp } from '../../../../bpf/index.ts';
import type { Instruction as IrInstruction } from '../../ir/index.ts';
import type { IrInst } from './ir-inst.ts';
import type { Lowering } from './lowering.ts';

type Of<K extends string> = IrInst<K>;

const OPS: Partial<Record<string, AtomicOp>> = { add: 'add', sub: 'add', or: 'or', and: 'and', xor: 'xor', xchg: 'xchg' };

function sizeOf(L: Lowering, bits: number): 4 | 8 {
  if (bits === 32) return 4;
  if (bits === 64) return 8;
  return L.fail(`a ${bits}-bit atomic operation (BPF has 32- and 64-bit atomics)`);
}

export function lowerAtomicRmw(L: Lowering, i: Of<'atomicrmw'>): void {
  const op = OPS[i.operation];
  if (op === undefined) L.fail(`atomicrmw ${i.operation}`);
  const size = sizeOf(L, L.bits(i.value.type));
  const { base, off } = L.address(L.typed(i.pointer));
  const used = i.result !== undefined && (L.useCount.get(i.result) ?? 0) > 0;
  const src = L.vreg();
  L.into(src, L.typed(i.value));
  if (i.operation === 'sub') L.emit({ kind: 'alu', width: size === 8 ? 64 : 32, op: 'neg', dst: src, src: { imm: 0 } });
  L.emit({ kind: 'atomic', size, op, fetch: used || op === 'xchg', base, off, src });
  if (used) L.define(i.result, { k: 'reg', reg: src, clean: true });
}

export function lowerCmpxchg(L: Lowering, i: Of<'cmpxchg'>): void {
  const bits = L.bits(i.expected.type);
  const size = sizeOf(L, bits);
  const { base, off } = L.address(L.typed(i.pointer));
  const expected = L.typed(i.expected);
  const src = L.reg(L.typed(i.replacement));
  L.into(0, expected);
  L.emit({ kind: 'atomic', size, op: 'cmpxchg', fetch: true, base, off, src });
  const old = L.vreg();
  L.into(old, { k: 'reg', reg: 0, clean: true });
  const oldForm = { k: 'reg', reg: old, clean: true } as const;
  L.define(i.result, { k: 'pair', old: oldForm, success: { k: 'cmp', pred: 'eq', a: oldForm, b: expected, bits } });
}

export function lowerExtractValue(L: Lowering, i: Of<'extractvalue'>): void {
  const f = L.typed(i.aggregate);
  if (f.k !== 'pair' || i.indices.length !== 1) return L.fail('extractvalue of an aggregate');
  L.define(i.result, i.indices[0] === 0 ? f.old : f.success);
}
