// A straight-line interpreter of scalar-only instructions over the domains, for the kernel comparison: it
// follows the fall-through path the kernel explores first and records each register state the kernel would
// print after an instruction.
import type { Instruction } from '../../../bpf/index.ts';
import {
  adjustScalarMinMaxVals,
  cloneScalar,
  coerceRegToSizeSx,
  coerceSubregToSizeSx,
  forkMinusOneOrZero,
  forksMinusOneOrZero,
  isScalarBranchTaken,
  knownScalar,
  regBoundsSync,
  regSetMinMax,
  unknownScalar,
  zext32To64,
  type BranchTaken,
  type ScalarState,
} from '../../../verifier/domains/index.ts';

export type Regs = Map<number, ScalarState>;

export interface StepResult {
  /** registers the kernel prints after the instruction (on the fall-through path) */
  readonly printed: readonly number[];
  /** for a conditional jump: the prediction, and the refined true-branch registers when undecided */
  readonly branch?: { readonly taken: BranchTaken; readonly trueRegs?: Regs };
  /** the kernel forked the state here (a [-1, 0] scalar before and/or): later paths interleave in its log */
  readonly forked?: boolean;
}

function reg(regs: Regs, n: number): ScalarState {
  const r = regs.get(n);
  if (r === undefined) throw new RangeError(`r${n} is not initialised`);
  return r;
}

/** The kernel's fake source register for an immediate: `__mark_reg_known(insn->imm)` (sign-extended). */
const immReg = (imm: number): ScalarState => knownScalar(BigInt(imm));

/** Applies one instruction in place; throws on anything outside the scalar subset. */
export function step(regs: Regs, insn: Instruction): StepResult {
  switch (insn.kind) {
    case 'call':
      regs.set(0, unknownScalar());
      for (let i = 1; i <= 5; i++) regs.delete(i);
      return { printed: [0] };
    case 'lddw':
      if (insn.pseudo !== 'none') throw new TypeError(`sim: pseudo ld_imm64 ${insn.pseudo}`);
      regs.set(insn.dst, knownScalar(insn.value));
      return { printed: [insn.dst] };
    case 'endian': {
      const d = reg(regs, insn.dst);
      adjustScalarMinMaxVals(d, d, { op: 'end', alu32: insn.order !== 'swap', order: insn.order, bits: insn.bits });
      return { printed: [insn.dst] };
    }
    case 'alu': {
      const alu32 = insn.width === 32;
      if (insn.op === 'mov') {
        if (insn.source === 'imm') {
          regs.set(insn.dst, knownScalar(alu32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm)));
          return { printed: [insn.dst] };
        }
        const s = cloneScalar(reg(regs, insn.src));
        if (alu32) {
          zext32To64(s);
          regBoundsSync(s);
        }
        regs.set(insn.dst, s);
        return { printed: insn.dst === insn.src ? [insn.dst] : [insn.src, insn.dst].sort((a, b) => a - b) };
      }
      if (insn.op === 'movsx8' || insn.op === 'movsx16' || insn.op === 'movsx32') {
        const size = insn.op === 'movsx8' ? 1 : insn.op === 'movsx16' ? 2 : 4;
        const s = cloneScalar(reg(regs, insn.src));
        if (alu32) {
          coerceSubregToSizeSx(s, size as 1 | 2);
          zext32To64(s);
          regBoundsSync(s);
        } else {
          coerceRegToSizeSx(s, size);
        }
        regs.set(insn.dst, s);
        return { printed: insn.dst === insn.src ? [insn.dst] : [insn.src, insn.dst].sort((a, b) => a - b) };
      }
      if (insn.op === 'sdiv' || insn.op === 'smod') {
        regs.set(insn.dst, unknownScalar());
        return { printed: [insn.dst] };
      }
      const d = reg(regs, insn.dst);
      const src = insn.op === 'neg' ? d : insn.source === 'reg' ? reg(regs, insn.src) : immReg(insn.imm);
      const alu = { op: insn.op, alu32 };
      // the kernel explores the 0 case later; the fall-through path continues with -1
      const forked = forksMinusOneOrZero(d, src, alu);
      if (forked) forkMinusOneOrZero(d);
      adjustScalarMinMaxVals(d, src, alu);
      d.id = 0;
      const printed = insn.source === 'reg' && insn.op !== 'neg' && insn.src !== insn.dst ? [insn.dst, insn.src] : [insn.dst];
      return { printed: printed.sort((a, b) => a - b), forked };
    }
    case 'jump': {
      const isJmp32 = insn.width === 32;
      const d = reg(regs, insn.dst);
      const s = insn.source === 'reg' ? reg(regs, insn.src) : immReg(insn.imm);
      const taken = isScalarBranchTaken(d, s, insn.op, isJmp32);
      const printed = insn.source === 'reg' ? [...new Set([insn.dst, insn.src])].sort((a, b) => a - b) : [insn.dst];
      if (taken !== 'unknown') return { printed, branch: { taken } };
      const trueRegs: Regs = new Map([...regs].map(([k, v]) => [k, cloneScalar(v)]));
      const td = reg(trueRegs, insn.dst);
      const ts = insn.source === 'reg' ? reg(trueRegs, insn.src) : immReg(insn.imm);
      regSetMinMax({ trueReg1: td, trueReg2: ts, falseReg1: d, falseReg2: s }, insn.op, { isJmp32, strict: false });
      return { printed, branch: { taken, trueRegs } };
    }
    default:
      throw new TypeError(`sim: unsupported instruction ${insn.kind}`);
  }
}
