// The interpreter's batch on frames it does not copy: a program that can change a packet or a context only by
// its own stores (no atomics, only helpers that write neither) gets one context per frame, whose packet and
// context regions carry a WriteWatch (their StoreHook notes a store). A frame no run wrote since it was
// loaded runs again on the same bytes; a written one is loaded again first, as a new context would hold it.
// The hooks take these regions off the interpreter's store fast path (stores into the packet pay for the
// watch, loads do not), and the fast tier never sees them (they are not registered with it).
import { SKB_HEADROOM, SkbContext, WriteWatch, XDP_PACKET_HEADROOM, XdpContext } from '../context/index.ts';
import type { ProgTypeName } from '../../bpf/index.ts';
import type { CompiledProgram, Memory } from '../vm/index.ts';
import type { SkbContextOptions, XdpContextOptions } from '../context/index.ts';

/**
 * Helpers that write neither the packet nor the context (map lookup, update and delete, the clock, printk,
 * the PRNG, the CPU id): a program calling only these changes its frame only by its own stores.
 */
const NO_FRAME_WRITES = new Set([1, 2, 3, 5, 6, 7, 8]);

/**
 * Whether every change `program` can make to a packet or a context is a store the regions' StoreHooks see:
 * no atomics (they write without the hook), no helper outside NO_FRAME_WRITES, no kfunc, no callx.
 */
export function storesOnly(program: CompiledProgram): boolean {
  let known = scanned.get(program);
  if (known === undefined) scanned.set(program, (known = scan(program)));
  return known;
}

const scanned = new WeakMap<CompiledProgram, boolean>();

function scan(program: CompiledProgram): boolean {
  for (const insn of program.instructions) {
    if (insn.kind === 'atomic' || insn.kind === 'callx') return false;
    if (insn.kind === 'call' && insn.target !== 'local' && (insn.target === 'kfunc' || !NO_FRAME_WRITES.has(insn.imm))) return false;
  }
  return true;
}

/** A frame's context and what it takes to load the frame again. */
interface Watched {
  readonly frame: Uint8Array;
  readonly ctx: XdpContext | SkbContext;
  readonly watch: WriteWatch;
  /** skb: the packet region's and the context's bytes and the window as made (XDP reloads the frame) */
  readonly packetBytes: Uint8Array | undefined;
  readonly ctxBytes: Uint8Array | undefined;
  readonly meta: number;
  readonly data: number;
  readonly end: number;
}

/** One watched context per frame (by identity), at most MAX frames. */
export class WatchedContexts {
  static readonly MAX = 64;
  readonly #memory: Memory;
  readonly #progType: ProgTypeName;
  readonly #options: XdpContextOptions & SkbContextOptions;
  readonly #byFrame = new Map<Uint8Array, Watched>();
  /** the frame's entry by its position in the batch, checked before the Map (a lookup by identity costs more) */
  readonly #byIndex: (Watched | undefined)[] = [];

  constructor(memory: Memory, progType: ProgTypeName, options: XdpContextOptions & SkbContextOptions) {
    this.#memory = memory;
    this.#progType = progType;
    this.#options = options;
  }

  /** Whether a batch of `frames` fits (each frame keeps its context; a stream of frames does not). */
  fits(frames: readonly Uint8Array[]): boolean {
    if (frames.length > WatchedContexts.MAX) return false;
    let fresh = 0;
    for (const f of frames) if (!this.#byFrame.has(f)) fresh++;
    if (this.#byFrame.size + fresh > WatchedContexts.MAX) this.clear();
    return true;
  }

  /**
   * A batch starts: every frame is loaded again before its first run (the caller may have changed its bytes
   * since the last batch, which a copying batch would see).
   */
  begin(): void {
    for (const w of this.#byFrame.values()) {
      w.watch.written = true;
      // an skb context is restored from its bytes as made, whose fields come from the frame too: a frame
      // changed since is made again
      if (w.packetBytes !== undefined && !same(w.frame, w.packetBytes, SKB_HEADROOM)) this.#drop(w);
    }
  }

  /** The context of `frame`, the `index`th of the batch, holding what a new context of the frame would. */
  get(frame: Uint8Array, index: number): XdpContext | SkbContext {
    let w = index < this.#byIndex.length ? this.#byIndex[index] : undefined;
    if (w === undefined || w.frame !== frame) {
      w = this.#byFrame.get(frame) ?? this.#add(frame);
      if (index <= this.#byIndex.length) this.#byIndex[index] = w;
    }
    const ctx = w.ctx;
    const p = ctx.packet;
    if (w.watch.written) {
      w.watch.written = false;
      if (w.ctxBytes === undefined) p.reload(frame, XDP_PACKET_HEADROOM);
      else {
        // only the program's stores changed the frame (storesOnly): the bytes, never their size or the window
        p.region.bytes.set(w.packetBytes!);
        p.setWindow(w.meta, w.data, w.end);
        ctx.region.bytes.set(w.ctxBytes);
      }
    }
    p.region.lowWater = p.region.end;
    return ctx;
  }

  #add(frame: Uint8Array): Watched {
    const watch = new WriteWatch();
    const options = { ...this.#options, watch };
    if (this.#progType === 'xdp') {
      const ctx = new XdpContext(this.#memory, frame, options);
      watch.written = false;
      const w = { frame, ctx, watch, packetBytes: undefined, ctxBytes: undefined, meta: 0, data: 0, end: 0 };
      this.#byFrame.set(frame, w);
      return w;
    }
    const ctx = new SkbContext(this.#memory, this.#progType, frame, options);
    watch.written = false;
    const p = ctx.packet;
    const w = { frame, ctx, watch, packetBytes: p.region.bytes.slice(), ctxBytes: ctx.region.bytes.slice(), meta: p.meta, data: p.data, end: p.end };
    this.#byFrame.set(frame, w);
    return w;
  }

  #drop(w: Watched): void {
    this.#memory.remove(w.ctx.region);
    this.#memory.remove(w.ctx.packet.region);
    this.#byFrame.delete(w.frame);
    const i = this.#byIndex.indexOf(w);
    if (i >= 0) this.#byIndex[i] = undefined;
  }

  /** Forget every context (their regions leave the memory). */
  clear(): void {
    for (const { ctx } of this.#byFrame.values()) {
      this.#memory.remove(ctx.region);
      this.#memory.remove(ctx.packet.region);
    }
    this.#byFrame.clear();
    this.#byIndex.length = 0;
  }
}

/** Whether `bytes` holds `frame` at `at` (and nothing past it: a packet region ends with its frame). */
function same(frame: Uint8Array, bytes: Uint8Array, at: number): boolean {
  if (bytes.length !== at + frame.length) return false;
  for (let i = 0; i < frame.length; i++) if (bytes[at + i] !== frame[i]) return false;
  return true;
}
