// Scalars linked by `rX += K` (Linux >= 6.10, BPF_ADD_CONST): a copy of a scalar that then gets a constant
// added stays linked to the original, so a bounds check on either narrows both, shifted by K.
//
//   r7 = r6           r6, r7: id=1                          (assign_scalar_id_before_mov, copy_register_state)
//   r7 += 4           r7: id=1+4  (addConst 64, off=4)      (adjust_reg_min_max_vals, bpf_capable)
//   if r6 > 8 ...     fall-through: r6 in [0,8], r7 in [4,12]  (sync_linked_regs: r7 = r6 + (4 - 0))
//
// `wX += K` links too (BPF_ADD_CONST32, addConst 32) when the upper half of X was zero before it: the 32-bit
// sum then is the value, and a shifted copy is zero-extended. A 32-bit and a 64-bit link of one id do not
// narrow each other (their difference is not a constant). Only one `+= K` (or `-= K`) per link: a second
// one, or K outside the s32 range, breaks it, as do copies (`r8 = r7` gives r7 a fresh id first). This file
// holds the scalar side; exploration decides when each applies. What this kernel (6.18.44) does was probed
// live (test/verifier/linked-scalar-cases.ts, checked against the kernel by test/oracle).
import { scalar32MinMaxAdd, scalarMinMaxAdd } from './scalar-alu.ts';
import { isRegConst, regConstValue } from './scalar-branch.ts';
import { cloneScalar, knownScalar, regBoundsSync, S32_MAX, S32_MIN, U32_MAX, zext32To64, type ScalarState } from './scalar.ts';
import { tnumAdd } from './tnum.ts';

/**
 * The end of adjust_reg_min_max_vals for two scalars: `dst` (already computed, id still the operand's) keeps
 * a link only as `rX += K` / `rX -= K` (offset -K) with K a constant in [S32_MIN, S32_MAX] (not S32_MIN for a
 * subtraction) — for `wX`, K's low 32 bits as an s32 and only when dst's umax before the op (`dstUmaxBefore`)
 * fits in 32 bits — on a scalar not linked that way yet, and only with `bpf_capable`; otherwise its id and
 * offset are cleared.
 */
export function linkAfterAlu(
  dst: ScalarState,
  src: ScalarState,
  insn: { readonly op: string; readonly alu32: boolean; readonly bpfCapable: boolean; readonly dstUmaxBefore: bigint },
): void {
  if (insn.bpfCapable && (insn.op === 'add' || insn.op === 'sub') && dst.id !== 0 && isRegConst(src, insn.alu32)) {
    const val = regConstValue(src, insn.alu32);
    let fits: boolean;
    let k: number;
    if (insn.alu32) {
      fits = insn.dstUmaxBefore <= BigInt(U32_MAX);
      k = Number(BigInt.asIntN(32, val));
    } else {
      const k64 = BigInt.asIntN(64, val);
      fits = k64 >= BigInt(S32_MIN) && k64 <= BigInt(S32_MAX);
      k = Number(k64);
    }
    if (insn.op === 'sub') {
      // negating S32_MIN would overflow
      if (k === S32_MIN) fits = false;
      k = -k;
    }
    if (dst.addConst !== false || !fits) {
      // a second constant cannot be accumulated into off; a larger one could overflow in sync_linked_regs
      dst.id = 0;
      dst.addConst = false;
      dst.off = 0;
    } else {
      dst.addConst = insn.alu32 ? 32 : 64;
      dst.off = k;
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
 * by the difference of their offsets when either was linked by `+= K`. Returns the new scalar (`reg` itself
 * when a 32-bit and a 64-bit link meet: not narrowed).
 *
 * With the same offset (or no `+= K` on either) `reg` is a plain copy of `known`, id and flag included.
 * Otherwise `reg` = `known` + (reg.off - known.off), keeping its own id, flag and offset (this kernel keeps
 * them: a later check on the original shifts it again), zero-extended when either link is 32-bit, its
 * bounds then synchronised.
 */
export function syncLinkedScalar(reg: ScalarState, known: ScalarState): ScalarState {
  if (reg.addConst !== false && known.addConst !== false && reg.addConst !== known.addConst) return reg;
  // an offset counts only with its flag (the kernel shifts `r8 = r7 + 3` by 3 even when r7 once had a `+= 5`)
  const regOff = reg.addConst !== false ? reg.off : 0;
  const knownOff = known.addConst !== false ? known.off : 0;
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
  if (reg.addConst === 32 || known.addConst === 32) zext32To64(out);
  // not in the 6.18 source, but this kernel syncs the bounds here (r6 = [4, 9] - 4 prints var_off=(0x0; 0x7))
  regBoundsSync(out);
  return out;
}
