// A global's IR initialiser as the bytes clang puts in its data section: integers little-endian at their
// width, aggregates at their DataLayout field offsets with zero padding, strings as is, zeroinitializer /
// undef / poison as zeros. Pointers to other globals cannot be bytes; they come back as `pointers`
// (a `.maps` definition's `.values = { &inner }`), for the caller to turn into relocations or reject.
//
//   encodeInitializer(mod, g.type, g.initializer) // { bytes: Uint8Array [0x64, 0, 0, 0], pointers: [] }
import type { IrModule, IrType, TypedValue, Value } from '../ir/index.ts';
import { fieldOffsets, layoutOf } from './ir-layout.ts';

export interface EncodedInitializer {
  readonly bytes: Uint8Array;
  /** pointer-sized slots holding the address of global `target` (+ `addend` bytes) */
  readonly pointers: readonly { readonly offset: number; readonly target: string; readonly addend: number }[];
}

export function encodeInitializer(mod: IrModule, type: IrType, value: Value): EncodedInitializer {
  const bytes = new Uint8Array(layoutOf(mod, type).size);
  const pointers: { offset: number; target: string; addend: number }[] = [];
  write(mod, { type, value }, bytes, 0, pointers);
  return { bytes, pointers };
}

function write(
  mod: IrModule,
  tv: TypedValue,
  out: Uint8Array,
  at: number,
  pointers: { offset: number; target: string; addend: number }[],
): void {
  const { type, value } = tv;
  const resolved = type.kind === 'named' ? mod.types.get(type.name) ?? type : type;
  switch (value.kind) {
    case 'zeroinitializer':
    case 'undef':
    case 'poison':
    case 'null':
      return; // already zero
    case 'int': {
      const bits = resolved.kind === 'int' ? resolved.bits : 64;
      let v = BigInt.asUintN(Math.max(bits, 1), value.value);
      for (let i = 0; i < Math.ceil(bits / 8); i++, v >>= 8n) out[at + i] = Number(v & 0xffn);
      return;
    }
    case 'string':
      out.set(value.bytes.subarray(0, out.length - at), at);
      return;
    case 'array':
    case 'vector': {
      if (resolved.kind !== 'array' && resolved.kind !== 'vector') throw new TypeError(`initializer: ${value.kind} of type ${resolved.kind}`);
      const step = layoutOf(mod, resolved.element).size;
      value.elements.forEach((e, i) => write(mod, e, out, at + i * step, pointers));
      return;
    }
    case 'struct': {
      const offsets = fieldOffsets(mod, resolved);
      value.elements.forEach((e, i) => write(mod, e, out, at + offsets[i]!, pointers));
      return;
    }
    case 'global':
      pointers.push({ offset: at, target: value.name, addend: 0 });
      return;
    case 'constexpr': {
      const e = value.expr;
      if (e.op === 'getelementptr' && e.base.value.kind === 'global') {
        pointers.push({ offset: at, target: e.base.value.name, addend: constantGepOffset(mod, e.sourceType, e.indices) });
        return;
      }
      if ((e.op === 'bitcast' || e.op === 'inttoptr' || e.op === 'ptrtoint' || e.op === 'addrspacecast') && e.value.value.kind !== 'constexpr') {
        write(mod, { type, value: e.value.value }, out, at, pointers);
        return;
      }
      throw new TypeError(`initializer: constant expression ${e.op} is not supported in global data`);
    }
    default:
      throw new TypeError(`initializer: ${value.kind} constants are not supported in global data`);
  }
}

/** Byte offset of a constant getelementptr (all indices constant integers). */
function constantGepOffset(mod: IrModule, sourceType: IrType, indices: readonly TypedValue[]): number {
  let offset = 0;
  let t: IrType = sourceType;
  indices.forEach((ix, i) => {
    if (ix.value.kind !== 'int') throw new TypeError('initializer: getelementptr with a non-constant index');
    const n = Number(ix.value.value);
    if (i === 0) {
      offset += n * layoutOf(mod, t).size;
      return;
    }
    const r = t.kind === 'named' ? mod.types.get(t.name) ?? t : t;
    if (r.kind === 'struct') {
      offset += fieldOffsets(mod, r)[n] ?? 0;
      t = r.fields[n]!;
    } else if (r.kind === 'array' || r.kind === 'vector') {
      offset += n * layoutOf(mod, r.element).size;
      t = r.element;
    }
  });
  return offset;
}
