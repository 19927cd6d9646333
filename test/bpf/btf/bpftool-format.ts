// Test helper: renders a parsed Btf the way `bpftool btf dump file X` (raw format, bpftool 7.x dump_btf_type)
// prints it, so the whole dump can be compared line by line against bpftool's own reading of the bytes.
import type { Btf } from '../../../bpf/btf/index.ts';

const q = (s: string) => `'${s === '' ? '(anon)' : s}'`;
const enc = { none: '(none)', signed: 'SIGNED', char: 'CHAR', bool: 'BOOL' } as const;

export function bpftoolFormat(btf: Btf): string[] {
  const lines: string[] = [];
  btf.types.forEach((t, i) => {
    let line = `[${i + 1}] ${t.kind.toUpperCase()} ${q(t.name)}`;
    switch (t.kind) {
      case 'int':
        line += ` size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${enc[t.encoding]}`;
        break;
      case 'ptr':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'typedef':
      case 'type_tag':
        line += ` type_id=${t.type}`;
        break;
      case 'array':
        line += ` type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
        break;
      case 'struct':
      case 'union':
        line += ` size=${t.size} vlen=${t.members.length}`;
        for (const m of t.members) {
          line += `\n\t${q(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}`;
          if (m.bitfieldSize) line += ` bitfield_size=${m.bitfieldSize}`;
        }
        break;
      case 'enum':
      case 'enum64':
        line += ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
        for (const v of t.values) {
          const suffix = t.kind === 'enum' ? '' : t.signed ? 'LL' : 'ULL';
          line += `\n\t${q(v.name)} val=${v.value}${suffix}`;
        }
        break;
      case 'fwd':
        line += ` fwd_kind=${t.fwdKind}`;
        break;
      case 'func':
        line += ` type_id=${t.type} linkage=${t.linkage}`;
        break;
      case 'func_proto':
        line += ` ret_type_id=${t.returnType} vlen=${t.params.length}`;
        for (const p of t.params) line += `\n\t${q(p.name)} type_id=${p.type}`;
        break;
      case 'var':
        line += ` type_id=${t.type}, linkage=${t.linkage}`;
        break;
      case 'datasec':
        line += ` size=${t.size} vlen=${t.vars.length}`;
        for (const v of t.vars) {
          line += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}`;
          if (v.type <= btf.maxTypeId) {
            const vt = btf.typeById(v.type);
            line += ` (${vt.kind.toUpperCase()} ${q(vt.name)})`;
          }
        }
        break;
      case 'float':
        line += ` size=${t.size}`;
        break;
      case 'decl_tag':
        line += ` type_id=${t.type} component_idx=${t.componentIdx}`;
        break;
    }
    lines.push(...line.split('\n'));
  });
  return lines;
}
