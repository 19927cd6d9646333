// Reading the metadata graph: resolve references, read fields, and map a `!dbg` DILocation to its C (or, through
// `#line`, TS) source position.
//
//   const loc = sourceLocation(mod, inst.dbg!); // { file: 'policy.c', directory: '/', line: 12, column: 5 }
import type { IrModule, MetadataField, MetadataNode, MetadataValue } from './ast.ts';

export interface SourceLocation {
  readonly file: string;
  readonly directory: string;
  readonly line: number;
  readonly column: number;
}

/** The node `value` refers to (following `!N` references), or undefined for strings, values and null. */
export function resolveMetadata(mod: IrModule, value: MetadataValue | number | undefined): MetadataNode | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return mod.metadata.get(value);
  if (value.kind === 'ref') return mod.metadata.get(value.id);
  if (value.kind === 'node') return value.node;
  return undefined;
}

/** A named field of a specialised node (`DILocation.line`), undefined when absent or for tuples. */
export function metadataField(node: MetadataNode | undefined, name: string): MetadataField | undefined {
  if (node === undefined || node.kind !== 'specialized') return undefined;
  return node.fields[name];
}

/** A field as a number (0 when absent: LLVM omits zero-valued fields). */
export function intField(node: MetadataNode | undefined, name: string): number {
  const f = metadataField(node, name);
  return f !== undefined && f.kind === 'int' ? Number(f.value) : 0;
}

/** A field as a string (undefined when absent). */
export function stringField(node: MetadataNode | undefined, name: string): string | undefined {
  const f = metadataField(node, name);
  if (f === undefined) return undefined;
  if (f.kind === 'string') return f.value;
  if (f.kind === 'metadata' && f.value.kind === 'string') return f.value.value;
  return undefined;
}

/** The node a reference-valued field points to (`scope: !12`). */
export function nodeField(mod: IrModule, node: MetadataNode | undefined, name: string): MetadataNode | undefined {
  const f = metadataField(node, name);
  return f !== undefined && f.kind === 'metadata' ? resolveMetadata(mod, f.value) : undefined;
}

/** The DIFile of a scope (DISubprogram, DILexicalBlock, DILexicalBlockFile, DICompositeType, DIFile itself). */
export function scopeFile(mod: IrModule, scope: MetadataNode | undefined): MetadataNode | undefined {
  for (let s = scope, depth = 0; s !== undefined && depth < 64; depth++) {
    if (s.kind === 'specialized' && s.name === 'DIFile') return s;
    const file = nodeField(mod, s, 'file');
    if (file !== undefined) return file;
    s = nodeField(mod, s, 'scope');
  }
  return undefined;
}

/** Source position of a DILocation (`!dbg` id or node). Undefined when it is not a DILocation. */
export function sourceLocation(mod: IrModule, dbg: number | MetadataNode): SourceLocation | undefined {
  const loc = typeof dbg === 'number' ? mod.metadata.get(dbg) : dbg;
  if (loc === undefined || loc.kind !== 'specialized' || loc.name !== 'DILocation') return undefined;
  const file = scopeFile(mod, nodeField(mod, loc, 'scope'));
  return {
    file: stringField(file, 'filename') ?? '',
    directory: stringField(file, 'directory') ?? '',
    line: intField(loc, 'line'),
    column: intField(loc, 'column'),
  };
}

/** Source position of a node with `file:` and `line:` fields (DISubprogram, DIGlobalVariable, ...). */
export function declarationLocation(mod: IrModule, node: MetadataNode | undefined): SourceLocation | undefined {
  if (node === undefined || node.kind !== 'specialized') return undefined;
  const file = scopeFile(mod, node);
  if (file === undefined) return undefined;
  return {
    file: stringField(file, 'filename') ?? '',
    directory: stringField(file, 'directory') ?? '',
    line: intField(node, 'line'),
    column: 0,
  };
}
