// The fast tier's side of one simulated Memory: its linear memory (layout.ts), which regions are mirrored in
// it, the table the wasm code checks accesses against, one instance per program, and the imports: the slow
// paths, which hand over to the interpreter's own code (resolve(), RunState's calls, helpers, tail calls) so
// that a fault or a helper's effect is the interpreter's by construction.
import * as vm from '../vm/index.ts';
import type { CompiledProgram, HelperDispatch, Memory, Region, RegisterHalves, RunOptions } from '../vm/index.ts';
import { atomic, hookedLoad, resolve, resolvedOffset } from '../vm/execute.ts';
import { LoopFault } from '../vm/run-signals.ts';
import type { RunState, VmLimits } from '../vm/run-state.ts';
import * as layout from './layout.ts';
import * as maps from '../maps/index.ts';
import type { HelperEnv } from '../helpers/index.ts';
import { contextFields, type ContextFields } from './context-fields.ts';
import { reuseRunState } from './reuse-run-state.ts';
import { leanEnv } from './lean-helpers.ts';
import { lookupIndex } from './inline-map-ops.ts';
import { isLeanMapHelper, leanMapHelper } from './lean-map-helpers.ts';
import { SKB_PKT, skbPacketId } from './inline-packet-helpers.ts';
import { wasmProgram } from './wasm-program.ts';
import { beginFrames, framesFromState, framesToState } from './wasm-frames.ts';
import { ContextBytes } from './context-bytes.ts';
import { tailCall, TailCount } from './tail-calls.ts';
import { mayReadClock, WasmClock } from './wasm-clock.ts';
import { Wasm } from './webassembly.ts';


// Module-local copies of the constants: tsx compiles imported bindings to getter calls, which the paths
// here would pay on every use (the batch driver runs them per frame).
const { CTX_FIELDS, CTX_ID, CTX_SLOTS, D_CPU_MASK, D_EPOCH, D_FIRST, D_ID, D_KEY, D_KIND, D_KIND_ARRAY, D_KIND_HASH, D_KIND_LRU, D_MAX, D_STRIDE, E_BASE, E_END, E_ID, E_LOW, E_START, E_WRITABLE, ENTRY_SIZE, L_EPOCH, L_KEYS, L_MAP, L_VALUE, LEFT, LOOKUP_KEY, LOOKUP_SIZE, LOOKUPS, M_CPU, M_LEAN, MAP_ARENA, MAP_ENTRIES, MAP_ENTRY_SIZE, MAPS, MEMORY_BYTES, MEMORY_PAGES, PKT_ID, REGS, RUN_ARENA, SCRATCH, STACK_ARENA, TABLE, TABLE_ENTRIES } = layout;
const { CODE_TAG, REGION_BASE } = vm;
/** E_LOW of a region that is not a stack: no low-water mark to keep */
const NO_LOW_WATER = -0x8000_0000;
const { ArrayMap, HashMap, LpmTrieMap, MapOfMaps, onMapEvents, SimMap } = maps;

/** Thrown by an ld_abs/ld_ind out of the packet: the program ends with r0 = 0 (caught by WasmVm.run). */
export class LdAbsEnd {}

interface Mirror {
  readonly region: Region;
  /** the region's bytes (an adopted region's may be cut shorter than its part of linear memory: reshape()) */
  view: Uint8Array;
  /** an adopted region's whole part of linear memory */
  readonly full?: Uint8Array;
  /** the region's own bytes, to copy back into at the end of the run (per-run mirrors only) */
  readonly original: Uint8Array | undefined;
  readonly originalView: DataView | undefined;
}

interface Exports {
  start(): void;
  /** a batch's runs i..n-1 inside wasm (batch-driver.ts): n, or the run it stopped at */
  batch(i: number, n: number): number;
}

/**
 * What a batch running inside wasm (wasm-batch.ts) needs from the imports: sync() before an import uses the
 * RunState (it brings the state to the frame being run, which the driver changed without JavaScript), and
 * watch() after a helper ran in JavaScript (it notes a packet the helper moved or replaced).
 */
export interface BatchHooks {
  sync(): void;
  watch(): void;
  /** before helper `id` runs without sync() (a lean or fast helper): the frame where region.bytes sees it */
  view(id: number): void;
}

const runtimes = new WeakMap<Memory, WasmRuntime>();

/**
 * Regions whose bytes were handed out as a live view while they lived outside linear memory: they stay where
 * they are (the slow path serves them), or the view would go on reading a copy nobody writes.
 */
const pinnedViews = new WeakSet<Region>();

/**
 * The bytes of map value `r` as a view that stays live whichever tier runs next (Simulator.global): moved into
 * the fast tier's linear memory first when a fast tier may run (`fastTier`), else pinned where they are.
 */
export function liveView(memory: Memory, r: Region, fastTier: boolean): Uint8Array {
  if (!(fastTier && runtimeFor(memory).placeValue(r)) && r.bytes.buffer !== runtimes.get(memory)?.wasm.buffer) pinnedViews.add(r);
  return r.bytes;
}

/** The runtime of `memory` (made on first use). */
export function runtimeFor(memory: Memory): WasmRuntime {
  let rt = runtimes.get(memory);
  if (rt === undefined) {
    rt = new WasmRuntime(memory);
    runtimes.set(memory, rt);
  }
  return rt;
}

export class WasmRuntime {
  readonly memory: Memory;
  readonly wasm = new Wasm.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES });
  // The memory never grows, so these views stay valid.
  readonly u8 = new Uint8Array(this.wasm.buffer);
  readonly i32 = new Int32Array(this.wasm.buffer);
  /** the run's context fields the wasm code reads and writes in linear memory (context-bytes.ts) */
  readonly contextBytes = new ContextBytes(this.i32, this.u8);
  /** a batch's tail call count (tail-calls.ts) */
  readonly tails = new TailCount();
  /** bpf_ktime_get_ns's clock while the wasm code answers its reads (wasm-clock.ts) */
  readonly clock = new WasmClock(this.wasm.buffer);
  /** the run in progress (the last one when not busy) */
  st!: RunState;
  /** between begin() and end() */
  busy = false;
  readonly #instances = new WeakMap<CompiledProgram, Exports>();
  readonly #stacks: Mirror[] = [];
  readonly #run: Mirror[] = [];
  #stackTop = STACK_ARENA;
  #runTop = RUN_ARENA;
  readonly #tmpLo = new Int32Array(1);
  readonly #tmpHi = new Int32Array(1);
  readonly #arenaViews = new Map<number, { bytes: Uint8Array; view: DataView }>();
  /** a finished run's state, for acquire() */
  #spare: RunState | undefined;
  /** the run's context, when its packet-pointer fields are kept in linear memory (context-fields.ts) */
  #ctx: Region | undefined;
  #ctxFields: ContextFields | undefined;
  /** the run's helper table's answers from registers (HelperDispatch.fast), for a lean table */
  #fast: HelperDispatch['fast'];
  /** r0..r5 for #fast (the registers live in linear memory) */
  readonly #halves: RegisterHalves;
  /** the run's helper environment when its calls are not recorded (lean-helpers.ts) */
  #lean: HelperEnv | undefined;
  #mapTop = MAP_ARENA;
  /** the last D_EPOCH given (inline-map-ops.ts) */
  #epoch = 0;
  /** map arena space of removed values, by size: a hash map's churn reuses it */
  readonly #freeValues = new Map<number, number[]>();
  /** packet regions living in linear memory for good (adopt()) */
  readonly #adopted = new WeakMap<Region, Mirror>();
  /** the batch running inside wasm (wasm-batch.ts), whose RunState follows the frames lazily */
  #batch: BatchHooks | undefined;
  /** runs begun so far: a batch whose number is still the last may carry on its run without a new begin() */
  generation = 0;

  constructor(memory: Memory) {
    this.memory = memory;
    this.#halves = { lo: new Int32Array(11), hi: new Int32Array(11), memory };
    for (let i = 0; i < TABLE_ENTRIES; i++) this.#clearEntry(i);
    onMapEvents(memory, { removed: (r) => this.#unmirrorValue(r), keysChanged: (m) => this.#keysChanged(m) });
  }

  get batch(): BatchHooks | undefined {
    return this.#batch;
  }

  /**
   * The batch running inside wasm; setting it (a batch resuming a run left open) also refreshes M_LEAN and
   * M_CPU, since the batch may have changed its environment's CPU in between.
   */
  set batch(hooks: BatchHooks | undefined) {
    this.clock.settle();
    this.#batch = hooks;
    this.tails.forget();
    this.#syncLean();
  }

  /** M_LEAN and M_CPU from the run's lean environment (inline-map-ops.ts) */
  #syncLean(): void {
    const env = this.#lean;
    this.i32[M_LEAN >> 2] = env === undefined ? 0 : 1;
    this.i32[M_CPU >> 2] = env === undefined ? 0 : env.cpu;
    this.i32[SKB_PKT >> 2] = skbPacketId(env);
  }

  /** The instance of `prog` in this memory. */
  instance(prog: CompiledProgram): Exports {
    let x = this.#instances.get(prog);
    if (x === undefined) {
      const inst = new Wasm.Instance(wasmProgram(prog).module, { env: { memory: this.wasm }, bpf: this.#imports(prog) });
      x = inst.exports as unknown as Exports;
      this.#instances.set(prog, x);
    }
    return x;
  }

  /**
   * The state of a new run: the previous run's RunState reset as its constructor would set it up (the
   * constructor's closures and typed arrays cost more than a short program's run), or a new one.
   */
  acquire(vm: VmLimits, entry: CompiledProgram, options: RunOptions): RunState {
    const spare = this.#spare;
    this.#spare = undefined;
    return reuseRunState(spare, vm, entry, options);
  }


  /**
   * Move a packet region's bytes into linear memory for good (a context reused for many runs: runBatch), so
   * runs need not copy it in and out. False when the map arena is full (the region then stays as it is).
   */
  adopt(r: Region): boolean {
    if (this.#adopted.has(r)) return true;
    if (r.bytes.buffer === this.wasm.buffer || !mirrorable(r) || r.kind !== 'packet') return false;
    const size = r.bytes.length;
    const at = this.#mapTop;
    if (at + size > MEMORY_BYTES) return false;
    this.#mapTop = (at + size + 15) & ~15;
    const view = this.u8.subarray(at, at + size);
    view.set(r.bytes);
    r.setBytes(view, r.start, r.end);
    this.#adopted.set(r, { region: r, view, full: view, original: undefined, originalView: undefined });
    return true;
  }

  /**
   * An adopted region's bytes cut to the first `length` bytes of its part of linear memory (its window kept):
   * a batch's packet area holding frames of different lengths, each seen as a buffer of its own length.
   * False when `r` is not adopted or a helper replaced its bytes.
   */
  reshape(r: Region, length: number): boolean {
    const m = this.#adopted.get(r);
    if (m === undefined || m.full === undefined || r.bytes !== m.view || length > m.full.length) return false;
    if (m.view.length !== length) {
      m.view = m.full.subarray(0, length);
      r.setBytes(m.view, r.start, r.end);
    }
    return true;
  }

  /** Start run `st`: mirror its stack and packet, registers and budget into linear memory. */
  begin(st: RunState): void {
    this.clock.settle();
    this.generation++;
    this.st = st;
    this.busy = true;
    this.#mirrorStack(st.depth);
    if (st.packet !== undefined) this.#mirrorForRun(st.packet);
    const r1 = st.lo[1] === (REGION_BASE | 0) ? this.memory.regions[st.hi[1]!] : undefined;
    this.#ctxFields = r1 === undefined ? undefined : contextFields(r1);
    this.#ctx = this.#ctxFields === undefined ? undefined : r1;
    this.contextBytes.begin(this.#ctx);
    this.#lean = leanEnv(st.helpers);
    this.#fast = this.#lean === undefined ? undefined : st.helpers.fast;
    this.#syncLean();
    this.i32[PKT_ID >> 2] = st.packet === undefined ? 0 : st.packet.id;
    this.push();
    this.fromState();
    beginFrames(this.i32, st, this.wasm.buffer, this.#lean !== undefined);
  }

  /** End the run: zero the stacks the way the interpreter does, copy mirrored packets back. */
  end(): void {
    this.clock.settle();
    this.contextBytes.end();
    this.pull();
    this.st.releaseStacks();
    for (const m of this.#run) {
      if (m.original !== undefined && m.region.bytes === m.view) {
        m.original!.set(m.view);
        m.region.bytes = m.original!;
        m.region.view = m.originalView!;
      }
      this.#clearEntryOf(m.region);
    }
    this.#run.length = 0;
    this.#runTop = RUN_ARENA;
    this.i32[PKT_ID >> 2] = 0;
    this.#ctx = undefined;
    this.#ctxFields = undefined;
    this.#lean = undefined;
    this.#fast = undefined;
    this.#syncLean();
    this.push();
    if (!this.st.tracing) this.#spare = this.st;
    this.busy = false;
  }

  /** Registers and budget: linear memory → RunState. */
  toState(): void {
    const { st, i32 } = this;
    for (let r = 0; r <= 10; r++) {
      st.lo[r] = i32[(REGS >> 2) + 2 * r]!;
      st.hi[r] = i32[(REGS >> 2) + 2 * r + 1]!;
    }
    st.left = i32[LEFT >> 2]!;
  }

  /** Registers and budget: RunState → linear memory. */
  fromState(): void {
    const { st, i32 } = this;
    for (let r = 0; r <= 10; r++) {
      i32[(REGS >> 2) + 2 * r] = st.lo[r]!;
      i32[(REGS >> 2) + 2 * r + 1] = st.hi[r]!;
    }
    i32[LEFT >> 2] = st.left;
  }

  /** Table → regions: the lowest stack offsets the wasm code reached (before JS code reads lowWater). */
  pull(): void {
    for (const m of this.#stacks) {
      const e = this.#entry(m.region.id);
      if (this.i32[e + (E_ID >> 2)]! === m.region.id) {
        const low = this.i32[e + (E_LOW >> 2)]!;
        if (low < m.region.lowWater) m.region.lowWater = low;
      }
    }
  }

  /** Regions → table, after JS code may have moved a window, replaced bytes or removed a region. */
  push(): void {
    this.#pushList(this.#stacks, true);
    this.#pushList(this.#run, false);
    this.#pushContext();
  }

  /** The context's packet-pointer fields → CTX_FIELDS (their values move when a helper moves the packet). */
  #pushContext(): void {
    this.contextBytes.wrote();
    const i32 = this.i32;
    const ctx = this.#ctx;
    const f = this.#ctxFields;
    if (ctx === undefined || f === undefined || this.memory.regions[ctx.id] !== ctx) {
      i32[CTX_ID >> 2] = 0;
      return;
    }
    i32[CTX_ID >> 2] = ctx.id;
    const p = f.packet;
    const pid = p.region.id;
    for (let k = 0; k < CTX_SLOTS; k++) {
      const at = (CTX_FIELDS + 16 * k) >> 2;
      const field = f.fields[k];
      if (field === undefined) {
        i32[at + 1] = 0;
        continue;
      }
      i32[at] = field.offset;
      i32[at + 1] = 1;
      const v = field.value;
      i32[at + 2] = v === 'len' ? p.end - p.data : REGION_BASE + (v === 'data' ? p.data : v === 'end' ? p.end : p.meta);
      i32[at + 3] = v === 'len' ? 0 : pid;
    }
  }

  #pushList(list: Mirror[], stacks: boolean): void {
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!;
      const r = m.region;
      const live = this.memory.regions[r.id] === r;
      if (!live || r.bytes !== m.view) {
        // removed, or its bytes replaced (a helper resized the packet): no longer mirrored
        if (m.original !== undefined && r.bytes !== m.view) m.original.set(m.view.subarray(0, m.original.length));
        this.#clearEntryOf(r);
        list.splice(i--, 1);
        continue;
      }
      this.#writeEntry(this.#entry(r.id), r, m.view.byteOffset, stacks ? r.lowWater : NO_LOW_WATER);
    }
  }

  /** Region `r`'s table entry at `e`: its bytes at linear address `base`, `low` the stack low-water mark. */
  #writeEntry(e: number, r: Region, base: number, low: number): void {
    const i32 = this.i32;
    i32[e + (E_ID >> 2)] = r.id;
    i32[e + (E_BASE >> 2)] = base;
    i32[e + (E_START >> 2)] = r.start;
    i32[e + (E_END >> 2)] = r.end;
    i32[e + (E_WRITABLE >> 2)] = r.writable ? 1 : 0;
    i32[e + (E_LOW >> 2)] = low;
  }

  /** One mirrored stack region → its table entry (push() for a single stack). */
  #pushStack(r: Region): void {
    if (r.bytes.buffer !== this.wasm.buffer || this.memory.regions[r.id] !== r) return;
    this.#writeEntry(this.#entry(r.id), r, r.bytes.byteOffset, r.lowWater);
  }

  /** i32 index of the entry of region `id` */
  #entry(id: number): number {
    return (TABLE + (id & (TABLE_ENTRIES - 1)) * ENTRY_SIZE) >> 2;
  }

  #clearEntry(index: number): void {
    const e = (TABLE + index * ENTRY_SIZE) >> 2;
    this.i32[e + (E_ID >> 2)] = 0;
    this.i32[e + (E_START >> 2)] = 1;
    this.i32[e + (E_END >> 2)] = 0;
  }

  #clearEntryOf(r: Region): void {
    const e = this.#entry(r.id);
    if (this.i32[e + (E_ID >> 2)] === r.id) this.#clearEntry(r.id & (TABLE_ENTRIES - 1));
  }

  /** Mirror the stack region of frame `depth` for good (its bytes become a view of linear memory). */
  #mirrorStack(depth: number): void {
    const r = this.st.stacks[depth];
    if (r === undefined || r.bytes.buffer === this.wasm.buffer || !mirrorable(r)) return;
    const size = r.bytes.length;
    const at = this.#stackTop;
    if (at + size > RUN_ARENA) return;
    this.#stackTop = (at + size + 15) & ~15;
    const view = this.u8.subarray(at, at + size);
    view.set(r.bytes);
    r.setBytes(view, r.start, r.end);
    this.#stacks.push({ region: r, view, original: undefined, originalView: undefined });
  }

  /** Mirror a packet for this run (copied back at its end). */
  #mirrorForRun(r: Region): void {
    if (r.bytes.buffer === this.wasm.buffer) {
      // an adopted packet: in linear memory already, it only needs its table entry for the run
      const m = this.#adopted.get(r);
      if (m !== undefined && m.view === r.bytes && !this.#run.includes(m)) this.#run.push(m);
      return;
    }
    if (!mirrorable(r)) return;
    const size = r.bytes.length;
    const at = this.#runTop;
    if (at + size > LOOKUPS) return;
    this.#runTop = (at + size + 15) & ~15;
    // views of the arena are cached by place and size: a run's mirror allocates nothing
    const key = at * 0x10_0000 + size;
    let views = this.#arenaViews.get(key);
    if (views === undefined) {
      if (this.#arenaViews.size >= 4096) this.#arenaViews.clear();
      views = { bytes: this.u8.subarray(at, at + size), view: new DataView(this.wasm.buffer, at, size) };
      this.#arenaViews.set(key, views);
    }
    views.bytes.set(r.bytes);
    this.#run.push({ region: r, view: views.bytes, original: r.bytes, originalView: r.view });
    r.bytes = views.bytes;
    r.view = views.view;
  }

  #imports(prog: CompiledProgram): Record<string, (...args: number[]) => number | void> {
    const rt = this;
    const i32 = this.i32;
    const code = prog.code;
    const setValue = (lo: number, hi: number): void => {
      i32[SCRATCH >> 2] = lo;
      i32[(SCRATCH >> 2) + 1] = hi;
    };
    const at = (slot: number): RunState => {
      if (rt.batch !== undefined) rt.batch.sync();
      const st = rt.st;
      framesToState(i32, st); // calls and callbacks enter frames in wasm
      rt.contextBytes.sync(); // and context fields are written there
      st.slot = slot;
      st.prog = prog;
      st.code = code;
      return st;
    };
    return {
      budget(slot) {
        const st = at(slot);
        throw new LoopFault('budget', `instruction budget of ${st.budget} exhausted (a runaway loop?)`);
      },
      load(slot, alo, ahi, kind) {
        const st = at(slot);
        const size = kind & 15;
        const rg = resolve(st.memory.regions, alo, ahi, 0, size, false);
        const o = resolvedOffset;
        if (rg.load !== undefined && hookedLoad(rg, rt.#tmpLo, rt.#tmpHi, 0, size)) {
          setValue(rt.#tmpLo[0]!, rt.#tmpHi[0]!);
          return;
        }
        const v = rg.view;
        if ((kind & 16) === 0) {
          if (size === 8) setValue(v.getInt32(o, true), v.getInt32(o + 4, true));
          else setValue(size === 4 ? v.getInt32(o, true) : size === 2 ? v.getUint16(o, true) : rg.bytes[o]!, 0);
        } else {
          const x = size === 4 ? v.getInt32(o, true) : size === 2 ? v.getInt16(o, true) : v.getInt8(o);
          setValue(x, x >> 31);
        }
        if (rg.kind === 'packet') rt.#lateMirror(rg);
        else if (rg.kind === 'map_value') rt.#mirrorValue(rg);
      },
      store(slot, alo, ahi, size, vlo, vhi) {
        const st = at(slot);
        const rg = resolve(st.memory.regions, alo, ahi, 0, size, true);
        const o = resolvedOffset;
        if (rg.store !== undefined && rg.store(o, size, vlo!, vhi!)) return;
        const v = rg.view;
        if (size === 8) {
          v.setInt32(o, vlo!, true);
          v.setInt32(o + 4, vhi!, true);
        } else if (size === 4) v.setInt32(o, vlo!, true);
        else if (size === 2) v.setInt16(o, vlo!, true);
        else rg.bytes[o] = vlo!;
        if (rg.kind === 'ctx') rt.contextBytes.wrote();
        if (rg.kind === 'packet') rt.#lateMirror(rg);
        else if (rg.kind === 'map_value') rt.#mirrorValue(rg);
      },
      helper(id, slot) {
        if (id === 12) {
          const t = tailCall(rt, rt.tails); // bpf_tail_call without the slow path, -1 for its fault
          if (t >= 0) return t;
        }
        if (mayReadClock(id)) rt.clock.settle(); // the clock lent to the wasm code back before JavaScript reads it
        // before at(): a lean helper neither faults nor reads the RunState, so a batch need not sync for it
        if (rt.batch !== undefined) rt.batch.view(id);
        if (rt.#lean !== undefined && (id === 1 || id === 5) && rt.#leanHelper(id, rt.#lean)) return 0;
        if (rt.#lean !== undefined && isLeanMapHelper(id) && leanMapHelper(id, i32, rt.memory.regions, rt)) return 0;
        if (rt.#fast !== undefined && rt.#fastHelper(id, rt.#fast)) return 0;
        const st = at(slot);
        rt.toState();
        rt.pull();
        st.pc = slot + 1;
        const left = st.left;
        try {
          st.callHelper(id);
        } catch (e) {
          // as the interpreter's execute(): a run a helper ends counts up to the call, and a signal out of a
          // callback the helper ran names the call
          st.left = left;
          st.slot = slot;
          throw e;
        } finally {
          rt.push();
          if (rt.batch !== undefined) rt.batch.watch();
        }
        if (st.pc === 0) {
          // a tail call: run the target in this frame, to its end
          rt.fromState();
          rt.instance(st.prog).start();
          return 1;
        }
        rt.fromState();
        return 0;
      },
      // a call changes only the callee's stack (its window, low water mark): only its table entry is rewritten
      enter(slot) {
        const st = at(slot);
        st.pc = slot + 1;
        rt.pull();
        st.localCall(0);
        rt.#mirrorStack(st.depth);
        rt.#pushStack(st.stacks[st.depth]!);
        framesFromState(i32, st, rt.wasm.buffer);
        setValue(st.lo[10]!, st.hi[10]!);
      },
      // a frame whose stack is not mirrored (the wasm caller keeps its registers: only the stack is left)
      leave() {
        if (rt.batch !== undefined) rt.batch.sync();
        const st = rt.st;
        framesToState(i32, st);
        rt.pull();
        const callee = st.stacks[st.depth]!;
        st.leaveStack(st.depth);
        st.depth--;
        rt.#pushStack(callee);
        framesFromState(i32, st, rt.wasm.buffer);
      },
      callx(slot, lo, hi) {
        const st = at(slot);
        if (hi === CODE_TAG) {
          const k = prog.functions.indexOf(lo!);
          if (k < 0) throw new LoopFault('invalid', `callx to slot ${lo}, which does not start a function`);
          return k;
        }
        if (hi === 0 && lo! >= 0 && st.helpers.has(lo!)) return -1;
        const d = code[slot * 4 + 1]! & 15;
        const value = (BigInt(hi! >>> 0) << 32n) | BigInt(lo! >>> 0);
        throw new LoopFault('helper', `callx r${d} = 0x${value.toString(16)}: neither a function address nor a known helper id`);
      },
      atomic(slot, k, d, s, off) {
        const st = at(slot);
        rt.toState();
        atomic(st.memory.regions, st.lo, st.hi, k!, d!, s!, off!);
        rt.contextBytes.wrote();
        rt.fromState();
        const rg = st.memory.regions[st.hi[d!]!];
        if (rg !== undefined && rg.kind === 'map_value') rt.#mirrorValue(rg);
      },
      ldabs(slot, h, srcLo, imm) {
        const st = at(slot);
        const packet = st.packet;
        if (packet === undefined) {
          throw new LoopFault('invalid', 'ld_abs/ld_ind need a packet (a socket filter or skb program: RunOptions.packet)');
        }
        const size = (h! & 0x18) === 0x00 ? 4 : (h! & 0x18) === 0x08 ? 2 : 1;
        const off = h! >= 0x40 ? (srcLo! + imm!) | 0 : imm!;
        const len = packet.end - packet.start;
        if (off < 0 || off + size > len) {
          st.left = i32[LEFT >> 2]!;
          throw new LdAbsEnd();
        }
        const p = packet.start + off;
        return size === 4 ? packet.view.getInt32(p, false) : size === 2 ? packet.view.getUint16(p, false) : packet.bytes[p]!;
      },
      mayGoto() {
        if (rt.batch !== undefined) rt.batch.sync();
        const st = rt.st;
        if (st.mayGoto === 0) return 1;
        st.mayGoto--;
        return 0;
      },
      invalid(slot, h) {
        at(slot);
        if (h === -1) throw new LoopFault('invalid', `kfunc calls (btf id ${code[slot * 4 + 3]}) are not supported by the simulator`);
        throw new LoopFault('invalid', `cannot execute handler 0x${h!.toString(16)}`);
      },
    };
  }

  /**
   * bpf_map_lookup_elem (1) or bpf_ktime_get_ns (5) of a run whose calls are not recorded, from the registers
   * in linear memory, as kernelHelpers computes them: true when done, false to take the ordinary path (which
   * also makes every fault: not a map, a key out of bounds, …).
   */
  #leanHelper(id: number, env: HelperEnv): boolean {
    const i32 = this.i32;
    const R = REGS >> 2;
    if (id === 5) {
      this.#setR0(this.clock.read(env));
      return true;
    }
    const regions = this.memory.regions;
    const h1 = i32[R + 3]!;
    const m = h1 > 0 && h1 < regions.length ? regions[h1]?.map : undefined;
    if (!(m instanceof SimMap) || i32[R + 2] !== (REGION_BASE | 0)) return false;
    const h2 = i32[R + 5]!;
    const kr = h2 > 0 && h2 < regions.length ? regions[h2] : undefined;
    if (kr === undefined || kr.kind === 'map' || kr.access !== undefined) return false;
    const o = (i32[R + 4]! ^ 0x8000_0000) | 0;
    if (o < kr.start || o + m.keySize > kr.end) return false;
    if (m instanceof ArrayMap) {
      const b = kr.bytes;
      const index = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
      if (index >= m.maxEntries) {
        i32[R] = 0;
        i32[R + 1] = 0;
        return true;
      }
      const v = m.regions[index]![m.perCpu ? env.cpu : 0];
      if (v === undefined) return false;
      this.#mirrorValue(v);
      this.#describe(m, h1);
      i32[R] = REGION_BASE | 0;
      i32[R + 1] = v.id;
      return true;
    }
    const v = m.lookupRegion(kr.bytes, o, env.cpu);
    if (v !== undefined) this.#mirrorValue(v);
    if (kr.bytes.buffer === this.wasm.buffer) this.#remember(m, h1, kr.bytes.byteOffset + o, v);
    i32[R] = v === undefined ? 0 : REGION_BASE | 0;
    i32[R + 1] = v === undefined ? 0 : v.id;
    return true;
  }

  /**
   * A helper the table answers from registers (map update and delete, the PRNG, bpf_skb_load_bytes, …):
   * r1..r5 from linear memory, r0 back; false when it declines (the ordinary path then makes its fault).
   */
  #fastHelper(id: number, fast: NonNullable<HelperDispatch['fast']>): boolean {
    // the packet helpers read the context's window, which a batch brings to the frame being run
    if (id === 26 && this.batch !== undefined) this.batch.sync();
    const i32 = this.i32;
    const { lo, hi } = this.#halves;
    const R = REGS >> 2;
    for (let r = 1; r <= 5; r++) {
      lo[r] = i32[R + 2 * r]!;
      hi[r] = i32[R + 2 * r + 1]!;
    }
    if (!fast(id, this.#halves)) return false;
    i32[R] = lo[0]!;
    i32[R + 1] = hi[0]!;
    return true;
  }

  /** r0 in linear memory = `v`, as RegisterFile.set stores it */
  #setR0(v: bigint | number): void {
    const b = BigInt.asUintN(64, BigInt(v));
    this.i32[REGS >> 2] = Number(BigInt.asIntN(32, b));
    this.i32[(REGS >> 2) + 1] = Number(BigInt.asIntN(32, b >> 32n));
  }

  /** `size` bytes of the map arena for good, 8-aligned (a queue's ring: lean-map-helpers.ts), or undefined when full. */
  arena(size: number): Uint8Array | undefined {
    const at = (this.#mapTop + 7) & ~7;
    if (at + size > MEMORY_BYTES) return undefined;
    this.#mapTop = (at + size + 7) & ~7;
    return this.u8.subarray(at, at + size);
  }

  /**
   * Mirror a map value in the map arena (TypeScript reads values through region.bytes, which stays the live
   * view; a removed value leaves: #unmirrorValue), and give it its table entry so that later accesses stay
   * in wasm. The entry is not taken from a live stack or packet (the batch driver rewrites theirs without
   * checking): the value's accesses then keep going through the runtime.
   */
  /**
   * Moves a map value's bytes into the map arena (for good: a value is moved out only when its map deletes it).
   * False when it cannot be (a hooked region, one a view was handed out for while it lived elsewhere, or the
   * arena is full): it stays where it is and the slow path serves it.
   */
  placeValue(r: Region): boolean {
    if (r.bytes.buffer === this.wasm.buffer) return true;
    if (r.kind !== 'map_value' || !mirrorable(r)) return false;
    const size = r.bytes.length;
    const rounded = (size + 7) & ~7;
    let at = this.#freeValues.get(rounded)?.pop();
    if (at === undefined) {
      at = this.#mapTop;
      if (at + rounded > MEMORY_BYTES) return false;
      this.#mapTop = at + rounded;
    }
    const view = this.u8.subarray(at, at + size);
    view.set(r.bytes);
    r.setBytes(view, r.start, r.end);
    return true;
  }

  #mirrorValue(r: Region): void {
    if (r.kind !== 'map_value') return;
    const e = this.#entry(r.id);
    const i32 = this.i32;
    const held = i32[e + (E_ID >> 2)]!;
    if (held === r.id) return;
    if (held !== 0) {
      const other = this.memory.regions[held];
      if (other !== undefined && other.kind !== 'map_value' && other.bytes.buffer === this.wasm.buffer) return;
    }
    if (!this.placeValue(r)) return;
    this.#writeEntry(e, r, r.bytes.byteOffset, NO_LOW_WATER);
  }

  /**
   * A map removed value `r` from the memory: its table entry goes (a stale pointer's access then faults in
   * the runtime, as in the interpreter), its bytes move out to a copy of their own, its space is reused.
   */
  #unmirrorValue(r: Region): void {
    this.#clearEntryOf(r);
    const b = r.bytes;
    if (b.buffer !== this.wasm.buffer || r.kind !== 'map_value' || b.byteOffset < MAP_ARENA) return;
    r.setBytes(b.slice(), r.start, r.end);
    const rounded = (b.length + 7) & ~7;
    let free = this.#freeValues.get(rounded);
    if (free === undefined) this.#freeValues.set(rounded, (free = []));
    free.push(b.byteOffset);
  }

  /**
   * Describe array map `m` (handle region id `h`) in MAPS, so that the wasm code answers its lookups
   * (inline-map-ops.ts), when its value regions have consecutive ids (ArrayMap makes them in one go).
   */
  #describe(m: InstanceType<typeof ArrayMap>, h: number): void {
    const d = (MAPS + (h & (MAP_ENTRIES - 1)) * MAP_ENTRY_SIZE) >> 2;
    const i32 = this.i32;
    if (i32[d + (D_ID >> 2)] === h) return;
    const rs = m.regions;
    const stride = rs[0]?.length ?? 0;
    const first = rs[0]?.[0]?.id ?? 0;
    if (!consecutiveIds(m, stride, first)) return;
    i32[d + (D_FIRST >> 2)] = first;
    i32[d + (D_MAX >> 2)] = m.maxEntries;
    i32[d + (D_STRIDE >> 2)] = stride;
    i32[d + (D_CPU_MASK >> 2)] = m.perCpu ? -1 : 0;
    i32[d + (D_KIND >> 2)] = D_KIND_ARRAY;
    i32[d + (D_ID >> 2)] = h;
  }

  /**
   * Remember in LOOKUPS that map `m` (handle id `h`) answered `v` for the key at linear address `at`, so the
   * wasm code answers the same key itself until a key of `m` comes or goes (inline-map-ops.ts). Only hash
   * maps (not per-CPU), LPM tries and maps of maps (the answer: an inner map's handle); an LRU map's hits
   * are left out (each is a use its order must see).
   */
  #remember(m: maps.SimMap, h: number, at: number, v: Region | undefined): void {
    const size = m.keySize;
    if (size > LOOKUP_KEY) return;
    let kind: number;
    if (m instanceof LpmTrieMap || m instanceof MapOfMaps) kind = D_KIND_HASH;
    else if (m instanceof HashMap && !m.perCpu) kind = m.lru ? D_KIND_LRU : D_KIND_HASH;
    else return;
    if (kind === D_KIND_LRU && v !== undefined) return;
    const i32 = this.i32;
    const d = (MAPS + (h & (MAP_ENTRIES - 1)) * MAP_ENTRY_SIZE) >> 2;
    if (i32[d + (D_ID >> 2)] !== h) {
      i32[d + (D_KIND >> 2)] = kind;
      i32[d + (D_KEY >> 2)] = size;
      const plain = kind === D_KIND_HASH && m instanceof HashMap;
      i32[d + (layout.D_UPDATABLE >> 2)] = plain ? 1 : 0;
      i32[d + (layout.D_VALUE_SIZE >> 2)] = m.valueSize;
      i32[d + (D_EPOCH >> 2)] = ++this.#epoch;
      i32[d + (D_ID >> 2)] = h;
    }
    const e = LOOKUPS + lookupIndex(this.u8, at, size, h) * LOOKUP_SIZE;
    i32[(e + L_MAP) >> 2] = h;
    i32[(e + L_EPOCH) >> 2] = i32[d + (D_EPOCH >> 2)]!;
    i32[(e + L_VALUE) >> 2] = v === undefined ? 0 : v.id;
    this.u8.copyWithin(e + L_KEYS, at, at + size);
  }

  /** A key of `m` came or went: the answers remembered for it are forgotten (a new epoch). */
  #keysChanged(m: maps.SimMap): void {
    const h = m.handle.id;
    const d = (MAPS + (h & (MAP_ENTRIES - 1)) * MAP_ENTRY_SIZE) >> 2;
    if (this.i32[d + (D_ID >> 2)] === h) this.i32[d + (D_EPOCH >> 2)] = ++this.#epoch;
  }

  /** A packet reached through the slow path (not the run's own packet): mirror it for the rest of the run. */
  #lateMirror(r: Region): void {
    if (r.bytes.buffer === this.wasm.buffer) return;
    this.pull();
    this.#mirrorForRun(r);
    this.push();
  }
}

/** whether an array map's value regions have consecutive ids, by map (checked once: a descriptor may come and go) */
const consecutive = new WeakMap<object, boolean>();

function consecutiveIds(m: InstanceType<typeof ArrayMap>, stride: number, first: number): boolean {
  let ok = consecutive.get(m);
  if (ok === undefined) {
    const rs = m.regions;
    ok = stride > 0 && m.maxEntries <= 0x7fff_ffff;
    for (let i = 0; ok && i < rs.length; i++) {
      const row = rs[i]!;
      ok = row.length === stride;
      for (let c = 0; ok && c < stride; c++) ok = row[c]!.id === first + i * stride + c;
    }
    consecutive.set(m, ok);
  }
  return ok;
}

/** Regions whose every access the table can decide: no access rule, no load or store hook, not a map. */
function mirrorable(r: Region): boolean {
  return r.access === undefined && r.load === undefined && r.store === undefined && r.kind !== 'map' && !pinnedViews.has(r);
}
