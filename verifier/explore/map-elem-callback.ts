// bpf_for_each_map_elem(map, callback, callback_ctx, flags): the state entering one call of the callback
// (set_map_elem_callback_state with map_set_for_each_callback_args): r1 the map, r2 a read-only pointer to a
// key (map_key, key_size bytes), r3 a pointer to the value, r4 the context, r5 unset. As with bpf_loop, the
// caller goes on as if the iteration were over; the callback's exit (which must return 0 or 1) comes back to
// the call, which may call it again until states repeat.
import { assertHelperCall, Reject, Unsupported, type HelperMemoryAccess } from '../assert/index.ts';
import type { Profile } from '../profiles.ts';
import { cloneReg, newFrameUid, NOT_INIT, ptrReg, StackState, type RegState, type VerifierState } from '../state/index.ts';
import type { Program } from './program.ts';

export const BPF_FUNC_FOR_EACH_MAP_ELEM = 164;

/** Map types whose ops have map_for_each_callback: hash, array, per-CPU hash and array, LRU hashes. */
const ITERABLE = new Set([1, 2, 5, 6, 9, 10]);

export function mapElemCallbackState(
  state: VerifierState,
  slot: number,
  program: Program,
  options: { readonly ctx: Parameters<typeof assertHelperCall>[2]; readonly gplCompatible: boolean; readonly profile: Profile },
  access: HelperMemoryAccess,
): VerifierState {
  // the arguments as check_func_arg checks them (and check_map_func_compatibility)
  const plan = assertHelperCall(state, BPF_FUNC_FOR_EACH_MAP_ELEM, options.ctx, options.gplCompatible, access);
  const map = plan.map!;
  const fn = plan.callback!;
  if (!ITERABLE.has(map.type)) throw new Unsupported(`bpf_for_each_map_elem over a map of type ${map.type}`);
  if (program.globalFunctions.has(fn)) throw new Unsupported('a global function as a callback');
  if (state.frames.length >= options.profile.maxCallDepth) {
    throw new Reject(`the call stack of ${state.frames.length + 1} frames is too deep !`);
  }
  const iteration = state.clone();
  const regs: RegState[] = Array.from({ length: 11 }, () => NOT_INIT);
  regs[1] = cloneReg(state.reg(1));
  regs[2] = ptrReg('map_key', { map, memSize: map.keySize });
  regs[3] = ptrReg('map_value', { map });
  regs[4] = cloneReg(state.reg(3));
  regs[10] = ptrReg('fp', { frame: iteration.frames.length });
  iteration.frames.push({ regs, stack: new StackState(), callsite: slot, subprog: fn, callback: true, uid: newFrameUid(), written: [0, 0] });
  iteration.insn = fn;
  return iteration;
}
