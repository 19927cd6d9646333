// A batch on the fast tier run inside WebAssembly: the frames staged into linear memory once, then the batch
// driver (batch-driver.ts) points the packet's table entry at each frame where it was staged (read-only: no
// copy per run), sets the window and the registers, calls the program and counts its verdict, all without
// JavaScript; a repeated batch (runBatch's repeat) loops over the staged frames inside the driver too.
// JavaScript comes in only where a run needs it:
//
// - an import that uses the RunState (a helper, a BPF-to-BPF call, a slow load or store) first brings it to
//   the frame being run (sync(): the state a new run of that frame would start with), so helpers and faults
//   see what they would see in Simulator.run; a lean or fast helper, which skips sync(), first has the frame
//   shown (view(): the packet and context as JavaScript reads them). Either copies the frame into the packet
//   area, where region.bytes sees it, and the run carries on there: a store to the packet (the staged bytes
//   are read-only in the table) goes through the runtime, which syncs first, so staged frames stay as given;
// - a program whose frames JavaScript brings into the packet area in many runs (one that writes the packet)
//   gets the driver's copy mode: the driver copies each frame there itself, writable (kept per program);
// - the context bytes a frame's run needed from JavaScript are staged for the frame (CTX_STAGE): its later
//   runs start with them in linear memory;
// - a fault leaves wasm as an exception: it is counted (the first kept, with its instruction index, which
//   the import that threw set), the run cleaned up as WasmVm does it, and the driver resumes at the next frame;
// - a helper that moved the packet's window (xdp_adjust_head, …) makes the driver zero the whole packet
//   area after the run; one that replaced the packet's bytes, or a verdict without a counter, hands the
//   frame back to JavaScript (which resets the packet area as a new context would have it).
//
// What the program observes is what runBatch's lean path gives it (the same helper environment, clock, PRNG,
// context fields, packet bytes and zeroed stack), so verdicts, map contents and faults are the same.
import { ETH_HLEN, SKB_HEADROOM, SkbContext, XDP_MAX_LINEAR, XDP_PACKET_HEADROOM, XdpContext } from '../context/index.ts';
import { kernelHelpers } from '../helpers/index.ts';
import { batchEnv, type BatchEnv } from './batch-env.ts';
import type { SimRunOptions, Simulator } from '../simulator.ts';
import type { ProgTypeName } from '../../bpf/index.ts';
import { Memory, REGION_BASE, SimFault, type CompiledProgram, type HelperDispatch } from '../vm/index.ts';
import { endOfThrow } from '../vm/end-of-run.ts';
import type { RunState } from '../vm/run-state.ts';
import { settleThrow } from './wasm-frames.ts';
import { contextFields, registerContext } from './context-fields.ts';
import * as L from './layout.ts';
import { markLean } from './lean-helpers.ts';
import { reuseRunState } from './reuse-run-state.ts';
import { hasWasmProgram } from './wasm-program.ts';
import { LdAbsEnd, runtimeFor, type WasmRuntime } from './wasm-runtime.ts';
import { WasmVm } from './wasm-vm.ts';

/** Where the batch's verdicts go (runBatch's tally). */
export interface VerdictTally {
  /** a packet ended with `retval32` (r0's low 32 bits, signed) */
  retval(retval32: number): void;
  retvals(retval32: number, n: number): void;
  fault(e: SimFault): void;
}

export interface WasmBatchOptions extends SimRunOptions {
  readonly onResult?: unknown;
}

// layout constants as module locals, in i32 indices (tsx turns imported bindings into getter calls, which
// the per-batch and per-frame paths here would pay on every use)
const I_CURRENT = L.B_CURRENT >> 2;
const I_FRAMES = L.B_FRAMES >> 2;
const I_COPY = L.B_COPY >> 2;
const I_WRITABLE = L.B_WRITABLE >> 2;
const I_STAGE = L.STAGE >> 2;
const I_DIRTY = L.B_DIRTY >> 2;
const I_STOP = L.B_STOP >> 2;
const I_ORDER_N = L.B_ORDER_N >> 2;
const I_VERDICTS = L.VERDICTS >> 2;
const I_ORDER = L.VERDICT_ORDER >> 2;
const I_REGS = L.REGS >> 2;
const I_PKT = L.B_PKT >> 2;
const I_PKT_ENTRY = L.B_PKT_ENTRY >> 2;
const I_PKT_ID = L.B_PKT_ID >> 2;
const I_HEAD = L.B_HEAD >> 2;
const I_STACK_ENTRY = L.B_STACK_ENTRY >> 2;
const I_STACK_SIZE = L.B_STACK_SIZE >> 2;
const I_END_FIELD = L.B_END_FIELD >> 2;
const I_END_BASE = L.B_END_BASE >> 2;
const I_DATA_FIELD = L.B_DATA_FIELD >> 2;
const I_META_FIELD = L.B_META_FIELD >> 2;
const I_AREA = L.B_AREA >> 2;
const I_DATA_OFF = L.B_DATA_OFF >> 2;
const I_DATA_BASE = L.B_DATA_BASE >> 2;
const I_LEN_FIELD = L.B_LEN_FIELD >> 2;
const I_LEN_ADJ = L.B_LEN_ADJ >> 2;
const I_BUDGET = L.B_BUDGET >> 2;
const I_R1 = L.B_R1 >> 2;
const I_R10 = L.B_R10 >> 2;
const I_PREV_LEN = L.B_PREV_LEN >> 2;
const I_CTX_ID = L.CTX_ID >> 2;
const I_CTX_LEN = L.CTX_LEN >> 2;
const STAGE_CTX = L.STAGE_CTX;
const CTX_STAGE = L.CTX_STAGE;
const CTX_STAGE_SLOTS = L.CTX_STAGE_SLOTS;
const CTX_MAX = L.CTX_MAX;
const STOP_VERDICT = L.B_STOP_VERDICT;
const STOP_DIRTY = L.B_STOP_DIRTY;
const TABLE = L.TABLE;
const ENTRY_MASK = L.TABLE_ENTRIES - 1;
const ENTRY_SIZE = L.ENTRY_SIZE;
const E_ID = L.E_ID;
const E_BASE = L.E_BASE;
const E_WRITABLE = L.E_WRITABLE;
const CTX_FIELDS = L.CTX_FIELDS;
const STAGE_INDEX = L.STAGE_INDEX;
const STAGE_BYTES = L.STAGE_BYTES;
const MEMORY_BYTES = L.MEMORY_BYTES;
const BASE = REGION_BASE;
/**
 * Runs per call of the driver: V8 runs a wasm function's new (optimised) code from its next call on, so a
 * long batch returns now and then for the driver's loop to move from its first, baseline code (2 to 3 times
 * slower) once V8 has optimised it; a call into wasm costs about what a run does.
 */
const DRIVER_RUNS = 1 << 14;
/** the longest frame an skb batch stages (longer ones run on a context of their own) */
const SKB_MAX_LINEAR = 16384;
const FIELD_ORDER = ['end', 'data', 'meta', 'len'];

/** The byte address of region `id`'s table entry. */
function entryOf(id: number): number {
  return TABLE + (id & ENTRY_MASK) * ENTRY_SIZE;
}

/**
 * Run the batch inside wasm when it can: the program's tier is wasm (or 'auto' with the program compiled
 * already), an XDP or skb program, no per-packet clock and the default context fields. False when it cannot
 * (the caller then runs the batch its own way); the tally has the verdicts of every frame when true.
 */
export function runWasmBatch(sim: Simulator, name: string, packets: Iterable<Uint8Array>, repeat: number, options: WasmBatchOptions, tally: VerdictTally): boolean {
  if (options.now !== undefined || options.ingressIfindex !== undefined || options.rxQueueIndex !== undefined || options.egressIfindex !== undefined) return false;
  if (options.mark !== undefined || options.priority !== undefined || options.ifindex !== undefined || options.hash !== undefined) return false;
  const progType = options.progType ?? sim.progType(name);
  if (progType !== 'xdp' && progType !== 'sched_cls' && progType !== 'sched_act' && progType !== 'socket_filter' && progType !== 'cgroup_skb') return false;
  const program = sim.program(name);
  const tier = options.tier ?? sim.tier;
  if (tier !== 'wasm' && !(tier === 'auto' && hasWasmProgram(program))) return false;
  batchOf(sim, progType).run(program, packets, repeat, options, tally);
  return true;
}

const batches = new WeakMap<Simulator, Map<ProgTypeName, PacketBatch>>();

function batchOf(sim: Simulator, progType: ProgTypeName): PacketBatch {
  let m = batches.get(sim);
  if (m === undefined) {
    m = new Map();
    batches.set(sim, m);
  }
  let b = m.get(progType);
  if (b === undefined) {
    b = new PacketBatch(sim, progType);
    m.set(progType, b);
  }
  return b;
}

type Context = XdpContext | SkbContext;

/** A frame's skb context bytes (what a new SkbContext of it holds), with what they were made from. */
interface SkbSnapshot {
  readonly length: number;
  /** the frame's first bytes: all the context's fields depend on */
  readonly head: Uint8Array;
  readonly ctx: Uint8Array;
}
const SNAPSHOT_HEAD = 64;

/**
 * The batch machinery of one simulator's programs of one type: helper table, context (its packet area in
 * linear memory), drivers (each program instance's batch function). The packet area is laid out as a new
 * context of the type lays out a frame: XDP 256 bytes of headroom and room to XDP_MAX_LINEAR; skb
 * SKB_HEADROOM and, for socket filters and cgroup skb, the window past the Ethernet header; the skb packet
 * region cut to each frame's length.
 */
class PacketBatch {
  readonly #sim: Simulator;
  readonly #progType: ProgTypeName;
  readonly #xdp: boolean;
  readonly #head: number;
  readonly #area: number;
  readonly #maxLinear: number;
  /** where the window starts in the packet region */
  readonly #dataOff: number;
  readonly #rt: WasmRuntime;
  readonly #env: BatchEnv;
  readonly #helpers: HelperDispatch;
  readonly #vm: WasmVm;
  readonly #drivers = new WeakMap<CompiledProgram, (i: number, n: number) => number>();
  /** the programs the driver runs in copy mode (layout.ts B_COPY), which it chose in an earlier batch */
  readonly #copying = new WeakSet<CompiledProgram>();
  #ctx: Context | undefined;
  /** the frames staged (skb: their context bytes are made when a run needs them) */
  readonly #frames: Uint8Array[] = [];
  readonly #snapshots = new Map<Uint8Array, SkbSnapshot>();
  /** where skb snapshots are made (contexts built there and dropped) */
  #scratch: Memory | undefined;
  /** the run RunState was last brought to (sync), and the run whose frame JavaScript's packet and context show */
  #synced = -1;
  #shown = -1;
  /** the frames staged: run k runs frame k mod this */
  #staged = 1;
  #program!: CompiledProgram;
  #tally!: VerdictTally;
  #runOptions!: { memory: Simulator['memory']; r1: Context['region']; packet: Context['packet']['region'] };
  /** a run begun by #begin() and left open between batches, and the runtime's generation it began in */
  #open = false;
  #generation = -1;
  /** the packet region's bytes (a view of linear memory) */
  #view: Uint8Array | undefined;
  /** the packet's table entry's writable flag as the runtime set it (the driver clears it per frame) */
  #writable = 0;
  readonly #hooks = { sync: () => this.#sync(), watch: () => this.#watch(), view: (id: number) => this.#beforeHelper(id) };

  constructor(sim: Simulator, progType: ProgTypeName) {
    this.#sim = sim;
    this.#progType = progType;
    this.#xdp = progType === 'xdp';
    const l2 = progType === 'xdp' || progType === 'sched_cls' || progType === 'sched_act';
    this.#head = this.#xdp ? XDP_PACKET_HEADROOM : SKB_HEADROOM;
    this.#maxLinear = this.#xdp ? XDP_MAX_LINEAR : SKB_MAX_LINEAR;
    this.#area = this.#head + this.#maxLinear;
    this.#dataOff = this.#head + (l2 ? 0 : ETH_HLEN);
    this.#rt = runtimeFor(sim.memory);
    const env = batchEnv(sim, this.#xdp ? 'xdp' : 'skb');
    this.#env = env;
    this.#helpers = kernelHelpers(env);
    markLean(this.#helpers, env);
    this.#vm = new WasmVm({ helpers: this.#helpers, ...(sim.budget !== undefined ? { budget: sim.budget } : {}) });
  }

  /** The frames through `program`, the whole batch `repeat` times over, verdicts and faults into `tally`. */
  run(program: CompiledProgram, packets: Iterable<Uint8Array>, repeat: number, options: WasmBatchOptions, tally: VerdictTally): void {
    const sim = this.#sim;
    const env = this.#env;
    env.cpu = options.cpu ?? sim.cpu;
    // assigned even when undefined: delete would turn the environment into a dictionary, slow on every read
    env.fib = sim.fib;
    this.#program = program;
    this.#tally = tally;
    try {
      // a repeated batch that fits the staging arena at once is staged once and repeated by the driver
      const n = repeat > 1 ? this.#stageAll(packets) : -1;
      if (n >= 0) this.#runStaged(n, repeat);
      else for (let r = 0; r < repeat; r++) this.#runFrames(packets);
    } finally {
      this.#frames.length = 0;
    }
  }

  /** The frames staged and run in order, as many at a time as the staging arena holds. */
  #runFrames(packets: Iterable<Uint8Array>): void {
    const maxLinear = this.#maxLinear;
    let n = 0;
    let at = STAGE_BYTES;
    for (const frame of packets) {
      if (!this.#xdp && frame.length < ETH_HLEN) {
        // the error a new SkbContext makes, after the frames before it (as runBatch's other paths stop)
        this.#runStaged(n);
        new SkbContext(this.#scratchMemory(), this.#progType, frame);
      }
      if (frame.length > maxLinear) {
        // more than a context's linear part: the frames before it, then this one on its own context
        this.#runStaged(n);
        n = 0;
        at = STAGE_BYTES;
        this.#runAlone(frame);
        continue;
      }
      if (n === STAGE_INDEX || at + frame.length > MEMORY_BYTES) {
        this.#runStaged(n);
        n = 0;
        at = STAGE_BYTES;
      }
      at = this.#stage(frame, n++, at);
    }
    this.#runStaged(n);
  }

  /** Stages `frame` as frame `n` at linear address `at`; the next frame's address. */
  #stage(frame: Uint8Array, n: number, at: number): number {
    this.#rt.u8.set(frame, at);
    this.#frames[n] = frame;
    const i32 = this.#rt.i32;
    i32[I_STAGE + 2 * n] = at;
    i32[I_STAGE + 2 * n + 1] = frame.length;
    return (at + frame.length + 7) & ~7;
  }

  /**
   * Every frame staged, none run: their number, or -1 when they do not fit at once (a frame the packet area
   * cannot take, or too many bytes), which #runFrames then handles in order.
   */
  #stageAll(packets: Iterable<Uint8Array>): number {
    let n = 0;
    let at = STAGE_BYTES;
    for (const frame of packets) {
      if ((!this.#xdp && frame.length < ETH_HLEN) || frame.length > this.#maxLinear || n === STAGE_INDEX || at + frame.length > MEMORY_BYTES) return -1;
      at = this.#stage(frame, n++, at);
    }
    return n;
  }

  /** Run the n staged frames through the driver, `repeat` times over. */
  #runStaged(n: number, repeat = 1): void {
    if (n === 0) return;
    const rt = this.#rt;
    const i32 = rt.i32;
    const driver = this.#driver();
    this.#resume();
    try {
      this.#staged = n;
      i32[I_FRAMES] = n;
      i32[I_COPY] = this.#copying.has(this.#program) ? 1 : 0;
      // run indices are i32s in the driver (and the verdict counters too): repeats in rounds of at most 2^30 runs
      const perRound = Math.max(1, Math.floor(2 ** 30 / n));
      for (let done = 0; done < repeat; done += perRound) {
        const total = Math.min(perRound, repeat - done) * n;
        this.#synced = -1;
        this.#shown = -1;
        let i = 0;
        while (i < total) {
          const end = Math.min(total, i + DRIVER_RUNS);
          try {
            i = driver(i, end);
          } catch (e) {
            const cur = i32[I_CURRENT]!;
            this.#flush();
            this.#fault(e);
            this.#restart();
            i = cur + 1;
            continue;
          }
          if (i === end) continue;
          const stop = i32[I_STOP]!;
          i32[I_STOP] = 0;
          this.#flush();
          if ((stop & STOP_VERDICT) !== 0) this.#tally.retval(i32[I_REGS]!);
          if ((stop & STOP_DIRTY) !== 0) this.#restart();
          i++;
        }
        this.#flush();
      }
    } finally {
      if (i32[I_COPY] === 1) this.#copying.add(this.#program);
      this.#suspend();
    }
  }

  /**
   * The run of the previous staged frames carried on when nothing else began a run on this memory since (the
   * packet area, stack and table as the driver left them), else a new one.
   */
  #resume(): void {
    const rt = this.#rt;
    const ctx = this.#ctx;
    if (this.#open && rt.generation === this.#generation && !rt.busy && ctx !== undefined && this.#sim.memory.regions[ctx.region.id] === ctx.region) {
      rt.busy = true;
      rt.batch = this.#hooks;
      this.#synced = -1;
      this.#shown = -1;
      return;
    }
    if (this.#open) {
      // another run came between: end this one as WasmVm would have
      this.#open = false;
      if (rt.generation === this.#generation && !rt.busy) {
        rt.busy = true;
        rt.end();
      }
    }
    this.#begin();
  }

  /** Between two batches: the run left open (the runtime free for other runs, which then end it). */
  #suspend(): void {
    const rt = this.#rt;
    rt.batch = undefined;
    rt.i32[I_CURRENT] = -1;
    if (!rt.busy) return; // #begin failed: nothing open
    rt.busy = false;
    this.#open = true;
    this.#generation = rt.generation;
  }

  /** The driver over the program's instance in this simulator's memory. */
  #driver(): (i: number, n: number) => number {
    const program = this.#program;
    let d = this.#drivers.get(program);
    if (d === undefined) {
      d = this.#rt.instance(program).batch;
      this.#drivers.set(program, d);
    }
    return d;
  }

  /** Set up a run as WasmVm does (the context reset, its RunState, the mirrors) and the control block. */
  #begin(): void {
    const rt = this.#rt;
    const sim = this.#sim;
    const head = this.#head;
    const dataOff = this.#dataOff;
    let ctx = this.#ctx;
    if (ctx === undefined || !rt.reshape(ctx.packet.region, this.#area) || sim.memory.regions[ctx.region.id] !== ctx.region) {
      if (ctx !== undefined) {
        sim.memory.remove(ctx.region);
        sim.memory.remove(ctx.packet.region);
      }
      ctx = this.#newContext();
      this.#ctx = ctx;
    }
    const packet = ctx.packet;
    const bytes = packet.region.bytes;
    bytes.fill(0);
    // data and data_meta where the driver assumes them (data_end and len it sets per frame)
    packet.setWindow(dataOff, dataOff, dataOff);
    packet.region.lowWater = packet.region.end;
    this.#view = bytes;
    this.#env.packet = packet;
    if (ctx instanceof SkbContext) this.#env.skb = ctx;
    this.#runOptions = { memory: sim.memory, r1: ctx.region, packet: packet.region };
    const st = rt.acquire(this.#vm, this.#program, this.#runOptions);
    rt.begin(st);
    this.#synced = -1;
    this.#shown = -1;
    const i32 = rt.i32;
    const pid = packet.region.id;
    const stack = st.stacks[0]!;
    const fields = contextFields(ctx.region)?.fields;
    const slot = [-1, -1, -1, -1]; // the CTX_FIELDS slots of data_end, data, data_meta, len
    if (fields !== undefined) for (let k = 0; k < fields.length; k++) slot[FIELD_ORDER.indexOf(fields[k]!.value)] = k;
    const fieldAt = (k: number): number => (k < 0 ? 0 : CTX_FIELDS + 16 * k + 8);
    if (
      i32[(entryOf(pid) + E_ID) >> 2] !== pid ||
      stack.bytes.buffer !== rt.wasm.buffer ||
      stack.bytes.length !== st.stackSize ||
      i32[(entryOf(stack.id) + E_ID) >> 2] !== stack.id ||
      i32[I_CTX_ID] !== ctx.region.id
    ) {
      rt.end();
      throw new RangeError('wasm batch: the packet, stack or context is not in linear memory');
    }
    i32[I_DATA_OFF] = dataOff;
    i32[I_DATA_BASE] = (BASE + dataOff) | 0;
    i32[I_LEN_FIELD] = fieldAt(slot[3]!);
    i32[I_LEN_ADJ] = head - dataOff;
    i32[I_PKT] = bytes.byteOffset;
    i32[I_PKT_ENTRY] = entryOf(pid);
    i32[I_PKT_ID] = pid;
    i32[I_HEAD] = head;
    i32[I_STACK_ENTRY] = entryOf(stack.id);
    i32[I_STACK_SIZE] = st.stackSize;
    i32[I_END_FIELD] = fieldAt(slot[0]!);
    i32[I_DATA_FIELD] = fieldAt(slot[1]!);
    i32[I_META_FIELD] = fieldAt(slot[2]!);
    i32[I_AREA] = this.#area;
    i32[I_END_BASE] = (BASE + head) | 0;
    i32[I_BUDGET] = st.budget;
    i32[I_R1] = st.lo[1]!;
    i32[I_R1 + 1] = st.hi[1]!;
    i32[I_R10] = st.lo[10]!;
    i32[I_R10 + 1] = st.hi[10]!;
    i32[I_PREV_LEN] = 0;
    i32[I_DIRTY] = 0;
    i32[I_STOP] = 0;
    this.#writable = i32[(entryOf(pid) + E_WRITABLE) >> 2]!;
    i32[I_WRITABLE] = this.#writable;
    rt.batch = this.#hooks;
  }

  /** End the run as WasmVm does (stacks zeroed, mirrors released). */
  #end(): void {
    const rt = this.#rt;
    rt.batch = undefined;
    rt.i32[I_CURRENT] = -1;
    rt.end();
  }

  /** After a fault or a moved packet: the run ended as WasmVm ends one, and a clean start for the next frame. */
  #restart(): void {
    this.#end();
    this.#begin();
    this.#generation = this.#rt.generation;
  }

  /**
   * RunState and the JavaScript side of the context brought to the frame the driver is running, as a new
   * run of it would start (the registers and budget live in linear memory, where the imports read them).
   */
  #sync(): void {
    const rt = this.#rt;
    const cur = rt.i32[I_CURRENT]!;
    if (cur === this.#synced) return;
    this.#synced = cur;
    this.#show();
    const env = this.#env;
    if (env.calls.length !== 0) env.calls.length = 0;
    if (env.printk.length !== 0) env.printk.length = 0;
    rt.st = reuseRunState(rt.st, this.#vm, this.#program, this.#runOptions);
  }

  /**
   * Before helper `id` runs in JavaScript without sync() (a lean or fast helper): the frame shown when the
   * helper may read or write the packet, which is unless it is one that reads no memory (the clock, the PRNG,
   * the CPU id) or a map helper (lookup, update, delete, push, pop, peek, spin lock) none of whose arguments
   * points into the packet.
   */
  #beforeHelper(id: number): void {
    if (id === 5 || id === 7 || id === 8 || id === 125 || id === 160 || id === 208) return;
    if (id === 1 || id === 2 || id === 3 || id === 87 || id === 88 || id === 89 || id === 93 || id === 94) {
      // r1..r5's high halves: a pointer's region id
      const i32 = this.#rt.i32;
      const pid = i32[I_PKT_ID]!;
      if (i32[I_REGS + 3] !== pid && i32[I_REGS + 5] !== pid && i32[I_REGS + 7] !== pid && i32[I_REGS + 9] !== pid && i32[I_REGS + 11] !== pid) return;
    }
    this.#show();
  }

  /**
   * The JavaScript side of the packet and context brought to the frame the driver is running: the frame in
   * the packet area (#toArea), the window on it, and for skb the region as long as the frame's own would be
   * and the context's fields the frame's. Before a lean or fast helper too (the runtime's view() hook), which
   * may read them without sync().
   */
  #show(): void {
    const rt = this.#rt;
    const i32 = rt.i32;
    const cur = i32[I_CURRENT]!;
    if (cur === this.#shown) return;
    this.#shown = cur;
    const frame = cur % this.#staged;
    const len = i32[I_STAGE + 2 * frame + 1]!;
    const packet = this.#env.packet!;
    const head = this.#head;
    const dataOff = this.#dataOff;
    const ctx = this.#ctx!;
    this.#toArea();
    if (ctx instanceof SkbContext) {
      if (rt.reshape(packet.region, head + len)) this.#view = packet.region.bytes;
      const snapshot = this.#snapshot(this.#frames[frame]!);
      ctx.region.bytes.set(snapshot);
      this.#stageContext(frame, snapshot);
    } else this.#stageContext(frame, ctx.region.bytes);
    packet.setWindow(dataOff, dataOff, head + len);
    packet.region.lowWater = packet.region.end;
  }

  /**
   * The context bytes a new run of staged frame `frame` starts with (what a new context of it holds), kept in
   * linear memory for the driver to copy into CTX_BYTES when the frame runs again (layout.ts: CTX_STAGE):
   * from then on its runs read and write their context fields without JavaScript. Only while the run's
   * context is kept in CTX_BYTES (CTX_LEN, context-bytes.ts) and only for the first CTX_STAGE_SLOTS frames.
   */
  #stageContext(frame: number, bytes: Uint8Array): void {
    const i32 = this.#rt.i32;
    const at = I_STAGE + 2 * frame;
    if (frame >= CTX_STAGE_SLOTS || (i32[at]! & STAGE_CTX) !== 0 || i32[I_CTX_LEN] !== bytes.length || bytes.length > CTX_MAX) return;
    this.#rt.u8.set(bytes, CTX_STAGE + frame * CTX_MAX);
    i32[at] = i32[at]! | STAGE_CTX;
  }

  /**
   * The frame being run brought from its staged bytes (where the driver runs it in place, read-only) into the
   * packet area, where JavaScript sees it (region.bytes), before any JavaScript reads the packet or a store
   * writes it: the bytes the previous frame left past its end zeroed, the table entry on the area, writable
   * as the region is. Nothing to do when the run is there already.
   */
  #toArea(): void {
    const i32 = this.#rt.i32;
    const e = i32[I_PKT_ENTRY]! >> 2;
    const area = i32[I_PKT]!;
    const base = i32[e + (E_BASE >> 2)]!;
    if (base === area || i32[e + (E_ID >> 2)] !== i32[I_PKT_ID]) return;
    const u8 = this.#rt.u8;
    const head = this.#head;
    const len = i32[I_STAGE + 2 * (i32[I_CURRENT]! % this.#staged) + 1]!;
    const prev = i32[I_PREV_LEN]!;
    if (prev > len) u8.fill(0, area + head + len, area + head + prev);
    u8.copyWithin(area + head, base + head, base + head + len);
    i32[I_PREV_LEN] = len;
    i32[e + (E_BASE >> 2)] = area;
    i32[e + (E_WRITABLE >> 2)] = this.#writable;
  }

  /** After a helper ran in JavaScript: a packet it moved or replaced makes the driver reset or hand back. */
  #watch(): void {
    const rt = this.#rt;
    const p = this.#env.packet!;
    const len = rt.i32[I_STAGE + 2 * (rt.i32[I_CURRENT]! % this.#staged) + 1]!;
    const dataOff = this.#dataOff;
    if (p.meta !== dataOff || p.data !== dataOff || p.end !== this.#head + len || p.region.bytes !== this.#view) rt.i32[I_DIRTY] = 1;
  }

  /** A context of this batch's type whose packet region is the whole packet area, in linear memory. */
  #newContext(): Context {
    const memory = this.#sim.memory;
    let ctx: Context;
    if (this.#xdp) ctx = new XdpContext(memory, new Uint8Array(0), {});
    else {
      ctx = new SkbContext(memory, this.#progType, new Uint8Array(ETH_HLEN), {});
      const r = ctx.packet.region;
      r.setBytes(new Uint8Array(this.#area), r.start, r.end);
    }
    registerContext(ctx);
    if (!this.#rt.adopt(ctx.packet.region)) throw new RangeError('wasm batch: the linear memory has no room left for the packet area');
    return ctx;
  }

  /** What a new SkbContext of `frame` holds in its context region (made once per frame while it is unchanged). */
  #snapshot(frame: Uint8Array): Uint8Array {
    const known = this.#snapshots.get(frame);
    if (known !== undefined && known.length === frame.length && sameHead(known.head, frame)) return known.ctx;
    const scratch = this.#scratchMemory();
    const c = new SkbContext(scratch, this.#progType, frame, {});
    const snap: SkbSnapshot = { length: frame.length, head: frame.slice(0, SNAPSHOT_HEAD), ctx: c.region.bytes.slice() };
    scratch.remove(c.region);
    scratch.remove(c.packet.region);
    if (this.#snapshots.size >= 1024) this.#snapshots.clear();
    this.#snapshots.set(frame, snap);
    return snap.ctx;
  }

  #scratchMemory(): Memory {
    return (this.#scratch ??= new Memory());
  }

  /** The counters into the tally, in the order they first counted; then zeroed. */
  #flush(): void {
    const i32 = this.#rt.i32;
    const k = i32[I_ORDER_N]!;
    if (k === 0) return;
    for (let j = 0; j < k; j++) {
      const at = I_VERDICTS + 2 * i32[I_ORDER + j]!;
      this.#tally.retvals(i32[at]!, i32[at + 1]!);
      i32[at + 1] = 0;
    }
    i32[I_ORDER_N] = 0;
  }

  /** A run that threw: its end as WasmVm makes it (a verdict, or a fault counted). */
  #fault(thrown: unknown): void {
    this.#sync();
    const st: RunState = this.#rt.st;
    // a throw out of a bpf_loop callback run from wasm ends the run as the interpreter's would (as WasmVm)
    const e = settleThrow(this.#rt.i32, st, thrown, LdAbsEnd);
    if (e instanceof LdAbsEnd) {
      this.#tally.retval(0);
      return;
    }
    try {
      const r = endOfThrow(st, e);
      this.#tally.retval(Number(BigInt.asIntN(32, r.r0)));
    } catch (f) {
      if (!(f instanceof SimFault)) throw f;
      this.#tally.fault(f);
    }
  }

  /** A frame longer than the packet area: its own context, through WasmVm.run. */
  #runAlone(frame: Uint8Array): void {
    const sim = this.#sim;
    const ctx = this.#xdp ? new XdpContext(sim.memory, frame, {}) : new SkbContext(sim.memory, this.#progType, frame, {});
    registerContext(ctx);
    const env = this.#env;
    env.packet = ctx.packet;
    if (ctx instanceof SkbContext) env.skb = ctx;
    env.calls.length = 0;
    env.printk.length = 0;
    try {
      const r = this.#vm.run(this.#program, { memory: sim.memory, r1: ctx.region, packet: ctx.packet.region });
      this.#tally.retval(Number(BigInt.asIntN(32, r.r0)));
    } catch (e) {
      if (!(e instanceof SimFault)) throw e;
      this.#tally.fault(e);
    } finally {
      sim.memory.remove(ctx.region);
      sim.memory.remove(ctx.packet.region);
      // the batch's own context again for the runs to come (WasmVm.run began a run: the next staged frames
      // begin theirs anew, which sets these too)
      if (this.#ctx !== undefined) {
        env.packet = this.#ctx.packet;
        if (this.#ctx instanceof SkbContext) env.skb = this.#ctx;
      }
    }
  }
}

/** Whether `frame` starts with `head` (as far as either goes). */
function sameHead(head: Uint8Array, frame: Uint8Array): boolean {
  for (let i = 0; i < head.length; i++) if (head[i] !== frame[i]) return false;
  return true;
}
