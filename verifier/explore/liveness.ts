// Register liveness before each instruction (the kernel's compute_live_registers): a backward data-flow over
// each function's instructions. A register not live at an instruction is never read again before being
// written, so state comparison ignores it there (clean_func_state turns it into NOT_INIT).
//
//   live_before(i) = use(i) | (live_after(i) & ~def(i))      live_after(i) = union of live_before(successors)
//
// Calls are not followed: a helper uses its arguments r1..rN (from its prototype), a BPF-to-BPF call r1-r5,
// and both define r0-r5; exit uses r0.
import { helperById, type Instruction } from '../../bpf/index.ts';
import type { Program } from './program.ts';

const R0 = 1 << 0;
const CALLER_SAVED = 0b111111; // r0-r5
const ARGS = 0b111110; // r1-r5
const bit = (r: number): number => 1 << r;

/** How many arguments a helper takes (up to its first ARG_DONTCARE), as get_call_summary counts them. */
function helperArgs(id: number): number {
  const h = helperById(id);
  if (h === undefined) return 5;
  let n = 0;
  while (n < h.args.length && h.args[n]!.base !== 'ARG_DONTCARE') n++;
  return n;
}

/** [use, def] register masks of one instruction. */
export function useDef(insn: Instruction): [number, number] {
  switch (insn.kind) {
    case 'alu':
      if (insn.op === 'mov' || insn.op === 'movsx8' || insn.op === 'movsx16' || insn.op === 'movsx32') {
        return [insn.source === 'reg' ? bit(insn.src) : 0, bit(insn.dst)];
      }
      return [bit(insn.dst) | (insn.source === 'reg' && insn.op !== 'neg' ? bit(insn.src) : 0), bit(insn.dst)];
    case 'endian':
    case 'addr_space_cast':
      return [bit(insn.dst), bit(insn.dst)];
    case 'ldx':
      return [bit(insn.src), bit(insn.dst)];
    case 'st':
      return [bit(insn.dst), 0];
    case 'stx':
      return [bit(insn.dst) | bit(insn.src), 0];
    case 'atomic': {
      const cmpxchg = insn.op === 'cmpxchg';
      const use = bit(insn.dst) | bit(insn.src) | (cmpxchg ? R0 : 0);
      return [use, insn.fetch ? (cmpxchg ? R0 : bit(insn.src)) : 0];
    }
    case 'lddw':
      return [0, bit(insn.dst)];
    case 'ld_abs':
      return [bit(6), CALLER_SAVED];
    case 'ld_ind':
      return [bit(6) | bit(insn.src), CALLER_SAVED];
    case 'jump':
      return [bit(insn.dst) | (insn.source === 'reg' ? bit(insn.src) : 0), 0];
    case 'ja':
    case 'may_goto':
      return [0, 0];
    case 'call':
      if (insn.target === 'helper') return [(1 << (helperArgs(insn.imm) + 1)) - 2, CALLER_SAVED];
      return [ARGS, CALLER_SAVED];
    case 'callx':
      return [bit(insn.dst) | ARGS, CALLER_SAVED];
    case 'exit':
      return [R0, 0];
  }
}

/** Successor slots of the instruction at `slot` inside its function. */
function successors(insn: Instruction, slot: number): number[] {
  switch (insn.kind) {
    case 'exit':
      return [];
    case 'ja':
      return [slot + insn.off + 1];
    case 'jump':
    case 'may_goto':
      return [slot + 1, slot + insn.off + 1];
    case 'lddw':
      return [slot + 2];
    default:
      return [slot + 1];
  }
}

/** live_regs_before of every slot (bit r set when register r is live); 0 for the second slot of an lddw. */
export function computeLiveRegs(program: Program): Uint16Array {
  const n = program.insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  const succ: number[][] = [];
  for (let i = 0; i < n; i++) {
    const insn = program.insns[i];
    if (insn === undefined) {
      succ.push([]);
      continue;
    }
    [use[i], def[i]] = useDef(insn);
    succ.push(successors(insn, i).filter((s) => s >= 0 && s < n));
  }
  const live = new Uint16Array(n);
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      if (program.insns[i] === undefined) continue;
      let out = 0;
      for (const s of succ[i]!) out |= live[s]!;
      const v = use[i]! | (out & ~def[i]!);
      if (v !== live[i]) {
        live[i] = v;
        changed = true;
      }
    }
  }
  return live;
}
