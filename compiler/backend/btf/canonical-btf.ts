// A canonical, id-free form of a BTF type graph, to compare the BTF we derive with clang's for the same C
// although type ids (the order types were added in) differ: one line per type, where references print the
// referenced type structurally — named structs, unions, enums, typedefs and FWDs by kind and name (their
// own lines give their bodies), anonymous types inline in full. Sorted, so two graphs with the same types
// (and the same duplicates) give equal lists.
//
//   canonicalBtf(btf) // ['datasec .bss size=0 {var packets global typedef __u64 @0+8}', 'func xdp ...', ...]
import type { Btf, BtfType } from '../../../bpf/index.ts';

export function canonicalBtf(btf: Btf): string[] {
  return btf.types.map((t) => describeDefinition(btf, t)).sort();
}

/** The canonical line of type `id` alone (to find the same type in another BTF). */
export function canonicalBtfType(btf: Btf, id: number): string {
  return describeDefinition(btf, btf.typeById(id));
}

function describeDefinition(btf: Btf, t: BtfType): string {
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64':
      return body(btf, t, 0);
    case 'typedef':
      return `typedef ${t.name} = ${ref(btf, t.type, 0)}`;
    case 'func':
      return `func ${t.name} ${t.linkage} ${ref(btf, t.type, 0)}`;
    case 'var':
      return `var ${t.name} ${t.linkage} ${ref(btf, t.type, 0)}`;
    case 'datasec':
      return `datasec ${t.name} size=${t.size} {${t.vars.map((v) => `${ref(btf, v.type, 0)} @${v.offset}+${v.size}`).join(', ')}}`;
    case 'decl_tag':
      return `decl_tag ${t.name} on ${ref(btf, t.type, 0)}#${t.componentIdx}`;
    default:
      return body(btf, t, 0);
  }
}

/** How a reference to `id` prints. */
function ref(btf: Btf, id: number, depth: number): string {
  if (id === 0) return 'void';
  if (depth > 32) return '…';
  const t = btf.typeById(id);
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64':
      return t.name === '' ? body(btf, t, depth + 1) : `${t.kind} ${t.name}`;
    case 'fwd':
      return `fwd ${t.fwdKind} ${t.name}`;
    case 'typedef':
      return `typedef ${t.name}`;
    case 'func':
      return `func ${t.name}`;
    case 'var':
      return `var ${t.name} ${t.linkage} ${ref(btf, t.type, depth + 1)}`;
    default:
      return body(btf, t, depth + 1);
  }
}

function body(btf: Btf, t: BtfType, depth: number): string {
  switch (t.kind) {
    case 'int':
      return `int '${t.name}' ${t.size} ${t.encoding} ${t.bitOffset}:${t.bits}`;
    case 'float':
      return `float '${t.name}' ${t.size}`;
    case 'ptr':
    case 'const':
    case 'volatile':
    case 'restrict':
      return `${t.kind}${t.name === '' ? '' : ` '${t.name}'`} ${ref(btf, t.type, depth)}`;
    case 'type_tag':
      return `type_tag ${t.name} ${ref(btf, t.type, depth)}`;
    case 'array':
      return `[${t.nelems}] ${ref(btf, t.type, depth)} index ${ref(btf, t.indexType, depth)}`;
    case 'struct':
    case 'union':
      return `${t.kind} ${t.name || '(anon)'} size=${t.size} kflag=${t.kindFlag ? 1 : 0} {${t.members
        .map((m) => `${m.name}: ${ref(btf, m.type, depth)} @${m.bitOffset}${m.bitfieldSize ? `:${m.bitfieldSize}` : ''}`)
        .join(', ')}}`;
    case 'enum':
    case 'enum64':
      return `${t.kind} ${t.name || '(anon)'} size=${t.size} ${t.signed ? 'signed' : 'unsigned'} {${t.values.map((v) => `${v.name}=${v.value}`).join(', ')}}`;
    case 'fwd':
      return `fwd ${t.fwdKind} ${t.name}`;
    case 'func_proto':
      return `proto (${t.params.map((p) => `${p.name}: ${ref(btf, p.type, depth)}`).join(', ')}) -> ${ref(btf, t.returnType, depth)}`;
    default:
      return describeDefinition(btf, t);
  }
}
