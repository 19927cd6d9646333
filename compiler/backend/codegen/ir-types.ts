// Sizes, alignments and field offsets of IR types under the BPF data layout
// (`e-m:e-p:64:64-i64:64-i128:128-n32:64-S128`): natural alignment, 8-byte pointers.
import type { IrModule, IrType } from '../ir/index.ts';

export function resolveType(mod: IrModule, t: IrType): IrType {
  for (let depth = 0; t.kind === 'named' && depth < 64; depth++) {
    const r = mod.types.get(t.name);
    if (r === undefined) throw new RangeError(`type %${t.name}: not defined`);
    t = r;
  }
  return t;
}

export function typeAlign(mod: IrModule, t: IrType): number {
  t = resolveType(mod, t);
  switch (t.kind) {
    case 'int':
      return t.bits <= 8 ? 1 : t.bits <= 16 ? 2 : t.bits <= 32 ? 4 : t.bits <= 64 ? 8 : 16;
    case 'ptr':
      return 8;
    case 'array':
      return typeAlign(mod, t.element);
    case 'struct':
      return t.packed ? 1 : Math.max(1, ...t.fields.map((f) => typeAlign(mod, f)));
    default:
      return 8;
  }
}

export function typeSize(mod: IrModule, t: IrType): number {
  t = resolveType(mod, t);
  switch (t.kind) {
    case 'int':
      return Math.ceil(t.bits / 8) <= 1 ? 1 : 2 ** Math.ceil(Math.log2(Math.ceil(t.bits / 8)));
    case 'ptr':
      return 8;
    case 'array':
      return t.length * typeSize(mod, t.element);
    case 'struct': {
      let off = 0;
      for (const f of t.fields) off = alignTo(off, t.packed ? 1 : typeAlign(mod, f)) + typeSize(mod, f);
      return alignTo(off, typeAlign(mod, t));
    }
    case 'void':
      return 0;
    default:
      throw new RangeError(`type ${t.kind}: no size for BPF`);
  }
}

/** Byte offset of field `index` of a struct type. */
export function fieldOffset(mod: IrModule, t: IrType, index: number): number {
  const s = resolveType(mod, t);
  if (s.kind !== 'struct') throw new RangeError(`field ${index} of a non-struct type ${s.kind}`);
  let off = 0;
  for (let i = 0; i < index; i++) off = alignTo(off, s.packed ? 1 : typeAlign(mod, s.fields[i]!)) + typeSize(mod, s.fields[i]!);
  return alignTo(off, s.packed ? 1 : typeAlign(mod, s.fields[index]!));
}

export function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Bits of an integer type, 64 for pointers; undefined for anything else. */
export function intBits(mod: IrModule, t: IrType): number | undefined {
  t = resolveType(mod, t);
  if (t.kind === 'int') return t.bits;
  if (t.kind === 'ptr') return 64;
  return undefined;
}
