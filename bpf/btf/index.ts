// bpf/btf: reading and writing BTF (`.BTF`) and BTF.ext (`.BTF.ext`) section bytes, as pure data.
export { Btf, BTF_PTR_SIZE, type ByteOrder } from './btf.ts';
export {
  BTF_KIND_NAME,
  BTF_KIND_NUMBER,
  btfTypeReferences,
  type BtfAggregate,
  type BtfArray,
  type BtfConst,
  type BtfDatasec,
  type BtfDeclTag,
  type BtfEnum,
  type BtfEnum64,
  type BtfEnum64Value,
  type BtfEnumValue,
  type BtfFloat,
  type BtfFunc,
  type BtfFuncLinkage,
  type BtfFuncProto,
  type BtfFwd,
  type BtfInt,
  type BtfIntEncoding,
  type BtfKind,
  type BtfMember,
  type BtfParam,
  type BtfPtr,
  type BtfRefType,
  type BtfRestrict,
  type BtfStruct,
  type BtfType,
  type BtfTypedef,
  type BtfTypeTag,
  type BtfUnion,
  type BtfVar,
  type BtfVarLinkage,
  type BtfVarSecinfo,
  type BtfVolatile,
} from './btf-type.ts';
export { BtfStringTable } from './string-table.ts';
export { parseBtf, BTF_MAGIC, BTF_VERSION, BTF_HEADER_SIZE } from './parse-btf.ts';
export { encodeBtf, internBtfStrings } from './encode-btf.ts';
export {
  BTF_CORE_RELO_KINDS,
  BTF_EXT_RECORD_SIZE,
  emptyBtfExt,
  type BtfCoreRelo,
  type BtfCoreReloKind,
  type BtfExt,
  type BtfExtInfo,
  type BtfExtSection,
  type BtfFuncInfo,
  type BtfLineInfo,
} from './btf-ext.ts';
export { parseBtfExt, BTF_EXT_HEADER_SIZE, BTF_EXT_HEADER_SIZE_V1 } from './parse-btf-ext.ts';
export { encodeBtfExt, encodeBtfAndExt, internBtfExtStrings } from './encode-btf-ext.ts';
export { decodeBtfMapDefinition, decodeBtfMaps, type BtfMapDefinition } from './map-definition.ts';
export { BtfBuilder, type BtfMemberSpec } from './btf-builder.ts';
