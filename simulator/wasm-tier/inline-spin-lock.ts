// bpf_spin_lock (93) and bpf_spin_unlock (94) answered inside wasm, instead of a crossing into JavaScript per
// call (sim_queue makes two per packet). They do what map-helpers.ts does (and lean-map-helpers.ts, the
// runtime's answer for an unrecorded table): the 4-byte lock word at r1, checked as memory.bytes(r1, 4, write)
// checks it; locking sets its first byte (the other three are zero: a free lock is all zero), unlocking
// zeroes all four; r0 = 0, r1..r5 untouched. The wasm code does so when:
// - the run's helper calls go unrecorded (M_LEAN: the table is kernelHelpers' own),
// - r1 is in a region the table holds, writable (E_WRITABLE: during a batch the staged frame is not, so a
//   lock word in the packet then takes the ordinary call, which moves the frame first), all 4 bytes inside
//   its window,
// - the lock is free (lock) or held (unlock).
// Anything else (locking a held lock, unlocking a free one: the ordinary path's fault) takes the ordinary
// helper call. The stack's low-water mark is left as memory.bytes leaves it (untouched).
import { M_LEAN } from './layout.ts';
import { emitRegionBytes } from './region-bytes.ts';
import { CodeWriter, OP, VOID } from './wasm-module.ts';

/** Three i32 scratch locals of the calling function, dead across the helper call. */
export interface LockLocals {
  readonly h: number;
  readonly e: number;
  readonly o: number;
}

/**
 * Emit bpf_spin_lock (`lock`) or bpf_spin_unlock on r1 (local 1), r0 (local 0) = 0, or `call()` (the
 * translator's helper call sequence) when the wasm code cannot answer.
 */
export function emitSpinLock(c: CodeWriter, lock: boolean, l: LockLocals, call: () => void): void {
  c.op(OP.block).byte(VOID);
  c.op(OP.block).byte(VOID);
  const slow = (): void => void c.op(OP.brIf).u32(0);
  c.i32(0).mem(OP.i32Load, M_LEAN).op(OP.i32Eqz);
  slow();
  // r1's 4 bytes in a writable region of the table
  emitRegionBytes(c, 1, 4, true, l, slow);
  // the word's linear address in l.o; held (non-zero) must be !lock
  c.get(l.o).mem(OP.i32Load, 0);
  if (lock) {
    slow();
    c.get(l.o).i32(1);
  } else {
    c.op(OP.i32Eqz);
    slow();
    c.get(l.o).i32(0);
  }
  c.mem(OP.i32Store, 0);
  c.byte(OP.i64Const).s32(0).set(0);
  c.op(OP.br).u32(1);
  c.op(OP.end);
  call();
  c.op(OP.end);
}
