// getelementptr: split the indices into a constant byte offset and scaled variable terms.
import type { IrType, TypedValue } from '../../ir/index.ts';
import { fieldOffset, resolveType, typeSize } from '../ir-types.ts';
import type { Form } from './form.ts';
import type { Lowering } from './lowering.ts';

export interface GepTerm {
  readonly index: Form;
  readonly bits: number;
  readonly scale: number;
}

export function gepOffset(L: Lowering, sourceType: IrType, indices: readonly TypedValue[]): { constant: number; variable: GepTerm[] } {
  let constant = 0;
  const variable: GepTerm[] = [];
  let t: IrType = sourceType;
  indices.forEach((idx, n) => {
    const f = L.typed(idx);
    const bits = L.bits(idx.type);
    if (n === 0) {
      const size = typeSize(L.mod, t);
      if (f.k === 'imm') constant += Number(BigInt.asIntN(bits, f.value)) * size;
      else variable.push({ index: f, bits, scale: size });
      return;
    }
    const r = resolveType(L.mod, t);
    if (r.kind === 'struct') {
      if (f.k !== 'imm') L.fail('a variable struct field index');
      const i = Number(f.value);
      constant += fieldOffset(L.mod, r, i);
      t = r.fields[i]!;
    } else if (r.kind === 'array') {
      const size = typeSize(L.mod, r.element);
      if (f.k === 'imm') constant += Number(BigInt.asIntN(bits, f.value)) * size;
      else variable.push({ index: f, bits, scale: size });
      t = r.element;
    } else {
      L.fail(`getelementptr into ${r.kind}`);
    }
  });
  return { constant, variable };
}
