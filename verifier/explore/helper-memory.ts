// Memory a helper reads or writes through a pointer argument (the kernel's check_helper_mem_access; for the
// stack check_stack_range_initialized), and what its writes leave on the stack.
//
// Stack arguments at a constant offset: inside the frame; a read needs every byte initialised (any byte with
// CAP_PERFMON) and, without CAP_PERFMON, no byte of a spilled pointer (it would leak into the helper); a write
// without reading (MEM_UNINIT, the kernel's raw mode) needs nothing. At a variable offset (root only) every
// byte the range may cover is checked as for a read, and a write turns them all into misc bytes.
import { checkAccessSize, Reject, Unsupported, type HelperMemoryAccess, type ProgramContext } from '../assert/index.ts';
import { tnumIsConst, tnumStrn } from '../domains/index.ts';
import type { Profile } from '../profiles.ts';
import type { PtrReg, VerifierState } from '../state/index.ts';
import { checkAccess, type StackTracker } from './memory.ts';

const BPF_MAX_VAR_OFF = 1 << 29;

/** The memory check helper calls make for `state` (see HelperMemoryAccess). */
export function helperMemoryAccess(state: VerifierState, ctx: ProgramContext, track: StackTracker): HelperMemoryAccess {
  return (regno, ptr, size, t, zeroOk, pktOk) => {
    if ((ptr.type === 'pkt' || ptr.type === 'pkt_meta') && !pktOk) throw new Reject('helper access to the packet is not allowed');
    if (size === 0 && zeroOk) return;
    checkAccessSize(size);
    if (ptr.type === 'fp') {
      if (size === 0) throw new Reject('invalid zero-sized read');
      const range = helperStackAccess(state, ptr, regno, size, t, ctx.profile);
      if (t === 'read' || range.variable) track.read(ptr.frame, range.min, range.end - range.min);
      return;
    }
    // __check_mem_access refuses a zero size at any region: its wording per region is not modelled
    if (size === 0) throw new Unsupported(`a zero-sized ${ptr.type} argument where the helper needs memory`);
    checkAccess(state, ptr, regno, 0, size, t, ctx, undefined);
  };
}

/** The stack bytes fp+min .. fp+end-1 a helper argument may cover, and whether its offset is variable. */
export interface StackRange {
  readonly min: number;
  readonly end: number;
  readonly variable: boolean;
}

function stackRange(ptr: PtrReg, regno: number, size: number, t: 'read' | 'write'): StackRange {
  const where = t === 'write' ? 'write to' : 'read from';
  if (tnumIsConst(ptr.v.varOff)) {
    const off = ptr.off + Number(BigInt.asIntN(64, ptr.v.varOff.value));
    if (off < -512 || off + size > 0) throw new Reject(`invalid ${where} stack R${regno} off=${off} size=${size}`);
    return { min: off, end: off + size, variable: false };
  }
  if (ptr.v.smax >= BigInt(BPF_MAX_VAR_OFF) || ptr.v.smin <= -BigInt(BPF_MAX_VAR_OFF)) {
    throw new Reject(`invalid unbounded variable-offset ${where} stack R${regno}`);
  }
  const min = Number(ptr.v.smin) + ptr.off;
  const end = Number(ptr.v.smax) + ptr.off + size;
  if (min < -512 || min > -1 || end > 0) {
    throw new Reject(`invalid variable-offset ${where} stack R${regno} var_off=${tnumStrn(ptr.v.varOff)} off=${ptr.off} size=${size}`);
  }
  return { min, end, variable: true };
}

/** check_stack_range_initialized for a helper argument of `size` bytes. */
export function helperStackAccess(state: VerifierState, ptr: PtrReg, regno: number, size: number, t: 'read' | 'write', profile: Profile): StackRange {
  const range = stackRange(ptr, regno, size, t);
  const frame = state.frames[ptr.frame];
  if (frame === undefined) throw new Unsupported('a pointer to the stack of a returned frame');
  const stack = frame.stack;
  stack.touch(range.min);
  if (range.variable && !profile.bypassSpecV1) {
    throw new Reject(`R${regno} variable offset stack access prohibited for !root, var_off=${tnumStrn(ptr.v.varOff)}`);
  }
  // raw mode: a constant-offset write the helper makes without reading
  if (t === 'write' && !range.variable) return range;
  const { min, end } = range;
  if (!profile.allowUninitStack && !range.variable) {
    let all = true;
    for (let o = min; o < end && all; o++) all = stack.byteType(o) === 'invalid';
    if (all) throw new Reject(`invalid read from stack R${regno} off=${min} size=${size}`);
  }
  for (let o = min; o < end; o++) {
    const b = stack.byteType(o);
    if (b === 'misc' || b === 'zero' || (b === 'invalid' && profile.allowUninitStack)) continue;
    if (b === 'spill' && (stack.slotAt(o)?.spilled?.kind === 'scalar' || profile.allowPtrLeaks)) continue;
    const at = range.variable ? `var_off ${tnumStrn(ptr.v.varOff)}+${o - min}` : `off ${min}+${o - min}`;
    throw new Reject(`invalid read from stack R${regno} ${at} size ${size}`);
  }
  return range;
}

/**
 * The stack a helper wrote becomes misc bytes (a spill there is scrubbed): `size` bytes at a constant
 * offset, or at a variable offset every byte the range may cover.
 */
export function applyHelperWrites(state: VerifierState, writes: readonly { readonly regno: number; readonly size: number }[]): void {
  for (const w of writes) {
    const ptr = state.reg(w.regno);
    if (ptr.kind !== 'ptr' || ptr.type !== 'fp' || w.size <= 0) continue;
    const stack = state.frames[ptr.frame]!.stack;
    if (tnumIsConst(ptr.v.varOff)) stack.writeBytes(ptr.off + Number(BigInt.asIntN(64, ptr.v.varOff.value)), w.size, 'misc');
    else stack.writeVarOff(Number(ptr.v.smin) + ptr.off, Number(ptr.v.smax) + ptr.off + w.size, false);
  }
}
