// Small copies inside the wasm code as loads and stores: V8 compiles a memory.copy or memory.fill whose size is
// not a constant to a call into the engine (memory_copy_wrapper), which costs more than the few bytes a helper
// moves (a queue's value, the header bytes bpf_skb_load_bytes reads). 8 bytes at a time, then single bytes.
// Only for regions that do not overlap: the loops go forward.
import { CodeWriter, OP, VOID } from './wasm-module.ts';

/** i32.load8_u / i32.store8 (not in wasm-module.ts's OP) */
const I32_LOAD8_U = 0x2d;
const I32_STORE8 = 0x3a;

/** local `l` += `n` */
function advance(c: CodeWriter, l: number, n: number): void {
  c.get(l).i32(n).op(OP.i32Add).set(l);
}

/**
 * Copy i32 local `n`'s count of bytes from the linear address in local `src` to the one in local `dst` (the
 * three locals are used up: they end past the bytes, n at 0).
 */
export function emitCopy(c: CodeWriter, dst: number, src: number, n: number): void {
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  c.get(n).i32(8).op(OP.i32LtU).op(OP.brIf).u32(1);
  c.get(dst).get(src).mem(OP.i64Load, 0).mem(OP.i64Store, 0);
  advance(c, dst, 8);
  advance(c, src, 8);
  advance(c, n, -8);
  c.op(OP.br).u32(0);
  c.op(OP.end).op(OP.end);
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  c.get(n).op(OP.i32Eqz).op(OP.brIf).u32(1);
  c.get(dst).get(src).mem(I32_LOAD8_U, 0).mem(I32_STORE8, 0);
  advance(c, dst, 1);
  advance(c, src, 1);
  advance(c, n, -1);
  c.op(OP.br).u32(0);
  c.op(OP.end).op(OP.end);
}

/** Zero local `n`'s count of bytes from the linear address in local `dst` (both used up). */
export function emitZero(c: CodeWriter, dst: number, n: number): void {
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  c.get(n).i32(8).op(OP.i32LtU).op(OP.brIf).u32(1);
  c.get(dst).byte(OP.i64Const).s32(0).mem(OP.i64Store, 0);
  advance(c, dst, 8);
  advance(c, n, -8);
  c.op(OP.br).u32(0);
  c.op(OP.end).op(OP.end);
  c.op(OP.block).byte(VOID).op(OP.loop).byte(VOID);
  c.get(n).op(OP.i32Eqz).op(OP.brIf).u32(1);
  c.get(dst).i32(0).mem(I32_STORE8, 0);
  advance(c, dst, 1);
  advance(c, n, -1);
  c.op(OP.br).u32(0);
  c.op(OP.end).op(OP.end);
}
