// State comparison for pruning (the kernel's states_equal / func_states_equal / regsafe / stacksafe /
// refsafe). An explored state `old` covers the current state `cur` when every execution from `cur` is one
// `old` has already shown safe. Three strengths, as the kernel's exact_level:
//
//   not-exact     registers not live at the instruction are ignored; scalars the explored continuation did not
//                 need precisely (no precision mark) match any scalar; others must lie within old's range
//   range-within  the same, but every scalar is compared by range (marks may be incomplete: callbacks)
//   exact         everything identical (infinite loop detection)
import { scalarIdKey, tnumIn, unknownScalar, type ScalarState } from '../domains/index.ts';
import type { FrameState, RegState, StackSlot, VerifierState } from '../state/index.ts';

export type ExactLevel = 'not-exact' | 'range-within' | 'exact';

export interface CompareOptions {
  readonly level: ExactLevel;
  /** CAP_PERFMON: reading uninitialised stack is allowed, so misc and invalid bytes are alike */
  readonly allowUninitStack: boolean;
  /** live registers of frame `f` of `old` (bit r for register r) */
  liveRegs(f: number): number;
  /** what pruning learnt about `old` */
  readonly marks: PruneMarks;
  /**
   * env->explore_alu_limits: without CAP_PERFMON, once a pointer moved by a register that is not a constant,
   * scalars compare only when identical (bounds and ids), precise or not
   */
  readonly exploreAluLimits?: boolean;
}

/** Precision and stack liveness marks of an explored state. */
export interface PruneMarks {
  /** whether the scalar in register r (key f * 128 + r) or stack slot spi (f * 128 + 64 + spi) is precise */
  isPrecise(key: number): boolean;
  /** whether the explored continuation read stack slot spi of frame f (not-exact: others are ignored) */
  isRead(f: number, spi: number): boolean;
}


/**
 * A bijection between ids of the old state and of the current one (check_ids, check_scalar_ids): pairs in two
 * arrays scanned linearly, as the kernel's bpf_idmap (there are few ids per state). One scratch map is reset
 * for each comparison.
 */
class IdMap {
  readonly #old: number[] = [];
  readonly #cur: number[] = [];
  #tmp = -1;
  reset(): this {
    this.#old.length = 0;
    this.#cur.length = 0;
    this.#tmp = -1;
    return this;
  }
  check(old: number, cur: number): boolean {
    if (old === 0 && cur === 0) return true;
    if (old === 0 || cur === 0) return false;
    const o = this.#old;
    const c = this.#cur;
    for (let i = 0; i < o.length; i++) {
      if (o[i] === old) return c[i] === cur;
      if (c[i] === cur) return false;
    }
    o.push(old);
    c.push(cur);
    return true;
  }
  /**
   * check_scalar_ids: a scalar without id gets a fresh temporary one, so that `0 vs unique id` pairs match,
   * but a current id already paired with another old id does not.
   */
  checkScalar(old: number, cur: number): boolean {
    return this.check(old === 0 ? this.#tmp-- : old, cur === 0 ? this.#tmp-- : cur);
  }
}

const SCRATCH = new IdMap();

function rangeWithin(old: ScalarState, cur: ScalarState): boolean {
  return (
    old.umin <= cur.umin && old.umax >= cur.umax && old.smin <= cur.smin && old.smax >= cur.smax &&
    old.u32min <= cur.u32min && old.u32max >= cur.u32max && old.s32min <= cur.s32min && old.s32max >= cur.s32max &&
    tnumIn(old.varOff, cur.varOff)
  );
}

/** memcmp up to `id`: the bounds, the tnum and a linked scalar's `+= K` offset. */
function scalarsIdentical(a: ScalarState, b: ScalarState): boolean {
  return (
    a.off === b.off && a.umin === b.umin && a.umax === b.umax && a.smin === b.smin && a.smax === b.smax && a.u32min === b.u32min &&
    a.u32max === b.u32max && a.s32min === b.s32min && a.s32max === b.s32max && a.varOff.value === b.varOff.value &&
    a.varOff.mask === b.varOff.mask
  );
}

/** regs_exact: the same register, ids up to the bijection. */
function regsExact(old: RegState, cur: RegState, ids: IdMap): boolean {
  if (old.kind !== cur.kind) return false;
  if (old.kind === 'not_init') return true;
  if (old.kind === 'scalar') return scalarsIdentical(old.s, (cur as typeof old).s) && ids.check(scalarIdKey(old.s), scalarIdKey((cur as typeof old).s));
  const c = cur as typeof old;
  return (
    old.type === c.type && old.off === c.off && old.map === c.map && old.frame === c.frame && old.memSize === c.memSize &&
    old.subprog === c.subprog && old.range === c.range && scalarsIdentical(old.v, c.v) && ids.check(old.id, c.id) &&
    ids.check(old.refObj, c.refObj)
  );
}

/** regsafe: whether `cur` is safe wherever `old` was. */
function regSafe(old: RegState, cur: RegState, precise: boolean, level: ExactLevel, ids: IdMap, aluLimits = false): boolean {
  if (level === 'exact') return regsExact(old, cur, ids);
  if (old.kind === 'not_init') return true;
  if (old.kind !== cur.kind) return false;
  if (old.kind === 'scalar') {
    const c = (cur as typeof old).s;
    if (aluLimits) return scalarsIdentical(old.s, c) && ids.checkScalar(scalarIdKey(old.s), scalarIdKey(c));
    if (!precise && level === 'not-exact') return true;
    // a scalar linked by `+= K` matches only one linked the same way, by the same K
    if (old.s.addConst !== c.addConst) return false;
    if (old.s.addConst && old.s.off !== c.off) return false;
    return ids.checkScalar(scalarIdKey(old.s), scalarIdKey(c)) && rangeWithin(old.s, c);
  }
  const c = cur as typeof old;
  if (old.type !== c.type) return false;
  switch (old.type) {
    case 'map_value':
    case 'map_value_or_null':
    case 'mem':
    case 'ringbuf_mem':
    case 'ringbuf_mem_or_null':
      return (
        old.off === c.off && old.map === c.map && old.memSize === c.memSize && rangeWithin(old.v, c.v) &&
        ids.check(old.id, c.id) && ids.check(old.refObj, c.refObj)
      );
    case 'pkt':
    case 'pkt_meta':
      // at least the range old had; the fixed offset compared too (stricter than the kernel, never looser)
      return c.range >= old.range && old.off === c.off && ids.check(old.id, c.id) && rangeWithin(old.v, c.v);
    default:
      return regsExact(old, cur, ids);
  }
}

const INVALID_ALL = ['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid'] as const;

/** The kernel's unbound_reg: an unknown scalar without id, what a load of all-misc bytes gives. */
const UNBOUND: RegState = Object.freeze({ kind: 'scalar', s: unknownScalar() });

/** scalar_reg_for_stack: a 64-bit spilled scalar, or all bytes misc (an unknown imprecise scalar); else none. */
function scalarForSlot(slot: StackSlot | undefined, allowUninit: boolean): RegState | undefined {
  if (slot?.spilled !== undefined && (slot.spillSize ?? 8) === 8 && slot.spilled.kind === 'scalar') return slot.spilled;
  const types = slot?.types ?? INVALID_ALL;
  for (let i = 0; i < 8; i++) {
    const t = types[i];
    if (t !== 'misc' && !(t === 'invalid' && allowUninit)) return undefined;
  }
  return UNBOUND;
}

/** stacksafe, slot by slot (our byte j is fp-8*(spi+1)+j; the kernel's slot_type index is 7-j). */
function stackSafe(o: FrameState, c: FrameState, f: number, opts: CompareOptions, ids: IdMap): boolean {
  const oldSlots = o.stack.slots;
  const curSlots = c.stack.slots;
  const level = opts.level;
  for (let spi = 0; spi < oldSlots.length; spi++) {
    // a slot the explored continuation never read is dead there
    if (level === 'not-exact' && !opts.marks.isRead(f, spi)) continue;
    const os = oldSlots[spi];
    // a pointer where old had bytes it may have read as a scalar (uninitialised reads are allowed): the
    // kernel would match them; we do not, as the continuation could use the pointer differently
    if (opts.allowUninitStack && level !== 'exact' && curSlots[spi]?.spilled?.kind === 'ptr' && os?.spilled?.kind !== 'ptr') return false;
    if (os === undefined) {
      if (level !== 'not-exact') {
        const cs = curSlots[spi];
        if (cs !== undefined && cs.types.some((t) => t !== 'invalid')) return false;
      }
      continue;
    }
    const cs = curSlots[spi];
    const ot = os.types;
    const ct = cs?.types ?? INVALID_ALL;
    if (level !== 'not-exact') {
      // exact and range-within: the same byte kinds (stacksafe with exact != NOT_EXACT)
      for (let j = 0; j < 8; j++) if (ot[j] !== ct[j]) return false;
      if (level === 'exact') {
        if (os.spilled !== undefined && !regsExact(os.spilled, cs!.spilled!, ids)) return false;
        continue;
      }
    }
    let relevant = false;
    for (let j = 0; j < 8; j++) {
      const t = ot[j];
      if (t === 'invalid' || (t === 'misc' && opts.allowUninitStack)) continue;
      relevant = true;
      break;
    }
    if (!relevant) continue;
    // 64-bit scalar spills against all-misc slots, both ways
    const oldScalar = scalarForSlot(os, opts.allowUninitStack);
    const curScalar = oldScalar === undefined ? undefined : scalarForSlot(cs, opts.allowUninitStack);
    if (oldScalar !== undefined && curScalar !== undefined) {
      // the unbound register is never precise
      const precise = oldScalar !== UNBOUND && opts.marks.isPrecise(f * 128 + 64 + spi);
      if (!regSafe(oldScalar, curScalar, precise, opts.level, ids, opts.exploreAluLimits === true)) return false;
      continue;
    }
    for (let j = 0; j < 8; j++) {
      const t = ot[j];
      if (t === 'invalid' || (t === 'misc' && opts.allowUninitStack)) continue;
      if (t === 'misc' && ct[j] === 'zero') continue;
      if (t !== ct[j]) return false;
    }
    if (ot[0] === 'spill') {
      if (cs?.spilled === undefined || (os.spillSize ?? 8) !== (cs.spillSize ?? 8)) return false;
      if (!regSafe(os.spilled!, cs.spilled, opts.marks.isPrecise(f * 128 + 64 + spi), opts.level, ids, opts.exploreAluLimits === true)) return false;
    }
  }
  if (level === 'exact') {
    for (let spi = oldSlots.length; spi < curSlots.length; spi++) {
      const cs = curSlots[spi];
      if (cs !== undefined && cs.types.some((t) => t !== 'invalid')) return false;
    }
  }
  return true;
}

/** states_equal: the same call chain and references, and every frame covered. */
export function statesEqual(old: VerifierState, cur: VerifierState, opts: CompareOptions): boolean {
  // what held on a speculative path says nothing about a real one (the reverse is fine)
  if (old.speculative && !cur.speculative) return false;
  if (old.frames.length !== cur.frames.length || old.refs.length !== cur.refs.length) return false;
  const ids = SCRATCH.reset();
  for (let i = 0; i < old.refs.length; i++) {
    if (old.refs[i]!.lock !== cur.refs[i]!.lock || !ids.check(old.refs[i]!.id, cur.refs[i]!.id)) return false;
  }
  for (let f = 0; f < old.frames.length; f++) {
    const o = old.frames[f]!;
    const c = cur.frames[f]!;
    if (o.callsite !== c.callsite || o.subprog !== c.subprog || o.callback !== c.callback) return false;
  }
  // the current frame first: it differs most often (the answer does not depend on the order)
  for (let f = old.frames.length - 1; f >= 0; f--) {
    const o = old.frames[f]!;
    const c = cur.frames[f]!;
    const live = opts.liveRegs(f);
    for (let r = 0; r < 11; r++) {
      if ((live & (1 << r)) === 0) continue;
      if (!regSafe(o.regs[r]!, c.regs[r]!, opts.marks.isPrecise(f * 128 + r), opts.level, ids, opts.exploreAluLimits === true)) return false;
    }
    if (!stackSafe(o, c, f, opts, ids)) return false;
  }
  return true;
}

/** states_maybe_looping: the current frame's live registers are identical (a cheap filter before exact). */
export function statesMaybeLooping(old: VerifierState, cur: VerifierState, live: number): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  const o = old.cur;
  const c = cur.cur;
  const ids = SCRATCH.reset();
  for (let r = 0; r < 11; r++) {
    if ((live & (1 << r)) === 0) continue;
    if (!regsExact(o.regs[r]!, c.regs[r]!, ids)) return false;
  }
  return true;
}
