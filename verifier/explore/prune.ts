// State pruning (the kernel's is_state_visited / states_equal / regsafe / stacksafe), coarser but sound: a new
// state is pruned only when a stored state at the same instruction covers it, register by register and stack
// byte by stack byte (ranges within, tnums within, same pointer kind, offsets and maps, consistent ids).
import { tnumIn, type ScalarState } from '../domains/index.ts';
import type { Profile } from '../profiles.ts';
import type { RegState, StackState, StackSlot, VerifierState } from '../state/index.ts';

function rangeWithin(old: ScalarState, cur: ScalarState): boolean {
  return (
    old.umin <= cur.umin && old.umax >= cur.umax && old.smin <= cur.smin && old.smax >= cur.smax &&
    old.u32min <= cur.u32min && old.u32max >= cur.u32max && old.s32min <= cur.s32min && old.s32max >= cur.s32max &&
    tnumIn(old.varOff, cur.varOff)
  );
}

/** A bijection between the ids of the old state and those of the current one (check_ids). */
class IdMap {
  #fwd = new Map<number, number>();
  #back = new Map<number, number>();
  check(old: number, cur: number): boolean {
    if (old === 0 && cur === 0) return true;
    if (old === 0 || cur === 0) return false;
    const f = this.#fwd.get(old);
    const b = this.#back.get(cur);
    if (f === undefined && b === undefined) {
      this.#fwd.set(old, cur);
      this.#back.set(cur, old);
      return true;
    }
    return f === cur && b === old;
  }
}

function regCovers(old: RegState, cur: RegState, ids: IdMap): boolean {
  if (old.kind === 'not_init') return true;
  if (old.kind === 'scalar') return cur.kind === 'scalar' && rangeWithin(old.s, cur.s);
  if (cur.kind !== 'ptr') return false;
  if (old.type !== cur.type || old.off !== cur.off || old.map !== cur.map || old.frame !== cur.frame || old.memSize !== cur.memSize || !ids.check(old.refObj, cur.refObj)) {
    return false;
  }
  if (!rangeWithin(old.v, cur.v)) return false;
  if (old.type === 'pkt' || old.type === 'pkt_meta') {
    if (cur.range < old.range) return false;
  }
  return ids.check(old.id, cur.id);
}

function slotCovers(old: StackSlot | undefined, cur: StackSlot | undefined, profile: Profile, ids: IdMap): boolean {
  const oldTypes = old?.types ?? Array(8).fill('invalid');
  const curTypes = cur?.types ?? Array(8).fill('invalid');
  if (old?.spilled !== undefined) {
    if (cur?.spilled === undefined || (old.spillSize ?? 8) !== (cur.spillSize ?? 8)) return false;
    if (!regCovers(old.spilled, cur.spilled, ids)) return false;
    for (let i = 0; i < 8; i++) if (oldTypes[i] !== curTypes[i] && oldTypes[i] !== 'invalid') return false;
    return true;
  }
  const curPtrSpill = cur?.spilled !== undefined && cur.spilled.kind === 'ptr';
  for (let i = 0; i < 8; i++) {
    const o = oldTypes[i];
    const c = curTypes[i];
    if (o === 'invalid') {
      // never read without CAP_PERFMON (that is an error); read as an unknown scalar with it
      if (profile.allowUninitStack && curPtrSpill) return false;
      continue;
    }
    if (o === 'misc') {
      if (c === 'misc' || c === 'zero') continue;
      if (c === 'spill' && !curPtrSpill) continue;
      if (c === 'invalid' && profile.allowUninitStack) continue;
      return false;
    }
    if (o === 'zero' && c === 'zero') continue;
    return false;
  }
  return true;
}

function stackCovers(old: StackState, cur: StackState, profile: Profile, ids: IdMap): boolean {
  const n = Math.max(old.slots.length, cur.slots.length);
  for (let i = 0; i < n; i++) {
    if (!slotCovers(old.slots[i], cur.slots[i], profile, ids)) return false;
  }
  return true;
}

/** Whether every execution from `cur` is one from `old` (so exploring `old` covers `cur`). */
export function stateCovers(old: VerifierState, cur: VerifierState, profile: Profile): boolean {
  if (old.frames.length !== cur.frames.length || old.refs.length !== cur.refs.length) return false;
  const ids = new IdMap();
  for (let i = 0; i < old.refs.length; i++) if (!ids.check(old.refs[i]!.id, cur.refs[i]!.id)) return false;
  for (let f = 0; f < old.frames.length; f++) {
    const o = old.frames[f]!;
    const c = cur.frames[f]!;
    if (o.callsite !== c.callsite || o.subprog !== c.subprog) return false;
    for (let r = 0; r < o.regs.length; r++) if (!regCovers(o.regs[r]!, c.regs[r]!, ids)) return false;
    if (!stackCovers(o.stack, c.stack, profile, ids)) return false;
  }
  return true;
}
