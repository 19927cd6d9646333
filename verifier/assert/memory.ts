// Memory access requirements per region (the kernel's check_mem_access and the per-type checks it calls:
// check_stack_access_within_bounds, check_stack_read_fixed_off, check_ctx_access, check_packet_access,
// check_map_access, check_mem_region_access, check_ptr_alignment).
import { ctxAccess, type CtxAccessResult, type ProgTypeName } from '../../bpf/index.ts';
import { S64_MIN, tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, tnumStrn } from '../domains/index.ts';
import type { Profile } from '../profiles.ts';
import { formatReg, typeStr, type PtrReg, type RegState, type StackState } from '../state/index.ts';
import { Reject, Unsupported } from './failure.ts';

export type AccessType = 'read' | 'write';

export interface ProgramContext {
  readonly progType: ProgTypeName;
  readonly attachType?: string;
  readonly profile: Profile;
}

/** BPF_MAX_VAR_OFF: variable offsets must stay below 2^29. */
export const BPF_MAX_VAR_OFF = 1n << 29n;
const MAX_PACKET_OFF = 0xffff;

/** The register can be dereferenced at all (`R1 invalid mem access 'scalar'`). */
export function assertDereferenceable(reg: RegState, regno: number): asserts reg is PtrReg {
  if (reg.kind === 'not_init') throw new Reject(`R${regno} !read_ok`);
  if (reg.kind === 'scalar') throw new Reject(`R${regno} invalid mem access 'scalar'`);
  switch (reg.type) {
    case 'ctx':
    case 'pkt':
    case 'pkt_meta':
    case 'map_value':
    case 'fp':
    case 'mem':
    case 'ringbuf_mem':
    case 'map_key':
    case 'sock_common':
    case 'sock':
    case 'tcp_sock':
      return;
    default:
      throw new Reject(`R${regno} invalid mem access '${typeStr(reg)}'`);
  }
}

function constVar(reg: PtrReg): number | undefined {
  return tnumIsConst(reg.v.varOff) ? Number(BigInt.asIntN(64, reg.v.varOff.value)) : undefined;
}

/** Stack access at fp+off: within the frame and aligned; returns the offset from the frame pointer. */
export function assertStackAccess(reg: PtrReg, regno: number, insnOff: number, size: number, t: AccessType): number {
  const v = constVar(reg);
  if (v === undefined) throw new Unsupported('variable-offset stack access');
  // check_ptr_alignment: stack accesses are always strict
  if ((reg.off + insnOff + v) % size !== 0) {
    const tn = tnumIsConst(reg.v.varOff) ? `${BigInt.asIntN(64, reg.v.varOff.value)}` : tnumStrn(reg.v.varOff);
    throw new Reject(`misaligned stack access off ${tn}+${reg.off}+${insnOff} size ${size}`);
  }
  const off = reg.off + insnOff + v;
  if (off < -512 || off + size > 0) {
    throw new Reject(`invalid ${t === 'write' ? 'write to' : 'read from'} stack R${regno} off=${off} size=${size}`);
  }
  return off;
}

/**
 * A stack access at a variable offset (check_stack_access_within_bounds, root only: unprivileged programs
 * cannot make such pointers): aligned, bounded, and every byte it may touch inside the frame. Returns the
 * range of bytes fp+min .. fp+end-1 it may touch.
 */
export function assertStackVarAccess(reg: PtrReg, regno: number, insnOff: number, size: number, t: AccessType, profile: Profile): { min: number; end: number } {
  const tn = tnumStrn(reg.v.varOff);
  // check_ptr_alignment: stack accesses are always strict
  if (!tnumIsAligned(tnumAdd(reg.v.varOff, tnumConst(BigInt.asUintN(64, BigInt(reg.off + insnOff)))), BigInt(size))) {
    throw new Reject(`misaligned stack access off ${tn}+${reg.off}+${insnOff} size ${size}`);
  }
  const where = t === 'write' ? ' write to' : ' read from';
  if (reg.v.smax >= BPF_MAX_VAR_OFF || reg.v.smin <= -BPF_MAX_VAR_OFF) throw new Reject(`invalid unbounded variable-offset${where} stack R${regno}`);
  const off = reg.off + insnOff;
  const min = Number(reg.v.smin) + off;
  const end = Number(reg.v.smax) + off + size;
  // check_stack_slot_within_bounds: reads below the allocated stack need allow_uninit_stack
  if (!profile.allowUninitStack && t === 'read') throw new Unsupported('a variable-offset stack read without CAP_PERFMON');
  if (min < -512 || min > -1 || end > 0) {
    throw new Reject(`invalid variable-offset${where} stack R${regno} var_off=${tn} off=${off} size=${size}`);
  }
  if (!profile.bypassSpecV1) throw new Reject(`R${regno} variable offset stack access prohibited for !root, var_off=${tn}`);
  return { min, end };
}

/** Reads of stack bytes never written: allowed with CAP_PERFMON (allow_uninit_stack), refused otherwise. */
export function assertStackInitialised(stack: StackState, off: number, size: number, regno: number, profile: Profile): void {
  if (profile.allowUninitStack) return;
  const invalid = Array.from({ length: size }, (_, i) => stack.byteType(off + i) === 'invalid');
  if (invalid.every(Boolean)) throw new Reject(`invalid read from stack R${regno} off=${off} size=${size}`);
  const i = invalid.indexOf(true);
  if (i >= 0) throw new Reject(`invalid read from stack off ${off}+${i} size ${size}`);
}

/** Context access through ctxAccess; returns what the field yields. */
export function assertCtxAccess(
  reg: PtrReg,
  regno: number,
  insnOff: number,
  size: number,
  t: AccessType,
  ctx: ProgramContext,
): Extract<CtxAccessResult, { ok: true }> {
  if (reg.off !== 0) throw new Reject(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
  if (!tnumIsConst(reg.v.varOff) || reg.v.varOff.value !== 0n) {
    throw new Reject(`variable ctx access var_off=${tnumStrn(reg.v.varOff)} disallowed`);
  }
  const r = ctxAccess(ctx.progType, insnOff, size, t, ctx.attachType !== undefined ? { attachType: ctx.attachType } : {});
  if (r === undefined) throw new Unsupported(`context access rules of ${ctx.progType} programs`);
  if (!r.ok) throw new Reject(`invalid bpf_context access off=${insnOff} size=${size}`);
  return r;
}

/** may_access_direct_pkt_data */
export function packetWritable(progType: ProgTypeName): boolean {
  return ['sched_cls', 'sched_act', 'xdp', 'lwt_xmit', 'sk_skb', 'sk_msg'].includes(progType);
}

/** Direct packet access within the range learnt from data_end comparisons. */
export function assertPacketAccess(reg: PtrReg, regno: number, insnOff: number, size: number, t: AccessType, ctx: ProgramContext): void {
  if (t === 'write' && !packetWritable(ctx.progType)) throw new Reject('cannot write into packet');
  if (reg.v.smin < 0n) {
    throw new Reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  const off = reg.off + insnOff;
  if (off < 0 || off + size > reg.range || reg.v.umax + BigInt(off + size) > BigInt(MAX_PACKET_OFF) + 1n) {
    throw new Reject(
      `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${reg.range})`,
      `R${regno} offset is outside of the packet`,
    );
  }
}

/** check_map_access / check_mem_region_access: [smin+off, umax+off+size) inside the value. */
function assertRegion(reg: PtrReg, regno: number, insnOff: number, size: number, memSize: number, what: (off: number) => string): void {
  const off = reg.off + insnOff;
  const smin = reg.v.smin;
  if (smin < 0n && (smin === S64_MIN || BigInt.asIntN(32, BigInt(off) + smin) !== BigInt(off) + smin || smin + BigInt(off) < 0n)) {
    throw new Reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  const lo = Number(smin) + off;
  if (lo < 0 || lo + size > memSize) throw new Reject(what(lo), `R${regno} min value is outside of the allowed memory range`);
  if (reg.v.umax >= BPF_MAX_VAR_OFF) {
    throw new Reject(`R${regno} unbounded memory access, make sure to bounds check any such access`);
  }
  const hi = Number(reg.v.umax) + off;
  if (hi < 0 || hi + size > memSize) throw new Reject(what(hi), `R${regno} max value is outside of the allowed memory range`);
}

/** Map value access within value_size (and no writes into a read-only map). */
export function assertMapValueAccess(reg: PtrReg, regno: number, insnOff: number, size: number, t: AccessType): void {
  const map = reg.map!;
  if (t === 'write' && map.readOnly) {
    throw new Reject(`write into map forbidden, value_size=${map.valueSize} off=${reg.off + insnOff} size=${size}`);
  }
  assertRegion(reg, regno, insnOff, size, map.valueSize, (off) => `invalid access to map value, value_size=${map.valueSize} off=${off} size=${size}`);
  // check_map_access: no load, store or helper access may touch any byte of the lock
  const lock = map.spinLockOff;
  const off = BigInt(reg.off + insnOff);
  if (lock !== undefined && reg.v.smin + off < BigInt(lock + BPF_SPIN_LOCK_SIZE) && BigInt(lock) < reg.v.umax + off + BigInt(size)) {
    throw new Reject('bpf_spin_lock cannot be accessed directly by load/store');
  }
}

const BPF_SPIN_LOCK_SIZE = 4;

/** PTR_TO_MEM (ringbuf records, helper memory) within its size. */
export function assertMemAccess(reg: PtrReg, regno: number, insnOff: number, size: number): void {
  assertRegion(reg, regno, insnOff, size, reg.memSize, (off) => `invalid access to memory, mem_size=${reg.memSize} off=${off} size=${size}`);
}

/** Unprivileged: a pointer must not be stored where the program or user space can read it back. */
export function assertNoLeak(value: RegState, valueRegno: number, into: PtrReg, profile: Profile): void {
  if (profile.allowPtrLeaks || value.kind !== 'ptr') return;
  if (into.type === 'map_value') throw new Reject(`R${valueRegno} leaks addr into map`);
  if (into.type === 'ctx') throw new Reject(`R${valueRegno} leaks addr into ctx`);
  if (into.type === 'pkt' || into.type === 'pkt_meta') throw new Reject(`R${valueRegno} leaks addr into packet`);
  if (into.type === 'mem' || into.type === 'ringbuf_mem') throw new Reject(`R${valueRegno} leaks addr into mem`);
}

export { formatReg };

/** Access sizes a region check understands (helper memory may be any size up to 2^29). */
export function checkAccessSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new Unsupported(`memory access of ${size} bytes`);
}
