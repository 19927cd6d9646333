// Global functions' arguments (btf_prepare_func_args, btf_check_subprog_call): a global function is verified
// on its own, entered with registers typed by its BTF prototype, and a call only checks that the caller's
// registers fit that prototype. A pointer argument (to an int, struct, union, enum or array) is memory of the
// pointee's size that may be null; the caller must pass null or memory it could both read and write there
// (check_mem_reg), which leaves a stack buffer as misc bytes.
import { Reject, type HelperMemoryAccess } from '../assert/index.ts';
import { tnumIsConst, unknownScalar } from '../domains/index.ts';
import { ptrReg, scalarReg, typeStr, type PtrReg, type PtrType, type RegState, type VerifierState } from '../state/index.ts';
import { applyHelperWrites } from './helper-memory.ts';
import type { GlobalParam, Program } from './program.ts';

/** The register a global function starts with for a parameter (a maybe-null pointer gets an id for its check). */
export function globalEntryReg(p: GlobalParam, ids: { nextId(): number }): RegState {
  if (p === 'ctx') return ptrReg('ctx');
  if (p === 'scalar') return scalarReg(unknownScalar());
  return ptrReg('mem_or_null', { id: ids.nextId(), memSize: p.mem });
}

/** Pointer kinds check_helper_mem_access accepts as memory. */
const MEMORY: ReadonlySet<PtrType> = new Set(['fp', 'pkt', 'pkt_meta', 'map_value', 'mem', 'ringbuf_mem', 'map_key']);

/** btf_check_func_arg_match for a call of the global function at `target` from `state`. */
export function checkGlobalCallArgs(state: VerifierState, target: number, params: readonly GlobalParam[], program: Program, access: HelperMemoryAccess): void {
  params.forEach((p, k) => {
    const regno = k + 1;
    const reg = state.reg(regno);
    if (p === 'scalar') {
      if (reg.kind !== 'scalar') throw new Reject(`R${regno} is not a scalar`);
      return;
    }
    if (p === 'ctx') {
      if (reg.kind !== 'ptr' || reg.type !== 'ctx' || reg.off !== 0 || !tnumIsConst(reg.v.varOff) || reg.v.varOff.value !== 0n) {
        throw new Reject(`arg#${k} expected pointer to ctx, but got ${typeStr(reg)}`);
      }
      return;
    }
    if (reg.kind === 'scalar' && tnumIsConst(reg.s.varOff) && reg.s.varOff.value === 0n) return;
    // check_mem_reg: a maybe-null pointer is checked as if not null
    const ptr: PtrReg | undefined =
      reg.kind !== 'ptr' ? undefined : reg.type.endsWith('_or_null') ? { ...reg, type: reg.type.slice(0, -'_or_null'.length) as PtrType } : reg;
    const refuse = (lines: readonly string[]): never => {
      const fn = program.functionStarts.indexOf(target);
      const name = program.linked.functions.find((f) => f.slot === target)?.name ?? '';
      throw new Reject(...lines, `Caller passes invalid args into func#${fn} ('${name}')`);
    };
    if (ptr === undefined || !MEMORY.has(ptr.type)) refuse([`R${regno} type=${typeStr(reg)} expected=fp`]);
    try {
      access(regno, ptr!, p.mem, 'read', true, true);
      access(regno, ptr!, p.mem, 'write', true, true);
    } catch (e) {
      if (e instanceof Reject) refuse(e.lines);
      throw e;
    }
    if (ptr!.type === 'fp') applyHelperWrites(state, [{ regno, size: p.mem }]);
  });
}
