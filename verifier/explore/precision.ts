// Precision tracking (the kernel's mark_chain_precision / backtrack_insn). Stored states compare a scalar
// exactly only when the continuation explored from them depended on its value (a branch it decided, a pointer
// offset, a helper's size argument, a return code...). When such a use is found, the registers and stack
// slots it came from are found by walking the path backwards (its jump history), segment by segment between
// stored states, and marked precise in each stored state on the way.
//
//   checkpoint A ──segment──▶ checkpoint B ──segment──▶ current instruction (needs r3 precise)
//                                  ▲ mark what B's r3 depended on      ▲ walk back over the segment
import type { Instruction } from '../../bpf/index.ts';
import type { VerifierState } from '../state/index.ts';
import type { Program } from './program.ts';
import type { PruneMarks } from './prune.ts';

/** A step of a path that is not the next instruction, or one that spilled or filled a stack slot. */
export interface HistEntry {
  readonly idx: number;
  readonly prev: number;
  /** the stack slot spilled or filled: frame * 64 + spi */
  stack?: number;
  /** a conditional jump that narrowed copies of one scalar: where they were (precisionKey/slotKey) */
  linked?: readonly number[];
}

/** The instructions since the last stored state: from `firstInsn` to `lastInsn`, non-sequential steps in `hist`. */
export interface Segment {
  readonly hist: readonly HistEntry[];
  readonly firstInsn: number;
  readonly lastInsn: number;
  readonly parent: Checkpoint | undefined;
}

/** A stored state (bpf_verifier_state_list): the state, its path segment, and what pruning learnt about it. */
export class Checkpoint implements Segment, PruneMarks {
  readonly state: VerifierState;
  readonly insn: number;
  readonly parent: Checkpoint | undefined;
  readonly hist: readonly HistEntry[];
  readonly firstInsn: number;
  readonly lastInsn: number;
  /** paths still being explored below this state (0: its continuation is fully explored) */
  branches = 1;
  hit = 0;
  miss = 0;
  /** a helper call that calls back (bpf_loop) */
  readonly callbackSite: boolean;
  #precise: Set<number> | undefined;
  #allPrecise = false;
  /** clean_verifier_state ran: only the slots in #alive count (per frame [low 32 slots, high 32 slots]) */
  cleaned = false;
  readonly #alive: number[] = [];

  constructor(state: VerifierState, insn: number, segment: Segment, callbackSite: boolean) {
    this.state = state;
    this.insn = insn;
    this.parent = segment.parent;
    this.hist = segment.hist;
    this.firstInsn = segment.firstInsn;
    this.lastInsn = segment.lastInsn;
    this.callbackSite = callbackSite;
  }

  /** Whether the scalar at `key` (precisionKey) must be compared exactly. */
  isPrecise(key: number): boolean {
    return this.#allPrecise || (this.#precise?.has(key) ?? false);
  }

  markPrecise(key: number): void {
    (this.#precise ??= new Set()).add(key);
  }

  markAllPrecise(): void {
    this.#allPrecise = true;
  }

  /** Whether stack slot spi of frame f may still be read from here (every slot until the state is cleaned). */
  isRead(f: number, spi: number): boolean {
    if (!this.cleaned) return true;
    return ((this.#alive[2 * f + (spi >> 5)] ?? 0) & (1 << (spi & 31))) !== 0;
  }

  /**
   * clean_verifier_state, once its continuation is explored: remember which slots are live here (dead ones are
   * then ignored, as the kernel turns them into uninitialised slots).
   */
  clean(live: { alive(state: VerifierState, f: number, spi: number): boolean }): void {
    this.cleaned = true;
    this.state.frames.forEach((fr, f) => {
      fr.stack.slots.forEach((slot, spi) => {
        if (slot === undefined || spi >= 64 || !live.alive(this.state, f, spi)) return;
        const k = 2 * f + (spi >> 5);
        while (this.#alive.length <= k) this.#alive.push(0);
        this.#alive[k]! |= 1 << (spi & 31);
      });
    });
  }

  /** Every precise key whose register or slot holds a scalar (for propagate_precision). */
  preciseKeys(): number[] {
    const out: number[] = [];
    this.state.frames.forEach((fr, f) => {
      for (let r = 0; r < 10; r++) {
        if (fr.regs[r]!.kind === 'scalar' && this.isPrecise(precisionKey(f, r))) out.push(precisionKey(f, r));
      }
      fr.stack.slots.forEach((slot, spi) => {
        if (slot?.spilled?.kind === 'scalar' && this.isPrecise(slotKey(f, spi))) out.push(slotKey(f, spi));
      });
    });
    return out;
  }
}

/** Key of register r of frame f. */
export const precisionKey = (f: number, r: number): number => f * 128 + r;
/** Key of stack slot spi of frame f. */
export const slotKey = (f: number, spi: number): number => f * 128 + 64 + spi;

const ARG_REGS = [1, 2, 3, 4, 5];

/** The set of registers and slots still to be traced back (struct backtrack_state). */
class Backtrack {
  frame: number;
  readonly keys: Set<number>;
  constructor(frame: number, keys: Iterable<number>) {
    this.frame = frame;
    this.keys = new Set(keys);
  }
  hasReg(r: number): boolean {
    return this.keys.has(precisionKey(this.frame, r));
  }
  setReg(r: number, frame = this.frame): void {
    this.keys.add(precisionKey(frame, r));
  }
  clearReg(r: number): void {
    this.keys.delete(precisionKey(this.frame, r));
  }
  /** anything of the current frame other than r1-r5 (or, with `args`, r1-r5 themselves) */
  frameHas(pred: (k: number) => boolean): boolean {
    for (const k of this.keys) if (Math.floor(k / 128) === this.frame && pred(k % 128)) return true;
    return false;
  }
}

class Unsupported extends Error {}

const seqPrev = (program: Program, i: number): number => (program.insns[i - 1] === undefined && i >= 2 ? i - 2 : i - 1);

/** backtrack_insn: what must be precise before `insns[i]` for `bt` to be precise after it. */
function backtrackInsn(program: Program, i: number, subseq: number, entry: HistEntry | undefined, bt: Backtrack): void {
  const insn: Instruction | undefined = program.insns[i];
  if (insn === undefined) return;
  switch (insn.kind) {
    case 'alu':
      if (!bt.hasReg(insn.dst)) return;
      if (insn.op === 'mov' || insn.op === 'movsx8' || insn.op === 'movsx16' || insn.op === 'movsx32') {
        bt.clearReg(insn.dst);
        if (insn.source === 'reg' && insn.src !== 10) bt.setReg(insn.src);
      } else if (insn.op !== 'neg' && insn.source === 'reg' && insn.src !== 10) {
        bt.setReg(insn.src);
      }
      return;
    case 'endian':
    case 'addr_space_cast':
    case 'ja':
    case 'may_goto':
      return;
    case 'ldx':
      if (!bt.hasReg(insn.dst)) return;
      bt.clearReg(insn.dst);
      // a fill from the stack: the slot's scalar is what needs precision
      if (entry?.stack !== undefined) bt.keys.add(slotKey(Math.floor(entry.stack / 64), entry.stack % 64));
      return;
    case 'st':
    case 'stx': {
      if (bt.hasReg(insn.dst)) throw new Unsupported('base register of a store');
      if (entry?.stack === undefined) return;
      const key = slotKey(Math.floor(entry.stack / 64), entry.stack % 64);
      if (!bt.keys.has(key)) return;
      bt.keys.delete(key);
      if (insn.kind === 'stx') bt.setReg(insn.src);
      return;
    }
    case 'atomic':
      if (bt.hasReg(insn.dst) || entry?.stack !== undefined) throw new Unsupported('atomic');
      return;
    case 'lddw':
      bt.clearReg(insn.dst);
      return;
    case 'ld_abs':
    case 'ld_ind':
      if (bt.frameHas((k) => k <= 5)) throw new Unsupported('legacy packet load');
      return;
    case 'jump':
      if (insn.source === 'reg' && (bt.hasReg(insn.dst) || bt.hasReg(insn.src))) {
        bt.setReg(insn.dst);
        bt.setReg(insn.src);
      }
      return;
    case 'call': {
      const target = i + insn.imm + 1;
      if (insn.target === 'local' && subseq === target) {
        // back out of a called function into its caller: only its arguments can be asked for
        if (bt.frameHas((k) => k >= 64 || k === 0 || k > 5)) throw new Unsupported('subprogram frame');
        for (const r of ARG_REGS) {
          if (bt.hasReg(r)) {
            bt.clearReg(r);
            bt.setReg(r, bt.frame - 1);
          }
        }
        bt.frame--;
        if (bt.frame < 0) throw new Unsupported('frame underflow');
        return;
      }
      if (subseq !== i + 1) throw new Unsupported('callback');
      // a helper or a global function (not entered): r0 set, r1-r5 clobbered
      bt.clearReg(0);
      if (bt.frameHas((k) => k >= 1 && k <= 5)) throw new Unsupported('call arguments');
      return;
    }
    case 'callx':
      throw new Unsupported('callx');
    case 'exit': {
      // back into the function that returned to `subseq`: its r0 is the caller's r0
      if (bt.frameHas((k) => k >= 1 && k <= 5)) throw new Unsupported('exit arguments');
      const call = program.insns[subseq - 1];
      const r0 = bt.hasReg(0) && call?.kind === 'call' && call.target === 'local';
      bt.clearReg(0);
      bt.frame++;
      if (r0) bt.setReg(0);
      return;
    }
  }
}

function syncLinkedPrecision(bt: Backtrack, linked: readonly number[]): void {
  if (!linked.some((k) => bt.keys.has(k))) return;
  for (const k of linked) bt.keys.add(k);
}

/** Walks one segment back from its last instruction (throws Unsupported where it cannot follow the path). */
function backtrackSegment(program: Program, seg: Segment, bt: Backtrack, skipFirst: boolean, next: number): void {
  if (seg.lastInsn < 0) return;
  const hist = seg.hist;
  let h = hist.length;
  let i = seg.lastInsn;
  let subseq = next;
  for (let guard = 0; ; guard++) {
    const top = h > 0 ? hist[h - 1] : undefined;
    const entry = top !== undefined && top.idx === i ? top : undefined;
    if (!skipFirst) {
      // bt_sync_linked_regs: the copies a jump narrowed together are precise together
      if (entry?.linked !== undefined) syncLinkedPrecision(bt, entry.linked);
      backtrackInsn(program, i, subseq, entry, bt);
      if (entry?.linked !== undefined) syncLinkedPrecision(bt, entry.linked);
    }
    skipFirst = false;
    if (i === seg.firstInsn && (h === 0 || (h === 1 && entry !== undefined))) return;
    if (bt.keys.size === 0) return;
    subseq = i;
    if (entry !== undefined) {
      i = entry.prev;
      h--;
    } else {
      i = seqPrev(program, i);
    }
    if (i < 0 || guard > 10_000_000) throw new Unsupported('lost the path');
  }
}

/**
 * mark_chain_precision: `keys` (precisionKey/slotKey of the current frame) must be precise at the current
 * instruction, the last of `seg`; mark what they depend on in every stored state up the path.
 */
export function markChainPrecision(program: Program, seg: Segment, frame: number, keys: readonly number[]): void {
  if (keys.length === 0) return;
  const bt = new Backtrack(frame, keys);
  let s: Segment = seg;
  let skipFirst = true;
  let next = -1;
  try {
    for (;;) {
      backtrackSegment(program, s, bt, skipFirst, next);
      skipFirst = false;
      // the instruction after a stored state's segment is the first of the segment that followed it
      next = s.firstInsn;
      if (bt.keys.size === 0) return;
      const cp = s.parent;
      if (cp === undefined) return;
      if (bt.frame !== cp.state.frames.length - 1) throw new Unsupported('frame mismatch');
      for (const k of [...bt.keys]) {
        const fr = cp.state.frames[Math.floor(k / 128)];
        const r = k % 128;
        const scalar = r < 64 ? fr?.regs[r]?.kind === 'scalar' : fr?.stack.slots[r - 64]?.spilled?.kind === 'scalar';
        if (!scalar || cp.isPrecise(k)) bt.keys.delete(k);
        else cp.markPrecise(k);
      }
      if (bt.keys.size === 0) return;
      s = cp;
    }
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    // what backtracking cannot follow makes every scalar of every stored state on the path precise
    for (let cp = seg.parent; cp !== undefined; cp = cp.parent) cp.markAllPrecise();
  }
}
