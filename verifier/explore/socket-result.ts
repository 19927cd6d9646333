// What a socket helper leaves in r0 (check_helper_call's return-type handling for RET_PTR_TO_SOCK_COMMON /
// SOCKET / TCP_SOCK, each maybe-null): a fresh id for the null check; a lookup (is_acquire_function) also takes
// a reference that must be released with bpf_sk_release before exit, and its id is the reference's; a cast
// (bpf_sk_fullsock, bpf_tcp_sock: is_ptr_cast_function) shares its argument's reference.
import { SOCKET_ACQUIRE_HELPERS, SOCKET_CAST_HELPERS, type HelperCallPlan } from '../assert/index.ts';
import { ptrReg, type PtrReg, type PtrType, type VerifierState } from '../state/index.ts';

export function socketResult(state: VerifierState, plan: HelperCallPlan, type: PtrType, ids: { nextId(): number }): PtrReg {
  // the maybe-null id is taken first, then the reference's (the kernel's id_gen order)
  const id = ids.nextId();
  if (SOCKET_ACQUIRE_HELPERS.has(plan.helper.name)) {
    const ref = ids.nextId();
    state.refs.push({ id: ref, insn: state.insn });
    return ptrReg(type, { id: ref, refObj: ref });
  }
  if (SOCKET_CAST_HELPERS.has(plan.helper.name)) return ptrReg(type, { id, refObj: plan.sockRef });
  return ptrReg(type, { id });
}
