// ALU instructions on a state (the kernel's check_alu_op, adjust_reg_min_max_vals, adjust_ptr_min_max_vals).
import type { AluInsn, EndianInsn } from '../../bpf/index.ts';
import { assertPointerAlu, assertPointerAluResult, assertReadable, assertWritable, Reject, Unsupported, type ProgramContext } from '../assert/index.ts';
import {
  adjustScalarMinMaxVals,
  clearScalarId,
  cloneScalar,
  coerceRegToSizeSx,
  coerceSubregToSizeSx,
  dropAddConst,
  knownScalar,
  linkAfterAlu,
  regBoundsSync,
  tnumIsConst,
  unknownScalar,
  zext32To64,
  type ScalarAluOp,
  type ScalarState,
} from '../domains/index.ts';
import { cloneReg, scalarReg, type RegState, type VerifierState } from '../state/index.ts';

export interface IdSource {
  nextId(): number;
}

/**
 * assign_scalar_id_before_mov: a scalar about to be copied gets an id (unless it is a constant), so that the
 * copies share it and a bounds check on one narrows all (sync_linked_regs). One linked by `rX += K` loses
 * that link first (a copy cannot carry a second offset). Returns the source's scalar.
 */
export function assignScalarIdBeforeMov(state: VerifierState, regno: number, ids: IdSource, frame = state.frames.length - 1): ScalarState {
  const reg = state.frames[frame]!.regs[regno]!;
  if (reg.kind !== 'scalar') throw new TypeError(`r${regno} is not a scalar`);
  let s = reg.s;
  if (s.id !== 0 && s.addConst) {
    // registers are shared between states: change a copy
    s = cloneScalar(s);
    dropAddConst(s);
    state.frames[frame]!.regs[regno] = scalarReg(s);
  }
  if (s.id !== 0 || tnumIsConst(s.varOff)) return s;
  s = cloneScalar(s);
  s.id = ids.nextId();
  state.frames[frame]!.regs[regno] = scalarReg(s);
  return s;
}

/** get_reg_width: the number of bits the scalar's unsigned maximum needs. */
export const regWidth = (s: ScalarState): number => s.umax.toString(2).length - (s.umax === 0n ? 1 : 0);

function execMov(state: VerifierState, insn: AluInsn, ctx: ProgramContext, ids: IdSource): void {
  if (insn.source === 'imm') {
    assertWritable(insn.dst);
    const v = insn.width === 64 ? BigInt.asUintN(64, BigInt(insn.imm)) : BigInt(insn.imm >>> 0);
    state.setReg(insn.dst, scalarReg(knownScalar(v)));
    return;
  }
  assertReadable(state, insn.src);
  assertWritable(insn.dst);
  const src = state.reg(insn.src);
  if (src.kind === 'ptr') {
    if (insn.op !== 'mov') throw new Reject(`R${insn.src} sign-extension part of pointer`);
    if (insn.width === 64) {
      state.setReg(insn.dst, cloneReg(src));
      return;
    }
    if (!ctx.profile.allowPtrLeaks) throw new Reject(`R${insn.src} partial copy of pointer`);
    state.setReg(insn.dst, scalarReg(unknownScalar()));
    return;
  }
  const size = insn.op === 'movsx8' ? 1 : insn.op === 'movsx16' ? 2 : insn.op === 'movsx32' ? 4 : 0;
  // the copy keeps the source's value (and so may share its id): a plain 64-bit copy; a 32-bit copy of a
  // value below 2^32; a sign extension of a value whose sign bit at that width is clear
  const srcS = (src as { s: ScalarState }).s;
  const same = size !== 0 ? srcS.umax < 1n << BigInt(size * 8 - 1) : insn.width === 64 || regWidth(srcS) <= 32;
  const s = cloneScalar(same ? assignScalarIdBeforeMov(state, insn.src, ids) : srcS);
  if (!same) clearScalarId(s);
  if (insn.width === 64) {
    if (size !== 0) coerceRegToSizeSx(s, size as 1 | 2 | 4);
  } else {
    if (size === 1 || size === 2) coerceSubregToSizeSx(s, size);
    zext32To64(s);
    regBoundsSync(s);
  }
  state.setReg(insn.dst, scalarReg(s));
}

export function execAlu(state: VerifierState, insn: AluInsn, ctx: ProgramContext, ids: IdSource): void {
  if (insn.op === 'mov' || insn.op === 'movsx8' || insn.op === 'movsx16' || insn.op === 'movsx32') {
    execMov(state, insn, ctx, ids);
    return;
  }
  if (insn.source === 'reg') assertReadable(state, insn.src);
  assertReadable(state, insn.dst);
  assertWritable(insn.dst);
  if (insn.source === 'imm') {
    if ((insn.op === 'div' || insn.op === 'mod' || insn.op === 'sdiv' || insn.op === 'smod') && insn.imm === 0) {
      throw new Reject('div by zero');
    }
    if ((insn.op === 'lsh' || insn.op === 'rsh' || insn.op === 'arsh') && (insn.imm < 0 || insn.imm >= insn.width)) {
      throw new Reject(`invalid shift ${insn.imm}`);
    }
  }
  const dst = state.reg(insn.dst);
  const src: RegState = insn.op === 'neg' ? dst : insn.source === 'reg' ? state.reg(insn.src) : scalarReg(knownScalar(BigInt.asUintN(64, BigInt(insn.imm))));
  if (dst.kind === 'ptr' || src.kind === 'ptr') {
    if (insn.op === 'neg') {
      if (!ctx.profile.allowPtrLeaks) throw new Reject(`R${insn.dst} pointer arithmetic prohibited`);
      throw new Unsupported('neg of a pointer');
    }
    const plan = assertPointerAlu(insn, dst, src, ctx.profile);
    if (plan.kind === 'unknown-scalar') {
      state.setReg(insn.dst, scalarReg(unknownScalar()));
      return;
    }
    const ptr = { ...plan.ptr, v: cloneScalar(plan.ptr.v) };
    const off = plan.off;
    if (tnumIsConst(off.varOff)) {
      const c = Number(BigInt.asIntN(64, off.varOff.value));
      ptr.off = plan.op === 'add' ? ptr.off + c : ptr.off - c;
      if (ptr.off !== (ptr.off | 0)) throw new Reject(`R${insn.dst} pointer arithmetic overflows`);
    } else {
      adjustScalarMinMaxVals(ptr.v, off, { op: plan.op, alu32: false });
      if (ptr.type === 'pkt' || ptr.type === 'pkt_meta') {
        ptr.id = ids.nextId();
        ptr.range = 0;
      }
    }
    assertPointerAluResult(insn, plan, dst.kind === 'ptr', ptr, ctx.profile, ctx);
    state.setReg(insn.dst, ptr);
    return;
  }
  const d = cloneScalar((dst as { s: ScalarState }).s);
  const srcS = (src as { s: ScalarState }).s;
  const dstUmaxBefore = d.umax;
  adjustScalarMinMaxVals(d, srcS, { op: insn.op as ScalarAluOp, alu32: insn.width === 32 });
  // the result shares nothing with the operand's copies, except `rX += K` (adjust_reg_min_max_vals)
  linkAfterAlu(d, srcS, { op: insn.op, alu32: insn.width === 32, bpfCapable: ctx.profile.bpfCapable, dstUmaxBefore });
  state.setReg(insn.dst, scalarReg(d));
}

export function execEndian(state: VerifierState, insn: EndianInsn): void {
  assertReadable(state, insn.dst);
  assertWritable(insn.dst);
  const dst = state.reg(insn.dst);
  if (dst.kind !== 'scalar') throw new Unsupported('byte swap of a pointer');
  const d = cloneScalar(dst.s);
  clearScalarId(d);
  adjustScalarMinMaxVals(d, d, { op: 'end', alu32: insn.order !== 'swap', order: insn.order, bits: insn.bits });
  state.setReg(insn.dst, scalarReg(d));
}
