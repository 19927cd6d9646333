// BtfBuilder: assembling BTF type by type (for a compiler backend emitting BTF from its debug info).
//
//   const b = new BtfBuilder();
//   const u32 = b.addInt('unsigned int', 4);
//   const key = b.addTypedef('__u32', u32);
//   const ptr = b.addPtr(key);
//   const proto = b.addFuncProto(b.addInt('int', 4, 'signed'), [{ name: 'ctx', type: b.addPtr(0) }]);
//   b.addFunc('prog', proto);
//   const btf = b.build();
//
// Ids are handed out in order from 1. Types may refer to ids not added yet (check happens in encodeBtf);
// for self-referential types add a placeholder and fill it in with `set`. Names are interned into the
// string table as types are added, so the table's order follows the types'.
import { Btf } from './btf.ts';
import type {
  BtfFuncLinkage,
  BtfIntEncoding,
  BtfMember,
  BtfParam,
  BtfType,
  BtfVarLinkage,
  BtfVarSecinfo,
} from './btf-type.ts';
import { internBtfStrings } from './encode-btf.ts';
import { BtfStringTable } from './string-table.ts';

/** A struct/union member for the builder: `bitfieldSize` defaults to 0 (not a bitfield). */
export interface BtfMemberSpec {
  name: string;
  type: number;
  bitOffset: number;
  bitfieldSize?: number;
}

export class BtfBuilder {
  readonly #types: BtfType[] = [];
  readonly #strings = new BtfStringTable();
  #arraySizeType: number | undefined;

  /** Appends `type` and returns its id. */
  add(type: BtfType): number {
    this.#types.push(type);
    internBtfStrings({ types: [type] }, this.#strings);
    return this.#types.length;
  }

  /** Replaces type `id` (e.g. a struct whose members refer back to it). */
  set(id: number, type: BtfType): void {
    if (!Number.isInteger(id) || id < 1 || id > this.#types.length) {
      throw new RangeError(`BtfBuilder: type id ${id} is out of range (1..${this.#types.length})`);
    }
    this.#types[id - 1] = type;
    internBtfStrings({ types: [type] }, this.#strings);
  }

  /** The type added as `id`. */
  get(id: number): BtfType {
    const t = this.#types[id - 1];
    if (t === undefined) throw new RangeError(`BtfBuilder: type id ${id} is out of range (1..${this.#types.length})`);
    return t;
  }

  /** INT of `size` bytes, all bits used (`bits` defaults to size * 8). */
  addInt(name: string, size: number, encoding: BtfIntEncoding = 'none', bits = size * 8): number {
    return this.add({ kind: 'int', name, size, encoding, bitOffset: 0, bits });
  }

  addFloat(name: string, size: number): number {
    return this.add({ kind: 'float', name, size });
  }

  /** PTR to `type` (0 for void *). */
  addPtr(type: number): number {
    return this.add({ kind: 'ptr', name: '', type });
  }

  /**
   * ARRAY of `nelems` `type`s. Without `indexType`, uses an INT `__ARRAY_SIZE_TYPE__` (4 bytes, unsigned),
   * added on first use, as clang does.
   */
  addArray(type: number, nelems: number, indexType?: number): number {
    const index = indexType ?? (this.#arraySizeType ??= this.addInt('__ARRAY_SIZE_TYPE__', 4));
    return this.add({ kind: 'array', name: '', type, indexType: index, nelems });
  }

  /** STRUCT; the kind flag is set when any member is a bitfield. */
  addStruct(name: string, size: number, members: BtfMemberSpec[]): number {
    return this.add({ kind: 'struct', name, size, ...aggregate(members) });
  }

  addUnion(name: string, size: number, members: BtfMemberSpec[]): number {
    return this.add({ kind: 'union', name, size, ...aggregate(members) });
  }

  /** ENUM (values fit 32 bits) of `size` bytes, default 4. */
  addEnum(name: string, values: { name: string; value: number }[], signed = false, size = 4): number {
    return this.add({ kind: 'enum', name, size, signed, values: values.map((v) => ({ ...v })) });
  }

  addEnum64(name: string, values: { name: string; value: bigint }[], signed = false, size = 8): number {
    return this.add({ kind: 'enum64', name, size, signed, values: values.map((v) => ({ ...v })) });
  }

  addFwd(name: string, fwdKind: 'struct' | 'union' = 'struct'): number {
    return this.add({ kind: 'fwd', name, fwdKind });
  }

  addTypedef(name: string, type: number): number {
    return this.add({ kind: 'typedef', name, type });
  }

  addConst(type: number): number {
    return this.add({ kind: 'const', name: '', type });
  }

  addVolatile(type: number): number {
    return this.add({ kind: 'volatile', name: '', type });
  }

  addRestrict(type: number): number {
    return this.add({ kind: 'restrict', name: '', type });
  }

  addTypeTag(name: string, type: number): number {
    return this.add({ kind: 'type_tag', name, type, attribute: false });
  }

  /** DECL_TAG `name` on `type`; `componentIdx` -1 for the type itself, else a member/parameter index. */
  addDeclTag(name: string, type: number, componentIdx = -1): number {
    return this.add({ kind: 'decl_tag', name, type, componentIdx, attribute: false });
  }

  /** FUNC_PROTO; pass `variadic` to append the `...` marker parameter. */
  addFuncProto(returnType: number, params: BtfParam[], variadic = false): number {
    const list = params.map((p) => ({ ...p }));
    if (variadic) list.push({ name: '', type: 0 });
    return this.add({ kind: 'func_proto', name: '', returnType, params: list });
  }

  addFunc(name: string, proto: number, linkage: BtfFuncLinkage = 'global'): number {
    return this.add({ kind: 'func', name, type: proto, linkage });
  }

  addVar(name: string, type: number, linkage: BtfVarLinkage = 'global'): number {
    return this.add({ kind: 'var', name, type, linkage });
  }

  /** DATASEC `name` (e.g. '.data', '.maps') of `size` bytes holding `vars`. */
  addDatasec(name: string, size: number, vars: BtfVarSecinfo[]): number {
    return this.add({ kind: 'datasec', name, size, vars: vars.map((v) => ({ ...v })) });
  }

  /** The Btf built so far (an independent copy: the builder can keep going). */
  build(): Btf {
    return new Btf(structuredClone(this.#types), this.#strings.clone());
  }
}

function aggregate(members: BtfMemberSpec[]): { kindFlag: boolean; members: BtfMember[] } {
  const list = members.map((m) => ({ name: m.name, type: m.type, bitOffset: m.bitOffset, bitfieldSize: m.bitfieldSize ?? 0 }));
  return { kindFlag: list.some((m) => m.bitfieldSize !== 0), members: list };
}
