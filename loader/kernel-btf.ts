// The object's BTF as the kernel accepts it, and the func/line info records that point into it.
//
// clang leaves DATASEC sizes and variable offsets to the linker (all zero in a .o); the kernel rejects
// that, so, as libbpf does before BTF_BTF_LOAD, they are filled in: from the data sections' variables where
// the spec knows them, otherwise by laying the variables out one after another.
//
// Externs are sanitised as libbpf does: the kernel refuses extern linkage on VARs and FUNCs, and a DATASEC
// entry that is not a VAR (a `__ksym` function in `.ksyms`), so extern VARs and FUNCs become global, and
// FUNC entries of a DATASEC are replaced by one dummy `int` VAR appended to the type list.
import { Btf, encodeBtf, type BtfType, type LinkedProgram, type ObjectSpec } from '../bpf/index.ts';

export function kernelBtf(spec: ObjectSpec): Uint8Array | undefined {
  const btf = spec.btf;
  if (btf === undefined) return undefined;
  let dummyVar: number | undefined;
  const extra: BtfType[] = [];
  const dummy = (): number => {
    if (dummyVar === undefined) {
      extra.push({ kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 });
      extra.push({ kind: 'var', name: 'dummy_ksym', type: btf.types.length + 1, linkage: 'global' });
      dummyVar = btf.types.length + 2;
    }
    return dummyVar;
  };
  const types: BtfType[] = btf.types.map((t) => {
    if (t.kind === 'var' && t.linkage === 'extern') return { ...t, linkage: 'global' };
    if (t.kind === 'func' && t.linkage === 'extern') return { ...t, linkage: 'global' };
    if (t.kind !== 'datasec') return t;
    const data = spec.data.find((d) => d.name === t.name);
    let end = 0;
    const vars = t.vars.map((entry) => {
      const v = btf.typeById(entry.type).kind === 'var' ? entry : { ...entry, type: dummy(), size: 4 };
      const name = v.type === dummyVar ? 'dummy_ksym' : btf.typeName(v.type);
      const known = data?.variables.find((x) => x.name === name);
      const size = v.size || safeSize(btf, v.type);
      const offset = known ? known.offset : Math.ceil(end / 8) * 8;
      end = Math.max(end, offset + size);
      return { ...v, offset, size };
    });
    vars.sort((a, b) => a.offset - b.offset);
    return { ...t, vars, size: data ? data.size : Math.max(t.size, end) };
  });
  return encodeBtf(new Btf([...types, ...extra], btf.strings, btf.byteOrder));
}

function safeSize(btf: Btf, varId: number): number {
  const v = btf.typeById(varId);
  try {
    return v.kind === 'var' ? btf.sizeOf(v.type) : 0;
  } catch {
    return 0;
  }
}

/** struct bpf_func_info records (insn_off in instructions, type_id) for a linked program. */
export function funcInfoRecords(linked: LinkedProgram): Uint8Array | undefined {
  const fns = linked.functions.filter((f) => f.btfTypeId !== undefined);
  if (fns.length !== linked.functions.length || fns.length === 0) return undefined;
  const out = new Uint8Array(fns.length * 8);
  const view = new DataView(out.buffer);
  fns.forEach((f, i) => {
    view.setUint32(i * 8, f.slot, true);
    view.setUint32(i * 8 + 4, f.btfTypeId!, true);
  });
  return out;
}

/** struct bpf_line_info records (insn_off, file_name_off, line_off, line_col) for a linked program. */
export function lineInfoRecords(linked: LinkedProgram, btf: Btf): Uint8Array | undefined {
  if (linked.lineInfo.length === 0) return undefined;
  const out = new Uint8Array(linked.lineInfo.length * 16);
  const view = new DataView(out.buffer);
  for (const [i, l] of linked.lineInfo.entries()) {
    const file = btf.strings.offsetOf(l.file);
    const text = btf.strings.offsetOf(l.text);
    if (file === undefined || text === undefined) return undefined;
    view.setUint32(i * 16, l.slot, true);
    view.setUint32(i * 16 + 4, file, true);
    view.setUint32(i * 16 + 8, text, true);
    view.setUint32(i * 16 + 12, (l.line << 10) | (l.column & 0x3ff), true);
  }
  return out;
}
