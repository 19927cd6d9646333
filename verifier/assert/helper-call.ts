// Helper call requirements (the kernel's check_helper_call / check_func_arg / check_map_func_compatibility):
// the helper exists and is offered to the program type, each argument register has a kind its prototype
// accepts, memory arguments are sized and accessible. Memory checks of the pointed-to region are done by the
// caller through `HelperMemoryAccess`, which knows the state.
import { helperAllowed, helperById, MAP_TYPE_HELPERS, mapFuncIncompatibility, mapTypeById, type HelperArgKind, type HelperSpec } from '../../bpf/index.ts';
import { tnumIsConst } from '../domains/index.ts';
import { typeStr, type MapRef, type PtrReg, type RegState, type VerifierState } from '../state/index.ts';
import { Reject, Unsupported } from './failure.ts';
import { assertSocketArg, socketReturnType } from './socket.ts';
import type { AccessType, ProgramContext } from './memory.ts';

/** The types a memory argument accepts, as this kernel lists them (the list is cut short by the kernel). */
const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';
const BPF_MAX_VAR_SIZ = 1n << 29n;

/** Checks the memory `size` bytes from the pointer in `regno`, as a helper reads or writes it. */
export type HelperMemoryAccess = (regno: number, ptr: PtrReg, size: number, t: AccessType, zeroSizeOk: boolean, pktAccess: boolean) => void;

export interface HelperCallPlan {
  readonly helper: HelperSpec;
  readonly map: MapRef | undefined;
  /** stack ranges the helper writes (become misc): register and size */
  readonly writes: readonly { readonly regno: number; readonly size: number }[];
  /** ARG_CONST_ALLOC_SIZE_OR_ZERO: the size allocated */
  readonly allocSize: number | undefined;
  /** OBJ_RELEASE: the reference released */
  readonly release: number | undefined;
  /** bpf_spin_lock / bpf_spin_unlock: the lock taken or released (the map value's id and its map) */
  readonly lock: { readonly take: boolean; readonly id: number; readonly map: string } | undefined;
  /** the reference a socket argument carries (meta->ref_obj_id), 0 for none: a cast helper's result shares it */
  readonly sockRef: number;
  /** ARG_PTR_TO_FUNC: the callback's first instruction */
  readonly callback: number | undefined;
}

/** Helpers that are not offered without CAP_PERFMON (bpf_base_func_proto's perfmon_capable() part). */
// (bpf_get_current_comm #16 too: this kernel refuses it to socket filters with CAP_BPF alone)
const PERFMON_ONLY = new Set([4, 6, 16, 35, 45, 112, 113, 114, 115, 158, 165, 177]);

const regTypeName = typeStr;

function typeError(regno: number, reg: RegState, expected: string): Reject {
  return new Reject(`R${regno} type=${regTypeName(reg)} expected=${expected}`);
}

const isMemPointer = (r: RegState): r is PtrReg =>
  r.kind === 'ptr' && (r.type === 'fp' || r.type === 'pkt' || r.type === 'pkt_meta' || r.type === 'map_value' || r.type === 'mem' || r.type === 'ringbuf_mem');

export function assertHelperCall(state: VerifierState, id: number, ctx: ProgramContext, gplCompatible: boolean, access: HelperMemoryAccess): HelperCallPlan {
  const helper = helperById(id);
  // a helper newer than the profile's kernel does not exist there (linux-5.4: ids up to 110)
  if (helper === undefined || (ctx.profile.maxHelperId !== undefined && id > ctx.profile.maxHelperId)) throw new Reject(`invalid func unknown#${id}`);
  const allowed = helperAllowed(helper, ctx.progType);
  if (allowed === undefined) throw new Unsupported(`helpers of ${ctx.progType} programs`);
  if (!allowed) throw new Reject(`program of this type cannot use helper ${helper.symbol}#${id}`);
  // bpf_base_func_proto gives no prototype for these without CAP_PERFMON: the kernel's "cannot use" message
  if (!ctx.profile.allowPtrLeaks && PERFMON_ONLY.has(id)) throw new Reject(`program of this type cannot use helper ${helper.symbol}#${id}`);
  if (helper.gplOnly && !gplCompatible) throw new Reject('cannot call GPL-restricted function from non-GPL compatible program');
  const rets = ['RET_PTR_TO_MAP_VALUE_OR_NULL', 'RET_PTR_TO_RINGBUF_MEM_OR_NULL'];
  if (helper.ret.base !== 'RET_INTEGER' && helper.ret.base !== 'RET_VOID' && !rets.includes(helper.ret.text) && socketReturnType(helper.ret.text) === undefined) {
    throw new Unsupported(`helper ${helper.symbol} returning ${helper.ret.text}`);
  }
  let map: MapRef | undefined;
  const writes: { regno: number; size: number }[] = [];
  let allocSize: number | undefined;
  let release: number | undefined;
  let lock: HelperCallPlan['lock'];
  let sockRef = 0;
  let callback: number | undefined;
  const args = helper.args;
  for (let i = 0; i < args.length; i++) {
    const regno = i + 1;
    const kind = args[i]!;
    const reg = state.reg(regno);
    if (kind.base === 'ARG_DONTCARE') continue;
    if (reg.kind === 'not_init') throw new Reject(`R${regno} !read_ok`);
    const maybeNull = kind.flags.includes('PTR_MAYBE_NULL');
    switch (kind.base) {
      case 'ARG_ANYTHING':
        if (!ctx.profile.allowPtrLeaks && reg.kind === 'ptr') throw new Reject(`R${regno} leaks addr into helper function`);
        break;
      case 'ARG_CONST_MAP_PTR':
        if (reg.kind !== 'ptr' || reg.type !== 'map_ptr') throw typeError(regno, reg, 'map_ptr');
        map = reg.map!;
        {
          const mt = mapTypeById(map.type);
          if (mt === undefined) throw new Unsupported(`map type ${map.type} passed to ${helper.symbol}`);
          // check_map_func_compatibility runs after every argument is checked (below)
          if (mapFuncIncompatibility(mt.name, map.type, helper.name, id, ctx.progType) === undefined) {
            if ((mt.name === 'array_of_maps' || mt.name === 'hash_of_maps') && map.inner === undefined) {
              throw new Unsupported(`${helper.symbol} on a map-in-map without an inner map template`);
            }
          }
        }
        break;
      case 'ARG_PTR_TO_CTX':
        if (maybeNull && reg.kind === 'scalar' && tnumIsConst(reg.s.varOff) && reg.s.varOff.value === 0n) break;
        if (reg.kind !== 'ptr' || reg.type !== 'ctx') throw typeError(regno, reg, 'ctx');
        if (reg.off !== 0 || !tnumIsConst(reg.v.varOff) || reg.v.varOff.value !== 0n) {
          throw new Reject(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
        }
        break;
      case 'ARG_PTR_TO_MAP_KEY':
      case 'ARG_PTR_TO_MAP_VALUE': {
        if (map === undefined) throw new Unsupported(`${helper.symbol}: map argument after its key`);
        if (maybeNull && reg.kind === 'scalar' && tnumIsConst(reg.s.varOff) && reg.s.varOff.value === 0n) break;
        if (!isMemPointer(reg)) throw typeError(regno, reg, MEM_TYPES);
        const size = kind.base === 'ARG_PTR_TO_MAP_KEY' ? map.keySize : map.valueSize;
        access(regno, reg, size, 'read', false, helper.pktAccess);
        break;
      }
      case 'ARG_PTR_TO_MEM': {
        if (maybeNull && reg.kind === 'scalar' && tnumIsConst(reg.s.varOff) && reg.s.varOff.value === 0n) {
          if (kind.size === undefined) i++;
          break;
        }
        if (!isMemPointer(reg)) throw typeError(regno, reg, MEM_TYPES);
        if (reg.type === 'map_value' && reg.map?.readOnly === true && kind.flags.includes('MEM_WRITE')) {
          throw new Unsupported('helper writes into a read-only map');
        }
        const t: AccessType = kind.flags.includes('MEM_UNINIT') || kind.flags.includes('MEM_WRITE') ? 'write' : 'read';
        if (kind.size !== undefined) {
          access(regno, reg, kind.size, t, false, helper.pktAccess);
          if (t === 'write') writes.push({ regno, size: kind.size });
          break;
        }
        const sizeKind: HelperArgKind | undefined = args[i + 1];
        if (sizeKind === undefined || (sizeKind.base !== 'ARG_CONST_SIZE' && sizeKind.base !== 'ARG_CONST_SIZE_OR_ZERO')) {
          throw new Unsupported(`${helper.symbol}: memory argument R${regno} without a size argument`);
        }
        const sizeRegno = regno + 1;
        const sizeReg = state.reg(sizeRegno);
        if (sizeReg.kind === 'not_init') throw new Reject(`R${sizeRegno} !read_ok`);
        if (sizeReg.kind !== 'scalar') throw typeError(sizeRegno, sizeReg, 'scalar');
        const zeroOk = sizeKind.base === 'ARG_CONST_SIZE_OR_ZERO';
        const s = sizeReg.s;
        if (s.smin < 0n) throw new Reject(`R${sizeRegno} min value is negative, either use unsigned or 'var &= const'`);
        if (s.umin === 0n && !zeroOk) throw new Reject(`R${sizeRegno} invalid zero-sized read: u64=[${s.umin},${s.umax}]`);
        if (s.umax >= BPF_MAX_VAR_SIZ) {
          throw new Reject(`R${sizeRegno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
        }
        access(regno, reg, Number(s.umax), t, zeroOk, helper.pktAccess);
        if (t === 'write') writes.push({ regno, size: Number(s.umax) });
        i++; // the size argument is checked
        break;
      }
      case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
        if (reg.kind !== 'scalar') throw typeError(regno, reg, 'scalar');
        if (!tnumIsConst(reg.s.varOff)) throw new Unsupported(`${helper.symbol} with a size that is not a known constant`);
        if (reg.s.varOff.value >= 1n << 31n) throw new Unsupported(`${helper.symbol} of ${reg.s.varOff.value} bytes`);
        allocSize = Number(reg.s.varOff.value);
        break;
      case 'ARG_PTR_TO_RINGBUF_MEM':
        if (reg.kind !== 'ptr' || reg.type !== 'ringbuf_mem') throw typeError(regno, reg, 'ringbuf_mem');
        if (reg.off !== 0 || !tnumIsConst(reg.v.varOff) || reg.v.varOff.value !== 0n) {
          throw new Unsupported('a ringbuf record passed to a release function at an offset');
        }
        if (!state.refs.some((r) => r.id === reg.refObj)) throw new Unsupported('release of a reference not held');
        release = reg.refObj;
        break;
      case 'ARG_PTR_TO_SPIN_LOCK':
        lock = spinLockArg(state, regno, reg, id === BPF_FUNC_SPIN_LOCK);
        break;
      case 'ARG_PTR_TO_FUNC':
        // func_ptr_types: a function's address (ld_imm64 of a subprogram)
        if (reg.kind !== 'ptr' || reg.type !== 'func' || reg.subprog === undefined) throw typeError(regno, reg, 'func');
        // the callback's calls are explored by the caller (explore/map-elem-callback.ts); others are not modelled
        if (id !== BPF_FUNC_FOR_EACH_MAP_ELEM) throw new Unsupported(`helper argument kind ${kind.text} (${helper.symbol})`);
        callback = reg.subprog;
        break;
      case 'ARG_PTR_TO_STACK':
        // stack_ptr_types; a callback's context
        if (maybeNull && reg.kind === 'scalar' && tnumIsConst(reg.s.varOff) && reg.s.varOff.value === 0n) break;
        if (reg.kind !== 'ptr' || reg.type !== 'fp') throw typeError(regno, reg, 'fp');
        if (!tnumIsConst(reg.v.varOff)) throw new Unsupported('a variable-offset stack pointer as a callback context');
        break;
      case 'ARG_PTR_TO_SOCK_COMMON':
      case 'ARG_PTR_TO_BTF_ID_SOCK_COMMON':
      case 'ARG_PTR_TO_SOCKET': {
        const ref = assertSocketArg(regno, reg, kind);
        if (ref !== 0) sockRef = ref;
        if (kind.flags.includes('OBJ_RELEASE')) release = ref;
        break;
      }
      default:
        throw new Unsupported(`helper argument kind ${kind.text} (${helper.symbol})`);
    }
  }
  // record_func_key
  if (id === 12 && map !== undefined && map.type !== BPF_MAP_TYPE_PROG_ARRAY) throw new Reject('expected prog array map for tail call');
  // release_reference: the reference must still be held (a null constant releases nothing)
  if (release !== undefined && release !== 0 && !state.refs.some((r) => r.id === release)) {
    throw new Reject(`func ${helper.symbol}#${id} reference has not been acquired before`);
  }
  if (release === 0) release = undefined;
  if (id === 12 && state.refs.length > 0) throw new Reject('tail_call would lead to reference leak');
  if (map !== undefined) {
    const mt = mapTypeById(map.type)!;
    const refused = mapFuncIncompatibility(mt.name, map.type, helper.name, id, ctx.progType);
    if (refused !== undefined) throw new Reject(...refused);
    // a map type the kernel does not restrict, with a helper its table does not list: what the helper does
    // with such a map (e.g. its value's kind) is not modelled
    if (MAP_TYPE_HELPERS[mt.name] === undefined && !mt.helpers.includes(helper.name)) {
      throw new Unsupported(`map type ${mt.name} passed to ${helper.symbol}`);
    }
  }
  return { helper, map, writes, allocSize, release, lock, sockRef, callback };
}

const BPF_FUNC_SPIN_LOCK = 93;
const BPF_MAP_TYPE_PROG_ARRAY = 3;
const BPF_FUNC_FOR_EACH_MAP_ELEM = 164;

/** process_spin_lock: the lock field of a map value, at a constant offset; one lock held at a time. */
function spinLockArg(state: VerifierState, regno: number, reg: RegState, take: boolean): HelperCallPlan['lock'] {
  // spin_lock_types: map values and allocated objects (which this verifier does not model)
  if (reg.kind !== 'ptr' || reg.type !== 'map_value') throw typeError(regno, reg, 'map_value, ptr_');
  if (!tnumIsConst(reg.v.varOff)) {
    throw new Reject(`R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
  }
  const map = reg.map!;
  if (map.spinLockOff === undefined) throw new Reject(`map '${map.name}' has no valid bpf_spin_lock`);
  const off = BigInt.asIntN(64, reg.v.varOff.value) + BigInt(reg.off);
  if (off !== BigInt(map.spinLockOff)) {
    throw new Reject(`off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${map.spinLockOff}`);
  }
  const held = state.refs.find((r) => r.lock !== undefined);
  if (take) {
    if (held !== undefined) throw new Reject('Locking two bpf_spin_locks are not allowed');
  } else {
    if (held === undefined) throw new Reject('bpf_spin_unlock without taking a lock');
    if (held.id !== reg.id || held.lock !== map.name) throw new Reject('bpf_spin_unlock of different lock');
  }
  return { take, id: reg.id, map: map.name };
}
