// A linked program as exploration needs it: instructions by slot index, references by slot, maps resolved.
import { innerMapTemplate, mapTypeById, type Instruction, type LinkedProgram, type MapSpec, type ObjectSpec, type RuntimeReference } from '../../bpf/index.ts';
import type { MapRef } from '../state/index.ts';

const BPF_F_RDONLY_PROG = 1 << 7;

export interface Program {
  readonly linked: LinkedProgram;
  /** instruction starting at each slot (undefined for the second slot of an lddw) */
  readonly insns: readonly (Instruction | undefined)[];
  readonly refs: ReadonlyMap<number, RuntimeReference>;
  readonly maps: ReadonlyMap<string, MapRef>;
  /** first slots of functions, sorted */
  readonly functionStarts: readonly number[];
  /** functions with global linkage (the kernel verifies them on their own) by first slot */
  readonly globalFunctions: ReadonlySet<number>;
  /** argument kinds of each global function from its BTF prototype; undefined when one is not modelled */
  readonly globalParams: ReadonlyMap<number, readonly GlobalParam[] | undefined>;
}

/**
 * An argument of a global function: a scalar, the program's context (btf_get_prog_ctx_type), or a pointer to
 * `mem` bytes that may be null (btf_prepare_func_args: ARG_PTR_TO_MEM | PTR_MAYBE_NULL of the pointee's size).
 */
export type GlobalParam = 'scalar' | 'ctx' | { readonly mem: number };

export function slotsOf(insn: Instruction): number {
  return insn.kind === 'lddw' ? 2 : 1;
}

function globalParamsOf(spec: ObjectSpec, btfTypeId: number | undefined, ctxStruct: string | undefined): GlobalParam[] | undefined {
  const btf = spec.btf;
  if (btf === undefined || btfTypeId === undefined) return undefined;
  const func = btf.typeById(btfTypeId);
  if (func.kind !== 'func') return undefined;
  const proto = btf.typeById(func.type);
  if (proto.kind !== 'func_proto' || proto.params.length > 5) return undefined;
  // argument tags (__arg_ctx, __arg_nonnull, ...) change the kinds: not modelled
  if (btf.types.some((t) => t.kind === 'decl_tag' && t.type === btfTypeId && t.componentIdx >= 0)) return undefined;
  const out: GlobalParam[] = [];
  for (const p of proto.params) {
    if (p.type === 0) return undefined;
    const t = btf.typeById(btf.resolve(p.type));
    if (t.kind === 'int' || t.kind === 'enum' || t.kind === 'enum64') {
      out.push('scalar');
      continue;
    }
    if (t.kind !== 'ptr') return undefined;
    const to = btf.resolve(t.type);
    const target = to === 0 ? undefined : btf.typeById(to);
    if (target?.kind === 'struct' && ctxStruct !== undefined && target.name === ctxStruct) {
      out.push('ctx');
      continue;
    }
    if (target === undefined || (target.kind !== 'int' && target.kind !== 'struct' && target.kind !== 'union' && target.kind !== 'enum' && target.kind !== 'array')) return undefined;
    try {
      out.push({ mem: btf.sizeOf(to) });
    } catch {
      return undefined;
    }
  }
  return out;
}

const SPECIAL_STRUCTS = new Set([
  'bpf_spin_lock', 'bpf_res_spin_lock', 'bpf_timer', 'bpf_wq', 'bpf_task_work', 'bpf_list_head', 'bpf_list_node',
  'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount',
]);

/** Whether a BTF type holds a special field (btf_parse_fields) or a kptr (a type tag on a pointer). */
function hasSpecialFields(spec: ObjectSpec, typeId: number | undefined, depth = 0): boolean {
  const btf = spec.btf;
  if (btf === undefined || typeId === undefined || typeId === 0 || depth > 16) return false;
  const t = btf.typeById(typeId);
  switch (t.kind) {
    case 'struct':
    case 'union':
      if (SPECIAL_STRUCTS.has(t.name)) return true;
      return t.members.some((m) => hasSpecialFields(spec, m.type, depth + 1));
    case 'array':
      return hasSpecialFields(spec, t.type, depth + 1);
    case 'typedef':
    case 'const':
    case 'volatile':
    case 'restrict':
      return hasSpecialFields(spec, t.type, depth + 1);
    case 'ptr': {
      const to = t.type === 0 ? undefined : btf.typeById(t.type);
      return to?.kind === 'type_tag';
    }
    case 'type_tag':
      return true;
    default:
      return false;
  }
}

/**
 * The special fields of a map's value: a single top-level `struct bpf_spin_lock` (in a map type that may
 * hold one) is modelled by its offset; anything else (timers, kptrs, graph fields, nested or several locks)
 * marks the map as not modelled.
 */
function specialFieldsOf(spec: ObjectSpec, m: MapSpec): { spinLockOff?: number; specialFields?: true } {
  if (!hasSpecialFields(spec, m.valueTypeId)) return {};
  const btf = spec.btf!;
  const value = btf.typeById(btf.resolve(m.valueTypeId!));
  if (mapTypeById(m.type)?.spinLock !== true || value.kind !== 'struct') return { specialFields: true };
  if (value.name === 'bpf_spin_lock') return { spinLockOff: 0 };
  let off: number | undefined;
  for (const member of value.members) {
    const t = btf.typeById(btf.resolve(member.type));
    if (t.kind === 'struct' && t.name === 'bpf_spin_lock' && off === undefined && member.bitOffset % 8 === 0) off = member.bitOffset / 8;
    else if (hasSpecialFields(spec, member.type)) return { specialFields: true };
  }
  return off === undefined ? { specialFields: true } : { spinLockOff: off };
}

export function prepareProgram(spec: ObjectSpec, linked: LinkedProgram, ctxStruct?: string): Program {
  const insns: (Instruction | undefined)[] = [];
  for (const insn of linked.instructions) {
    insns.push(insn);
    if (insn.kind === 'lddw') insns.push(undefined);
  }
  const maps = new Map<string, MapRef>();
  const mapRef = (m: MapSpec): MapRef => ({
    name: m.name,
    type: m.type,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    readOnly: (m.flags & BPF_F_RDONLY_PROG) !== 0,
    global: false,
    ...specialFieldsOf(spec, m),
    ...(innerMapTemplate(spec, m) !== undefined ? { inner: mapRef(innerMapTemplate(spec, m)!) } : {}),
  });
  for (const m of spec.maps) maps.set(m.name, mapRef(m));
  for (const d of spec.data) {
    maps.set(d.name, {
      name: d.name,
      type: 2, // BPF_MAP_TYPE_ARRAY, one element
      keySize: 4,
      valueSize: d.size,
      maxEntries: 1,
      readOnly: d.kind === 'rodata',
      global: true,
      ...(d.kind === 'rodata' ? { data: d.data } : {}),
    });
  }
  const globals = new Set<number>();
  const globalParams = new Map<number, GlobalParam[] | undefined>();
  for (const f of linked.functions) {
    if (f.slot !== 0 && spec.functions.find((fn) => fn.name === f.name)?.global === true) {
      globals.add(f.slot);
      globalParams.set(f.slot, globalParamsOf(spec, f.btfTypeId, ctxStruct));
    }
  }
  // check_subprogs: every call target and function address starts a function
  const starts = new Set(linked.functions.map((f) => f.slot));
  insns.forEach((insn, slot) => {
    if (insn?.kind === 'call' && insn.target === 'local') starts.add(slot + insn.imm + 1);
    if (insn?.kind === 'lddw' && insn.pseudo === 'func') starts.add(slot + Number(BigInt.asIntN(32, insn.value)) + 1);
  });
  return {
    linked,
    insns,
    refs: new Map(linked.references.map((r) => [r.slot, r.ref])),
    maps,
    functionStarts: [...starts].sort((a, b) => a - b),
    globalFunctions: globals,
    globalParams,
  };
}
