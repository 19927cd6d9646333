// Many packets through one program: the verdicts counted, faults counted (the first kept), and the rate.
//
// Without an onResult callback nobody sees a packet's result, so the batch skips what Simulator.run builds
// for one: the helper table is made once per simulator (its environment is mutable: the packet, the calls
// and printk lines of the run in progress) and marked lean, so the fast tier answers map lookups and the
// clock itself (lean-helpers.ts), and its calls are not recorded (HelperEnv.unrecorded: the hot helpers are
// answered from the registers, helpers/register-helpers.ts); an XDP context is made once and reset per packet
// (PacketBuffer.reload clears only what the last run could have written; its packet lives in the fast
// tier's linear memory), an skb context once per frame and restored from its snapshot when the frame comes
// again; the VMs and their RunStates outlive the batch (lean-interp.ts for the interpreter); no result object
// is assembled and no BigInt made per packet (verdicts are tallied by r0's low 32 bits). On the interpreter, a
// program that changes frames only by its own stores runs each frame of a batch (up to 64) in place on a context
// of its own, loaded again only after a run wrote it (watched-contexts.ts).
// What the program sees is what Simulator.run gives it (the same clock, PRNG, CPU, routes, context fields
// and packet bytes), so map contents, verdicts and faults are the same; only the region ids of contexts and
// packets are reused from one packet to the next.
// A batch with `repeat` runs its packets that many times over, as BPF_PROG_TEST_RUN's repeat does: the fixed
// cost of a batch (the table, the context, staging the frames into wasm) is paid once for all the runs.
import { SkbContext, TC_ACTIONS, XDP_ACTIONS, XDP_MAX_LINEAR, XDP_PACKET_HEADROOM, XdpContext } from '../context/index.ts';
import { kernelHelpers } from '../helpers/index.ts';
import { batchEnv, type BatchEnv } from './batch-env.ts';
import type { ProgTypeName } from '../../bpf/index.ts';
import type { SimRunOptions, SimRunResult, Simulator } from '../simulator.ts';
import { SimFault, type CompiledProgram, type HelperDispatch, type Memory, type Region } from '../vm/index.ts';
import { LeanInterp } from './lean-interp.ts';
import { registerContext } from './context-fields.ts';
import { markLean } from './lean-helpers.ts';
import { runtimeFor } from './wasm-runtime.ts';
import { resolveTier } from './select-tier.ts';
import { WasmVm } from './wasm-vm.ts';
import { runWasmBatch } from './wasm-batch.ts';
import { storesOnly, WatchedContexts } from './watched-contexts.ts';

export interface BatchOptions extends SimRunOptions {
  /** called with each packet's result (or its fault), in order (each packet then runs through Simulator.run) */
  readonly onResult?: (index: number, result: SimRunResult | SimFault) => void;
  /**
   * Run the whole batch this many times (default 1), maps and clock carrying over, as BPF_PROG_TEST_RUN's
   * repeat: the tally, faults and rate are over every run, and the fixed cost of a batch is paid once (on
   * the fast tier the repeats loop inside wasm). A packet's index (onResult, firstFault) counts over all runs.
   */
  readonly repeat?: number;
}

export interface BatchResult {
  readonly packets: number;
  /** action (`XDP_DROP`, `TC_ACT_OK`, …, or `fault`) → how many packets ended so */
  readonly verdicts: Readonly<Record<string, number>>;
  readonly faults: number;
  /** the first packet's fault, when one faulted */
  readonly firstFault?: { readonly index: number; readonly fault: SimFault };
  readonly elapsedMs: number;
  readonly packetsPerSecond: number;
}

/**
 * Run `name` on each packet (so every packet sees the maps as the previous ones left them).
 * A fault of the program counts as the verdict `fault` and the batch goes on; any other error stops it.
 */
export function runBatch(sim: Simulator, name: string, packets: Iterable<Uint8Array>, options: BatchOptions = {}): BatchResult {
  const t0 = performance.now();
  const repeat = options.repeat ?? 1;
  if (!Number.isSafeInteger(repeat) || repeat < 1) throw new RangeError(`program ${name}: batch repeat ${repeat} is not a positive integer`);
  // a batch run more than once is iterated more than once: an iterator (a generator) only once
  const frames = repeat === 1 || Array.isArray(packets) ? packets : [...packets];
  const tally = new Tally(options.progType ?? sim.progType(name));
  if (options.onResult !== undefined || options.trace === true) {
    for (let r = 0; r < repeat; r++) runEach(sim, name, frames, options, tally);
  } else {
    const lean = batchTier(sim, name, frames, repeat, options);
    if (!runWasmBatch(sim, name, frames, repeat, lean, tally)) runLean(sim, name, frames, repeat, lean, tally);
  }
  const elapsedMs = performance.now() - t0;
  return {
    packets: tally.count,
    verdicts: tally.verdicts,
    faults: tally.faults,
    ...(tally.firstFault !== undefined ? { firstFault: tally.firstFault } : {}),
    elapsedMs,
    packetsPerSecond: elapsedMs > 0 ? (tally.count * 1000) / elapsedMs : 0,
  };
}

/**
 * 'auto' on a batch of known size counts all its runs at once: one that takes the program past
 * AUTO_THRESHOLD has it compiled first and runs inside wasm, rather than interpreted up to the threshold and
 * finished on the fast tier run by run. Other batches (an iterator, once) count their runs one by one.
 */
function batchTier(sim: Simulator, name: string, frames: Iterable<Uint8Array>, repeat: number, options: BatchOptions): BatchOptions {
  if ((options.tier ?? sim.tier) !== 'auto' || !Array.isArray(frames)) return options;
  return { ...options, tier: resolveTier(sim.program(name), 'auto', frames.length * repeat) };
}

/** Tally's key for faults: no 32-bit r0 */
const FAULT = 2 ** 32;

class Tally {
  readonly #progType: string;
  /** packets by the low 32 bits of r0 (the verdict strings are made once per value, at the end) */
  readonly #byRetval = new Map<number, number>();
  count = 0;
  faults = 0;
  firstFault: BatchResult['firstFault'];

  constructor(progType: string) {
    this.#progType = progType;
  }

  /** A packet the program ended with `retval32` (r0's low 32 bits, signed). */
  retval(retval32: number): void {
    this.#byRetval.set(retval32, (this.#byRetval.get(retval32) ?? 0) + 1);
    this.count++;
  }

  /** `n` packets ended with `retval32` (the wasm batch's counters, wasm-batch.ts) */
  retvals(retval32: number, n: number): void {
    this.#byRetval.set(retval32, (this.#byRetval.get(retval32) ?? 0) + n);
    this.count += n;
  }

  fault(e: SimFault): void {
    this.faults++;
    this.firstFault ??= { index: this.count, fault: e };
    this.#byRetval.set(FAULT, (this.#byRetval.get(FAULT) ?? 0) + 1);
    this.count++;
  }

  /** action (`XDP_DROP`, …, or `fault`) → how many packets ended so */
  get verdicts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [r, n] of this.#byRetval) {
      const a = r === FAULT ? 'fault' : action(this.#progType, r);
      out[a] = (out[a] ?? 0) + n;
    }
    return out;
  }
}

/** Every packet through Simulator.run, its result handed to onResult. */
function runEach(sim: Simulator, name: string, packets: Iterable<Uint8Array>, options: BatchOptions, tally: Tally): void {
  const { onResult, repeat: _, ...runOptions } = options;
  for (const packet of packets) {
    const index = tally.count;
    try {
      const r = sim.run(name, packet, runOptions);
      tally.retval(r.retval32);
      onResult?.(index, r);
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      tally.fault(e);
      onResult?.(index, e);
    }
  }
}

/** Every packet through the VM directly (`repeat` times over), with one helper table and (XDP) one context for the batch. */
function runLean(sim: Simulator, name: string, packets: Iterable<Uint8Array>, repeat: number, options: BatchOptions, tally: Tally): void {
  const progType = options.progType ?? sim.progType(name);
  const xdp = progType === 'xdp';
  if (!xdp && progType !== 'sched_cls' && progType !== 'sched_act' && progType !== 'socket_filter' && progType !== 'cgroup_skb') {
    throw new RangeError(`program ${name}: program type ${progType} is not supported by the simulator yet`);
  }
  const program = sim.program(name);
  const table = batchHelpers(sim);
  const { env } = table;
  const { calls, printk } = env;
  env.cpu = options.cpu ?? sim.cpu;
  env.contextKind = xdp ? 'xdp' : 'skb';
  // assigned, not deleted: delete would make env a dictionary, each per-packet store and helper read slow
  env.fib = sim.fib;
  env.skb = undefined;
  // the VMs (and the RunState each keeps for its next run) outlive the batch
  const vms = (table.vms ??= new Vms(table.helpers, sim.budget));
  const memory = sim.memory;
  const tier = options.tier ?? sim.tier;
  // the XDP context outlives the batch when it has the default fields (the next batch resets it again)
  const keep = options.ingressIfindex === undefined && options.rxQueueIndex === undefined && options.egressIfindex === undefined;
  let shared: XdpContext | undefined = keep ? table.xdp : undefined;
  const adopt = tier === 'wasm';
  // skb contexts outlive the batch too when the context fields are the defaults
  const keepSkb = keep && options.mark === undefined && options.priority === undefined && options.ifindex === undefined && options.hash === undefined;
  let skbs: SkbContexts | undefined;
  if (!xdp) {
    skbs = keepSkb ? table.skb?.get(progType) : undefined;
    if (skbs === undefined) {
      skbs = new SkbContexts(sim, progType, options);
      if (keepSkb) (table.skb ??= new Map()).set(progType, skbs);
    }
  }
  // one RunOptions for the batch, its fields set per packet (no allocation per packet)
  const run: { memory: Memory; r1?: Region; packet?: Region } = { memory };
  // the VM once per batch unless 'auto' picks it per packet (a stream of frames: it counts each run)
  const fixed = tier === 'interp' || tier === 'wasm' ? vms.of(program, tier) : undefined;
  // instanceof once per batch, not per run (it costs as much as a short program's run)
  const interp = fixed instanceof LeanInterp ? fixed : undefined;
  // the interpreter runs frames in place when only the program's own stores can change them (watched-contexts.ts)
  let watched: WatchedContexts | undefined;
  const keepCtx = xdp ? keep : keepSkb;
  if (interp !== undefined && Array.isArray(packets) && storesOnly(program)) {
    watched = keepCtx ? table.watched?.get(progType) : undefined;
    if (watched === undefined) {
      watched = new WatchedContexts(memory, progType, options);
      if (keepCtx) (table.watched ??= new Map()).set(progType, watched);
    }
    if (watched.fits(packets)) watched.begin();
    else watched = undefined;
  }
  const now = options.now;
  // verdicts -1..LOCAL_RETVALS - 2 counted here, into the Tally (a Map) before a fault and at the end; the
  // first of each goes to the Tally at once, so its verdicts keep the order in which they first came (-1: none yet)
  const counts = new Float64Array(LOCAL_RETVALS).fill(-1);
  try {
    // an array of frames by index (for-of's iterator costs a short program's run a few per cent), a stream by its iterator
    const list = Array.isArray(packets) ? (packets as readonly Uint8Array[]) : undefined;
    for (let r = 0; r < repeat; r++) {
      const stream = list === undefined ? packets[Symbol.iterator]() : undefined;
      for (let index = 0; ; index++) {
        let frame: Uint8Array;
        if (list !== undefined) {
          if (index >= list.length) break;
          frame = list[index]!;
        } else {
          const next = stream!.next();
          if (next.done === true) break;
          frame = next.value;
        }
        if (now !== undefined) sim.clock = now;
        let ctx: XdpContext | SkbContext;
        if (watched !== undefined) {
          ctx = watched.get(frame, index);
          if (!xdp) env.skb = ctx as SkbContext;
        } else if (xdp) {
          if (!reuse(shared, frame)) {
            shared = fresh(sim, shared, frame, options);
            if (adopt) runtimeFor(memory).adopt(shared.packet.region);
            if (keep) table.xdp = shared;
          }
          ctx = shared;
        } else {
          ctx = skbs!.get(frame, index);
          env.skb = ctx;
        }
        env.packet = ctx.packet;
        if (calls.length !== 0) calls.length = 0;
        if (printk.length !== 0) printk.length = 0;
        try {
          let r0: number;
          if (interp !== undefined) r0 = interp.frame(program, memory, ctx.region, ctx.packet.region);
          else {
            run.r1 = ctx.region;
            run.packet = ctx.packet.region;
            const vm = fixed ?? vms.of(program, tier);
            r0 = vm instanceof LeanInterp ? vm.retval32(program, run) : Number(BigInt.asIntN(32, vm.run(program, run).r0));
          }
          if (r0 >= -1 && r0 < LOCAL_RETVALS - 1 && counts[r0 + 1]! >= 0) counts[r0 + 1]!++;
          else {
            tally.retval(r0);
            if (r0 >= -1 && r0 < LOCAL_RETVALS - 1) counts[r0 + 1] = 0;
          }
        } catch (e) {
          if (!(e instanceof SimFault)) throw e;
          flush(counts, tally); // the fault's index counts every packet before it
          tally.fault(e);
        }
      }
    }
  } finally {
    flush(counts, tally);
    if (!keepCtx) watched?.clear();
    if (!keepSkb) skbs?.clear();
    if (shared !== undefined && !keep) {
      memory.remove(shared.region);
      memory.remove(shared.packet.region);
    }
  }
}

/** runLean counts the verdicts -1..LOCAL_RETVALS - 2 in an array (every XDP and TC action) */
const LOCAL_RETVALS = 16;

/**
 * runLean's local counts into the Tally (a module function, not a closure per batch: V8 inlines a closure
 * as a constant target and throws the optimized runLean away when the next batch brings a new one).
 */
function flush(counts: Float64Array, tally: Tally): void {
  for (let i = 0; i < LOCAL_RETVALS; i++) {
    if (counts[i]! > 0) {
      tally.retvals(i - 1, counts[i]!);
      counts[i] = 0;
    }
  }
}

interface BatchTable {
  readonly env: BatchEnv;
  readonly helpers: HelperDispatch;
  vms?: Vms;
  /** the XDP context batches with default context fields share */
  xdp?: XdpContext;
  /** the skb contexts they share, by program type */
  skb?: Map<ProgTypeName, SkbContexts>;
  /** the interpreter's contexts of frames run in place, by program type */
  watched?: Map<ProgTypeName, WatchedContexts>;
}

const tables = new WeakMap<Simulator, BatchTable>();

/**
 * The helper table of `sim`'s batches, made once (building kernelHelpers' table costs more than a short
 * program's run): the environment Simulator.run gives the helpers, with the per-packet fields writable.
 */
function batchHelpers(sim: Simulator): BatchTable {
  let t = tables.get(sim);
  if (t === undefined) {
    const env = batchEnv(sim);
    t = { env, helpers: kernelHelpers(env) } as BatchTable;
    markLean(t.helpers, env);
    tables.set(sim, t);
  }
  return t;
}

/** The two VMs of a batch, made once; 'auto' picks one per run as Simulator.run does. */
class Vms {
  readonly #options: { helpers: HelperDispatch; budget?: number };
  #interp: LeanInterp | undefined;
  #wasm: WasmVm | undefined;

  constructor(helpers: HelperDispatch, budget: number | undefined) {
    this.#options = { helpers, ...(budget !== undefined ? { budget } : {}) };
  }

  of(program: CompiledProgram, tier: SimRunOptions['tier']): LeanInterp | WasmVm {
    if (resolveTier(program, tier) === 'wasm') return (this.#wasm ??= new WasmVm(this.#options));
    return (this.#interp ??= new LeanInterp(this.#options));
  }
}

/**
 * Reset the batch's XDP context for `frame` as a new XdpContext would be: the frame after the headroom, zeros
 * around it, the window on it. False when the context cannot take it (none yet, a helper replaced its bytes).
 */
function reuse(ctx: XdpContext | undefined, frame: Uint8Array): ctx is XdpContext {
  if (ctx === undefined || frame.length > XDP_MAX_LINEAR) return false;
  const p = ctx.packet;
  if (p.region.bytes.length !== XDP_PACKET_HEADROOM + XDP_MAX_LINEAR || !p.reload(frame, XDP_PACKET_HEADROOM)) return false;
  p.region.lowWater = p.region.end;
  return true;
}

function fresh(sim: Simulator, old: XdpContext | undefined, frame: Uint8Array, options: BatchOptions): XdpContext {
  if (old !== undefined) {
    sim.memory.remove(old.region);
    sim.memory.remove(old.packet.region);
  }
  const ctx = new XdpContext(sim.memory, frame, options);
  registerContext(ctx);
  return ctx;
}

/**
 * The skb contexts of a batch, one per frame (by identity) while there are at most SKB_CONTEXTS: a batch
 * repeated over the same frames (a benchmark, a test) builds each once and restores it from its snapshot
 * before each run, which is what a new SkbContext of that frame would hold. Frames seen once (a pcap replay)
 * get a new context each.
 */
class SkbContexts {
  static readonly MAX = 64;
  readonly #sim: Simulator;
  readonly #progType: ProgTypeName;
  readonly #options: BatchOptions;
  readonly #byFrame = new Map<Uint8Array, SkbSnapshot>();
  /** the frame's snapshot by its position in the batch, checked before the Map (a lookup by identity costs more) */
  readonly #byIndex: (SkbSnapshot | undefined)[] = [];
  #last: SkbContext | undefined;

  constructor(sim: Simulator, progType: ProgTypeName, options: BatchOptions) {
    this.#sim = sim;
    this.#progType = progType;
    this.#options = options;
  }

  /** The context of `frame`, the `index`th of the batch. */
  get(frame: Uint8Array, index: number): SkbContext {
    if (this.#last !== undefined) this.#dropLast();
    let known = index < this.#byIndex.length ? this.#byIndex[index] : undefined;
    if (known === undefined || known.frame !== frame) {
      known = this.#byFrame.get(frame);
      if (known !== undefined && index <= this.#byIndex.length) this.#byIndex[index] = known;
    }
    if (known !== undefined) {
      const { ctx, ctxBytes, packetBytes, meta, data, end } = known;
      const p = ctx.packet.region;
      if (p.bytes.length === packetBytes.length) p.bytes.set(packetBytes);
      else p.setBytes(packetBytes.slice());
      ctx.packet.setWindow(meta, data, end);
      p.lowWater = p.end;
      ctx.region.bytes.set(ctxBytes);
      return ctx;
    }
    const ctx = new SkbContext(this.#sim.memory, this.#progType, frame, this.#options);
    registerContext(ctx);
    if (this.#byFrame.size >= SkbContexts.MAX) {
      this.#last = ctx;
      return ctx;
    }
    const p = ctx.packet;
    const snapshot = { frame, ctx, ctxBytes: ctx.region.bytes.slice(), packetBytes: p.region.bytes.slice(), meta: p.meta, data: p.data, end: p.end };
    this.#byFrame.set(frame, snapshot);
    if (index <= this.#byIndex.length) this.#byIndex[index] = snapshot;
    return ctx;
  }

  /** Forget every context (their regions leave the memory). */
  clear(): void {
    this.#dropLast();
    for (const { ctx } of this.#byFrame.values()) this.#remove(ctx);
    this.#byFrame.clear();
    this.#byIndex.length = 0;
  }

  #dropLast(): void {
    if (this.#last !== undefined) this.#remove(this.#last);
    this.#last = undefined;
  }

  #remove(ctx: SkbContext): void {
    this.#sim.memory.remove(ctx.region);
    this.#sim.memory.remove(ctx.packet.region);
  }
}

/** An skb context as made for its frame, restored before each run of the frame. */
interface SkbSnapshot {
  readonly frame: Uint8Array;
  readonly ctx: SkbContext;
  readonly ctxBytes: Uint8Array;
  readonly packetBytes: Uint8Array;
  readonly meta: number;
  readonly data: number;
  readonly end: number;
}

/** The action Simulator.run reports for r0's low 32 bits (XdpContext.action, SkbContext.action, without their BigInts). */
function action(progType: string, retval32: number): string {
  if (progType === 'xdp') return XDP_ACTIONS[retval32 >>> 0] ?? `XDP_UNKNOWN(${retval32 >>> 0})`;
  if (progType === 'socket_filter') return retval32 === 0 ? 'drop' : `accept ${retval32 >>> 0}`;
  if (progType === 'cgroup_skb') return (retval32 & 1) === 1 ? 'allow' : 'deny';
  return TC_ACTIONS[retval32] ?? `TC_ACT_UNKNOWN(${retval32})`;
}
