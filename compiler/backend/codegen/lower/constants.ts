// Constant expressions as operands: `getelementptr inbounds (i8, ptr @g, i64 8)` (a global plus an offset),
// `inttoptr (i64 N to ptr)` and no-op casts.
import type { ConstantExpr } from '../../ir/index.ts';
import type { Form } from './form.ts';
import { gepOffset } from './gep.ts';
import type { Lowering } from './lowering.ts';

export function constantExprForm(L: Lowering, e: ConstantExpr): Form {
  switch (e.op) {
    case 'getelementptr': {
      const base = L.typed(e.base);
      const { constant, variable } = gepOffset(L, e.sourceType, e.indices);
      if (variable.length > 0) return L.fail('a constant getelementptr with a variable index');
      if (base.k === 'global') return { k: 'global', name: base.name, off: base.off + constant };
      if (base.k === 'imm') return { k: 'imm', value: base.value + BigInt(constant) };
      return L.fail(`a constant getelementptr on ${base.k}`);
    }
    case 'inttoptr':
    case 'ptrtoint':
    case 'bitcast':
    case 'addrspacecast':
    case 'zext':
      return L.typed(e.value);
    case 'trunc': {
      const f = L.typed(e.value);
      if (f.k === 'imm') return { k: 'imm', value: BigInt.asUintN(L.bits(e.to), f.value) };
      return L.fail('a constant trunc of a non-integer');
    }
    case 'sext': {
      const f = L.typed(e.value);
      if (f.k === 'imm') return { k: 'imm', value: BigInt.asIntN(L.bits(e.value.type), f.value) };
      return L.fail('a constant sext of a non-integer');
    }
    default:
      return L.fail(`constant expression ${e.op}`);
  }
}
