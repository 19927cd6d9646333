// Live stack slots, as Linux 6.18 computes them (kernel/bpf/liveness.c): not read marks along a path, but a
// data-flow analysis over the control-flow graph fed by what the paths explored so far did.
//
//   per call chain (the call instructions leading to a function, then its first instruction), per frame of
//   that chain, per instruction of the function:
//     may_read    slots some visit of the instruction read           (union over visits)
//     must_write  slots every visit of it wrote whole (8 bytes)       (intersection over visits)
//     live_before = (U live_before of its successors  \  must_write)  U  may_read
//     must_write_acc = (∩ must_write_acc of its successors)  U  must_write   (what a call surely writes)
//
// The fixpoint is recomputed for the call chains of a path when the path ends (and when a function returns),
// as the kernel's bpf_update_live_stack does; a function's entry then feeds its caller's call instruction.
// A stored state whose continuation is fully explored is "cleaned" once: its slots dead at its instruction
// are ignored when it is compared (clean_live_states / bpf_stack_slot_alive).
import type { Instruction } from '../../bpf/index.ts';
import type { VerifierState } from '../state/index.ts';
import type { Program } from './program.ts';

/** Slots spi of bytes fp+off .. fp+off+size-1, as a [low 32, high 32] mask. */
function slotMask(off: number, size: number): [number, number] {
  const m: [number, number] = [0, 0];
  if (size <= 0) return m;
  const first = Math.max(Math.floor((-(off + size - 1) - 1) / 8), 0);
  const last = Math.min(Math.floor((-off - 1) / 8), 63);
  for (let spi = first; spi <= last; spi++) m[spi >> 5]! |= 1 << (spi & 31);
  return m;
}

/** The masks of one function instance: per frame, 2 words per instruction for each mask. */
class FuncInstance {
  readonly start: number;
  readonly end: number;
  /** call instructions of frames 0..depth-1 (the chain), then this function's start */
  readonly chain: readonly number[];
  readonly mayRead: Int32Array[] = [];
  readonly mustWrite: Int32Array[] = [];
  readonly mustWriteAcc: Int32Array[] = [];
  readonly liveBefore: Int32Array[] = [];
  readonly mustWriteSet: Uint8Array;
  updated = false;
  mustWriteDropped = false;

  constructor(chain: readonly number[], start: number, end: number) {
    this.chain = chain;
    this.start = start;
    this.end = end;
    this.mustWriteSet = new Uint8Array(end - start);
  }

  get depth(): number {
    return this.chain.length - 1;
  }

  frame(f: number): boolean {
    return this.mayRead[f] !== undefined;
  }

  alloc(f: number): void {
    if (this.mayRead[f] !== undefined) return;
    const n = 2 * (this.end - this.start);
    this.mayRead[f] = new Int32Array(n);
    this.mustWrite[f] = new Int32Array(n);
    this.mustWriteAcc[f] = new Int32Array(n);
    this.liveBefore[f] = new Int32Array(n);
  }

  /** mark_stack_read */
  read(f: number, insn: number, m: readonly [number, number]): void {
    this.alloc(f);
    const k = 2 * (insn - this.start);
    const mr = this.mayRead[f]!;
    const lb = this.liveBefore[f]!;
    for (let w = 0; w < 2; w++) {
      const nu = mr[k + w]! | m[w]!;
      if (nu !== mr[k + w] && (nu | lb[k + w]!) !== lb[k + w]) this.updated = true;
      mr[k + w] = nu;
    }
  }

  /** commit_stack_write_marks: `masks[f]` written whole by this visit of `insn` */
  commitWrites(insn: number, masks: readonly (readonly [number, number])[]): void {
    const idx = insn - this.start;
    const seen = this.mustWriteSet[idx] === 1;
    for (let f = 0; f <= this.depth; f++) {
      const m = masks[f] ?? ZERO;
      if (m[0] === 0 && m[1] === 0 && !seen) continue;
      this.alloc(f);
      const mw = this.mustWrite[f]!;
      for (let w = 0; w < 2; w++) {
        const old = mw[2 * idx + w]!;
        const nu = seen ? m[w]! & old : m[w]!;
        if (old !== nu) {
          mw[2 * idx + w] = nu;
          this.updated = true;
        }
        if ((old & ~nu) !== 0) this.mustWriteDropped = true;
      }
    }
    this.mustWriteSet[idx] = 1;
  }

  liveAt(f: number, insn: number, spi: number): boolean {
    const lb = this.liveBefore[f];
    if (lb === undefined || insn < this.start || insn >= this.end) return false;
    return (lb[2 * (insn - this.start) + (spi >> 5)]! & (1 << (spi & 31))) !== 0;
  }
}

const ZERO: readonly [number, number] = [0, 0];

export class LiveStack {
  readonly #program: Program;
  readonly #instances = new Map<string, FuncInstance>();
  /** successors of each instruction (bpf_insn_successors: calls fall through, exits have none) */
  readonly #succ: number[][];
  /** the instruction being executed: its instance and the whole-slot writes so far, per frame */
  #cur: FuncInstance | undefined;
  #insn = -1;
  #frames = 0;
  #writes: [number, number][] = [];

  constructor(program: Program) {
    this.#program = program;
    this.#succ = program.insns.map((insn, i) => successors(insn, i));
  }

  /** The instance of frame `f` of `state` (lookup_instance). */
  instance(state: VerifierState, f: number): FuncInstance {
    const chain: number[] = [];
    for (let i = 0; i < f; i++) chain.push(state.frames[i + 1]!.callsite);
    const start = state.frames[f]!.subprog;
    chain.push(start);
    const key = chain.join(',');
    let inst = this.#instances.get(key);
    if (inst === undefined) {
      const starts = this.#program.functionStarts;
      let fn = 0;
      for (let k = 0; k < starts.length; k++) if (starts[k]! <= start) fn = k;
      inst = new FuncInstance(chain, starts[fn]!, starts[fn + 1] ?? this.#program.insns.length);
      this.#instances.set(key, inst);
    }
    return inst;
  }

  /** bpf_reset_stack_write_marks: instruction `insn` of the current frame of `state` starts. */
  begin(state: VerifierState, insn: number): void {
    this.#cur = this.instance(state, state.frames.length - 1);
    this.#insn = insn;
    this.#frames = state.frames.length;
    this.#writes = [];
  }

  /** bpf_mark_stack_read: bytes fp+off .. of frame f are read by the current instruction. */
  read(f: number, off: number, size: number): void {
    if (this.#cur === undefined || f > this.#cur.depth) return;
    this.#cur.read(f, this.#insn, slotMask(off, size));
  }

  /** bpf_mark_stack_write: only a whole, aligned slot counts as written. */
  write(f: number, off: number, size: number): void {
    if (size !== 8 || off % 8 !== 0) return;
    const m = slotMask(off, 8);
    const acc = (this.#writes[f] ??= [0, 0]);
    acc[0] |= m[0];
    acc[1] |= m[1];
  }

  /** bpf_commit_stack_write_marks, after the instruction (skipped when it entered or left a function). */
  commit(state: VerifierState): void {
    if (this.#cur !== undefined && state.frames.length === this.#frames) this.#cur.commitWrites(this.#insn, this.#writes);
    this.#cur = undefined;
  }

  /** bpf_update_live_stack: the fixpoint for the call chains of `state`, innermost first. */
  update(state: VerifierState): void {
    for (let f = state.frames.length - 1; f >= 0; f--) {
      const inst = this.instance(state, f);
      if (!inst.updated) continue;
      this.#solve(inst);
      inst.updated = false;
      inst.mustWriteDropped = false;
      if (f > 0) this.#toCaller(state, inst, f);
    }
  }

  /** bpf_stack_slot_alive for a stored state: slot spi of frame f may still be read. */
  alive(state: VerifierState, f: number, spi: number): boolean {
    const top = state.frames.length - 1;
    if (this.instance(state, top).liveAt(f, state.insn, spi)) return true;
    for (let i = f; i < top; i++) {
      const callsite = state.frames[i + 1]!.callsite;
      // a callback's caller may call it again: what is live before the call stays live
      const at = state.frames[i + 1]!.callback === true ? callsite : callsite + 1;
      if (this.instance(state, i).liveAt(f, at, spi)) return true;
    }
    return false;
  }

  #solve(inst: FuncInstance): void {
    if (inst.mustWriteDropped) for (const a of inst.mustWriteAcc) a?.fill(0);
    for (let changed = true; changed; ) {
      changed = false;
      for (let f = 0; f <= inst.depth; f++) {
        if (!inst.frame(f)) continue;
        const mr = inst.mayRead[f]!;
        const mw = inst.mustWrite[f]!;
        const acc = inst.mustWriteAcc[f]!;
        const lb = inst.liveBefore[f]!;
        for (let i = inst.end - 1; i >= inst.start; i--) {
          const succ = this.#succ[i];
          if (succ === undefined || succ.length === 0) continue;
          const k = 2 * (i - inst.start);
          for (let w = 0; w < 2; w++) {
            let after = 0;
            let wacc = -1;
            for (const s of succ) {
              if (s < inst.start || s >= inst.end) continue;
              after |= lb[2 * (s - inst.start) + w]!;
              wacc &= acc[2 * (s - inst.start) + w]!;
            }
            wacc |= mw[k + w]!;
            const before = (after & ~mw[k + w]!) | mr[k + w]!;
            if (before !== lb[k + w] || wacc !== acc[k + w]) {
              lb[k + w] = before;
              acc[k + w] = wacc;
              changed = true;
            }
          }
        }
      }
    }
  }

  /** propagate_to_outer_instance: the function's entry feeds the call instruction of its caller. */
  #toCaller(state: VerifierState, inst: FuncInstance, f: number): void {
    const outer = this.instance(state, f - 1);
    const callsite = inst.chain[f - 1]!;
    const writes: [number, number][] = [];
    const k = 2 * (inst.chain[f]! - inst.start);
    for (let fr = 0; fr < f; fr++) {
      if (!inst.frame(fr)) continue;
      writes[fr] = [inst.mustWriteAcc[fr]![k]!, inst.mustWriteAcc[fr]![k + 1]!];
      outer.read(fr, callsite, [inst.liveBefore[fr]![k]!, inst.liveBefore[fr]![k + 1]!]);
    }
    outer.commitWrites(callsite, writes);
  }
}

/** bpf_insn_successors */
function successors(insn: Instruction | undefined, i: number): number[] {
  if (insn === undefined) return [];
  switch (insn.kind) {
    case 'exit':
      return [];
    case 'ja':
      return [i + insn.off + 1];
    case 'jump':
    case 'may_goto':
      return [i + 1, i + insn.off + 1];
    case 'lddw':
      return [i + 2];
    default:
      return [i + 1];
  }
}
