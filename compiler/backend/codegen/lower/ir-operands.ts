// The SSA values an IR instruction reads (`%x` operands anywhere in it, metadata and debug records aside),
// computed once per instruction.
import type { Instruction, Value } from '../../ir/index.ts';

type Local = Extract<Value, { kind: 'local' }>;
const cache = new WeakMap<Instruction, readonly Local[]>();

export function localOperands(i: Instruction): readonly Local[] {
  let out = cache.get(i);
  if (out !== undefined) return out;
  const found: Local[] = [];
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const e of x) visit(e);
      return;
    }
    const o = x as Record<string, unknown>;
    if (o['kind'] === 'local' && typeof o['name'] === 'string') {
      found.push(o as unknown as Local);
      return;
    }
    for (const k in o) if (k !== 'records' && k !== 'attachments' && k !== 'at' && k !== 'type' && k !== 'sourceType' && k !== 'to') visit(o[k]);
  };
  visit(i);
  out = found;
  cache.set(i, out);
  return out;
}
