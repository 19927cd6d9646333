// CO-RE: rewrite instructions recorded in .BTF.ext core relocations so they fit the running kernel's types,
// the way libbpf does (tools/lib/bpf/relo_core.c: bpf_core_calc_relo_insn + bpf_core_patch_insn).
//
//   local type + access string "0:1:2"          (struct task_struct, member 1, then its member 2)
//     └─ candidates: kernel types of the same kind whose essential name matches ("foo___v2" → "foo")
//         └─ match the access path by member *names* (through anonymous members), array indices by index
//             └─ value for the relocation kind (byte offset, size, exists, signed, shifts, type id/size,
//                enum value) patched into imm (ALU), off (LDX/ST/STX) or the 64-bit immediate (ld_imm64)
//
// A relocation with no matching candidate gives 0 for the `*_exists`/`type_matches` kinds; the others poison
// the instruction with `call 0xbad2310`, as libbpf does, so the program fails only if that code is reached.
import type { Btf, BtfMember, Instruction } from '../../bpf/index.ts';
import { essentialName, type KernelBtf } from './vmlinux.ts';

/** A relocation at an instruction of a linked program (slot index). */
export interface CoreRelocationAt {
  readonly slot: number;
  readonly typeId: number;
  readonly accessString: string;
  readonly kind: string;
}

/** What a relocation resolved to (for diagnostics and tests). */
export interface CoreRelocationResult {
  readonly slot: number;
  readonly kind: string;
  readonly accessString: string;
  readonly localType: string;
  /** the value patched in, or undefined when the instruction was poisoned */
  readonly value: number | undefined;
  readonly targetTypeId: number | undefined;
}

/** libbpf's poison helper id: `call 0xbad2310` makes the verifier say "invalid func unknown#195896080". */
export const CORE_POISON = 0xbad2310;

interface Access {
  readonly kind: 'root' | 'member' | 'array';
  readonly index: number;
  readonly name: string;
}

interface FieldSpec {
  readonly btf: Btf;
  readonly rootId: number;
  readonly access: Access[];
  readonly bitOffset: number;
  /** the accessed field's type (unresolved) */
  readonly leafId: number;
  /** the member reached last, when the last access is a member */
  readonly member: BtfMember | undefined;
}

const FIELD_KINDS = new Set([
  'field_byte_offset',
  'field_byte_size',
  'field_exists',
  'field_signed',
  'field_lshift_u64',
  'field_rshift_u64',
]);
const TYPE_KINDS = new Set(['type_id_local', 'type_id_target', 'type_exists', 'type_size', 'type_matches']);
const ENUM_KINDS = new Set(['enumval_exists', 'enumval_value']);
const ZERO_WHEN_MISSING = new Set(['field_exists', 'type_exists', 'type_matches', 'enumval_exists']);

/**
 * Apply `relos` to `insns` (indexed by instruction, not slot; `slotToIndex` maps). Returns the patched copy
 * and one result per relocation. TypeError on a malformed relocation or an ambiguous match.
 */
export function relocateCore(
  insns: readonly Instruction[],
  slotToIndex: ReadonlyMap<number, number>,
  relos: readonly CoreRelocationAt[],
  local: Btf,
  target: KernelBtf,
  where: string,
): { instructions: Instruction[]; results: CoreRelocationResult[] } {
  const out = [...insns];
  const results: CoreRelocationResult[] = [];
  for (const relo of relos) {
    const ctx = `${where}: instruction ${relo.slot}: co-re ${relo.kind} ${describe(local, relo.typeId)} "${relo.accessString}"`;
    const i = slotToIndex.get(relo.slot);
    if (i === undefined) throw new TypeError(`${ctx}: no instruction at that slot`);
    const r = resolve(relo, local, target, ctx);
    const insn = out[i]!;
    if (r.value === undefined) {
      out[i] = poison(insn);
    } else {
      out[i] = patch(insn, relo.kind, r.value, r.localSize, r.targetSize, ctx);
    }
    results.push({
      slot: relo.slot,
      kind: relo.kind,
      accessString: relo.accessString,
      localType: describe(local, relo.typeId),
      value: r.value,
      targetTypeId: r.targetId,
    });
  }
  return { instructions: out, results };
}

function describe(btf: Btf, id: number): string {
  try {
    return btf.describeType(id);
  } catch {
    return `type ${id}`;
  }
}

interface Resolved {
  value: number | undefined;
  targetId: number | undefined;
  localSize?: number;
  targetSize?: number;
}

function resolve(relo: CoreRelocationAt, local: Btf, target: KernelBtf, ctx: string): Resolved {
  if (relo.kind === 'type_id_local') return { value: relo.typeId, targetId: undefined };
  const localType = local.typeById(relo.typeId);
  const name = essentialName(localType.name);
  if (name === '') throw new TypeError(`${ctx}: anonymous root types cannot be relocated`);
  const raw = relo.accessString.split(':').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`${ctx}: bad access string`);
    return n;
  });
  const localSpec = FIELD_KINDS.has(relo.kind) ? parseFieldSpec(local, relo.typeId, raw, ctx) : undefined;
  const matches: { value: number; targetId: number; localSize?: number; targetSize?: number }[] = [];
  for (const cand of target.findEssential(name)) {
    const ct = target.btf.typeById(cand);
    if (!kindsCompatible(localType.kind, ct.kind)) continue;
    let value: number | undefined;
    let sizes: { localSize?: number; targetSize?: number } = {};
    if (localSpec) {
      const targSpec = matchFieldSpec(localSpec, target.btf, cand);
      if (targSpec === undefined) continue;
      value = fieldValue(targSpec, relo.kind, ctx);
      if (relo.kind === 'field_byte_offset') {
        sizes = { localSize: fieldValue(localSpec, 'field_byte_size', ctx), targetSize: fieldValue(targSpec, 'field_byte_size', ctx) };
      }
    } else if (TYPE_KINDS.has(relo.kind)) {
      if (!typesCompatible(local, relo.typeId, target.btf, cand, 0)) continue;
      value = relo.kind === 'type_id_target' ? cand : relo.kind === 'type_size' ? target.btf.sizeOf(cand) : 1;
    } else if (ENUM_KINDS.has(relo.kind)) {
      const lt = local.typeById(local.resolve(relo.typeId));
      if (lt.kind !== 'enum' && lt.kind !== 'enum64') throw new TypeError(`${ctx}: not an enum`);
      const lv = lt.values[raw[0] ?? 0];
      if (lv === undefined) throw new TypeError(`${ctx}: enumerator index out of range`);
      if (ct.kind !== 'enum' && ct.kind !== 'enum64') continue;
      const tv = (ct.values as { name: string; value: number | bigint }[]).find((v) => essentialName(v.name) === essentialName(lv.name));
      if (tv === undefined) continue;
      value = relo.kind === 'enumval_exists' ? 1 : Number(tv.value);
    } else {
      throw new TypeError(`${ctx}: unknown relocation kind`);
    }
    matches.push({ value, targetId: cand, ...sizes });
  }
  if (matches.length === 0) {
    return { value: ZERO_WHEN_MISSING.has(relo.kind) ? 0 : undefined, targetId: undefined };
  }
  const first = matches[0]!;
  const other = matches.find((m) => m.value !== first.value);
  if (other !== undefined && relo.kind !== 'type_id_target') {
    throw new TypeError(`${ctx}: ambiguous: kernel types ${first.targetId} and ${other.targetId} give ${first.value} and ${other.value}`);
  }
  return first;
}

function kindsCompatible(a: string, b: string): boolean {
  if (a === b) return true;
  const enums = new Set(['enum', 'enum64']);
  return enums.has(a) && enums.has(b);
}

function isComposite(kind: string): boolean {
  return kind === 'struct' || kind === 'union';
}

/** bpf_core_parse_spec for field relocations: walk the local type along the raw access indices. */
function parseFieldSpec(btf: Btf, rootId: number, raw: readonly number[], ctx: string): FieldSpec {
  const first = raw[0];
  if (first === undefined) throw new TypeError(`${ctx}: empty access string`);
  const access: Access[] = [{ kind: 'root', index: first, name: '' }];
  let bitOffset = first * btf.sizeOf(rootId) * 8;
  let cur = rootId;
  let member: BtfMember | undefined;
  for (const index of raw.slice(1)) {
    const t = btf.typeById(btf.resolve(cur));
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[index];
      if (m === undefined) throw new TypeError(`${ctx}: member ${index} out of range`);
      bitOffset += m.bitOffset;
      if (m.name !== '') access.push({ kind: 'member', index, name: m.name });
      member = m;
      cur = m.type;
    } else if (t.kind === 'array') {
      bitOffset += index * btf.sizeOf(t.type) * 8;
      access.push({ kind: 'array', index, name: '' });
      member = undefined;
      cur = t.type;
    } else {
      throw new TypeError(`${ctx}: cannot index into ${t.kind}`);
    }
  }
  return { btf, rootId, access, bitOffset, leafId: cur, member };
}

/** bpf_core_spec_match for fields: follow the local access path by names in the target type `cand`. */
function matchFieldSpec(local: FieldSpec, btf: Btf, cand: number): FieldSpec | undefined {
  const root = local.access[0]!;
  let bitOffset = root.index * btf.sizeOf(cand) * 8;
  let cur = cand;
  let member: BtfMember | undefined;
  const access: Access[] = [root];
  for (const a of local.access.slice(1)) {
    const t = btf.typeById(btf.resolve(cur));
    if (a.kind === 'member') {
      if (!isComposite(t.kind)) return undefined;
      const found = findMember(btf, btf.resolve(cur), a.name, 0);
      if (found === undefined) return undefined;
      bitOffset += found.bitOffset;
      member = found.member;
      cur = found.member.type;
    } else {
      if (t.kind !== 'array') return undefined;
      const flexible = t.nelems === 0;
      if (!flexible && a.index >= t.nelems) return undefined;
      bitOffset += a.index * btf.sizeOf(t.type) * 8;
      member = undefined;
      cur = t.type;
    }
    access.push(a);
  }
  if (local.access.length > 1 && !fieldsCompatible(local.btf, local.leafId, btf, cur, 0)) return undefined;
  return { btf, rootId: cand, access, bitOffset, leafId: cur, member };
}

function findMember(btf: Btf, id: number, name: string, depth: number): { member: BtfMember; bitOffset: number } | undefined {
  if (depth > 32) return undefined;
  const t = btf.typeById(id);
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  for (const m of t.members) {
    if (m.name === name) return { member: m, bitOffset: m.bitOffset };
    if (m.name === '') {
      const inner = btf.resolve(m.type);
      if (inner === 0) continue;
      const found = findMember(btf, inner, name, depth + 1);
      if (found) return { member: found.member, bitOffset: m.bitOffset + found.bitOffset };
    }
  }
  return undefined;
}

/** bpf_core_fields_are_compat. */
function fieldsCompatible(lb: Btf, lid: number, tb: Btf, tid: number, depth: number): boolean {
  if (depth > 32) return false;
  const l = lid === 0 ? undefined : lb.typeById(lb.resolve(lid));
  const t = tid === 0 ? undefined : tb.typeById(tb.resolve(tid));
  if (l === undefined || t === undefined) return l === t;
  if (isComposite(l.kind) && isComposite(t.kind)) return true;
  if (!kindsCompatible(l.kind, t.kind) && !(l.kind === 'fwd' || t.kind === 'fwd')) return false;
  switch (l.kind) {
    case 'int':
      return t.kind === 'int' && l.bitOffset === 0 && t.bitOffset === 0;
    case 'array':
      return t.kind === 'array' && fieldsCompatible(lb, l.type, tb, t.type, depth + 1);
    default:
      return true;
  }
}

/** bpf_core_types_are_compat (simplified: kinds, pointees, element types and prototypes). */
function typesCompatible(lb: Btf, lid: number, tb: Btf, tid: number, depth: number): boolean {
  if (depth > 32) return false;
  const lr = lb.resolve(lid);
  const tr = tb.resolve(tid);
  if (lr === 0 || tr === 0) return lr === tr;
  const l = lb.typeById(lr);
  const t = tb.typeById(tr);
  if (!kindsCompatible(l.kind, t.kind)) return false;
  switch (l.kind) {
    case 'ptr':
      return t.kind === 'ptr' && typesCompatible(lb, l.type, tb, t.type, depth + 1);
    case 'array':
      return t.kind === 'array' && typesCompatible(lb, l.type, tb, t.type, depth + 1);
    case 'func_proto':
      return (
        t.kind === 'func_proto' &&
        l.params.length === t.params.length &&
        typesCompatible(lb, l.returnType, tb, t.returnType, depth + 1) &&
        l.params.every((p, i) => typesCompatible(lb, p.type, tb, t.params[i]!.type, depth + 1))
      );
    default:
      return true;
  }
}

/** bpf_core_calc_field_relo. */
function fieldValue(spec: FieldSpec, kind: string, ctx: string): number {
  const btf = spec.btf;
  const last = spec.access[spec.access.length - 1]!;
  const bitOffset = spec.bitOffset;
  if (last.kind !== 'member') {
    // the root type itself, or an array element
    switch (kind) {
      case 'field_byte_offset':
        return bitOffset / 8;
      case 'field_byte_size':
        return btf.sizeOf(spec.leafId);
      case 'field_exists':
        return 1;
      default:
        throw new TypeError(`${ctx}: not supported on an array element or root type`);
    }
  }
  if (kind === 'field_exists') return 1;
  const m = spec.member!;
  const leaf = btf.typeById(btf.resolve(spec.leafId));
  const memSize = btf.sizeOf(spec.leafId);
  const bitfield = m.bitfieldSize > 0 || (leaf.kind === 'int' && leaf.bits !== memSize * 8);
  let byteSize: number;
  let byteOffset: number;
  let bitSize: number;
  if (!bitfield) {
    byteSize = memSize;
    byteOffset = Math.floor(bitOffset / 8);
    bitSize = byteSize * 8;
  } else {
    bitSize = m.bitfieldSize > 0 ? m.bitfieldSize : (leaf as { bits: number }).bits;
    byteSize = memSize;
    byteOffset = Math.floor(bitOffset / 8 / byteSize) * byteSize;
    while (bitOffset + bitSize - byteOffset * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new TypeError(`${ctx}: bitfield cannot be read with one load`);
      byteSize *= 2;
      byteOffset = Math.floor(bitOffset / 8 / byteSize) * byteSize;
    }
  }
  switch (kind) {
    case 'field_byte_offset':
      return byteOffset;
    case 'field_byte_size':
      return byteSize;
    case 'field_signed':
      if (leaf.kind === 'enum' || leaf.kind === 'enum64') return leaf.signed ? 1 : 0;
      return leaf.kind === 'int' && leaf.encoding === 'signed' ? 1 : 0;
    case 'field_lshift_u64':
      return 64 - (bitOffset + bitSize - byteOffset * 8);
    case 'field_rshift_u64':
      return 64 - bitSize;
    default:
      throw new TypeError(`${ctx}: unknown field relocation`);
  }
}

const SIZES = new Set([1, 2, 4, 8]);

/** bpf_core_patch_insn. */
function patch(insn: Instruction, kind: string, value: number, localSize: number | undefined, targetSize: number | undefined, ctx: string): Instruction {
  switch (insn.kind) {
    case 'alu':
      if (insn.source !== 'imm') throw new TypeError(`${ctx}: cannot relocate an ALU instruction with a register source`);
      if (value > 0xffffffff || value < -0x80000000) throw new TypeError(`${ctx}: value ${value} does not fit in imm`);
      return { ...insn, imm: value | 0 };
    case 'ldx':
    case 'st':
    case 'stx': {
      if (value > 0x7fff || value < -0x8000) throw new TypeError(`${ctx}: offset ${value} does not fit in a 16-bit off`);
      let size = insn.size;
      if (kind === 'field_byte_offset' && localSize !== undefined && targetSize !== undefined && localSize !== targetSize) {
        if (insn.size !== localSize || !SIZES.has(targetSize)) {
          throw new TypeError(`${ctx}: field size changed from ${localSize} to ${targetSize} bytes and the access cannot follow`);
        }
        size = targetSize as 1 | 2 | 4 | 8;
      }
      return { ...insn, off: value, size } as Instruction;
    }
    case 'lddw':
      return { ...insn, value: BigInt.asUintN(64, BigInt(value)) };
    default:
      throw new TypeError(`${ctx}: cannot relocate a ${insn.kind} instruction`);
  }
}

function poison(insn: Instruction): Instruction {
  // An ld_imm64 keeps its two slots: libbpf turns it into `call bad` + a second slot nobody reaches; we keep
  // the instruction count by poisoning only non-ld_imm64 instructions and making an ld_imm64 load the marker.
  if (insn.kind === 'lddw') return { ...insn, pseudo: 'none', value: BigInt(CORE_POISON) };
  return { kind: 'call', target: 'helper', imm: CORE_POISON, off: 0 };
}
