// Sizes, alignments and field offsets of IR types under the BPF data layout
// (`e-m:e-p:64:64-i64:64-i128:128-n32:64-S128`): integers are aligned to their own size up to 8 bytes
// (i128 to 16), pointers are 8 bytes, structs pad each field to its alignment unless `packed`, and a type's
// allocation size is its size rounded up to its alignment (LLVM's DataLayout::getTypeAllocSize).
import type { IrModule, IrType } from '../ir/index.ts';

export interface TypeLayout {
  /** bytes the type occupies with tail padding (getTypeAllocSize) */
  readonly size: number;
  readonly align: number;
}

/** Layout of `type`; RangeError for types without a memory layout (void, label, metadata, opaque). */
export function layoutOf(mod: IrModule, type: IrType, depth = 0): TypeLayout {
  if (depth > 64) throw new RangeError('ir type nests too deeply (recursive named type?)');
  switch (type.kind) {
    case 'int': {
      const bytes = Math.ceil(type.bits / 8);
      const align = type.bits > 64 ? 16 : Math.min(8, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
      return { size: roundUp(bytes, align), align };
    }
    case 'ptr':
      return { size: 8, align: 8 };
    case 'float': {
      const sizes: Record<string, number> = { half: 2, bfloat: 2, float: 4, double: 8, fp128: 16, x86_fp80: 16, ppc_fp128: 16 };
      const size = sizes[type.name] ?? 8;
      return { size, align: Math.min(size, 16) };
    }
    case 'array': {
      const e = layoutOf(mod, type.element, depth + 1);
      return { size: e.size * type.length, align: e.align };
    }
    case 'vector': {
      const e = layoutOf(mod, type.element, depth + 1);
      const size = e.size * type.length;
      const align = 2 ** Math.ceil(Math.log2(Math.max(size, 1)));
      return { size: roundUp(size, align), align };
    }
    case 'struct':
      return structLayout(mod, type.fields, type.packed, depth).layout;
    case 'named': {
      const t = mod.types.get(type.name);
      if (t === undefined) throw new RangeError(`ir type %${type.name} is not defined`);
      return layoutOf(mod, t, depth + 1);
    }
    default:
      throw new RangeError(`ir type ${type.kind} has no memory layout`);
  }
}

/** Byte offsets of the fields of a struct type (resolving named types). */
export function fieldOffsets(mod: IrModule, type: IrType): number[] {
  const t = type.kind === 'named' ? mod.types.get(type.name) : type;
  if (t === undefined || t.kind !== 'struct') throw new RangeError(`ir type ${type.kind} is not a struct`);
  return structLayout(mod, t.fields, t.packed, 0).offsets;
}

function structLayout(
  mod: IrModule,
  fields: readonly IrType[],
  packed: boolean,
  depth: number,
): { layout: TypeLayout; offsets: number[] } {
  let offset = 0;
  let align = 1;
  const offsets: number[] = [];
  for (const f of fields) {
    const l = layoutOf(mod, f, depth + 1);
    const a = packed ? 1 : l.align;
    offset = roundUp(offset, a);
    offsets.push(offset);
    offset += l.size;
    align = Math.max(align, a);
  }
  return { layout: { size: roundUp(offset, align), align }, offsets };
}

export function roundUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
