// Scalars linked by `rX += K` (Linux >= 6.10, BPF_ADD_CONST): a copy of a scalar that then gets a constant
// added stays linked to the original, so a bounds check on either narrows both, shifted by K.
//
//   r7 = r6           r6, r7: id=1                          (assign_scalar_id_before_mov, copy_register_state)
//   r7 += 4           r7: id=1+4  (addConst, off=4)         (adjust_reg_min_max_vals, 64-bit add, bpf_capable)
//   if r6 > 8 ...     fall-through: r6 in [0,8], r7 in [4,12]  (sync_linked_regs: r7 = r6 + (4 - 0))
//
// Only one `+= K` (or `-= K`) per link: a second one, or K outside the s32 range, breaks it, as do copies
// (`r8 = r7` gives r7 a fresh id first). This file holds the scalar side; exploration decides when each applies.
import { scalar32MinMaxAdd, scalarMinMaxAdd } from './scalar-alu.ts';
import { cloneScalar, knownScalar, regBoundsSync, S32_MAX, S32_MIN, type ScalarState } from './scalar.ts';
import { tnumAdd, tnumIsConst } from './tnum.ts';

/** is_reg_const(reg, false): one 64-bit value. */
function isConst64(s: ScalarState): boolean {
  return tnumIsConst(s.varOff) && s.smin === s.smax && s.umin === s.umax;
}

/**
 * The end of adjust_reg_min_max_vals for two scalars: `dst` (already computed, id still the operand's) keeps
 * a link only as `rX += K` or `rX -= K` (offset -K) with K a 64-bit constant in [S32_MIN, S32_MAX] (not
 * S32_MIN for a subtraction), on a scalar not linked that way yet, and only with `bpf_capable`; otherwise its
 * id and offset are cleared. This kernel (6.18.44, checked live) also links 32-bit
 * `wX += K` / `wX -= K`; that is not modelled (such a link is cleared: we know less, never more).
 */
export function linkAfterAlu(dst: ScalarState, src: ScalarState, insn: { readonly op: string; readonly alu32: boolean; readonly bpfCapable: boolean }): void {
  if (insn.bpfCapable && (insn.op === 'add' || insn.op === 'sub') && !insn.alu32 && dst.id !== 0 && isConst64(src)) {
    const k = BigInt.asIntN(64, src.varOff.value);
    const fits = k >= BigInt(S32_MIN) && k <= BigInt(S32_MAX) && !(insn.op === 'sub' && k === BigInt(S32_MIN));
    if (dst.addConst || !fits) {
      // a second constant cannot be accumulated into off; a larger one could overflow in sync_linked_regs
      dst.id = 0;
      dst.addConst = false;
      dst.off = 0;
    } else {
      dst.addConst = true;
      dst.off = Number(insn.op === 'sub' ? -k : k);
    }
    return;
  }
  dst.id = 0;
  dst.addConst = false;
  dst.off = 0;
}

/**
 * The first half of assign_scalar_id_before_mov: a scalar linked by `+= K` about to be copied loses that link
 * (only one K per link can be tracked). Returns whether it did; the caller then gives it a fresh id.
 */
export function dropAddConst(s: ScalarState): boolean {
  if (s.id === 0 || !s.addConst) return false;
  s.id = 0;
  s.addConst = false;
  s.off = 0;
  return true;
}

/**
 * sync_linked_regs for one linked scalar: `reg` becomes `known` (the scalar a branch just narrowed), shifted
 * by the difference of their offsets when either was linked by `+= K`. Returns the new scalar.
 *
 * With the same offset (or no `+= K` on either) `reg` is a plain copy of `known`, id and flag included.
 * Otherwise `reg` = `known` + (reg.off - known.off), keeping its own id, flag and offset (this kernel keeps
 * them: a later check on the original shifts it again), its bounds then synchronised.
 */
export function syncLinkedScalar(reg: ScalarState, known: ScalarState): ScalarState {
  // an offset counts only with its flag (the kernel shifts `r8 = r7 + 3` by 3 even when r7 once had a `+= 5`)
  const regOff = reg.addConst ? reg.off : 0;
  const knownOff = known.addConst ? known.off : 0;
  if (regOff === knownOff) return cloneScalar(known);
  // offsets are s32, their difference may not be: computed exactly
  const delta = knownScalar(BigInt(regOff) - BigInt(knownOff));
  const out = cloneScalar(known);
  out.id = reg.id;
  out.addConst = reg.addConst;
  out.off = reg.off;
  scalar32MinMaxAdd(out, delta);
  scalarMinMaxAdd(out, delta);
  out.varOff = tnumAdd(out.varOff, delta.varOff);
  // not in the 6.18 source, but this kernel syncs the bounds here (r6 = [4, 9] - 4 prints var_off=(0x0; 0x7))
  regBoundsSync(out);
  return out;
}
