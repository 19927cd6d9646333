// The test the helpers answered in wasm make of a pointer argument before they touch its bytes (the inline form
// of the runtime's plain(): inline-map-ops.ts, inline-map-update.ts, inline-queue-ops.ts, inline-spin-lock.ts):
// the region its high half names is in the table, writable when the helper writes, and `size` bytes from its
// offset lie inside the entry's window. Each failed test branches out with `slow` (the helper call answers).
import { E_BASE, E_END, E_ID, E_START, E_WRITABLE, ENTRY_SIZE, TABLE, TABLE_ENTRIES } from './layout.ts';
import { OP, type CodeWriter } from './wasm-module.ts';

const ENTRY_SHIFT = Math.log2(ENTRY_SIZE);

/** How many bytes: a constant, or the value of an i32 local. */
export type ByteCount = number | { readonly local: number };

/**
 * The linear address of `size` bytes at the address in i64 local `reg` into i32 local `l.o` (`l.h` and `l.e`
 * are scratch: the region id, its table entry's offset in TABLE), or a branch out with `slow`.
 */
export function emitRegionBytes(c: CodeWriter, reg: number, size: ByteCount, write: boolean, l: { readonly h: number; readonly e: number; readonly o: number }, slow: () => void): void {
  c.get(reg).byte(OP.i64Const).s32(32).op(OP.i64ShrU).op(OP.i32WrapI64).tee(l.h);
  c.i32(TABLE_ENTRIES - 1).op(OP.i32And).i32(ENTRY_SHIFT).op(OP.i32Shl).tee(l.e);
  c.mem(OP.i32Load, TABLE + E_ID).get(l.h).op(OP.i32Ne);
  slow();
  if (write) {
    c.get(l.e).mem(OP.i32Load, TABLE + E_WRITABLE).op(OP.i32Eqz);
    slow();
  }
  c.get(reg).op(OP.i32WrapI64).i32(0x8000_0000 | 0).op(OP.i32Xor).tee(l.o).get(l.e);
  c.mem(OP.i32Load, TABLE + E_START).op(OP.i32LtS);
  slow();
  c.get(l.o).get(l.e);
  c.mem(OP.i32Load, TABLE + E_END);
  if (typeof size === 'number') c.i32(size);
  else c.get(size.local);
  c.op(OP.i32Sub).op(OP.i32GtS);
  slow();
  c.get(l.e).mem(OP.i32Load, TABLE + E_BASE).get(l.o).op(OP.i32Add).set(l.o);
}
