// The scalar fields of a run's context (__sk_buff mark, priority, protocol, cb[], ifindex, family, ...;
// xdp_md ingress_ifindex, rx_queue_index) read and written by the wasm code in a copy of the context's bytes
// in linear memory (layout.ts: CTX_BYTES), instead of a call into JavaScript per access. What the wasm code
// may do there itself is a table per offset (CTX_PERM), made from the context's access rule: an access the
// rule allows, clear of the fields its hooks answer (context-fields.ts: hooked); anything else goes to the
// runtime's load() and store(), which make the interpreter's answer or fault.
//
// Two copies, one truth at a time: the copy is good while CTX_FRAME equals B_CURRENT. ready() makes it for
// the run about to start; a start() it was not made for spoils it (CTX_READY), and so does the batch driver
// (batch-driver.ts), so each frame of a batch begins from the context JavaScript sets up for that frame, or
// from that context's bytes the driver copies in (staged the first time a run of the frame needed them).
// JavaScript code that reads or writes the context (a slow import, a helper) first calls sync(): the copy's
// stores go to the region, or a spoilt copy is made afresh; after JavaScript wrote the region, wrote() brings
// the copy along.
import type { AccessRule, Region } from '../vm/index.ts';
import { contextFields } from './context-fields.ts';
import * as layout from './layout.ts';

const { B_CURRENT, CTX_BYTES, CTX_DIRTY, CTX_FRAME, CTX_LEN, CTX_MAX, CTX_PERM, CTX_READY } = layout;

/** CTX_PERM bits: a load of 1 << k bytes (bit k), a store (bit 4 + k). */
const STORE_BITS = 4;

/** The table of an access rule (one per program type), by rule and hooked fields. */
const tables = new WeakMap<AccessRule, Uint8Array>();

function permissions(r: Region, hooked: readonly number[]): Uint8Array {
  const rule = r.access!;
  let t = tables.get(rule);
  if (t !== undefined && t.length === r.bytes.length) return t;
  t = new Uint8Array(r.bytes.length);
  const clear = (o: number, size: number): boolean => hooked.every((h) => o + size <= h || o >= h + 4);
  for (let o = 0; o < t.length; o++) {
    for (let k = 0; k < 4; k++) {
      const size = 1 << k;
      if (!clear(o, size)) continue;
      if (r.check(o, size, false) === undefined) t[o]! |= 1 << k;
      if (r.check(o, size, true) === undefined) t[o]! |= 1 << (STORE_BITS + k);
    }
  }
  tables.set(rule, t);
  return t;
}

export class ContextBytes {
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  /** the run's context while its bytes are kept here */
  #region: Region | undefined;
  #copy: Uint8Array;
  /** the table in CTX_PERM now */
  #table: Uint8Array | undefined;

  constructor(i32: Int32Array, u8: Uint8Array) {
    this.#i32 = i32;
    this.#u8 = u8;
    this.#copy = u8.subarray(CTX_BYTES, CTX_BYTES);
  }

  /** A run begins with `ctx` (r1's region, when it is a registered context) as its context. */
  begin(ctx: Region | undefined): void {
    const i32 = this.#i32;
    this.#region = undefined;
    i32[CTX_LEN >> 2] = 0;
    i32[CTX_FRAME >> 2] = -2;
    i32[CTX_DIRTY >> 2] = 0;
    i32[CTX_READY >> 2] = 0;
    const f = ctx === undefined ? undefined : contextFields(ctx);
    if (ctx === undefined || f === undefined || ctx.access === undefined || ctx.bytes.length > CTX_MAX) return;
    const table = permissions(ctx, f.hooked);
    if (table !== this.#table) {
      this.#u8.fill(0, CTX_PERM, CTX_PERM + CTX_MAX);
      this.#u8.set(table, CTX_PERM);
      this.#table = table;
    }
    this.#region = ctx;
    if (this.#copy.length !== ctx.bytes.length) this.#copy = this.#u8.subarray(CTX_BYTES, CTX_BYTES + ctx.bytes.length);
    i32[CTX_LEN >> 2] = ctx.bytes.length;
  }

  /**
   * The copy made for the run about to start (WasmVm: its context is set up already), so it reads and writes
   * its context without JavaScript. Not for a batch, whose frames get their context as they run.
   */
  ready(): void {
    const r = this.#region;
    if (r === undefined || r.bytes.length !== this.#copy.length) return;
    const i32 = this.#i32;
    this.#copy.set(r.bytes);
    i32[CTX_FRAME >> 2] = i32[B_CURRENT >> 2]!;
    i32[CTX_DIRTY >> 2] = 0;
    i32[CTX_READY >> 2] = 1;
  }

  /** Before JavaScript reads or writes the context: one truth in both copies, the copy good for the frame. */
  sync(): void {
    const r = this.#region;
    if (r === undefined) return;
    const i32 = this.#i32;
    if (r.bytes.length !== this.#copy.length) {
      this.#stop();
      return;
    }
    if (i32[CTX_FRAME >> 2] === i32[B_CURRENT >> 2]) {
      if (i32[CTX_DIRTY >> 2] !== 0) {
        r.bytes.set(this.#copy);
        i32[CTX_DIRTY >> 2] = 0;
      }
      return;
    }
    this.#copy.set(r.bytes);
    i32[CTX_FRAME >> 2] = i32[B_CURRENT >> 2]!;
    i32[CTX_DIRTY >> 2] = 0;
  }

  /** After JavaScript may have written the context (a store through the runtime, a helper). */
  wrote(): void {
    const r = this.#region;
    if (r === undefined) return;
    const i32 = this.#i32;
    if (i32[CTX_FRAME >> 2] !== i32[B_CURRENT >> 2]) return;
    if (r.bytes.length !== this.#copy.length) this.#stop();
    else this.#copy.set(r.bytes);
  }

  /** The run ends: the copy's stores go to the region. */
  end(): void {
    const r = this.#region;
    const i32 = this.#i32;
    if (r !== undefined && i32[CTX_FRAME >> 2] === i32[B_CURRENT >> 2] && i32[CTX_DIRTY >> 2] !== 0 && r.bytes.length === this.#copy.length) {
      r.bytes.set(this.#copy);
    }
    i32[CTX_DIRTY >> 2] = 0;
    this.#region = undefined;
    this.#i32[CTX_LEN >> 2] = 0;
    this.#i32[CTX_FRAME >> 2] = -2;
  }

  /** The context's bytes were replaced: every access through the runtime from now on. */
  #stop(): void {
    this.#region = undefined;
    this.#i32[CTX_LEN >> 2] = 0;
  }
}
