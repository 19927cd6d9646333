// Small readers over the DI metadata nodes BTF generation walks: tags, flags, element lists, annotations.
// Nodes are compared by identity: `IrModule.metadata` holds one object per `!N`, so the same DI type reached
// through two references is the same object (the role LLVM's uniqued `DIType *` plays in BTFDebug).
import {
  intField,
  metadataField,
  nodeField,
  resolveMetadata,
  stringField,
  type IrModule,
  type MetadataNode,
} from '../ir/index.ts';

export type DiNode = Extract<MetadataNode, { kind: 'specialized' }>;

/** The node `field` of `node` points to, when it is a specialised (DI) node. */
export function diField(mod: IrModule, node: DiNode, field: string): DiNode | undefined {
  const n = nodeField(mod, node, field);
  return n?.kind === 'specialized' ? n : undefined;
}

/** An enum-valued field (`tag: DW_TAG_member`, `encoding: DW_ATE_signed`), undefined when absent. */
export function enumField(node: MetadataNode, field: string): string | undefined {
  const f = metadataField(node, field);
  return f?.kind === 'enum' ? f.value : undefined;
}

/** Whether a `flags:`/`spFlags:` field holds `flag` (one flag parses as an enum, several as flags). */
export function hasFlag(node: MetadataNode, field: string, flag: string): boolean {
  const f = metadataField(node, field);
  if (f === undefined) return false;
  if (f.kind === 'flags') return f.value.includes(flag);
  return f.kind === 'enum' && f.value === flag;
}

export function nameOf(node: MetadataNode): string {
  return stringField(node, 'name') ?? '';
}

/** A size in bits as a number (0 when absent). */
export function bitsOf(node: MetadataNode, field = 'size'): number {
  return intField(node, field);
}

/** A signed integer field as a bigint (0n when absent), for enumerator values. */
export function bigIntField(node: MetadataNode, field: string): bigint {
  const f = metadataField(node, field);
  return f?.kind === 'int' ? f.value : 0n;
}

/**
 * The operands of a tuple field (`elements: !{...}`, `types: !{...}`, `retainedNodes: ...`), each resolved
 * to its node; `null` operands (a void return, a variadic marker) are undefined.
 */
export function tupleField(mod: IrModule, node: MetadataNode, field: string): (DiNode | undefined)[] {
  const t = nodeField(mod, node, field);
  if (t === undefined || t.kind !== 'tuple') return [];
  return t.operands.map((op) => {
    const n = op.kind === 'null' ? undefined : resolveMetadata(mod, op);
    return n?.kind === 'specialized' ? n : undefined;
  });
}

/**
 * `annotations: !{!{!"btf_decl_tag", !"x"}, ...}` as [kind, value] pairs, in order. Clang records
 * `__attribute__((btf_decl_tag("x")))` and `btf_type_tag` this way.
 */
export function annotationsOf(mod: IrModule, node: MetadataNode): { kind: string; value: string }[] {
  const t = nodeField(mod, node, 'annotations');
  if (t === undefined || t.kind !== 'tuple') return [];
  const out: { kind: string; value: string }[] = [];
  for (const op of t.operands) {
    const pair = resolveMetadata(mod, op);
    if (pair?.kind !== 'tuple') continue;
    const [k, v] = pair.operands;
    if (k?.kind === 'string' && v?.kind === 'string') out.push({ kind: k.value, value: v.value });
  }
  return out;
}
