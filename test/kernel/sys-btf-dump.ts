// A reader for `bpftool btf dump file /sys/kernel/btf/vmlinux format raw`, just enough to lay out
// structs and unions: used by sys-attrs-btf.ts to check loader/sys's attr table.
//
//   [1933] UNION 'bpf_attr' size=168 vlen=21
//   	'(anon)' type_id=1895 bits_offset=0
//   [1888] STRUCT 'bpf_insn' size=8 vlen=5
//   	'dst_reg' type_id=13 bits_offset=8 bitfield_size=4
//   [13716] ENUM 'bpf_cmd' encoding=UNSIGNED size=4 vlen=40
//   	'BPF_MAP_CREATE' val=0

export interface BtfMember {
  readonly name: string;
  readonly typeId: number;
  readonly bitsOffset: number;
  readonly bitfieldSize: number;
}

export interface BtfType {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly members: BtfMember[];
  readonly values: { readonly name: string; readonly value: number }[];
}

export interface BtfDump {
  readonly types: ReadonlyMap<number, BtfType>;
  byName(kind: string, name: string): BtfType | undefined;
}

const HEADER = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/;
const MEMBER = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?$/;
const VALUE = /^\t'([^']*)' val=(-?\d+)$/;

export function parseBtfDump(text: string): BtfDump {
  const types = new Map<number, BtfType>();
  const names = new Map<string, BtfType>();
  let current: BtfType | undefined;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      const attrs: Record<string, string> = {};
      for (const m of (h[4] ?? '').matchAll(/(\w+)=(\S+)/g)) attrs[m[1] ?? ''] = m[2] ?? '';
      current = { id: Number(h[1]), kind: h[2] ?? '', name: h[3] ?? '', attrs, members: [], values: [] };
      types.set(current.id, current);
      const key = `${current.kind} ${current.name}`;
      if (current.name !== '(anon)' && !names.has(key)) names.set(key, current);
      continue;
    }
    if (!current) continue;
    const m = MEMBER.exec(line);
    if (m) {
      current.members.push({
        name: m[1] ?? '',
        typeId: Number(m[2]),
        bitsOffset: Number(m[3]),
        bitfieldSize: Number(m[4] ?? 0),
      });
      continue;
    }
    const v = VALUE.exec(line);
    if (v) current.values.push({ name: v[1] ?? '', value: Number(v[2]) });
  }
  return { types, byName: (kind, name) => names.get(`${kind} ${name}`) };
}

const QUALIFIERS = new Set(['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG']);

/** Follows typedefs and qualifiers to the underlying type. */
export function resolve(dump: BtfDump, typeId: number): BtfType {
  let t = dump.types.get(typeId);
  while (t && QUALIFIERS.has(t.kind)) t = dump.types.get(Number(t.attrs['type_id']));
  if (!t) throw new Error(`btf: type ${typeId} not found`);
  return t;
}

export function sizeOf(dump: BtfDump, typeId: number): number {
  const t = resolve(dump, typeId);
  switch (t.kind) {
    case 'PTR':
      return 8;
    case 'ARRAY':
      return Number(t.attrs['nr_elems']) * sizeOf(dump, Number(t.attrs['type_id']));
    default:
      return Number(t.attrs['size']);
  }
}

/** A scalar or array reached by flattening nested structs and unions. */
export interface BtfLeaf {
  /** Member names joined by '.', anonymous levels left out: `tcx.relative_fd`. */
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  /** What our table would call it: u32, s32, u64, char[N], u8[N], or `other`. */
  readonly type: string;
  /** Under some union (so other leaves may share its bytes). */
  readonly inUnion: boolean;
}

function leafType(dump: BtfDump, typeId: number): string {
  const t = resolve(dump, typeId);
  if (t.kind === 'INT') {
    const signed = t.attrs['encoding'] === 'SIGNED';
    const size = Number(t.attrs['size']);
    if (size === 1 && t.name === 'char') return 'char';
    return `${signed ? 's' : 'u'}${size * 8}`;
  }
  if (t.kind === 'ENUM') return `u${Number(t.attrs['size']) * 8}`;
  if (t.kind === 'ARRAY') return `${leafType(dump, Number(t.attrs['type_id']))}[${t.attrs['nr_elems']}]`;
  return 'other';
}

/** All leaves of struct/union `typeId`, with byte offsets from its start. */
export function flatten(dump: BtfDump, typeId: number, base = 0, prefix = '', inUnion = false): BtfLeaf[] {
  const t = resolve(dump, typeId);
  const leaves: BtfLeaf[] = [];
  for (const m of t.members) {
    const bits = base * 8 + m.bitsOffset;
    const mt = resolve(dump, m.typeId);
    const path = m.name === '(anon)' ? prefix : `${prefix}${m.name}`;
    const under = inUnion || t.kind === 'UNION';
    if ((mt.kind === 'STRUCT' || mt.kind === 'UNION') && m.bitfieldSize === 0) {
      leaves.push(...flatten(dump, m.typeId, bits / 8, path === '' ? '' : `${path}.`, under));
    } else {
      const size = sizeOf(dump, m.typeId);
      // a bitfield is reported at the start of its storage unit (`__u32 gpl_compatible:1` → its __u32)
      const offset = m.bitfieldSize === 0 ? bits / 8 : Math.floor(bits / 8 / size) * size;
      leaves.push({
        path,
        offset,
        size,
        type: leafType(dump, m.typeId),
        inUnion: under,
      });
    }
  }
  return leaves;
}
