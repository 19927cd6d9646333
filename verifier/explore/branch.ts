// Conditional jumps (the kernel's check_cond_jmp_op): decide the branch when the domains can, otherwise fork
// and refine each side: scalar bounds (reg_set_min_max), null checks of *_or_null pointers
// (mark_ptr_or_null_regs) and packet ranges from comparisons with pkt_end (try_match_pkt_pointers).
import type { JumpInsn } from '../../bpf/index.ts';
import { assertReadable, Reject, type ProgramContext } from '../assert/index.ts';
import { cloneScalar, isScalarBranchTaken, knownScalar, regSetMinMax, syncLinkedScalar, tnumIsConst, unknownScalar, type ScalarState } from '../domains/index.ts';
import { precisionKey, slotKey } from './precision.ts';
import { constReg, scalarReg, type PtrReg, type PtrType, type RegState, type VerifierState } from '../state/index.ts';

export interface BranchOutcome {
  /** state continuing at the next instruction, if that side is possible */
  readonly fall?: VerifierState;
  /** state continuing at the jump target, if that side is possible */
  readonly taken?: VerifierState;
  /**
   * a decided branch without CAP_PERFMON: the side never taken, walked speculatively with the compared
   * registers unknown (sanitize_speculative_path); `speculativeTaken` says which side it is
   */
  readonly speculative?: VerifierState;
  readonly speculativeTaken?: boolean;
  /**
   * an undecided branch on scalars with ids: where their copies live (precisionKey/slotKey), when more than
   * one, for the jump history (precision follows the copies back)
   */
  readonly linked?: readonly number[];
}

/** A place holding a scalar: a register or a spilled stack slot of a frame (struct linked_reg). */
interface Linked {
  readonly frame: number;
  readonly reg?: number;
  readonly spi?: number;
}

/** LINKED_REGS_MAX: the copies one jump records; more lose their id. */
const LINKED_REGS_MAX = 6;

/**
 * collect_linked_regs: every scalar with `id` (copies and `rX += K` links alike), current frame first,
 * registers then spilled slots.
 */
function collectLinked(state: VerifierState, id: number, out: Linked[]): void {
  const take = (reg: RegState, at: Linked, drop: (r: RegState) => void): void => {
    if (reg.kind !== 'scalar' || reg.s.id !== id) return;
    if (out.length < LINKED_REGS_MAX) out.push(at);
    else drop(scalarReg({ ...cloneScalar(reg.s), id: 0, addConst: false }));
  };
  for (let f = state.frames.length - 1; f >= 0; f--) {
    const fr = state.frames[f]!;
    for (let r = 0; r < 10; r++) take(fr.regs[r]!, { frame: f, reg: r }, (x) => (fr.regs[r] = x));
    fr.stack.slots.forEach((slot, spi) => {
      // is_spilled_reg: the slot's lowest byte is a spill byte
      if (slot?.spilled === undefined || slot.types[0] !== 'spill') return;
      take(slot.spilled, { frame: f, spi }, (x) => (slot.spilled = x));
    });
  }
}

/**
 * sync_linked_regs: every scalar linked to the register at `regno` (refined by the branch) becomes what it is
 * now, shifted by their difference when linked by `rX += K` (syncLinkedScalar).
 */
function syncLinked(state: VerifierState, regno: number, linked: readonly Linked[]): void {
  const known = state.reg(regno);
  if (known.kind !== 'scalar' || known.s.id === 0) return;
  const cur = state.frames.length - 1;
  for (const e of linked) {
    if (e.frame === cur && e.reg === regno) continue;
    const fr = state.frames[e.frame]!;
    if (e.reg !== undefined) {
      const r = fr.regs[e.reg]!;
      if (r.kind === 'scalar' && r.s.id === known.s.id) fr.regs[e.reg] = scalarReg(syncLinkedScalar(r.s, known.s));
    } else {
      const slot = fr.stack.slots[e.spi!];
      const r = slot?.spilled;
      if (slot !== undefined && r?.kind === 'scalar' && r.s.id === known.s.id) slot.spilled = scalarReg(syncLinkedScalar(r.s, known.s));
    }
  }
}

/** sanitize_speculative_path: the other side of a decided branch, its compared registers unknown scalars. */
function speculativeSide(state: VerifierState, insn: JumpInsn, taken: boolean): BranchOutcome {
  const spec = state.clone();
  spec.speculative = true;
  spec.setReg(insn.dst, scalarReg(unknownScalar()));
  if (insn.source === 'reg') spec.setReg(insn.src, scalarReg(unknownScalar()));
  return taken ? { taken: state, speculative: spec, speculativeTaken: false } : { fall: state, speculative: spec, speculativeTaken: true };
}

const isZero = (r: RegState): boolean => r.kind === 'scalar' && tnumIsConst(r.s.varOff) && r.s.varOff.value === 0n;
const isPkt = (r: RegState): r is PtrReg => r.kind === 'ptr' && (r.type === 'pkt' || r.type === 'pkt_meta' || r.type === 'pkt_end');

/** socket kinds reg_not_null knows are not null (and a bpf_for_each_map_elem callback's key) */
const NOT_NULL_SOCKETS: ReadonlySet<string> = new Set(['sock_common', 'sock', 'tcp_sock', 'map_key']);

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
    return { ...reg, type: reg.type.slice(0, -'_or_null'.length) as PtrType, id: keepId ? reg.id : 0 };
  });
  // a null reservation holds nothing to release (release_reference_state)
  // (only the acquired pointer itself: a cast such as bpf_sk_fullsock's result shares a reference it did not take)
  if (isNull && refObj !== 0 && refObj === id) state.refs = state.refs.filter((r) => r.id !== refObj);
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

export function execCondJump(state: VerifierState, insn: JumpInsn, ctx: ProgramContext): BranchOutcome {
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
    // Without CAP_PERFMON the kernel also walks the other side speculatively (sanitize_speculative_path)
    if (taken !== 'unknown' && !ctx.profile.bypassSpecV1) return speculativeSide(state, insn, taken === 'taken');
    if (taken === 'taken') return { taken: state };
    if (taken === 'not-taken') return { fall: state };
    // the copies of the compared scalars, recorded before the fork so that both sides share the record
    const linked: Linked[] = [];
    if (insn.source === 'reg' && src.kind === 'scalar' && src.s.id !== 0) collectLinked(state, src.s.id, linked);
    const dstNow = state.reg(insn.dst);
    if (dstNow.kind === 'scalar' && dstNow.s.id !== 0) collectLinked(state, dstNow.s.id, linked);
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
    if (linked.length === 0) return { fall: state, taken: other };
    if (insn.source === 'reg') {
      syncLinked(state, insn.src, linked);
      syncLinked(other, insn.src, linked);
    }
    syncLinked(state, insn.dst, linked);
    syncLinked(other, insn.dst, linked);
    if (linked.length < 2) return { fall: state, taken: other };
    const keys = linked.map((e) => (e.reg !== undefined ? precisionKey(e.frame, e.reg) : slotKey(e.frame, e.spi!)));
    return { fall: state, taken: other, linked: keys };
  }
  // a pointer that cannot be null compared with 0 (is_branch_taken for pointers)
  if (!jmp32 && (insn.op === 'jeq' || insn.op === 'jne')) {
    // reg_not_null: the kinds the kernel knows are not null (not the stack, context or packet: both sides of
    // `if r10 == 0` are explored there, so are they here)
    const notNull = (r: RegState): boolean =>
      r.kind === 'ptr' && (r.type === 'map_value' || r.type === 'map_ptr' || r.type === 'mem' || r.type === 'ringbuf_mem' || NOT_NULL_SOCKETS.has(r.type));
    const ptrVsZero = (notNull(dst) && isZero(src)) || (notNull(src) && isZero(dst));
    if (ptrVsZero && !ctx.profile.bypassSpecV1) return speculativeSide(state, insn, insn.op === 'jne');
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
