// The BTF type model: one discriminated union over `kind`, mirroring `struct btf_type` and its trailing data
// (include/uapi/linux/btf.h). Names are resolved to strings ('' for anonymous); references to other types
// stay numeric type ids (0 = void, the first real type is 1).
//
// Every field of the on-disk encoding is represented, so encode(parse(x)) can reproduce x:
//
//   struct btf_type {              info word:
//     __u32 name_off;               31        29 28    24 23      16 15           0
//     __u32 info;        ------>   +----------+--------+----------+--------------+
//     union {                       |kind_flag | kind   | unused   | vlen         |
//       __u32 size;                 +----------+--------+----------+--------------+
//       __u32 type;                 (bits 29-30 and 16-23 must be zero)
//     };
//   };                            followed by kind-specific data (see parseBtf).

/** Kind names, lower-case forms of the kernel's BTF_KIND_* (BTF_KIND_FUNC_PROTO -> 'func_proto'). */
export type BtfKind =
  | 'int'
  | 'ptr'
  | 'array'
  | 'struct'
  | 'union'
  | 'enum'
  | 'fwd'
  | 'typedef'
  | 'volatile'
  | 'const'
  | 'restrict'
  | 'func'
  | 'func_proto'
  | 'var'
  | 'datasec'
  | 'float'
  | 'decl_tag'
  | 'type_tag'
  | 'enum64';

/** BTF_KIND_* numbers, indexed by kind name. */
export const BTF_KIND_NUMBER: Readonly<Record<BtfKind, number>> = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
};

/** Kind names indexed by BTF_KIND_* number (index 0, BTF_KIND_UNKN, is undefined). */
export const BTF_KIND_NAME: readonly (BtfKind | undefined)[] = (() => {
  const names: (BtfKind | undefined)[] = [undefined];
  for (const [name, n] of Object.entries(BTF_KIND_NUMBER)) names[n] = name as BtfKind;
  return names;
})();

/** BTF_INT_ENCODING: at most one of SIGNED (1), CHAR (2), BOOL (4). */
export type BtfIntEncoding = 'none' | 'signed' | 'char' | 'bool';

/** FUNC linkage (kept in vlen): BTF_FUNC_STATIC 0, BTF_FUNC_GLOBAL 1, BTF_FUNC_EXTERN 2. */
export type BtfFuncLinkage = 'static' | 'global' | 'extern';

/** VAR linkage: BTF_VAR_STATIC 0, BTF_VAR_GLOBAL_ALLOCATED 1, BTF_VAR_GLOBAL_EXTERN 2. */
export type BtfVarLinkage = 'static' | 'global' | 'extern';

/** INT: `size` bytes; the value is `bits` wide starting `bitOffset` bits in (BTF_INT_OFFSET/BTF_INT_BITS). */
export interface BtfInt {
  kind: 'int';
  name: string;
  size: number;
  encoding: BtfIntEncoding;
  bitOffset: number;
  bits: number;
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT: a name (normally '' except for typedef) and the referenced type. */
export interface BtfRefType<K extends 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict'> {
  kind: K;
  name: string;
  type: number;
}
export type BtfPtr = BtfRefType<'ptr'>;
export type BtfTypedef = BtfRefType<'typedef'>;
export type BtfVolatile = BtfRefType<'volatile'>;
export type BtfConst = BtfRefType<'const'>;
export type BtfRestrict = BtfRefType<'restrict'>;

/** ARRAY (struct btf_array): `nelems` elements of `type`, indexed by `indexType`. */
export interface BtfArray {
  kind: 'array';
  name: string;
  type: number;
  indexType: number;
  nelems: number;
}

/**
 * A struct/union member (struct btf_member). `bitOffset` is from the start of the aggregate.
 * `bitfieldSize` is non-zero only for bitfields of an aggregate whose `kindFlag` is set; then the on-disk
 * offset is `bitfieldSize << 24 | bitOffset`.
 */
export interface BtfMember {
  name: string;
  type: number;
  bitOffset: number;
  bitfieldSize: number;
}

/** STRUCT / UNION. `kindFlag` set means member offsets carry bitfield sizes (see BtfMember). */
export interface BtfAggregate<K extends 'struct' | 'union'> {
  kind: K;
  name: string;
  size: number;
  kindFlag: boolean;
  members: BtfMember[];
}
export type BtfStruct = BtfAggregate<'struct'>;
export type BtfUnion = BtfAggregate<'union'>;

/** An ENUM value: a 32-bit number, signed (int32 range) when the enum is `signed`, else uint32 range. */
export interface BtfEnumValue {
  name: string;
  value: number;
}

/** ENUM (struct btf_enum). `signed` is the kind flag. */
export interface BtfEnum {
  kind: 'enum';
  name: string;
  size: number;
  signed: boolean;
  values: BtfEnumValue[];
}

/** An ENUM64 value (struct btf_enum64, val_lo32/val_hi32): int64 range when signed, else uint64 range. */
export interface BtfEnum64Value {
  name: string;
  value: bigint;
}

/** ENUM64. `signed` is the kind flag. */
export interface BtfEnum64 {
  kind: 'enum64';
  name: string;
  size: number;
  signed: boolean;
  values: BtfEnum64Value[];
}

/** FWD: a forward declaration; the kind flag selects union (1) or struct (0). */
export interface BtfFwd {
  kind: 'fwd';
  name: string;
  fwdKind: 'struct' | 'union';
}

/** FUNC: a function named `name` whose signature is the FUNC_PROTO `type`. */
export interface BtfFunc {
  kind: 'func';
  name: string;
  type: number;
  linkage: BtfFuncLinkage;
}

/** A FUNC_PROTO parameter (struct btf_param). A final `{ name: '', type: 0 }` marks a variadic prototype. */
export interface BtfParam {
  name: string;
  type: number;
}

/** FUNC_PROTO: return type (0 = void) and parameters. */
export interface BtfFuncProto {
  kind: 'func_proto';
  name: string;
  returnType: number;
  params: BtfParam[];
}

/** VAR (struct btf_var): a global or static variable of `type`. */
export interface BtfVar {
  kind: 'var';
  name: string;
  type: number;
  linkage: BtfVarLinkage;
}

/** A DATASEC entry (struct btf_var_secinfo): a VAR (or FUNC for .ksyms) at `offset`, `size` bytes. */
export interface BtfVarSecinfo {
  type: number;
  offset: number;
  size: number;
}

/** DATASEC: an ELF data section (`.data`, `.maps`, ...) and the variables in it. */
export interface BtfDatasec {
  kind: 'datasec';
  name: string;
  size: number;
  vars: BtfVarSecinfo[];
}

/** FLOAT: a floating-point type of `size` bytes. */
export interface BtfFloat {
  kind: 'float';
  name: string;
  size: number;
}

/**
 * DECL_TAG (struct btf_decl_tag): tag `name` on `type`; `componentIdx` -1 tags the type itself, else the
 * member / parameter index. `attribute` is the kind flag (tag is a plain `__attribute__`, Linux 6.14+).
 */
export interface BtfDeclTag {
  kind: 'decl_tag';
  name: string;
  type: number;
  componentIdx: number;
  attribute: boolean;
}

/** TYPE_TAG: `type` qualified with tag `name`; `attribute` is the kind flag as for DECL_TAG. */
export interface BtfTypeTag {
  kind: 'type_tag';
  name: string;
  type: number;
  attribute: boolean;
}

/** One BTF type; its id is its index in `Btf.types` plus one. */
export type BtfType =
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfStruct
  | BtfUnion
  | BtfEnum
  | BtfFwd
  | BtfTypedef
  | BtfVolatile
  | BtfConst
  | BtfRestrict
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag
  | BtfTypeTag
  | BtfEnum64;

/** The type ids a type refers to (not following them), in encoding order. */
export function btfTypeReferences(t: BtfType): number[] {
  switch (t.kind) {
    case 'int':
    case 'fwd':
    case 'float':
    case 'enum':
    case 'enum64':
      return [];
    case 'array':
      return [t.type, t.indexType];
    case 'struct':
    case 'union':
      return t.members.map((m) => m.type);
    case 'func_proto':
      return [t.returnType, ...t.params.map((p) => p.type)];
    case 'datasec':
      return t.vars.map((v) => v.type);
    default:
      return [t.type];
  }
}
