// Control-flow checks before exploration (the kernel's check_subprogs and check_cfg): jumps stay inside their
// function, functions end in exit or goto, every instruction is reachable, and (without bounded loops) there
// is no back-edge.
import { Reject } from '../assert/index.ts';
import type { Profile } from '../profiles.ts';
import type { Program } from './program.ts';

/** Jump target slot of a jump, goto or local call at `slot`, if any. */
export function jumpTarget(program: Program, slot: number): number | undefined {
  const insn = program.insns[slot];
  if (insn === undefined) return undefined;
  if (insn.kind === 'jump' || insn.kind === 'ja' || insn.kind === 'may_goto') return slot + insn.off + 1;
  if (insn.kind === 'call' && insn.target === 'local') return slot + insn.imm + 1;
  if (insn.kind === 'lddw' && insn.pseudo === 'func') return slot + Number(BigInt.asIntN(32, insn.value)) + 1;
  return undefined;
}

/** The insn that failed, when the kernel names one in its reason (check_cfg errors have none). */
export class CfgReject extends Reject {}

/** What exploration needs from the control-flow checks (the kernel's insn_aux_data prune_point, jmp_point). */
export interface CfgInfo {
  /** where stored states are looked up and added: conditional jumps, branch and goto targets, after calls */
  readonly pruneAt: Set<number>;
  /** where a path's arrival is recorded in its jump history: branch and goto targets, after calls */
  readonly jmpPoints: Set<number>;
  /** whether there is a back-edge */
  readonly loops: boolean;
}

/** check_subprogs and check_cfg; the prune and jump points visit_insn marks. */
export function checkCfg(program: Program, profile: Profile): CfgInfo {
  const n = program.insns.length;
  const starts = [...program.functionStarts];
  // check_subprogs: jumps within the function; each function ends in exit or goto
  for (let f = 0; f < starts.length; f++) {
    const lo = starts[f]!;
    const hi = starts[f + 1] ?? n;
    for (let i = lo; i < hi; i++) {
      const insn = program.insns[i];
      if (insn === undefined) continue;
      if (insn.kind === 'jump' || insn.kind === 'ja' || insn.kind === 'may_goto') {
        const t = i + insn.off + 1;
        if (t < lo || t >= hi) throw new CfgReject(`jump out of range from insn ${i} to ${t}`);
      }
    }
    const last = program.insns[hi - 1] ?? program.insns[hi - 2];
    if (last === undefined || (last.kind !== 'exit' && last.kind !== 'ja')) throw new CfgReject('last insn is not an exit or jmp');
  }
  // check_cfg: depth-first search from insn 0
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 explored
  const pruneAt = new Set<number>();
  const jmpPoints = new Set<number>();
  let loops = false;
  const point = (t: number): void => {
    pruneAt.add(t);
    jmpPoints.add(t);
  };
  const succ = (i: number): number[] => {
    const insn = program.insns[i]!;
    switch (insn.kind) {
      case 'exit':
        return [];
      case 'ja':
        point(i + insn.off + 1);
        return [i + insn.off + 1];
      case 'jump':
      case 'may_goto':
        pruneAt.add(i);
        point(i + insn.off + 1);
        return [i + 1, i + insn.off + 1];
      case 'call':
        point(i + 1);
        if (insn.target === 'local') {
          pruneAt.add(i);
          point(i + insn.imm + 1);
          return [i + 1, i + insn.imm + 1];
        }
        return [i + 1];
      case 'lddw': {
        const t = jumpTarget(program, i);
        if (t === undefined) return [i + 2];
        point(i + 2);
        pruneAt.add(i);
        point(t);
        return [i + 2, t];
      }
      default:
        return [i + 1];
    }
  };
  const stack: { i: number; next: number[] }[] = [];
  const enter = (i: number): void => {
    state[i] = 1;
    stack.push({ i, next: succ(i) });
  };
  enter(0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const t = top.next.shift();
    if (t === undefined) {
      state[top.i] = 2;
      stack.pop();
      continue;
    }
    if (t < 0 || t >= n) throw new CfgReject(`jump out of range from insn ${top.i} to ${t}`);
    if (program.insns[t] === undefined) throw new CfgReject(`jump into the middle of ldimm64 insn ${t - 1}`);
    if (state[t] === 1) {
      if (!profile.loops) throw new CfgReject(`back-edge from insn ${top.i} to ${t}`);
      loops = true;
      continue;
    }
    if (state[t] === 0) enter(t);
  }
  for (let i = 0; i < n; i++) {
    if (program.insns[i] === undefined) continue;
    if (state[i] !== 2) throw new CfgReject(`unreachable insn ${i}`);
  }
  return { pruneAt, jmpPoints, loops };
}
