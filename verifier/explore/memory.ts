// Loads, stores and atomics: the assertions of assert/memory.ts applied to a state, then the state updated
// (the kernel's check_mem_access, check_stack_read/write_fixed_off, check_atomic).
import type { AtomicInsn, LoadInsn, StoreImmInsn, StoreRegInsn } from '../../bpf/index.ts';
import {
  assertCtxAccess,
  assertDereferenceable,
  assertMapValueAccess,
  assertMemAccess,
  assertNoLeak,
  packetWritable,
  assertPacketAccess,
  assertReadable,
  assertSocketAccess,
  assertStackAccess,
  assertStackInitialised,
  assertStackVarAccess,
  assertWritable,
  Reject,
  Unsupported,
  type AccessType,
  type ProgramContext,
} from '../assert/index.ts';
import {
  clearScalarId,
  cloneScalar,
  coerceRegToSize,
  dropAddConst,
  coerceRegToSizeSx,
  knownScalar,
  tnumIsConst,
  unknownScalar,
  type ScalarState,
} from '../domains/index.ts';
import { cloneReg, constReg, typeStr, ptrReg, scalarReg, type PtrReg, type RegState, type ScalarReg, type StackSlot, type VerifierState } from '../state/index.ts';
import { regWidth, type IdSource } from './alu.ts';

/** An unknown value loaded with `size` bytes (zero- or sign-extended): computed once per kind, then copied. */
const UNKNOWN_OF_SIZE = new Map<number, ScalarState>();

function unknownOfSize(size: number, signed: boolean): ScalarState {
  const key = signed ? -size : size;
  let t = UNKNOWN_OF_SIZE.get(key);
  if (t === undefined) {
    t = unknownScalar();
    if (size < 8) {
      if (signed) coerceRegToSizeSx(t, size as 1 | 2 | 4);
      else coerceRegToSize(t, size as 1 | 2 | 4);
    }
    UNKNOWN_OF_SIZE.set(key, t);
  }
  return cloneScalar(t);
}

/** Stack reads and whole-slot writes, for stack slot liveness. */
export interface StackTracker {
  read(frame: number, off: number, size: number): void;
  write(frame: number, off: number, size: number): void;
}

/** Checks an access of `size` bytes at ptr+off, returning the stack offset for stack accesses. */
export function checkAccess(
  state: VerifierState,
  ptr: PtrReg,
  regno: number,
  off: number,
  size: number,
  t: AccessType,
  ctx: ProgramContext,
  value: { reg: RegState; regno: number } | undefined,
  track?: StackTracker,
): number | undefined {
  // check_mem_access refuses a leaked pointer before the region's own checks (for packets, after "cannot write")
  const packet = ptr.type === 'pkt' || ptr.type === 'pkt_meta';
  if (t === 'write' && value !== undefined && ptr.type !== 'fp' && (!packet || packetWritable(ctx.progType))) {
    assertNoLeak(value.reg, value.regno, ptr, ctx.profile);
  }
  switch (ptr.type) {
    case 'fp': {
      const o = assertStackAccess(ptr, regno, off, size, t);
      const frame = state.frames[ptr.frame];
      if (frame === undefined) throw new Unsupported('a pointer to the stack of a returned frame');
      if (t === 'read') {
        assertStackInitialised(frame.stack, o, size, regno, ctx.profile);
        track?.read(ptr.frame, o, size);
      }
      return o;
    }
    case 'ctx':
      assertCtxAccess(ptr, regno, off, size, t, ctx);
      break;
    case 'pkt':
    case 'pkt_meta':
      assertPacketAccess(ptr, regno, off, size, t, ctx);
      break;
    case 'map_value':
      assertMapValueAccess(ptr, regno, off, size, t);
      break;
    case 'mem':
    case 'ringbuf_mem':
      assertMemAccess(ptr, regno, off, size);
      break;
    case 'map_key':
      // check_mem_access for PTR_TO_MAP_KEY: read-only, key_size bytes
      if (t === 'write') throw new Reject(`write to change key R${regno} not allowed`);
      assertMemAccess(ptr, regno, off, size);
      break;
    case 'sock_common':
    case 'sock':
    case 'tcp_sock':
      assertSocketAccess(ptr, regno, off, size, t);
      break;
    default:
      throw new Reject(`R${regno} invalid mem access '${typeStr(ptr)}'`);
  }
  return undefined;
}

/**
 * What an instruction did to the stack that precision tracking follows: the slot it spilled a register into
 * or filled one from (frame * 64 + spi), and whether the stored register must be precise (a zero kept as
 * zero bytes, which backtracking cannot follow).
 */
export interface StackEffect {
  readonly slot?: number;
  readonly preciseSrc?: boolean;
}

const slotId = (frame: number, off: number): number => frame * 64 + Math.floor((-off - 1) / 8);

/**
 * What `size` bytes read at fp+off give (check_stack_read_fixed_off), and whether it is a fill (restores a
 * spilled register, which precision tracking follows into the slot):
 *
 *   8 bytes of an 8-byte spill                       the register (an unknown scalar gets an id first)
 *   at most the spill's bytes, at the slot's start   the scalar truncated to `size` bytes (a 4-byte fill of a
 *                                                    4-byte spill gets an id first, kept if the value fits)
 *   other reads of a spilled scalar                  zero if every byte is a spilled zero (a fill) or a zero
 *                                                    byte, else unknown; a spilled pointer read in part is refused
 */
function readStack(state: VerifierState, ptr: PtrReg, off: number, size: number, signed: boolean, bpfCapable: boolean, ids: IdSource | undefined): [RegState, boolean] {
  const stack = state.frames[ptr.frame]!.stack;
  const slot = stack.slotAt(off);
  const spilled = slot?.spilled;
  if (slot !== undefined && spilled !== undefined) {
    const spillSize = slot.spillSize ?? 8;
    if (size === 8 && spillSize === 8) {
      if (spilled.kind === 'scalar' && bpfCapable && ids !== undefined) return [spilledWithId(slot, spilled, ids), true];
      return [cloneReg(spilled), true];
    }
    if (spilled.kind !== 'scalar') throw new Reject('invalid size of register fill');
    if (size <= spillSize && off % 8 === 0) {
      let reg = spilled;
      if (bpfCapable && size === 4 && spillSize === 4 && regWidth(reg.s) <= 32 && ids !== undefined) reg = spilledWithId(slot, reg, ids);
      const s = cloneScalar(reg.s);
      // a narrowing fill breaks the link; so does a sign extension (the copy's value may differ)
      if (regWidth(s) > size * 8 || signed) clearScalarId(s);
      if (size < 8) {
        if (signed) coerceRegToSizeSx(s, size as 1 | 2 | 4);
        else coerceRegToSize(s, size as 1 | 2 | 4);
      }
      return [scalarReg(s), true];
    }
    let spills = 0;
    let zeros = 0;
    for (let i = 0; i < size; i++) {
      const t = stack.byteType(off + i);
      if (t === 'spill') spills++;
      else if (t === 'zero') zeros++;
    }
    if (spills === size && tnumIsConst(spilled.s.varOff) && spilled.s.varOff.value === 0n) return [constReg(0n), true];
    if (zeros === size) return [constReg(0n), false];
    return [scalarReg(unknownOfSize(size, signed)), false];
  }
  let allZero = true;
  for (let i = 0; i < size; i++) if (stack.byteType(off + i) !== 'zero') allZero = false;
  if (allZero) return [constReg(0n), false];
  return [scalarReg(unknownOfSize(size, signed)), false];
}

/**
 * assign_scalar_id_before_mov on a spilled scalar: an unknown one gets an id, so that the slot and the register
 * filled from it stay linked. Spilled registers are shared between states, so the slot gets a new copy.
 */
function spilledWithId(slot: StackSlot, reg: ScalarReg, ids: IdSource): ScalarReg {
  const s = cloneScalar(reg.s);
  // a scalar linked by `+= K` loses that link before it is copied
  const dropped = dropAddConst(s);
  if (s.id === 0 && !tnumIsConst(s.varOff)) s.id = ids.nextId();
  if (dropped || s.id !== reg.s.id) slot.spilled = scalarReg(s);
  return scalarReg(cloneScalar(s));
}

function readConstant(data: Uint8Array, off: number, size: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[off + i] ?? 0);
  return signed ? BigInt.asUintN(64, BigInt.asIntN(size * 8, v)) : v;
}

export function execLoad(state: VerifierState, insn: LoadInsn, ctx: ProgramContext, track?: StackTracker, ids?: IdSource): StackEffect | undefined {
  assertReadable(state, insn.src);
  assertWritable(insn.dst);
  const src = state.reg(insn.src);
  // check_ptr_to_map_access: the kernel lets CAP_PERFMON read struct bpf_map fields (typed by the map's
  // kernel struct through vmlinux BTF); writes are refused below like any other non-memory pointer
  if (src.kind === 'ptr' && src.type === 'map_ptr') throw new Unsupported('reads of struct bpf_map fields through a map pointer');
  assertDereferenceable(src, insn.src);
  if (src.type === 'fp' && !tnumIsConst(src.v.varOff)) {
    state.setReg(insn.dst, loadStackVarOff(state, src, insn, ctx, track));
    return undefined;
  }
  const o = checkAccess(state, src, insn.src, insn.off, insn.size, 'read', ctx, undefined, track);
  let result: RegState;
  let effect: StackEffect | undefined;
  switch (src.type) {
    case 'fp': {
      const [r, fill] = readStack(state, src, o!, insn.size, insn.signed, ctx.profile.bpfCapable, ids);
      result = r;
      if (result.kind === 'ptr' && insn.signed) throw new Unsupported('sign-extending load of a spilled pointer');
      if (fill) effect = { slot: slotId(src.frame, o!) };
      break;
    }
    case 'ctx': {
      const r = assertCtxAccess(src, insn.src, insn.off, insn.size, 'read', ctx);
      switch (r.yields) {
        case 'scalar':
          result = scalarReg(unknownOfSize(insn.size, insn.signed));
          break;
        case 'pkt':
        case 'pkt_meta':
        case 'pkt_end':
          result = ptrReg(r.yields);
          break;
        case 'sock_common_or_null':
          // check_ctx_access: a maybe-null pointer gets an id for its null check (no reference: skb->sk)
          if (ids === undefined) throw new Unsupported(`context field ${r.field.name} yielding ${r.yields}`);
          result = ptrReg('sock_common_or_null', { id: ids.nextId() });
          break;
        default:
          throw new Unsupported(`context field ${r.field.name} yielding ${r.yields}`);
      }
      break;
    }
    case 'map_value': {
      const map = src.map!;
      if (map.readOnly && map.data !== undefined && tnumIsConst(src.v.varOff)) {
        // bpf_map_direct_read: a frozen read-only map gives constants
        const at = src.off + insn.off + Number(src.v.varOff.value);
        result = scalarReg(knownScalar(readConstant(map.data, at, insn.size, insn.signed)));
      } else {
        result = scalarReg(unknownOfSize(insn.size, insn.signed));
      }
      break;
    }
    default:
      result = scalarReg(unknownOfSize(insn.size, insn.signed));
  }
  state.setReg(insn.dst, result);
  return effect;
}

/**
 * check_stack_read_var_off: every byte the load may read must be readable (root: all are), and the value is
 * zero when they all hold zeros, else unknown (mark_reg_stack_read); the slots count as read.
 */
function loadStackVarOff(state: VerifierState, src: PtrReg, insn: LoadInsn, ctx: ProgramContext, track: StackTracker | undefined): RegState {
  const { min, end } = assertStackVarAccess(src, insn.src, insn.off, insn.size, 'read', ctx.profile);
  const frame = state.frames[src.frame];
  if (frame === undefined) throw new Unsupported('a pointer to the stack of a returned frame');
  frame.stack.touch(min);
  if (!ctx.profile.allowPtrLeaks) throw new Unsupported('a variable-offset stack read without CAP_PERFMON');
  track?.read(src.frame, min, end - min);
  for (let o = min; o < end; o++) if (frame.stack.byteType(o) !== 'zero') return scalarReg(unknownOfSize(insn.size, insn.signed));
  return constReg(0n);
}

export function execStore(state: VerifierState, insn: StoreImmInsn | StoreRegInsn, ctx: ProgramContext, track?: StackTracker): StackEffect | undefined {
  assertReadable(state, insn.dst);
  let value: RegState;
  let valueRegno = -1;
  if (insn.kind === 'stx') {
    assertReadable(state, insn.src);
    value = state.reg(insn.src);
    valueRegno = insn.src;
  } else {
    value = constReg(BigInt.asUintN(64, BigInt(insn.imm)));
  }
  const dst = state.reg(insn.dst);
  if (dst.kind === 'ptr' && dst.type === 'map_ptr') refuseMapPtrWrite(dst, insn.dst, insn.off, ctx);
  assertDereferenceable(dst, insn.dst);
  if (dst.type === 'fp' && !tnumIsConst(dst.v.varOff)) {
    // check_stack_write_var_off: a zero written keeps zero bytes (and spilled zeros), relying on the value
    const { min, end } = assertStackVarAccess(dst, insn.dst, insn.off, insn.size, 'write', ctx.profile);
    const frame = state.frames[dst.frame];
    if (frame === undefined) throw new Unsupported('a pointer to the stack of a returned frame');
    const zero = value.kind === 'scalar' && tnumIsConst(value.s.varOff) && value.s.varOff.value === 0n;
    const used = frame.stack.writeVarOff(min, end, zero);
    return used && insn.kind === 'stx' ? { preciseSrc: true } : undefined;
  }
  // BPF_ST into the context is checked like BPF_STX since Linux 6.3 (no "BPF_ST stores into R1 ctx" any more)
  const o = checkAccess(state, dst, insn.dst, insn.off, insn.size, 'write', ctx, insn.kind === 'stx' ? { reg: value, regno: valueRegno } : undefined);
  if (dst.type !== 'fp') return undefined;
  const stack = state.frames[dst.frame]!.stack;
  // check_stack_write_fixed_off: without CAP_PERFMON a narrower write may not overwrite part of a spilled pointer
  if (!ctx.profile.allowPtrLeaks && insn.size !== 8 && stack.slotAt(o!)?.spilled?.kind === 'ptr') {
    throw new Reject('attempt to corrupt spilled pointer on stack');
  }
  track?.write(dst.frame, o!, insn.size);
  const slot = slotId(dst.frame, o!);
  const aligned = o! % 8 === 0;
  // check_stack_write_fixed_off with bpf_capable: a scalar register stored at the start of a slot is spilled,
  // with any size (the whole register is kept; a narrowing store breaks its link to copies), and so is the
  // constant of a BPF_ST
  if (ctx.profile.bpfCapable && aligned && value.kind === 'scalar') {
    let reg: RegState = value;
    if (insn.kind === 'stx' && value.s.id !== 0 && regWidth(value.s) > insn.size * 8) {
      const s = cloneScalar(value.s);
      clearScalarId(s);
      reg = scalarReg(s);
    }
    stack.spill(o!, reg, insn.size);
    return { slot };
  }
  if (value.kind === 'ptr') {
    // a pointer spills only whole (any privilege)
    if (insn.size !== 8) throw new Reject('invalid size of register spill');
    stack.spill(o!, value);
    return { slot };
  }
  if (insn.size === 8) {
    // without bpf_capable the kernel keeps a scalar as data; kept as a spill here (no kernel to compare with)
    stack.spill(o!, value);
    return { slot };
  }
  // zero bytes only for a register (or immediate) that is zero whole (register_is_null)
  const zero = value.kind === 'scalar' && tnumIsConst(value.s.varOff) && value.s.varOff.value === 0n;
  stack.writeBytes(o!, insn.size, zero ? 'zero' : 'misc');
  return zero && insn.kind === 'stx' ? { preciseSrc: true } : undefined;
}

/** The kernel struct behind a map pointer (map->ops->map_btf_id), for the map types whose name is known here. */
function mapStructName(type: number): string | undefined {
  if ([2, 3, 4, 6, 8, 12].includes(type)) return 'bpf_array'; // array, prog/perf/cgroup arrays, percpu, of maps
  if ([1, 5, 9, 10, 13].includes(type)) return 'bpf_htab'; // hash, percpu, lru, lru percpu, of maps
  return undefined;
}

/** check_ptr_to_map_access for a store: struct bpf_map fields are read-only (and readable only with CAP_PERFMON). */
function refuseMapPtrWrite(reg: PtrReg, regno: number, insnOff: number, ctx: ProgramContext): void {
  const name = reg.map === undefined ? undefined : mapStructName(reg.map.type);
  if (name === undefined) return; // the generic "invalid mem access" refusal follows
  if (!ctx.profile.allowPtrLeaks) throw new Reject(`'struct ${name}' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN`);
  const off = reg.off + insnOff;
  if (off < 0) throw new Reject(`R${regno} is ${name} invalid negative access: off=${off}`);
  throw new Reject(`only read from ${name} is supported`);
}

export function execAtomic(state: VerifierState, insn: AtomicInsn, ctx: ProgramContext, track?: StackTracker): void {
  assertReadable(state, insn.src);
  assertReadable(state, insn.dst);
  if (insn.op === 'cmpxchg') assertReadable(state, 0);
  const src = state.reg(insn.src);
  if (src.kind === 'ptr' && !ctx.profile.allowPtrLeaks) throw new Reject(`R${insn.src} leaks addr into mem`);
  if (src.kind === 'ptr') throw new Unsupported('atomic operation with a pointer operand');
  const dst = state.reg(insn.dst);
  assertDereferenceable(dst, insn.dst);
  if (dst.type === 'ctx' || dst.type === 'pkt' || dst.type === 'pkt_meta') {
    throw new Reject(`BPF_ATOMIC stores into R${insn.dst} ${dst.type} is not allowed`);
  }
  const o = checkAccess(state, dst, insn.dst, insn.off, insn.size, 'read', ctx, undefined, track);
  checkAccess(state, dst, insn.dst, insn.off, insn.size, 'write', ctx, undefined);
  if (dst.type === 'fp') {
    const slot = state.frames[dst.frame]!.stack.slotAt(o!);
    if (slot?.spilled?.kind === 'ptr') throw new Unsupported('atomic operation on a spilled pointer');
    state.frames[dst.frame]!.stack.writeBytes(o!, insn.size, 'misc');
  }
  if (insn.fetch) {
    const out = insn.op === 'cmpxchg' ? 0 : insn.src;
    assertWritable(out);
    state.setReg(out, scalarReg(unknownOfSize(insn.size, false)));
  }
}
