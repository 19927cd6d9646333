// CO-RE as the wasm clang leaves it (no BPF IR passes): chains of `llvm.preserve.{struct,union,array}.access.index`
// calls become one relocated field offset from the chain's root type (what BPFAbstractMemberAccess does), and
// `llvm.bpf.preserve.field.info` a relocated constant.
import type { Instruction as IrInstruction, IrModule, IrType, MetadataNode } from '../../ir/index.ts';
import { intField, metadataField, nodeField, resolveMetadata, stringField } from '../../ir/index.ts';
import { fieldOffset, resolveType, typeAlign, typeSize } from '../ir-types.ts';
import type { Form } from './form.ts';
import type { Lowering } from './lowering.ts';

type CallInst = Extract<IrInstruction, { op: 'call' }>;

const FIELD_INFO_KINDS = [
  'field_byte_offset', 'field_byte_size', 'field_exists', 'field_signed', 'field_lshift_u64', 'field_rshift_u64',
] as const;

/** Follow typedef/const/volatile to the type underneath. */
function strip(mod: IrModule, id: number): { id: number; node: MetadataNode | undefined } {
  let node = mod.metadata.get(id);
  for (let depth = 0; depth < 32 && node?.kind === 'specialized' && node.name === 'DIDerivedType'; depth++) {
    const tag = metadataField(node, 'tag');
    if (tag?.kind !== 'enum' || !['DW_TAG_typedef', 'DW_TAG_const_type', 'DW_TAG_volatile_type'].includes(tag.value)) break;
    const base = metadataField(node, 'baseType');
    if (base?.kind !== 'metadata' || base.value.kind !== 'ref') break;
    id = base.value.id;
    node = mod.metadata.get(id);
  }
  return { id, node };
}

function elements(mod: IrModule, composite: MetadataNode | undefined): number[] {
  const list = nodeField(mod, composite, 'elements');
  if (list?.kind !== 'tuple') return [];
  return list.operands.flatMap((o) => (o.kind === 'ref' ? [o.id] : []));
}

function isSigned(mod: IrModule, typeId: number): boolean {
  const t = strip(mod, typeId).node;
  const enc = metadataField(t, 'encoding');
  if (enc?.kind === 'enum') return enc.value === 'DW_ATE_signed' || enc.value === 'DW_ATE_signed_char';
  if (t?.kind === 'specialized' && t.name === 'DICompositeType') {
    const base = metadataField(t, 'baseType');
    return base?.kind === 'metadata' && base.value.kind === 'ref' ? isSigned(mod, base.value.id) : false;
  }
  return false;
}

/** What BPFAbstractMemberAccess computes for a field relocation (little-endian). */
function fieldInfo(L: Lowering, p: Extract<Form, { k: 'coreaddr' }>, kind: (typeof FIELD_INFO_KINDS)[number]): number {
  if (kind === 'field_exists') return 1;
  const m = p.member !== undefined ? L.mod.metadata.get(p.member.id) : undefined;
  if (m === undefined) {
    if (kind === 'field_byte_offset') return p.offset;
    if (kind === 'field_byte_size') return p.fieldSize;
    if (kind === 'field_signed') return 0;
    return 64 - p.fieldSize * 8;
  }
  const base = metadataField(m, 'baseType');
  const baseId = base?.kind === 'metadata' && base.value.kind === 'ref' ? base.value.id : undefined;
  const bitSize = intField(m, 'size');
  const bitOffset = intField(m, 'offset');
  const flags = metadataField(m, 'flags');
  const bitfield = flags?.kind === 'flags' ? flags.value.includes('DIFlagBitField') : flags?.kind === 'enum' && flags.value === 'DIFlagBitField';
  if (kind === 'field_signed') return baseId !== undefined && isSigned(L.mod, baseId) ? 1 : 0;
  if (!bitfield) {
    if (kind === 'field_byte_offset') return bitOffset / 8;
    if (kind === 'field_byte_size') return bitSize / 8;
    return 64 - bitSize;
  }
  const unit = p.member!.recordAlign * 8;
  const start = Math.floor(bitOffset / unit) * unit;
  if (kind === 'field_byte_offset') return start / 8;
  if (kind === 'field_byte_size') return unit / 8;
  if (kind === 'field_lshift_u64') return 64 - (bitOffset + bitSize - start);
  return 64 - bitSize;
}

function elementType(attrs: readonly string[]): string | undefined {
  for (const a of attrs) {
    const m = /^elementtype\((.*)\)$/.exec(a);
    if (m !== null) return m[1];
  }
  return undefined;
}

export function coreIntrinsic(L: Lowering, i: CallInst, name: string): boolean {
  const isStruct = name.startsWith('llvm.preserve.struct.access.index.');
  const isUnion = name.startsWith('llvm.preserve.union.access.index.');
  const isArray = name.startsWith('llvm.preserve.array.access.index.');
  if (isStruct || isUnion || isArray) {
    const base = L.typed(i.args[0]!);
    const md = i.attachments['llvm.preserve.access.index'];
    const idx = (n: number): number => {
      const f = L.typed(i.args[n]!);
      if (f.k !== 'imm') L.fail(`${name} with a variable index`);
      return Number(f.value);
    };
    const elem = elementType(i.args[0]!.attrs);
    const elemType: IrType | undefined = elem !== undefined ? parseTypeName(L, elem) : undefined;
    let offset = 0;
    let access: string;
    let fieldSize = 0;
    if (isStruct) {
      const gepIdx = idx(1);
      if (elemType === undefined) return L.fail(`${name} without elementtype`);
      offset = fieldOffset(L.mod, elemType, gepIdx);
      const s = resolveType(L.mod, elemType);
      if (s.kind === 'struct') fieldSize = typeSize(L.mod, s.fields[gepIdx]!);
      access = String(idx(2));
    } else if (isUnion) {
      access = String(idx(1));
    } else {
      const at = idx(2);
      if (elemType !== undefined) {
        const a = resolveType(L.mod, elemType);
        const el = a.kind === 'array' ? a.element : a;
        fieldSize = typeSize(L.mod, el);
        offset = at * fieldSize;
      }
      access = String(at);
    }
    let member: { id: number; recordAlign: number } | undefined;
    if ((isStruct || isUnion) && md?.kind === 'ref') {
      const memberId = elements(L.mod, strip(L.mod, md.id).node)[Number(access)];
      if (memberId !== undefined) member = { id: memberId, recordAlign: elemType !== undefined ? typeAlign(L.mod, elemType) : 1 };
    }
    const extra = member !== undefined ? { member } : {};
    if (base.k === 'coreaddr') {
      const { member: _old, ...rest } = base;
      void _old;
      L.define(i.result, { ...rest, ...extra, offset: base.offset + offset, access: `${base.access}:${access}`, fieldSize });
    } else {
      if (md === undefined || md.kind !== 'ref') return L.fail(`${name} without !llvm.preserve.access.index`);
      L.define(i.result, { k: 'coreaddr', base, offset, diType: strip(L.mod, md.id).id, access: `0:${access}`, fieldSize, ...extra });
    }
    return true;
  }
  if (name.startsWith('llvm.bpf.preserve.field.info.')) {
    const p = L.typed(i.args[0]!);
    const k = L.typed(i.args[1]!);
    if (p.k !== 'coreaddr' || k.k !== 'imm') return L.fail(`${name} outside a CO-RE access chain`);
    const kind = FIELD_INFO_KINDS[Number(k.value)];
    if (kind === undefined) return L.fail(`${name} of kind ${k.value}`);
    const value = fieldInfo(L, p, kind);
    const f: Form = { k: 'core', value: BigInt(value), wide: false, reloc: { diType: p.diType, accessString: p.access, kind } };
    L.define(i.result, { k: 'reg', reg: L.reg(f), clean: true });
    return true;
  }
  if (name === 'llvm.bpf.preserve.type.info' || name.startsWith('llvm.bpf.preserve.type.info.')) {
    const md = i.attachments['llvm.preserve.access.index'];
    const flag = L.typed(i.args[1]!);
    if (md?.kind !== 'ref' || flag.k !== 'imm') return L.fail(`${name} without a type`);
    const t = strip(L.mod, md.id);
    const kinds = ['type_exists', 'type_size', 'type_matches'] as const;
    const kind = kinds[Number(flag.value)];
    if (kind === undefined) return L.fail(`${name} of kind ${flag.value}`);
    const value = kind === 'type_size' ? intField(t.node, 'size') / 8 : 1;
    const f: Form = { k: 'core', value: BigInt(value), wide: false, reloc: { diType: t.id, accessString: '0', kind } };
    L.define(i.result, { k: 'reg', reg: L.reg(f), clean: true });
    return true;
  }
  if (name === 'llvm.bpf.preserve.enum.value' || name.startsWith('llvm.bpf.preserve.enum.value.')) {
    const md = i.attachments['llvm.preserve.access.index'];
    const str = i.args[1]?.value;
    const flag = L.typed(i.args[2]!);
    if (md?.kind !== 'ref' || str?.kind !== 'global' || flag.k !== 'imm') return L.fail(`${name} without an enumerator`);
    const g = L.mod.globals.find((x) => x.name === str.name);
    const text = g?.initializer?.kind === 'string' ? new TextDecoder().decode(g.initializer.bytes).replace(/\0+$/, '') : '';
    const enumName = text.slice(0, text.lastIndexOf(':'));
    const t = strip(L.mod, md.id);
    const members = elements(L.mod, t.node);
    const index = members.findIndex((id) => stringField(L.mod.metadata.get(id), 'name') === enumName);
    if (index < 0) return L.fail(`${name} of unknown enumerator ${enumName}`);
    const kind = flag.value === 0n ? 'enumval_exists' : 'enumval_value';
    const value = kind === 'enumval_exists' ? 1n : BigInt(intField(L.mod.metadata.get(members[index]!), 'value'));
    const f: Form = { k: 'core', value, wide: true, reloc: { diType: t.id, accessString: String(index), kind } };
    L.define(i.result, { k: 'reg', reg: L.reg(f), clean: true });
    return true;
  }
  void resolveMetadata;
  return false;
}

/** `%struct.task_struct` or `[16 x i8]` as written in an elementtype attribute. */
function parseTypeName(L: Lowering, text: string): IrType | undefined {
  const t = text.trim();
  if (t.startsWith('%')) return { kind: 'named', name: t.slice(1).replace(/^"(.*)"$/, '$1') };
  const arr = /^\[(\d+) x (.+)\]$/.exec(t);
  if (arr !== null) {
    const el = parseTypeName(L, arr[2]!);
    return el !== undefined ? { kind: 'array', length: Number(arr[1]), element: el } : undefined;
  }
  const int = /^i(\d+)$/.exec(t);
  if (int !== null) return { kind: 'int', bits: Number(int[1]) };
  if (t === 'ptr') return { kind: 'ptr', addrspace: 0 };
  return undefined;
}
