// The tests every helper answered in wasm from a map's descriptor (MAPS, layout.ts: inline-map-ops.ts,
// inline-queue-ops.ts, tail-calls.ts) starts with, before its own: the run's helper calls go unrecorded
// (M_LEAN), the map register points at offset 0 of a region, and the descriptor at that region id's slot is
// that region's. Each failed test branches out with `slow` (the caller's helper call then answers).
import { REGION_BASE } from '../vm/index.ts';
import { D_ID, M_LEAN, MAP_ENTRIES, MAP_ENTRY_SIZE, MAPS } from './layout.ts';
import { OP, type CodeWriter } from './wasm-module.ts';

const MAP_SHIFT = Math.log2(MAP_ENTRY_SIZE);

/** The descriptor of the map in i64 local `reg`: its region id into i32 local `h`, its slot's offset in MAPS into `p`. */
export function emitDescriptor(c: CodeWriter, reg: number, l: { readonly h: number; readonly p: number }, slow: () => void): void {
  c.i32(0).mem(OP.i32Load, M_LEAN).op(OP.i32Eqz);
  slow();
  c.get(reg).op(OP.i32WrapI64).i32(REGION_BASE | 0).op(OP.i32Ne);
  slow();
  c.get(reg).byte(OP.i64Const).s32(32).op(OP.i64ShrU).op(OP.i32WrapI64).tee(l.h);
  c.i32(MAP_ENTRIES - 1).op(OP.i32And).i32(MAP_SHIFT).op(OP.i32Shl).tee(l.p);
  c.mem(OP.i32Load, MAPS + D_ID).get(l.h).op(OP.i32Ne);
  slow();
}
