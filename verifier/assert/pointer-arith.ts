// Pointer arithmetic rules (the kernel's adjust_reg_min_max_vals / adjust_ptr_min_max_vals / check_reg_sane_offset):
// which ALU operations each pointer kind allows, in which privilege.
import type { AluInsn } from '../../bpf/index.ts';
import { S64_MIN, tnumIsConst, type ScalarState } from '../domains/index.ts';
import type { Profile } from '../profiles.ts';
import { typeStr, type PtrReg, type RegState } from '../state/index.ts';
import { Reject, Unsupported } from './failure.ts';
import { BPF_MAX_VAR_OFF } from './memory.ts';

/** bpf_alu_string: how the kernel names an ALU operation in messages. */
export const ALU_STRING: Readonly<Record<string, string>> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=', neg: 'neg',
  mod: '%=', smod: 's%=', xor: '^=', mov: '=', arsh: 's>>=',
};

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
  // sanitize_ptr_alu (without CAP_PERFMON, register operands): only stack and map value pointers have a limit
  if (!profile.bypassSpecV1 && insn.source === 'reg' && (op === 'add' || op === 'sub')) {
    if (ptr.type !== 'fp' && ptr.type !== 'map_value') {
      throw new Reject(`R${ptrRegno} has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root`);
    }
    throw new Unsupported('Spectre v1 hardening of pointer arithmetic (sanitize_ptr_alu) without CAP_PERFMON');
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
