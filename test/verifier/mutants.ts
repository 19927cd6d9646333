// Mutants of the fixture programs for the differential against the kernel: each conditional jump made never
// or always taken (a bounds check or null check removed), each memory access pushed 8 bytes further (an
// offset past the end), each store's or load's base register swapped for one that may be uninitialised, stack
// stores pushed past 512 bytes, helper calls turned into a helper with other arguments and program types.
import type { FunctionSpec, Instruction, ObjectSpec } from '../../bpf/index.ts';

export interface Mutant {
  readonly name: string;
  readonly spec: ObjectSpec;
  readonly program: string;
}

function withInstruction(spec: ObjectSpec, fn: FunctionSpec, index: number, insn: Instruction): ObjectSpec {
  const instructions = fn.instructions.map((x, i) => (i === index ? insn : x));
  return { ...spec, functions: spec.functions.map((f) => (f === fn ? { ...fn, instructions } : f)) };
}

export function mutantsOf(spec: ObjectSpec, program: string): Mutant[] {
  const p = spec.programs.find((x) => x.name === program)!;
  const fn = spec.functions.find((f) => f.name === p.function)!;
  const out: Mutant[] = [];
  fn.instructions.forEach((insn, i) => {
    const add = (what: string, m: Instruction): void => {
      out.push({ name: `${program} #${i} ${what}`, spec: withInstruction(spec, fn, i, m), program });
    };
    switch (insn.kind) {
      case 'jump':
        add('never taken', { kind: 'ja', long: false, off: 0 });
        add('always taken', { kind: 'ja', long: false, off: insn.off });
        break;
      case 'ldx':
        add('offset +8', { ...insn, off: insn.off + 8 });
        if (insn.src !== 10) add('base r9', { ...insn, src: 9 });
        break;
      case 'stx':
      case 'st':
        add('offset +8', { ...insn, off: insn.off + 8 });
        if (insn.dst !== 10) add('base r9', { ...insn, dst: 9 });
        if (insn.dst === 10) add('stack offset -512', { ...insn, off: insn.off - 512 });
        break;
      case 'call':
        if (insn.target === 'helper') add('helper 9 (skb_store_bytes)', { ...insn, imm: 9 });
        break;
      case 'alu':
        if (insn.op === 'mov' && insn.source === 'imm' && insn.dst === 0) add('return 7', { ...insn, imm: 7 });
        if (insn.op === 'add' && insn.source === 'imm') add('add 64 more', { ...insn, imm: insn.imm + 64 });
        break;
      default:
        break;
    }
  });
  return out;
}
