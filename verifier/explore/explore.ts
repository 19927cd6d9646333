// Path-sensitive exploration (the kernel's do_check with push_stack/pop_stack and is_state_visited): follow
// each path, fork at undecided branches (the fall-through side first, the jump target pushed), stop at the
// processed-instruction limit. At prune points (conditional jumps, branch and goto targets, calls and after
// them) a path is pruned when a stored state whose continuation is fully explored covers it, comparing only
// live registers (liveness.ts), stack slots still live there (live-stack.ts) and scalars it relied
// on (precision.ts); states are stored with the kernel's heuristics (two jumps and eight instructions since
// the last one, a jump history over 40 entries forces one) and evicted after repeated misses. A stored state
// still on the current path that the path reaches again exactly is an infinite loop.
import type { AluInsn, CallInsn } from '../../bpf/index.ts';
import {
  assertHelperCall,
  assertReadable,
  assertReturnValue,
  returnRange,
  assertWritable,
  socketReturnType,
  Reject,
  Unsupported,
  type HelperMemoryAccess,
  type ProgramContext,
} from '../assert/index.ts';
import { knownScalar, tnumIsConst, unknownScalar } from '../domains/index.ts';
import type { Profile } from '../profiles.ts';
import { cloneReg, newFrameUid, NOT_INIT, ptrReg, scalarReg, StackState, typeStr, VerifierState, type RegState } from '../state/index.ts';
import { assignScalarIdBeforeMov, execAlu, execEndian, regWidth } from './alu.ts';
import { execCondJump } from './branch.ts';
import { socketResult } from './socket-result.ts';
import { applyHelperWrites, helperMemoryAccess } from './helper-memory.ts';
import { BPF_FUNC_FOR_EACH_MAP_ELEM, mapElemCallbackState } from './map-elem-callback.ts';
import { checkGlobalCallArgs, globalEntryReg } from './global-function.ts';
import { checkCfg } from './cfg.ts';
import { execAtomic, execLoad, execStore, type StackEffect, type StackTracker } from './memory.ts';
import { LiveStack } from './live-stack.ts';
import type { Program } from './program.ts';
import { computeLiveRegs } from './liveness.ts';
import { Checkpoint, markChainPrecision, precisionKey, slotKey, type HistEntry } from './precision.ts';
import { statesEqual, statesMaybeLooping, type CompareOptions, type ExactLevel, type PruneMarks } from './prune.ts';
import type { ExploreTrace } from './trace.ts';

export interface ExploreOptions {
  readonly profile: Profile;
  readonly ctx: ProgramContext;
  readonly gplCompatible: boolean;
  /** the verification log's hooks (only when a log is asked for) */
  readonly trace?: ExploreTrace;
}

export interface ExploreStats {
  processed: number;
  states: number;
  peakStack: number;
}

export type ExploreResult =
  | { readonly verdict: 'accept'; readonly stats: ExploreStats }
  | {
      readonly verdict: 'reject';
      readonly insn: number | undefined;
      readonly lines: readonly string[];
      readonly state: VerifierState | undefined;
      readonly stats: ExploreStats;
    }
  | { readonly verdict: 'unsupported'; readonly feature: string; readonly insn: number | undefined; readonly stats: ExploreStats };

/** A path waiting to be explored (an entry of the kernel's push_stack), with its place in the state tree. */
interface Pending {
  readonly state: VerifierState;
  readonly parent: Checkpoint | undefined;
  readonly hist: HistEntry[];
  readonly firstInsn: number;
  /** the instruction it branched from (-1 at an entry) */
  readonly prevInsn: number;
}

/** Records a spill or fill of the instruction at `i` in the path's history (INSN_F_STACK_ACCESS). */
function stackEffect(hist: HistEntry[], i: number, prev: number, effect: StackEffect | undefined): void {
  if (effect?.slot === undefined) return;
  const top = hist[hist.length - 1];
  if (top !== undefined && top.idx === i) top.stack = effect.slot;
  else hist.push({ idx: i, prev, stack: effect.slot });
}

/** Helpers that may move or resize the packet: packet pointers are invalid afterwards (bpf_helper_changes_pkt_data). */
const CHANGES_PKT_DATA = new Set([
  'skb_store_bytes', 'skb_change_head', 'skb_change_tail', 'skb_adjust_room', 'skb_change_proto', 'skb_vlan_push',
  'skb_vlan_pop', 'skb_pull_data', 'clone_redirect', 'l3_csum_replace', 'l4_csum_replace', 'xdp_adjust_head',
  'xdp_adjust_meta', 'xdp_adjust_tail', 'msg_pull_data', 'msg_push_data', 'msg_pop_data', 'lwt_push_encap',
  'lwt_seg6_store_bytes', 'lwt_seg6_adjust_srh', 'lwt_seg6_action', 'sk_skb_change_head', 'sk_skb_change_tail', 'sk_skb_pull_data',
]);

export function explore(program: Program, options: ExploreOptions): ExploreResult {
  const { profile, ctx, trace } = options;
  const stats: ExploreStats = { processed: 0, states: 0, peakStack: 0 };
  const n = program.insns.length;
  let current: VerifierState | undefined;
  let insnAt: number | undefined;
  try {
    if (n > profile.maxInsns) throw new Reject(`program of ${n} instructions is too large (limit ${profile.maxInsns})`);
    // add_subprog_and_kfunc runs before the control-flow checks
    for (const insn of program.insns) {
      if (insn?.kind === 'call' && insn.target === 'kfunc') throw new Unsupported('kfunc calls');
      if (insn?.kind === 'callx') throw new Unsupported('indirect calls (callx)');
    }
    const { pruneAt, jmpPoints, loops } = checkCfg(program, profile);
    const callbackSites = new Set<number>();
    program.insns.forEach((insn, slot) => {
      if (insn?.kind === 'call' && insn.target === 'helper' && (insn.imm === BPF_FUNC_LOOP || insn.imm === BPF_FUNC_FOR_EACH_MAP_ELEM)) callbackSites.add(slot);
    });
    // Pruning a callback's next call against an earlier one is a fixpoint only when bpf_loop is the sole source
    // of repetition; with back-edges too it could hide an endless loop the kernel refuses.
    if (callbackSites.size > 0 && loops) throw new Unsupported('bpf_loop in a program with loops');
    for (const s of callbackSites) pruneAt.add(s);
    // Stored states whose continuation is explored compare not-exact; a callback's next call is compared by range
    // against the state of its previous call, still on the path (is_state_visited, bpf_calls_callback).
    const level: ExactLevel = 'not-exact';
    const live = computeLiveRegs(program);
    // the stack slots each instruction may read, as the kernel's path-insensitive analysis (liveness.c)
    const liveStack = new LiveStack(program);
    const track: StackTracker = { read: (f, off, size) => liveStack.read(f, off, size), write: (f, off, size) => liveStack.write(f, off, size) };
    let idGen = 0;
    const ids = { nextId: () => ++idGen };
    const explored = new Map<number, Checkpoint[]>();
    // insn_aux_data's nospec (a speculative path failed here: a barrier goes before it, and speculative paths
    // stop there) and nospec_result (a stack store hardened against Spectre v4: a barrier goes after it)
    const nospec = new Uint8Array(n);
    const nospecResult = new Uint8Array(n);
    // record_func_map for bpf_tail_call: the prog array each call instruction saw, null once two differ
    const tailMaps = new Map<number, string | null>();
    const onTailCall = (at: number, map: string): void => {
      const seen = tailMaps.get(at);
      if (seen === undefined) tailMaps.set(at, map);
      else if (seen !== map) tailMaps.set(at, null);
    };
    // a speculative path skips sanitize_ptr_alu's checks and bookkeeping (it only simulates)
    const specCtx: ProgramContext = { ...ctx, profile: { ...profile, bypassSpecV1: true } };
    const depthOf = new Map<number, number>();
    // the kernel's env->jmps_processed and the counters at the last stored state (state-adding heuristics)
    let jmps = 0;
    let prevJmps = 0;
    let prevProcessed = 0;
    // one comparison setup for the whole exploration (no allocation per comparison): the live registers of
    // frame f when the current frame is at liveInsn (bpf_frame_insn_idx), the marks of the stored state
    let liveState = VerifierState.entry();
    let liveInsn = 0;
    const cmp: { -readonly [K in keyof CompareOptions]: CompareOptions[K] } = {
      level,
      allowUninitStack: profile.allowUninitStack,
      liveRegs: (f) => (f === liveState.frames.length - 1 ? live[liveInsn]! : live[liveState.frames[f + 1]!.callsite]!),
      marks: NO_MARKS,
      exploreAluLimits: false,
    };
    const opts = (lv: ExactLevel, marks: Checkpoint): CompareOptions => {
      cmp.level = lv;
      cmp.marks = marks;
      return cmp;
    };
    // do_check_main, then each global function it calls on its own (do_check_subprogs)
    const entries: number[] = [0];
    const called = new Set<number>();
    const callGlobal = (target: number): void => {
      if (!called.has(target)) {
        called.add(target);
        entries.push(target);
      }
    };
    for (let e = 0; e < entries.length; e++) {
    const entry = entries[e]!;
    const work: Pending[] = [{ state: entryState(program, entry, ids), parent: undefined, hist: [], firstInsn: entry, prevInsn: -1 }];
    while (work.length > 0) {
      const item = work.pop()!;
      let state = item.state;
      let parent = item.parent;
      let hist = item.hist;
      let firstInsn = item.firstInsn;
      let prevInsn = item.prevInsn;
      current = state;
      if (trace !== undefined) {
        if (prevInsn < 0) trace.entry(state.insn, state);
        else trace.resume(prevInsn, state.insn, state);
      }
      /** update_branch_counts: this path is over (then bpf_update_live_stack) */
      const endPath = (): void => {
        for (let p = parent; p !== undefined; p = p.parent) if (--p.branches > 0) break;
        liveStack.update(state);
      };
      const fork = (s: VerifierState, at: number): void => {
        if (parent !== undefined) parent.branches++;
        work.push({ state: s, parent, hist: hist.slice(), firstInsn, prevInsn: at });
        // push_stack: at most BPF_COMPLEXITY_LIMIT_JMP_SEQ paths waiting (E2BIG: fatal even speculatively)
        if (work.length > MAX_PENDING) throw new Reject(`The sequence of ${work.length} jumps is too complex.`);
      };
      /** mark_chain_precision for registers (and slots) of the current frame at instruction i */
      const precise = (i: number, keys: number[]): void => {
        if (level !== 'not-exact' || keys.length === 0) return;
        markChainPrecision(program, { hist, firstInsn, lastInsn: i, parent }, state.frames.length - 1, keys);
      };
      const arrive = (i: number): void => {
        if (prevInsn >= 0 && (jmpPoints.has(i) || i !== prevInsn + (program.insns[prevInsn]?.kind === 'lddw' ? 2 : 1))) {
          hist.push({ idx: i, prev: prevInsn });
        }
      };
      for (;;) {
        const i = state.insn;
        insnAt = i;
        current = state;
        stats.processed++;
        if (stats.processed > profile.maxProcessed) {
          throw new Reject(`BPF program is too large. Processed ${stats.processed} insn`);
        }
        // is_state_visited
        if (pruneAt.has(i)) {
          const force = hist.length > 40;
          let add = force || (jmps - prevJmps >= 2 && stats.processed - prevProcessed >= 8);
          const list = explored.get(i) ?? [];
          const stored = list.length;
          // clean_live_states: a stored state whose continuation is explored forgets its dead slots, once
          for (const sl of list) if (sl.branches === 0 && !sl.cleaned && sameCallsites(sl.state, state)) sl.clean(liveStack);
          liveState = state;
          liveInsn = i;
          let hit: Checkpoint | undefined;
          for (let k = list.length - 1; k >= 0; k--) {
            const sl = list[k]!;
            if (sl.branches > 0) {
              // a state on this very path: the same state again is a loop that never ends, unless a callback is
              // being called again (bpf_loop), where a covered state is a fixpoint (programs with callbacks have
              // no back-edges here, so a repeated state in them is the next call of the callback)
              if (sl.callbackSite) {
                if (statesEqual(sl.state, state, opts('range-within', sl))) {
                  hit = sl;
                  break;
                }
              } else if (loops && statesMaybeLooping(sl.state, state, live[i]!) && statesEqual(sl.state, state, opts('exact', sl))) {
                throw new Reject(`infinite loop detected at insn ${i}`, `cur state: ${state.formatRegs()}`, `old state: ${sl.state.formatRegs()}`);
              }
              if (!force && jmps - prevJmps < 20 && stats.processed - prevProcessed < 100) add = false;
            } else if (statesEqual(sl.state, state, opts(level, sl))) {
              hit = sl;
              break;
            }
            if (add) sl.miss++;
            // evict a state that keeps missing (it is unlikely to help)
            if (sl.miss > sl.hit * 3 + 3) {
              list.splice(k, 1);
              trace?.states(-1);
            }
          }
          if (hit !== undefined) {
            hit.hit++;
            trace?.pruned(i);
            arrive(i);
            // propagate_precision: what the covering state needed precisely, this path needs too
            precise(i, hit.preciseKeys());
            endPath();
            break;
          }
          trace?.visit(stored);
          if (add) {
            const cp = new Checkpoint(state.clone(), i, { hist, firstInsn, lastInsn: prevInsn, parent }, callbackSites.has(i));
            list.push(cp);
            explored.set(i, list);
            stats.states++;
            trace?.states(1);
            prevJmps = jmps;
            prevProcessed = stats.processed;
            parent = cp;
            hist = [];
            firstInsn = i;
          }
        }
        // a barrier was placed here: speculation stops before this instruction
        if (state.speculative && nospec[i] === 1) {
          endPath();
          break;
        }
        arrive(i);
        const insn = program.insns[i];
        if (insn === undefined) throw new Reject(`invalid insn idx ${i}`);
        trace?.insn(i, insn);
        liveStack.begin(state, i);
        let next = i + 1;
        let ended = false;
        if ((insn.kind === 'st' || insn.kind === 'stx' || insn.kind === 'atomic') && !profile.bypassSpecV4 && storeNeedsBarrier(state, insn)) {
          nospecResult[i] = 1;
        }
        try {
        switch (insn.kind) {
          case 'alu': {
            // pointer += scalar: the scalar's value made the offset (adjust_reg_min_max_vals)
            let ask: number | undefined;
            if (insn.source === 'reg' && insn.op !== 'mov' && insn.op !== 'neg' && !insn.op.startsWith('movsx')) {
              const d = state.reg(insn.dst).kind;
              const s = state.reg(insn.src).kind;
              if (d === 'ptr' && s === 'scalar') ask = insn.src;
              else if (d === 'scalar' && s === 'ptr') ask = insn.dst;
            }
            // sanitize_ptr_alu: without CAP_PERFMON, pointer += register is also walked with the offset masked
            // to 0 (the pointer unchanged), speculatively
            const masked = !profile.bypassSpecV1 && nospec[i] === 0 ? maskedPointerAlu(state, insn, i) : undefined;
            if (masked !== undefined && state.speculative) fork(masked, i);
            execAlu(state, insn, state.speculative ? specCtx : ctx, ids);
            if (masked !== undefined && !state.speculative) {
              fork(masked, i);
              // sanitize_ptr_alu: a masking window from a register that is not a constant makes the kernel
              // compare scalars exactly from now on (env->explore_alu_limits)
              cmp.exploreAluLimits = true;
            }
            if (ask !== undefined) precise(i, [precisionKey(state.frames.length - 1, ask)]);
            break;
          }
          case 'endian':
            execEndian(state, insn);
            break;
          case 'ldx':
            stackEffect(hist, i, prevInsn, execLoad(state, insn, ctx, track, ids));
            break;
          case 'st':
          case 'stx': {
            if (insn.kind === 'stx' && profile.bpfCapable) spillScalarId(state, insn, ids);
            const eff = execStore(state, insn, ctx, track);
            stackEffect(hist, i, prevInsn, eff);
            if (eff?.preciseSrc === true && insn.kind === 'stx') precise(i, [precisionKey(state.frames.length - 1, insn.src)]);
            break;
          }
          case 'atomic':
            execAtomic(state, insn, ctx, track);
            break;
          case 'lddw': {
            assertWritable(insn.dst);
            next = i + 2;
            state.setReg(insn.dst, loadImm64(program, i, insn.pseudo, insn.value, profile));
            break;
          }
          case 'ja':
            jmps++;
            next = i + insn.off + 1;
            break;
          case 'jump': {
            jmps++;
            const f = state.frames.length - 1;
            const dstScalar = state.reg(insn.dst).kind === 'scalar';
            const srcScalar = insn.source === 'reg' && state.reg(insn.src).kind === 'scalar';
            const out = execCondJump(state, insn, ctx);
            if (out.taken !== undefined && out.fall !== undefined) {
              // the copies narrowed together go into the jump history both sides share (push_jmp_history)
              if (out.linked !== undefined) {
                const top = hist[hist.length - 1];
                if (top !== undefined && top.idx === i) top.linked = out.linked;
                else hist.push({ idx: i, prev: prevInsn, linked: out.linked });
              }
              out.taken.insn = i + insn.off + 1;
              fork(out.taken, i);
              state = out.fall;
            } else {
              // a decided branch: the values that decided it matter (check_cond_jmp_op)
              const keys: number[] = [];
              if (dstScalar) keys.push(precisionKey(f, insn.dst));
              if (srcScalar) keys.push(precisionKey(f, insn.src));
              if (out.taken !== undefined) {
                state = out.taken;
                next = i + insn.off + 1;
              } else {
                state = out.fall!;
              }
              precise(i, keys);
              if (out.speculative !== undefined) {
                out.speculative.insn = out.speculativeTaken === true ? i + insn.off + 1 : i + 1;
                fork(out.speculative, i);
              }
            }
            break;
          }
          case 'call':
            jmps++;
            if (holdsLock(state)) {
              // do_check: only bpf_spin_unlock while a lock is held (static subprograms are allowed by this
              // kernel but not modelled here)
              if (insn.target === 'local') throw new Unsupported('a BPF-to-BPF call while holding a bpf_spin_lock');
              if (insn.target !== 'helper' || insn.imm !== BPF_FUNC_SPIN_UNLOCK) throw new Reject('function calls are not allowed while holding a lock');
            }
            if (insn.target === 'helper' && insn.imm === BPF_FUNC_LOOP) {
              const iteration = callLoopCallback(state, i, program, options);
              fork(iteration, i);
              execHelperResult(state, scalarReg(unknownScalar()));
            } else if (insn.target === 'helper' && insn.imm === BPF_FUNC_FOR_EACH_MAP_ELEM) {
              fork(mapElemCallbackState(state, i, program, options, helperMemoryAccess(state, ctx, track)), i);
              precise(i, execHelper(state, insn, options, ids, track, onTailCall));
            } else if (insn.target === 'helper') {
              const keys = execHelper(state, insn, options, ids, track, onTailCall);
              precise(i, keys);
            } else if (insn.target === 'local' && program.globalFunctions.has(i + insn.imm + 1)) {
              callGlobalFunction(state, i + insn.imm + 1, program, helperMemoryAccess(state, ctx, track));
              callGlobal(i + insn.imm + 1);
            } else if (insn.target === 'local') {
              next = enterSubprog(state, i, insn, program, profile);
            } else {
              throw new Unsupported('kfunc calls');
            }
            break;
          case 'exit': {
            jmps++;
            const f = state.cur;
            stats.peakStack = Math.max(stats.peakStack, state.frames.reduce((a, fr) => a + fr.stack.depth, 0));
            depthOf.set(f.subprog, Math.max(depthOf.get(f.subprog) ?? 0, f.stack.depth));
            if (holdsLock(state)) {
              if (state.frames.length > 1) throw new Unsupported('a subprogram returning while holding a bpf_spin_lock');
              throw new Reject('BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region');
            }
            if (state.frames.length === 1) {
              const leak = state.refs[0];
              if (leak !== undefined) {
                // check_resource_leak: one line per reference, then what would leak it
                const lines = state.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`);
                throw new Reject(...lines, 'BPF_EXIT instruction in main prog would lead to reference leak');
              }
              if (f.subprog !== 0) {
                assertReadable(state, 0);
                const r0 = state.reg(0);
                if (r0.kind !== 'scalar') throw new Reject(`At subprogram exit the register R0 is not a scalar value (${typeStr(r0)})`);
                ended = true;
                break;
              }
              assertReturnValue(state.reg(0), ctx);
              // check_return_code relies on r0's range
              if (state.reg(0).kind === 'scalar' && returnRange(ctx) !== undefined) precise(i, [precisionKey(0, 0)]);
              ended = true;
              break;
            }
            // process_bpf_exit_full: the returning function's stack marks reach its caller (bpf_update_live_stack)
            liveStack.update(state);
            // prepare_func_exit: a static subprogram hands back whatever r0 holds, even uninitialised
            const r0 = state.reg(0);
            if (f.callback === true) {
              assertReadable(state, 0);
              // set_loop_callback_state: the callback returns 0 (continue) or 1 (stop); then bpf_loop may call it again
              assertReturnValue(r0, ctx, [0, 1]);
              state.frames.pop();
              next = f.callsite;
              break;
            }
            const callee = state.frames.length - 1;
            if (r0.kind === 'ptr' && r0.type === 'fp' && r0.frame === callee) {
              throw new Reject('cannot return stack pointer to the caller frame');
            }
            state.frames.pop();
            const caller = state.cur;
            caller.regs[0] = r0;
            for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
            next = f.callsite + 1;
            break;
          }
          case 'ld_abs':
          case 'ld_ind':
            execLdAbs(state, insn.kind === 'ld_ind' ? insn.src : undefined, ctx);
            break;
          default:
            throw new Unsupported(`instruction ${insn.kind}`);
        }
        } catch (e) {
          // do_check: on a speculative path an error the kernel can recover from (EPERM, EACCES, EINVAL) only
          // places a barrier before the instruction and ends the path
          if (!state.speculative) throw e;
          if (e instanceof Unsupported) throw new Unsupported(`${e.feature} (on a speculative path)`);
          if (!(e instanceof Reject) || !recoverableWithNospec(e)) throw e;
          nospec[i] = 1;
          ended = true;
        }
        liveStack.commit(state);
        // after a hardened stack store speculation stops
        if (!ended && state.speculative && nospecResult[i] === 1) ended = true;
        if (ended) {
          endPath();
          break;
        }
        // only stores, atomics, loads and calls touch the stack
        if (insn.kind === 'stx' || insn.kind === 'st' || insn.kind === 'call' || insn.kind === 'atomic' || insn.kind === 'ldx') {
          let total = 0;
          for (const fr of state.frames) {
            total += fr.stack.depth;
            if ((depthOf.get(fr.subprog) ?? 0) < fr.stack.depth) depthOf.set(fr.subprog, fr.stack.depth);
          }
          if (total > stats.peakStack) stats.peakStack = total;
        }
        trace?.after(state);
        state.insn = next;
        prevInsn = i;
      }
    }
    }
    checkCombinedStack(program, depthOf, profile);
    // do_misc_fixups: without CAP_PERFMON (the maps' creator's, bpf_map_ptr_unpriv) a tail call must be
    // hardened against its prog array, which it cannot when it saw two
    if (!profile.bypassSpecV1 && [...tailMaps.values()].includes(null)) {
      insnAt = undefined;
      current = undefined;
      throw new Reject('tail_call abusing map_ptr');
    }
    return { verdict: 'accept', stats };
  } catch (e) {
    if (e instanceof Reject) {
      const cfg = e.constructor.name === 'CfgReject' || e.lines[0]?.startsWith('combined stack size') === true;
      return { verdict: 'reject', insn: cfg ? undefined : insnAt, lines: e.lines, state: cfg ? undefined : current, stats };
    }
    if (e instanceof Unsupported) return { verdict: 'unsupported', feature: e.feature, insn: insnAt, stats };
    throw e;
  }
}

function loadImm64(program: Program, slot: number, pseudo: string, value: bigint, profile: Profile): RegState {
  const ref = program.refs.get(slot);
  if (ref === undefined && pseudo === 'none') return scalarReg(knownScalar(value));
  if (pseudo === 'func') return ptrReg('func', { subprog: slot + Number(BigInt.asIntN(32, value)) + 1 });
  if (ref === undefined) throw new Unsupported(`ld_imm64 with pseudo source ${pseudo} and no reference`);
  if (ref.kind === 'map' || ref.kind === 'map_value') {
    const map = program.maps.get(ref.map);
    if (map === undefined) throw new Unsupported(`reference to unknown map ${ref.map}`);
    if (map.specialFields === true) throw new Unsupported(`map ${map.name}: values with spin locks, timers, kptrs or graph fields`);
    if (map.global && !profile.globalData) throw new Reject(`global data (${map.name}) is not allowed in the ${profile.name} profile`);
    if (ref.kind === 'map') return ptrReg('map_ptr', { map });
    return ptrReg('map_value', { map, off: ref.offset });
  }
  throw new Unsupported(`${ref.kind} references`);
}

/**
 * A helper call's effect on the state. Returns the registers and stack slots whose values the checks relied
 * on (sizes: check_mem_size_reg; allocation sizes; a constant map key: get_constant_map_key; a tail call
 * index: record_func_key), for precision tracking.
 */
function execHelper(
  state: VerifierState,
  insn: CallInsn,
  options: ExploreOptions,
  ids: { nextId(): number },
  track: StackTracker,
  onTailCall: (at: number, map: string) => void,
): number[] {
  const { ctx } = options;
  const plan = assertHelperCall(state, insn.imm, ctx, options.gplCompatible, helperMemoryAccess(state, ctx, track));
  const frame = state.frames.length - 1;
  const keys: number[] = [];
  plan.helper.args.forEach((a, k) => {
    const sized = a.base === 'ARG_CONST_SIZE' || a.base === 'ARG_CONST_SIZE_OR_ZERO' || a.base === 'ARG_CONST_ALLOC_SIZE_OR_ZERO';
    if (sized && state.reg(k + 1).kind === 'scalar') keys.push(precisionKey(frame, k + 1));
  });
  if (plan.helper.id === BPF_FUNC_TAIL_CALL && plan.map !== undefined) {
    onTailCall(state.insn, plan.map.name);
    const r3 = state.reg(3);
    if (r3.kind === 'scalar' && tnumIsConst(r3.s.varOff) && r3.s.varOff.value < BigInt(plan.map.maxEntries)) keys.push(precisionKey(frame, 3));
  }
  const keyInfo = plan.helper.id === 1 && plan.map !== undefined ? constantMapKey(state, plan.map.keySize) : undefined;
  const constKey = keyInfo?.value;
  if (keyInfo?.slot !== undefined) keys.push(keyInfo.slot);
  applyHelperWrites(state, plan.writes);
  const gone = (): RegState => (ctx.profile.allowPtrLeaks ? scalarReg(unknownScalar()) : NOT_INIT);
  if (CHANGES_PKT_DATA.has(plan.helper.name)) {
    state.mapRegs((reg) => (reg.kind === 'ptr' && (reg.type === 'pkt' || reg.type === 'pkt_meta' || reg.type === 'pkt_end') ? gone() : reg));
  }
  if (plan.lock !== undefined) {
    const { take, id, map } = plan.lock;
    if (take) state.refs.push({ id, insn: state.insn, lock: map });
    else state.refs = state.refs.filter((r) => r.lock === undefined);
  }
  if (plan.release !== undefined) {
    const id = plan.release;
    state.refs = state.refs.filter((r) => r.id !== id);
    state.mapRegs((reg) => (reg.kind === 'ptr' && reg.refObj === id ? gone() : reg));
  }
  for (let r = 1; r <= 5; r++) state.setReg(r, NOT_INIT);
  if (plan.helper.ret.text === 'RET_PTR_TO_RINGBUF_MEM_OR_NULL') {
    const id = ids.nextId();
    state.refs.push({ id, insn: state.insn });
    state.setReg(0, ptrReg('ringbuf_mem_or_null', { id, refObj: id, memSize: plan.allocSize ?? 0 }));
    return keys;
  }
  const sockType = socketReturnType(plan.helper.ret.text);
  if (sockType !== undefined) {
    state.setReg(0, socketResult(state, plan, sockType, ids));
    return keys;
  }
  switch (plan.helper.ret.base) {
    case 'RET_VOID':
      state.setReg(0, NOT_INIT);
      break;
    case 'RET_INTEGER':
      state.setReg(0, scalarReg(unknownScalar()));
      break;
    default: {
      // can_elide_value_nullness: an array looked up with a constant key below max_entries is never null
      const map = plan.map;
      if (map === undefined) throw new Unsupported(`helper ${plan.helper.symbol} returning ${plan.helper.ret.text}`);
      if (map.specialFields === true) throw new Unsupported(`map ${map.name}: values with spin locks, timers, kptrs or graph fields`);
      if (map.inner !== undefined) {
        state.setReg(0, ptrReg('map_ptr_or_null', { map, id: ids.nextId() }));
        break;
      }
      const elide = (map.type === 2 || map.type === 6) && constKey !== undefined && constKey >= 0n && constKey < BigInt(map.maxEntries);
      // a value holding a spin lock keeps an id even when never null: the lock is known by it
      const lockId = map.spinLockOff !== undefined ? { id: ids.nextId() } : {};
      state.setReg(0, elide ? ptrReg('map_value', { map, ...lockId }) : ptrReg('map_value_or_null', { map, id: ids.nextId() }));
    }
  }
  return keys;
}

/**
 * get_constant_map_key: the key r2 points to, when it is zero bytes or a spilled constant of the key's size
 * (then `slot` is its precision key: the constant is relied on).
 */
function constantMapKey(state: VerifierState, keySize: number): { value: bigint; slot?: number } | undefined {
  const key = state.reg(2);
  if (key.kind !== 'ptr' || key.type !== 'fp' || !tnumIsConst(key.v.varOff)) return undefined;
  const off = key.off + Number(BigInt.asIntN(64, key.v.varOff.value));
  const stack = state.frames[key.frame]?.stack;
  if (stack === undefined || off < -512 || off + keySize > 0) return undefined;
  const slotEnd = off + (8 - ((off % 8) + 8) % 8);
  let zeros = 0;
  for (let o = off; o < slotEnd && stack.byteType(o) === 'zero'; o++) zeros++;
  if (zeros >= keySize) return { value: 0n };
  const slot = stack.slotAt(off);
  if (slot?.spilled?.kind !== 'scalar' || (slot.spillSize ?? 8) !== keySize || off % 8 !== 0) return undefined;
  if (!tnumIsConst(slot.spilled.s.varOff)) return undefined;
  return { value: slot.spilled.s.varOff.value, slot: slotKey(key.frame, Math.floor((-off - 1) / 8)) };
}

/** check_ld_abs: legacy packet loads through the skb in r6; r1-r5 are clobbered, r0 gets the value. */
function execLdAbs(state: VerifierState, src: number | undefined, ctx: ProgramContext): void {
  if (!['socket_filter', 'sched_cls', 'sched_act'].includes(ctx.progType)) {
    throw new Reject('BPF_LD_[ABS|IND] instructions not allowed for this program type');
  }
  if (state.frames.length > 1) throw new Unsupported('BPF_LD_[ABS|IND] inside a subprogram');
  if (holdsLock(state)) throw new Reject('BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region');
  if (state.refs.length > 0) throw new Reject('BPF_LD_[ABS|IND] would lead to reference leak');
  assertReadable(state, 6);
  if (src !== undefined) assertReadable(state, src);
  const r6 = state.reg(6);
  if (r6.kind !== 'ptr' || r6.type !== 'ctx') throw new Reject('at the time of BPF_LD_ABS|IND R6 != pointer to skb');
  if (src !== undefined && state.reg(src).kind === 'ptr') throw new Unsupported('BPF_LD_IND with a pointer index');
  for (let r = 1; r <= 5; r++) state.setReg(r, NOT_INIT);
  state.setReg(0, scalarReg(unknownScalar()));
}

/**
 * error_recoverable_with_nospec: EPERM, EACCES and EINVAL. The few errors with other codes: too deep a call
 * chain and too long a jump sequence (E2BIG).
 */
function recoverableWithNospec(e: Reject): boolean {
  const first = e.lines[0] ?? '';
  return !first.startsWith('the call stack of') && !first.startsWith('The sequence of');
}

/**
 * check_stack_write_fixed_off without CAP_PERFMON: a store to the stack gets a barrier after it when it spills
 * a pointer or a byte it overwrites is neither misc nor zero (uninitialised, or part of a spilled register).
 */
function storeNeedsBarrier(state: VerifierState, insn: { kind: 'st' | 'stx' | 'atomic'; dst: number; off: number; size: number; src?: number }): boolean {
  const base = state.reg(insn.dst);
  if (base.kind !== 'ptr' || base.type !== 'fp' || !tnumIsConst(base.v.varOff)) return false;
  const off = base.off + Number(BigInt.asIntN(64, base.v.varOff.value)) + insn.off;
  if (off >= 0 || off < -512) return false;
  if (insn.kind === 'stx' && state.reg(insn.src!).kind === 'ptr') return true;
  const stack = state.frames[base.frame]?.stack;
  if (stack === undefined) return false;
  for (let k = 0; k < insn.size; k++) {
    const t = stack.byteType(off + k);
    if (t !== 'misc' && t !== 'zero') return true;
  }
  return false;
}

/**
 * check_stack_write_fixed_off (bpf_capable): a scalar spilled whole into an aligned slot (or one whose value fits
 * the store) gets an id first, so that the spilled copy and the register stay linked.
 */
function spillScalarId(state: VerifierState, insn: { dst: number; src: number; off: number; size: number }, ids: { nextId(): number }): void {
  const base = state.reg(insn.dst);
  const value = state.reg(insn.src);
  if (base.kind !== 'ptr' || base.type !== 'fp' || !tnumIsConst(base.v.varOff) || value.kind !== 'scalar') return;
  const off = base.off + Number(BigInt.asIntN(64, base.v.varOff.value)) + insn.off;
  if (off % 8 !== 0 || off >= 0 || off < -512 || regWidth(value.s) > insn.size * 8) return;
  assignScalarIdBeforeMov(state, insn.src, ids);
}

/**
 * sanitize_ptr_alu's simulation: for pointer += / -= a register that is not a constant, the state after the
 * instruction with the offset masked to 0 (the destination holds the pointer unchanged), speculative.
 */
function maskedPointerAlu(state: VerifierState, insn: AluInsn, i: number): VerifierState | undefined {
  if (insn.source !== 'reg' || (insn.op !== 'add' && insn.op !== 'sub') || insn.width !== 64) return undefined;
  const d = state.reg(insn.dst);
  const s = state.reg(insn.src);
  const ptr = d.kind === 'ptr' && s.kind === 'scalar' ? d : s.kind === 'ptr' && d.kind === 'scalar' ? s : undefined;
  const off = ptr === d ? s : d;
  if (ptr === undefined || off.kind !== 'scalar' || tnumIsConst(off.s.varOff)) return undefined;
  const spec = state.clone();
  spec.speculative = true;
  spec.setReg(insn.dst, cloneReg(ptr));
  spec.insn = i + 1;
  return spec;
}

const BPF_FUNC_LOOP = 181;
const MAX_PENDING = 8192;
const BPF_FUNC_SPIN_UNLOCK = 94;

/** cur->active_locks: a bpf_spin_lock is held. */
const holdsLock = (state: VerifierState): boolean => state.refs.some((r) => r.lock !== undefined);
const NO_MARKS: PruneMarks = { isPrecise: () => false, isRead: () => false };

/** same_callsites: the two states are in the same chain of calls. */
function sameCallsites(a: VerifierState, b: VerifierState): boolean {
  if (a.frames.length !== b.frames.length) return false;
  for (let f = 1; f < a.frames.length; f++) if (a.frames[f]!.callsite !== b.frames[f]!.callsite) return false;
  return true;
}
const BPF_FUNC_TAIL_CALL = 12;

/** The state a function starts in: the program's (r1 = ctx), or a global function's from its BTF prototype. */
function entryState(program: Program, entry: number, ids: { nextId(): number }): VerifierState {
  const state = VerifierState.entry();
  if (entry === 0) return state;
  const params = program.globalParams.get(entry);
  if (params === undefined) throw new Unsupported('a global function with arguments other than scalars, the context and sized memory');
  state.setReg(1, NOT_INIT);
  params.forEach((p, k) => state.setReg(k + 1, globalEntryReg(p, ids)));
  state.cur.subprog = entry;
  state.insn = entry;
  return state;
}

/** btf_check_subprog_call: a global function is not entered; its arguments must match its prototype. */
function callGlobalFunction(state: VerifierState, target: number, program: Program, access: HelperMemoryAccess): void {
  const params = program.globalParams.get(target);
  if (params === undefined) throw new Unsupported('a global function with arguments other than scalars, the context and sized memory');
  checkGlobalCallArgs(state, target, params, program, access);
  execHelperResult(state, scalarReg(unknownScalar()));
}

/** A helper's effect on the caller: r1-r5 clobbered, r0 the result. */
function execHelperResult(state: VerifierState, r0: RegState): void {
  for (let r = 1; r <= 5; r++) state.setReg(r, NOT_INIT);
  state.setReg(0, r0);
}

/**
 * bpf_loop(nr_loops, callback, callback_ctx, flags): checks the arguments and returns the state entering one
 * call of the callback (r1 the index, r2 the context; set_loop_callback_state). The caller goes on as if the
 * loop were over; the callback's exit comes back to this call, which may call it again until states repeat.
 */
function callLoopCallback(state: VerifierState, slot: number, program: Program, options: ExploreOptions): VerifierState {
  const { ctx, profile } = options;
  if (!['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'cgroup_skb'].includes(ctx.progType)) {
    throw new Unsupported(`bpf_loop in ${ctx.progType} programs`);
  }
  for (let r = 1; r <= 4; r++) assertReadable(state, r);
  const fn = state.reg(2);
  if (fn.kind !== 'ptr' || fn.type !== 'func' || fn.subprog === undefined) {
    throw new Reject(`R2 type=${typeStr(fn)} expected=func`);
  }
  const cbCtx = state.reg(3);
  const isNull = cbCtx.kind === 'scalar' && tnumIsConst(cbCtx.s.varOff) && cbCtx.s.varOff.value === 0n;
  if (!isNull && (cbCtx.kind !== 'ptr' || cbCtx.type !== 'fp')) throw new Unsupported('bpf_loop with a callback context that is not on the stack');
  if (state.reg(1).kind === 'ptr' || state.reg(4).kind === 'ptr') throw new Unsupported('bpf_loop with a pointer count or flags');
  if (program.globalFunctions.has(fn.subprog)) throw new Unsupported('a global function as a callback');
  if (state.frames.length >= profile.maxCallDepth) {
    throw new Reject(`the call stack of ${state.frames.length + 1} frames is too deep !`);
  }
  const iteration = state.clone();
  const regs: RegState[] = Array.from({ length: 11 }, () => NOT_INIT);
  regs[1] = scalarReg(unknownScalar());
  regs[2] = cloneReg(cbCtx);
  regs[10] = ptrReg('fp', { frame: iteration.frames.length });
  iteration.frames.push({ regs, stack: new StackState(), callsite: slot, subprog: fn.subprog, callback: true, uid: newFrameUid() });
  iteration.insn = fn.subprog;
  return iteration;
}

function enterSubprog(state: VerifierState, slot: number, insn: CallInsn, program: Program, profile: Profile): number {
  const target = slot + insn.imm + 1;
  if (program.globalFunctions.has(target)) throw new Unsupported('calls to global functions (verified on their own)');
  if (state.frames.length >= profile.maxCallDepth) {
    throw new Reject(`the call stack of ${state.frames.length + 1} frames is too deep !`);
  }
  const regs: RegState[] = Array.from({ length: 11 }, () => NOT_INIT);
  for (let r = 1; r <= 5; r++) regs[r] = cloneReg(state.reg(r));
  const frame = state.frames.length;
  regs[10] = ptrReg('fp', { frame });
  state.frames.push({ regs, stack: new StackState(), callsite: slot, subprog: target, uid: newFrameUid() });
  return target;
}

/**
 * check_max_stack_depth: along every chain of calls the frames fit in 512 bytes. Frames are rounded up to 32
 * bytes (round_up_stack_depth without JIT; with JIT the kernel rounds to 16, so this may only be stricter).
 */
function checkCombinedStack(program: Program, depthOf: Map<number, number>, profile: Profile): void {
  const round = (d: number): number => Math.ceil(Math.max(d, 1) / 32) * 32;
  const calls = new Map<number, number[]>();
  const starts = program.functionStarts;
  starts.forEach((s, k) => {
    const end = starts[k + 1] ?? program.insns.length;
    const out: number[] = [];
    for (let i = s; i < end; i++) {
      const insn = program.insns[i];
      if (insn?.kind === 'call' && insn.target === 'local') out.push(i + insn.imm + 1);
    }
    calls.set(s, out);
  });
  const walk = (fn: number, total: number, frames: number, seen: Set<number>): void => {
    const t = total + round(depthOf.get(fn) ?? 0);
    if (t > profile.maxStack) throw new Reject(`combined stack size of ${frames} calls is ${t}. Too large`);
    for (const c of calls.get(fn) ?? []) {
      if (seen.has(c)) continue;
      walk(c, t, frames + 1, new Set([...seen, c]));
    }
  };
  walk(0, 0, 1, new Set([0]));
}
