// Stack accesses through the frame pointer with a constant offset (`*(u64 *)(r10 - 8) = r1`): a third of
// what the example policies run. r10 is never written (compileProgram refuses it; checked here again), so
// in a BPF function every such access reaches the same frame, and one check when the function starts (and
// again after anything that runs JavaScript or another frame: helpers, calls) decides them all:
//
//   frame check   [r10 + low, r10 + high) inside the stack's table entry window (and writable when one of
//                 them writes): exactly the inline table check of each access, done once for the span
//   access        a direct load or store at the frame's linear address (the memarg offset is unsigned:
//                 the address kept is r10 + low's, each access adds off - low), else the generic path
//
// The low-water mark (E_LOW) stays exact where anything reads it: the translator keeps the lowest offset a
// direct access reached in a local and folds it into E_LOW (min) before every call, import and return, so
// enterFrame (the combined stack of a call chain), leaveFrame and the runtime's zeroing see what the
// interpreter's lowWater would be. That relies on nothing raising a running frame's E_LOW (only entering or
// leaving that frame does, and the batch driver between runs), so a min folded in late is the same min.
//
// A direct access cannot fault once the frame check passed, and what it changes is gone after a fault (the
// run's end zeroes the stack from the low-water mark), so the translator's budget segments run through them.
import { accessSize, isCall, isJump, isLoad, isStore } from './handlers.ts';
import { E_BASE, E_END, E_ID, E_LOW, E_START, E_WRITABLE, TABLE, TABLE_ENTRIES } from './layout.ts';
import { CodeWriter, I32, I64, OP, VOID, type FunctionBody } from './wasm-module.ts';

/** The lowest constant offset from r10 taken for a direct access (MAX_BPF_STACK: the kernel's frame). */
export const FRAME_LIMIT = 512;

export interface FrameAccesses {
  /** the lowest offset from r10 a direct access reaches (negative), and the end of the highest one (<= 0) */
  readonly low: number;
  readonly high: number;
  /** whether one of them is a store (the frame check then wants the stack writable) */
  readonly writes: boolean;
  /** the slots of the direct accesses */
  readonly slots: ReadonlySet<number>;
}

/**
 * The frame pointer accesses of the function in slots [first, end) of `code` (CompiledProgram.code) that
 * can be direct, or undefined when none can: none there, or r10 is written (the generic path then serves
 * every access, as before).
 */
export function frameAccesses(code: Int32Array, first: number, end: number): FrameAccesses | undefined {
  let low = 0;
  let high = -FRAME_LIMIT;
  let writes = false;
  const slots = new Set<number>();
  for (let s = first; s < end; s++) {
    const at = s * 4;
    const h = code[at]!;
    const d = code[at + 1]! & 15;
    const src = code[at + 1]! >> 4;
    if (h === 0xf9) continue; // an ld_imm64's second half
    if (writesFramePointer(h, d, src)) return undefined;
    const store = isStore(h);
    if (!(store ? d === 10 : isLoad(h) && src === 10)) continue;
    const off = code[at + 2]!;
    const size = accessSize(h);
    if (off < -FRAME_LIMIT || off + size > 0) continue; // outside any frame: the generic path makes its fault
    slots.add(s);
    low = Math.min(low, off);
    high = Math.max(high, off + size);
    writes ||= store;
  }
  return slots.size === 0 ? undefined : { low, high, writes, slots };
}

/**
 * Whether the instruction may write r10: any handler with dst r10 but a store, a jump or a call (which read
 * their registers), and an atomic fetching into src r10.
 */
function writesFramePointer(h: number, d: number, s: number): boolean {
  if (h === 0xc3 || h === 0xdb) return s === 10;
  if (d !== 10) return false;
  return !(isStore(h) || isJump(h) || isCall(h) || h === 0x95);
}

/**
 * The translator's local of the lowest offset from r10 a direct access reached since the last flush:
 * NO_LOW when none did (far above any frame, so no access offset reaches it).
 */
export const NO_LOW = 0x3fff_ffff;

const MASK = TABLE_ENTRIES - 1;

class Code extends CodeWriter {
  i64(v: number): this {
    return this.byte(OP.i64Const).s32(v);
  }
  /** A = r10 + (i64) low, its table entry's address into E (relative to TABLE), 1 when the entry is A's region's */
  entryOf(r10: number, low: number, a: number, h: number, e: number): this {
    this.get(r10).get(low).op(OP.i64ExtendI32S).op(OP.i64Add).tee(a);
    this.i64(32).op(OP.i64ShrU).op(OP.i32WrapI64).tee(h).i32(MASK).op(OP.i32And).i32(5).op(OP.i32Shl).tee(e);
    return this.mem(OP.i32Load, TABLE + E_ID).get(h).op(OP.i32Eq);
  }
}

/** The locals emitFrameCheck uses: r10's, its scratch (an i64 and three i32s) and the answer's (L_SB). */
export interface FrameCheckLocals {
  readonly r10: number;
  readonly a: number;
  readonly h: number;
  readonly e: number;
  readonly o: number;
  readonly sb: number;
}

/**
 * sb = the linear address of r10 + low when the span [low, high) from r10 lies inside the window of its
 * region's table entry (and the entry is writable when one of the accesses writes), else 0: translate.ts's
 * table test for one access of the whole span, which every access inside it passes too. Emitted inline.
 */
export function emitFrameCheck(c: CodeWriter, f: FrameAccesses, l: FrameCheckLocals): void {
  c.op(OP.block).byte(VOID);
  c.i32(0).set(l.sb);
  c.get(l.r10).byte(OP.i64Const).s32(f.low).op(OP.i64Add).tee(l.a);
  c.byte(OP.i64Const).s32(32).op(OP.i64ShrU).op(OP.i32WrapI64).tee(l.h).i32(MASK).op(OP.i32And).i32(5).op(OP.i32Shl).tee(l.e);
  c.mem(OP.i32Load, TABLE + E_ID).get(l.h).op(OP.i32Ne).op(OP.brIf).u32(0);
  c.get(l.a).op(OP.i32WrapI64).i32(0x8000_0000 | 0).op(OP.i32Xor).tee(l.o).get(l.e).mem(OP.i32Load, TABLE + E_START).op(OP.i32LtS).op(OP.brIf).u32(0);
  c.get(l.o).get(l.e).mem(OP.i32Load, TABLE + E_END).i32(f.high - f.low).op(OP.i32Sub).op(OP.i32GtS).op(OP.brIf).u32(0);
  if (f.writes) c.get(l.e).mem(OP.i32Load, TABLE + E_WRITABLE).op(OP.i32Eqz).op(OP.brIf).u32(0);
  c.get(l.e).mem(OP.i32Load, TABLE + E_BASE).get(l.o).op(OP.i32Add).set(l.sb);
  c.op(OP.end);
}

/**
 * flushLow(r10, low) → NO_LOW: the stack's E_LOW lowered to r10 + low's offset when that is lower (nothing
 * when low is NO_LOW, or the entry is no longer the stack's). Type (i64, i32) → i32.
 */
export function flushLowBody(type: number): FunctionBody {
  const [R10, LOW, A, H, E, O] = [0, 1, 2, 3, 4, 5];
  const c = new Code();
  c.get(LOW).i32(NO_LOW).op(OP.i32Ne).op(OP.if).byte(VOID);
  c.entryOf(R10, LOW, A, H, E).op(OP.if).byte(VOID);
  c.get(A).op(OP.i32WrapI64).i32(0x8000_0000 | 0).op(OP.i32Xor).tee(O).get(E).mem(OP.i32Load, TABLE + E_LOW).op(OP.i32LtS);
  c.op(OP.if).byte(VOID).get(E).get(O).mem(OP.i32Store, TABLE + E_LOW).op(OP.end);
  c.op(OP.end).op(OP.end);
  c.i32(NO_LOW).op(OP.end);
  return { type, locals: [[1, I64], [3, I32]], code: c };
}
