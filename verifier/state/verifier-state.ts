// The state of one path: the kernel's `struct bpf_verifier_state` with its `bpf_func_state` frames.
import { formatReg, NOT_INIT, ptrReg, type RegState } from './reg.ts';
import { StackState } from './stack.ts';

export const MAX_CALL_FRAMES = 8;

export interface FrameState {
  /** r0..r10 */
  regs: RegState[];
  stack: StackState;
  /** instruction of the call that made this frame (-1 for the main program) */
  callsite: number;
  /** first instruction of the function running in this frame */
  subprog: number;
  /** a callback called by a helper (bpf_loop): its exit goes back to the helper call, which may call it again */
  callback?: boolean;
  /** identity of this call of the function: copies of a state share it, a new call gets a new one */
  readonly uid: number;
  /** unused since stack liveness is the kernel 6.18 data-flow analysis (explore/live-stack.ts) */
  written?: [number, number];
}

let frameUids = 0;

/** A fresh frame identity (a new call). */
export function newFrameUid(): number {
  return ++frameUids;
}

/** An acquired reference (ringbuf reservation) that must be released before exit (bpf_reference_state). */
export interface RefState {
  readonly id: number;
  readonly insn: number;
  /** a held bpf_spin_lock (REF_TYPE_LOCK): the map whose value holds it; the id is the map value's */
  readonly lock?: string;
}

export class VerifierState {
  frames: FrameState[];
  insn: number;
  refs: RefState[];
  /**
   * a path the CPU may only take speculatively (the kernel's `speculative`): without CAP_PERFMON the verifier
   * also walks the side of a decided branch that is never taken, and a masked pointer operation's other
   * outcome; an error there only ends the path (and places a speculation barrier), and such a state never
   * prunes a real one. States forked from it are speculative too.
   */
  speculative = false;

  constructor(frames: FrameState[], insn: number, refs: RefState[] = []) {
    this.frames = frames;
    this.insn = insn;
    this.refs = refs;
  }

  /** r1 = ctx, r10 = fp0 (init_func_state). */
  static entry(): VerifierState {
    const regs: RegState[] = Array.from({ length: 11 }, () => NOT_INIT);
    regs[1] = ptrReg('ctx');
    regs[10] = ptrReg('fp', { frame: 0 });
    return new VerifierState([{ regs, stack: new StackState(), callsite: -1, subprog: 0, uid: newFrameUid() }], 0);
  }

  get cur(): FrameState {
    return this.frames[this.frames.length - 1]!;
  }

  reg(n: number): RegState {
    return this.cur.regs[n]!;
  }

  setReg(n: number, r: RegState): void {
    this.cur.regs[n] = r;
  }

  clone(): VerifierState {
    const copy = new VerifierState(
      this.frames.map((f) => ({
        // registers are never changed in place (a change replaces the object), so copies share them
        regs: f.regs.slice(),
        stack: f.stack.clone(),
        callsite: f.callsite,
        subprog: f.subprog,
        uid: f.uid,
        ...(f.callback === true ? { callback: true } : {}),
      })),
      this.insn,
      [...this.refs],
    );
    copy.speculative = this.speculative;
    return copy;
  }

  /**
   * Replaces every register of every frame, including spilled ones, by `fn(reg)` (bpf_for_each_reg_in_vstate);
   * `fn` returns the register itself to keep it.
   */
  mapRegs(fn: (r: RegState) => RegState): void {
    for (const f of this.frames) {
      const regs = f.regs;
      for (let i = 0; i < regs.length; i++) regs[i] = fn(regs[i]!);
      for (const slot of f.stack.slots) {
        if (slot?.spilled !== undefined) slot.spilled = fn(slot.spilled);
      }
    }
  }

  /** The registers of the current frame as the kernel's log prints them: `R1=ctx() R10=fp0`. */
  formatRegs(): string {
    const parts: string[] = [];
    this.cur.regs.forEach((r, i) => {
      if (r.kind !== 'not_init') parts.push(`R${i}=${formatReg(r)}`);
    });
    return parts.join(' ');
  }
}
