// One program with everything it calls, as the kernel takes it: the entry function first, then each
// subprogram it reaches (calls or function addresses), with BPF-to-BPF call offsets resolved.
//
// What stays symbolic is what only a runtime can fill in: maps, global data and externs. The loader turns
// them into file descriptors, the simulator into its own map handles.
import { slotOffsets, type Instruction } from '../isa/index.ts';
import { ObjectFormatError } from './object-error.ts';
import type { FunctionSpec, LineInfo, ObjectSpec, ProgramSpec, Reference } from './spec.ts';

/** A reference the runtime must resolve: a map, a global data section or an extern. */
export type RuntimeReference = Exclude<Reference, { kind: 'call' } | { kind: 'func_addr' }>;

export interface LinkedProgram {
  readonly program: ProgramSpec;
  readonly instructions: readonly Instruction[];
  /** runtime references by slot index in `instructions` */
  readonly references: readonly { readonly slot: number; readonly ref: RuntimeReference }[];
  /** where each function starts (the entry at slot 0), in layout order */
  readonly functions: readonly { readonly name: string; readonly slot: number; readonly btfTypeId?: number }[];
  /** line info by slot index in `instructions` */
  readonly lineInfo: readonly LineInfo[];
}

/** Link program `name` of `spec`. */
export function linkProgram(spec: ObjectSpec, name: string): LinkedProgram {
  const program = spec.programs.find((p) => p.name === name);
  if (program === undefined) {
    throw new ObjectFormatError(`no program ${name} (programs: ${spec.programs.map((p) => p.name).join(', ') || 'none'})`);
  }
  const byName = new Map(spec.functions.map((f) => [f.name, f]));
  const entry = byName.get(program.function);
  if (entry === undefined) throw new ObjectFormatError(`program ${name}: no function ${program.function}`);

  // Lay out the entry, then callees in the order they are first reached (breadth first, deterministic).
  const order: FunctionSpec[] = [entry];
  const seen = new Set([entry.name]);
  for (let i = 0; i < order.length; i++) {
    for (const { ref } of order[i]!.references) {
      if (ref.kind !== 'call' && ref.kind !== 'func_addr') continue;
      if (seen.has(ref.function)) continue;
      const callee = byName.get(ref.function);
      if (callee === undefined) throw new ObjectFormatError(`function ${order[i]!.name}: call to unknown function ${ref.function}`);
      seen.add(callee.name);
      order.push(callee);
    }
  }

  const start = new Map<string, number>();
  let slot = 0;
  for (const fn of order) {
    start.set(fn.name, slot);
    slot += slotOffsets(fn.instructions).at(-1)!;
  }

  const instructions: Instruction[] = [];
  const references: { slot: number; ref: RuntimeReference }[] = [];
  const lineInfo: LineInfo[] = [];
  for (const fn of order) {
    const base = start.get(fn.name)!;
    const offsets = slotOffsets(fn.instructions);
    const bySlot = new Map(fn.references.map((r) => [r.slot, r.ref]));
    fn.instructions.forEach((insn, i) => {
      const at = base + offsets[i]!;
      const ref = bySlot.get(offsets[i]!);
      if (ref === undefined) {
        instructions.push(insn);
        return;
      }
      switch (ref.kind) {
        case 'call': {
          if (insn.kind !== 'call') throw new ObjectFormatError(`function ${fn.name}: instruction ${offsets[i]}: call reference on a ${insn.kind}`);
          instructions.push({ ...insn, imm: start.get(ref.function)! - at - 1 });
          break;
        }
        case 'func_addr': {
          if (insn.kind !== 'lddw') throw new ObjectFormatError(`function ${fn.name}: instruction ${offsets[i]}: function address on a ${insn.kind}`);
          // BPF_PSEUDO_FUNC: imm is the target's offset from the next instruction
          const rel = start.get(ref.function)! - at - 1;
          instructions.push({ ...insn, pseudo: 'func', value: BigInt.asUintN(32, BigInt(rel)) });
          break;
        }
        default:
          instructions.push(insn);
          references.push({ slot: at, ref });
      }
    });
    for (const l of fn.lineInfo) lineInfo.push({ ...l, slot: base + l.slot });
  }
  return {
    program,
    instructions,
    references,
    functions: order.map((fn) => ({
      name: fn.name,
      slot: start.get(fn.name)!,
      ...(fn.btfTypeId !== undefined ? { btfTypeId: fn.btfTypeId } : {}),
    })),
    lineInfo,
  };
}
