// Conditional jumps (the kernel's check_cond_jmp_op): decide the branch when the domains can, otherwise fork
// and refine each side: scalar bounds (reg_set_min_max), null checks of *_or_null pointers
// (mark_ptr_or_null_regs) and packet ranges from comparisons with pkt_end (try_match_pkt_pointers).
import type { JumpInsn } from '../../bpf/index.ts';
import { assertReadable, Reject, Unsupported, type ProgramContext } from '../assert/index.ts';
import { cloneScalar, isScalarBranchTaken, knownScalar, regSetMinMax, tnumIsConst, type ScalarState } from '../domains/index.ts';
import { constReg, scalarReg, type PtrReg, type RegState, type VerifierState } from '../state/index.ts';

export interface BranchOutcome {
  /** state continuing at the next instruction, if that side is possible */
  readonly fall?: VerifierState;
  /** state continuing at the jump target, if that side is possible */
  readonly taken?: VerifierState;
}

const isZero = (r: RegState): boolean => r.kind === 'scalar' && tnumIsConst(r.s.varOff) && r.s.varOff.value === 0n;
const isPkt = (r: RegState): r is PtrReg => r.kind === 'ptr' && (r.type === 'pkt' || r.type === 'pkt_meta' || r.type === 'pkt_end');

/** mark_ptr_or_null_regs: every register sharing the id becomes 0 (null side) or the non-null pointer. */
function markPtrOrNull(state: VerifierState, id: number, isNull: boolean): void {
  let refObj = 0;
  state.mapRegs((reg) => {
    if (reg.kind !== 'ptr' || reg.id !== id || !reg.type.endsWith('_or_null')) return reg;
    refObj = reg.refObj;
    if (isNull) return constReg(0n);
    if (reg.type === 'map_ptr_or_null') {
      return { ...reg, type: 'map_ptr', id: 0, ...(reg.map?.inner !== undefined ? { map: reg.map.inner } : {}) };
    }
    // mark_ptr_or_null_reg: a map value that may hold a spin lock keeps its id (the lock is known by it)
    const keepId = reg.type === 'map_value_or_null' && reg.map?.spinLockOff !== undefined;
    return { ...reg, type: reg.type === 'map_value_or_null' ? 'map_value' : 'ringbuf_mem', id: keepId ? reg.id : 0 };
  });
  // a null reservation holds nothing to release (release_reference_state)
  if (isNull && refObj !== 0) state.refs = state.refs.filter((r) => r.id !== refObj);
}

/** find_good_pkt_pointers */
function findGoodPktPointers(state: VerifierState, dst: PtrReg, rightOpen: boolean): void {
  if (dst.off < 0 || (dst.off === 0 && rightOpen)) return;
  if (dst.v.umax > 0xffffn || dst.v.umax + BigInt(dst.off) > 0xffffn) return;
  const range = dst.off + (rightOpen ? 1 : 0);
  state.mapRegs((reg) => (reg.kind === 'ptr' && reg.type === dst.type && reg.id === dst.id && reg.range < range ? { ...reg, range } : reg));
}

/** try_match_pkt_pointers: true when the comparison is one of the packet-range idioms. */
function matchPktPointers(insn: JumpInsn, fall: VerifierState, taken: VerifierState, dst: PtrReg, src: PtrReg): boolean {
  // reg_is_init_pkt_pointer: the packet start itself (no fixed or variable offset)
  const init = (r: PtrReg): boolean => r.type === 'pkt' && r.off === 0 && tnumIsConst(r.v.varOff) && r.v.varOff.value === 0n;
  const dstData = (dst.type === 'pkt' && src.type === 'pkt_end') || (dst.type === 'pkt_meta' && init(src));
  const srcData = (dst.type === 'pkt_end' && src.type === 'pkt') || (init(dst) && src.type === 'pkt_meta');
  switch (insn.op) {
    case 'jgt':
      if (dstData) findGoodPktPointers(fall, dst, false);
      else if (srcData) findGoodPktPointers(taken, src, true);
      else return false;
      return true;
    case 'jlt':
      if (dstData) findGoodPktPointers(taken, dst, true);
      else if (srcData) findGoodPktPointers(fall, src, false);
      else return false;
      return true;
    case 'jge':
      if (dstData) findGoodPktPointers(fall, dst, true);
      else if (srcData) findGoodPktPointers(taken, src, false);
      else return false;
      return true;
    case 'jle':
      if (dstData) findGoodPktPointers(taken, dst, false);
      else if (srcData) findGoodPktPointers(fall, src, true);
      else return false;
      return true;
    default:
      return false;
  }
}

/** `loops`: the program has back-edges (see the speculative paths below). */
export function execCondJump(state: VerifierState, insn: JumpInsn, ctx: ProgramContext, loops = true): BranchOutcome {
  assertReadable(state, insn.dst);
  if (insn.source === 'reg') assertReadable(state, insn.src);
  const jmp32 = insn.width === 32;
  const dst = state.reg(insn.dst);
  const src: RegState =
    insn.source === 'reg' ? state.reg(insn.src) : scalarReg(knownScalar(BigInt.asUintN(64, BigInt(insn.imm))));
  if (!ctx.profile.allowPtrLeaks && insn.source === 'reg' && src.kind === 'ptr' && !(isPkt(dst) && isPkt(src))) {
    throw new Reject(`R${insn.src} pointer comparison prohibited`);
  }
  if (dst.kind === 'scalar' && src.kind === 'scalar') {
    const taken = isScalarBranchTaken(dst.s, src.s, insn.op, jmp32);
    // Without CAP_PERFMON the kernel also walks the other side speculatively (sanitize_speculative_path). An
    // error there only inserts a nospec barrier since 6.17 (no verdict changes), but in a program with loops
    // the speculative states take part in loop detection (the kernel rejects a plain bounded loop as an
    // infinite loop that way): unsupported there.
    if (taken !== 'unknown' && !ctx.profile.bypassSpecV1 && loops) {
      throw new Unsupported('verification of the speculative path of a decided branch (Spectre v1, without CAP_PERFMON)');
    }
    if (taken === 'taken') return { taken: state };
    if (taken === 'not-taken') return { fall: state };
    const other = state.clone();
    // reg_set_min_max refines the registers in place: give each state its own copies first (states share
    // register objects)
    const regsOf = (s: VerifierState): [ScalarState, ScalarState] => {
      const d = cloneScalar((s.reg(insn.dst) as { s: ScalarState }).s);
      s.setReg(insn.dst, scalarReg(d));
      if (insn.source !== 'reg') return [d, knownScalar(BigInt.asUintN(64, BigInt(insn.imm)))];
      if (insn.src === insn.dst) return [d, d];
      const r = cloneScalar((s.reg(insn.src) as { s: ScalarState }).s);
      s.setReg(insn.src, scalarReg(r));
      return [d, r];
    };
    const [fd, fs] = regsOf(state);
    const [td, ts] = regsOf(other);
    regSetMinMax({ trueReg1: td, trueReg2: ts, falseReg1: fd, falseReg2: fs }, insn.op, { isJmp32: jmp32 });
    return { fall: state, taken: other };
  }
  // a pointer that cannot be null compared with 0 (is_branch_taken for pointers)
  if (!jmp32 && (insn.op === 'jeq' || insn.op === 'jne')) {
    // reg_not_null: the kinds the kernel knows are not null (not the stack, context or packet: both sides of
    // `if r10 == 0` are explored there, so are they here)
    const notNull = (r: RegState): boolean =>
      r.kind === 'ptr' && (r.type === 'map_value' || r.type === 'map_ptr' || r.type === 'mem' || r.type === 'ringbuf_mem');
    const ptrVsZero = (notNull(dst) && isZero(src)) || (notNull(src) && isZero(dst));
    if (ptrVsZero && !ctx.profile.bypassSpecV1 && loops) {
      throw new Unsupported('verification of the speculative path of a decided branch (Spectre v1, without CAP_PERFMON)');
    }
    if (ptrVsZero) return insn.op === 'jeq' ? { fall: state } : { taken: state };
  }
  const other = state.clone();
  if (!jmp32 && insn.source === 'imm' && insn.imm === 0 && (insn.op === 'jeq' || insn.op === 'jne') && dst.kind === 'ptr' && dst.type.endsWith('_or_null')) {
    markPtrOrNull(state, dst.id, insn.op === 'jne');
    markPtrOrNull(other, dst.id, insn.op === 'jeq');
    return { fall: state, taken: other };
  }
  if (!jmp32 && dst.kind === 'ptr' && src.kind === 'ptr' && matchPktPointers(insn, state, other, dst, src)) {
    return { fall: state, taken: other };
  }
  if (!ctx.profile.allowPtrLeaks && dst.kind === 'ptr') throw new Reject(`R${insn.dst} pointer comparison prohibited`);
  return { fall: state, taken: other };
}
