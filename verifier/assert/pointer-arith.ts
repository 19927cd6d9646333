// Pointer arithmetic rules (the kernel's adjust_reg_min_max_vals / adjust_ptr_min_max_vals / check_reg_sane_offset):
// which ALU operations each pointer kind allows, in which privilege.
import type { AluInsn } from '../../bpf/index.ts';
import { S64_MIN, tnumIsConst, tnumStrn, type ScalarState } from '../domains/index.ts';
import type { Profile } from '../profiles.ts';
import { typeStr, type PtrReg, type RegState } from '../state/index.ts';
import { Reject, Unsupported } from './failure.ts';
import { assertMapValueAccess, BPF_MAX_VAR_OFF } from './memory.ts';

/** bpf_alu_string: how the kernel names an ALU operation in messages. */
export const ALU_STRING: Readonly<Record<string, string>> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=', neg: 'neg',
  mod: '%=', smod: 's%=', xor: '^=', mov: '=', arsh: 's>>=',
};

const NOT_ROOT = 'pointer arithmetic with it prohibited for !root';

/** sanitize_ptr_alu's mask direction: towards lower addresses when the offset moves the pointer down. */
function maskToLeft(op: string, off: ScalarState): boolean {
  const neg = off.smin < 0n;
  return (op === 'add' && neg) || (op === 'sub' && !neg);
}

/** retrieve_ptr_limit: how far the pointer may be masked; REASON_TYPE / REASON_LIMIT rejections. */
function sanitizeLimit(ptr: PtrReg, ptrRegno: number, toLeft: boolean, insn: AluInsn): bigint {
  let max: bigint;
  let limit: bigint;
  if (ptr.type === 'fp') {
    max = 512n + (toLeft ? 1n : 0n);
    limit = -(BigInt.asIntN(64, ptr.v.varOff.value) + BigInt(ptr.off));
  } else if (ptr.type === 'map_value') {
    max = BigInt(ptr.map!.valueSize);
    limit = (toLeft ? ptr.v.smin : ptr.v.umax) + BigInt(ptr.off);
  } else {
    throw new Reject(`R${ptrRegno} has pointer with unsupported alu operation, ${NOT_ROOT}`);
  }
  if (limit >= max) throw new Reject(`R${insn.dst} tried to ${insn.op === 'add' ? 'add' : 'subtract'} beyond pointer bounds, ${NOT_ROOT}`);
  return BigInt.asUintN(32, limit);
}

/** The committed masking (alu_state, alu_limit) per instruction and verification, for REASON_PATHS. */
const aluSanitation = new WeakMap<object, Map<AluInsn, string>>();

/**
 * After pointer arithmetic without CAP_PERFMON (adjust_ptr_min_max_vals' tail): the result must stay inside
 * its stack frame or map value (sanitize_check_bounds), and for register operands the masking window
 * (sanitize_ptr_alu's commit) must be the same on every path reaching the instruction. `run` identifies one
 * verification (the program context object).
 */
export function assertPointerAluResult(insn: AluInsn, plan: Extract<PointerAluPlan, { kind: 'ptr' }>, ptrIsDst: boolean, result: PtrReg, profile: Profile, run: object): void {
  if (profile.bypassSpecV1) return;
  const regno = insn.dst;
  if (result.type === 'fp') {
    const total = result.off + Number(BigInt.asIntN(64, result.v.varOff.value));
    if (!tnumIsConst(result.v.varOff)) {
      throw new Reject(`R${regno} variable stack access prohibited for !root, var_off=${tnumStrn(result.v.varOff)} off=${total}`);
    }
    if (total >= 0 || total < -512) throw new Reject(`R${regno} stack pointer arithmetic goes out of range, prohibited for !root; off=${total}`);
  } else if (result.type === 'map_value') {
    try {
      assertMapValueAccess(result, regno, 0, 1, 'read');
    } catch (e) {
      if (e instanceof Reject) throw new Reject(...e.lines, `R${regno} pointer arithmetic of map value goes out of range, prohibited for !root`);
      throw e;
    }
  }
  if (insn.source !== 'reg' || (insn.op !== 'add' && insn.op !== 'sub')) return;
  const toLeft = maskToLeft(insn.op, plan.off);
  const ptrRegno = ptrIsDst ? insn.dst : insn.src;
  const pre = sanitizeLimit(plan.ptr, ptrRegno, toLeft, insn);
  const post = sanitizeLimit(result, regno, toLeft, insn);
  const limit = pre > post ? pre - post : post - pre;
  const state = `${plan.off.smin < 0n ? 'neg' : 'pos'} ${tnumIsConst(plan.off.varOff) ? 'imm' : 'reg'} ${ptrIsDst ? 'src' : 'dst'} ${limit}`;
  let seen = aluSanitation.get(run);
  if (seen === undefined) aluSanitation.set(run, (seen = new Map()));
  const old = seen.get(insn);
  if (old !== undefined && old !== state) {
    throw new Reject(`R${regno} tried to ${insn.op === 'add' ? 'add' : 'subtract'} from different maps, paths or scalars, ${NOT_ROOT}`);
  }
  seen.set(insn, state);
}

/** What an ALU instruction with a pointer operand does, once allowed. */
export type PointerAluPlan =
  | { readonly kind: 'unknown-scalar' }
  | { readonly kind: 'ptr'; readonly ptr: PtrReg; readonly off: ScalarState; readonly op: 'add' | 'sub' };

function saneOffset(reg: ScalarState, type: string, constOnly?: boolean): void {
  // check_reg_sane_offset
  const known = tnumIsConst(reg.varOff);
  const val = reg.smin;
  if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
    throw new Reject(`math between ${type} pointer and ${val} is not allowed`);
  }
  if (constOnly === true) return;
  if (reg.smin === S64_MIN) throw new Reject(`math between ${type} pointer and register with unbounded min value is not allowed`);
  if (reg.smin >= BPF_MAX_VAR_OFF || reg.smin <= -BPF_MAX_VAR_OFF) {
    throw new Reject(`value ${reg.smin} makes ${type} pointer be out of bounds`);
  }
}

/**
 * Checks an ALU instruction where `dst` or `src` is a pointer and says what it computes.
 * `src` is the register operand, or the immediate as a constant scalar.
 */
export function assertPointerAlu(insn: AluInsn, dst: RegState, src: RegState, profile: Profile): PointerAluPlan {
  const op = insn.op;
  const name = ALU_STRING[op] ?? op;
  if (dst.kind === 'ptr' && src.kind === 'ptr') {
    if (op === 'sub' && profile.allowPtrLeaks) return { kind: 'unknown-scalar' };
    throw new Reject(`R${insn.dst} pointer ${name} pointer prohibited`);
  }
  let ptr: PtrReg;
  let off: ScalarState;
  let ptrRegno: number;
  if (dst.kind === 'ptr') {
    ptr = dst;
    ptrRegno = insn.dst;
    off = (src as { s: ScalarState }).s;
  } else {
    // scalar OP= pointer
    ptr = src as PtrReg;
    ptrRegno = insn.src;
    off = (dst as { s: ScalarState }).s;
  }
  if (insn.width === 32) {
    if (op === 'sub' && profile.allowPtrLeaks) return { kind: 'unknown-scalar' };
    throw new Reject(`R${insn.dst} 32-bit pointer arithmetic prohibited`);
  }
  if (ptr.type.endsWith('_or_null')) {
    throw new Reject(`R${insn.dst} pointer arithmetic on ${typeStr(ptr)} prohibited, null-check it first`);
  }
  const known = tnumIsConst(off.varOff);
  switch (ptr.type) {
    case 'ctx':
    case 'map_value':
    case 'fp':
    case 'pkt':
    case 'pkt_meta':
    case 'mem':
    case 'ringbuf_mem':
    case 'map_key':
      break;
    case 'func':
      throw new Unsupported('arithmetic on a function pointer');
    case 'map_ptr':
      if (known && off.smin === 0n && op === 'add') break;
      throw new Reject(`R${insn.dst} pointer arithmetic on ${ptr.type} prohibited`);
    default:
      throw new Reject(`R${insn.dst} pointer arithmetic on ${ptr.type} prohibited`);
  }
  saneOffset(off, ptr.type);
  saneOffset(ptr.v, ptr.type);
  // sanitize_ptr_alu (without CAP_PERFMON, register operands), before the operation
  if (!profile.bypassSpecV1 && insn.source === 'reg' && (op === 'add' || op === 'sub')) {
    const offRegno = ptrRegno === insn.dst ? insn.src : insn.dst;
    if (!known && off.smin < 0n !== off.smax < 0n) {
      throw new Reject(`R${offRegno} has unknown scalar with mixed signed bounds, ${NOT_ROOT}`);
    }
    sanitizeLimit(ptr, ptrRegno, maskToLeft(op, off), insn);
  }
  switch (op) {
    case 'add':
      return { kind: 'ptr', ptr, off, op };
    case 'sub':
      if (ptrRegno === insn.src) throw new Reject(`R${insn.dst} tried to subtract pointer from scalar`);
      if (ptr.type === 'fp') throw new Reject(`R${insn.dst} subtraction from stack pointer prohibited`);
      return { kind: 'ptr', ptr, off, op };
    case 'and':
    case 'or':
    case 'xor':
      throw new Reject(`R${insn.dst} bitwise operator ${name} on pointer prohibited`);
    default:
      throw new Reject(`R${insn.dst} pointer arithmetic with ${name} operator prohibited`);
  }
}
