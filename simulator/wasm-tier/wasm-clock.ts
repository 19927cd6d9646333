// bpf_ktime_get_ns answered inside wasm (the conntrack of the example host firewall reads it once per packet).
// The simulator's clock is a bigint that each read returns and then advances by a fixed step (Simulator.clock,
// clockStep); a batch's environment can lend it (LentClock). The first read of a run goes through JavaScript
// as before, and the runtime then lends the clock to the wasm code: K_NEXT the next answer, K_STEP, K_ON = 1
// (layout.ts). The wasm code answers each read from there and counts it (K_READS). Before any JavaScript that
// may read or move the clock runs (a helper call but those mayReadClock() clears, the end of a run, a batch
// pausing or resuming), the runtime takes the clock back: it advances the simulator's clock by the reads the
// wasm code answered, in one step, which leaves it where as many reads of its own would have: the same
// answers, the same clock.
// Only for unrecorded runs (M_LEAN), whose environment lends its clock.
import type { HelperEnv } from '../helpers/index.ts';
import { K_NEXT, K_ON, K_READS, K_STEP, M_LEAN } from './layout.ts';
import { CodeWriter, OP, VOID } from './wasm-module.ts';

/** What an environment whose clock may be read in wasm gives (batch-env.ts). */
export interface LentClock {
  /** the answer of the next read */
  next(): bigint;
  /** what each read adds */
  step(): bigint;
  /** `reads` reads made elsewhere: the clock where they leave it */
  advance(reads: number): void;
}

/**
 * Whether helper `id` may read or move the clock in JavaScript: all but the map, PRNG, CPU and packet byte
 * helpers the hot programs call between two clock reads (a conntrack's map update), which keep it lent.
 */
export function mayReadClock(id: number): boolean {
  switch (id) {
    case 1: case 2: case 3: case 4: case 7: case 8: case 9: case 10: case 26: case 87: case 88: case 89: case 93: case 94:
      return false;
    default:
      return true;
  }
}

/** The clock of an environment that lends it, else undefined. */
function lentClock(env: HelperEnv): LentClock | undefined {
  return (env as HelperEnv & { readonly clock?: LentClock }).clock;
}

/** The runtime's side: lending the clock to the wasm code and taking it back. */
export class WasmClock {
  readonly #i32: Int32Array;
  readonly #i64: BigInt64Array;
  /** the clock lent (K_ON = 1), else undefined */
  #lent: LentClock | undefined;

  constructor(buffer: ArrayBufferLike) {
    this.#i32 = new Int32Array(buffer);
    this.#i64 = new BigInt64Array(buffer);
  }

  /** bpf_ktime_get_ns answered in JavaScript from `env` (the run unrecorded): its answer, and the clock lent on. */
  read(env: HelperEnv): bigint {
    this.settle();
    const t = env.now();
    const clock = lentClock(env);
    if (clock !== undefined && this.#i32[M_LEAN >> 2] === 1) {
      this.#i64[K_NEXT >> 3] = clock.next();
      this.#i64[K_STEP >> 3] = clock.step();
      this.#i32[K_READS >> 2] = 0;
      this.#i32[K_ON >> 2] = 1;
      this.#lent = clock;
    }
    return t;
  }

  /** The clock back from the wasm code, advanced by the reads it answered (before JavaScript may read it). */
  settle(): void {
    if (this.#i32[K_ON >> 2] === 0) return;
    this.#i32[K_ON >> 2] = 0;
    const reads = this.#i32[K_READS >> 2]! >>> 0;
    this.#i32[K_READS >> 2] = 0;
    const clock = this.#lent;
    this.#lent = undefined;
    if (clock !== undefined && reads > 0) clock.advance(reads);
  }
}

/**
 * Emit bpf_ktime_get_ns: r0 (local 0) = K_NEXT, K_NEXT += K_STEP, K_READS + 1 while the clock is lent, else
 * `call()` (the translator's helper call sequence). r1..r5 untouched, as the runtime's answer leaves them.
 */
export function emitKtimeGetNs(c: CodeWriter, call: () => void): void {
  c.i32(0).mem(OP.i32Load, K_ON);
  c.op(OP.if).byte(VOID);
  c.i32(0).mem(OP.i64Load, K_NEXT).set(0);
  c.i32(0).get(0).i32(0).mem(OP.i64Load, K_STEP).op(OP.i64Add);
  c.mem(OP.i64Store, K_NEXT);
  c.i32(0).i32(0).mem(OP.i32Load, K_READS).i32(1).op(OP.i32Add);
  c.mem(OP.i32Store, K_READS);
  c.op(OP.else);
  call();
  c.op(OP.end);
}
