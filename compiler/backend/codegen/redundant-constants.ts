// After register allocation: a constant move into a register that already holds that constant goes (phi copies
// of the same constant into several spilled phis reload `r1 = 0` before each store; lowering materialises a
// constant again per use). Block-local: each block starts knowing nothing.
import type { MBlock, MInsn, Reg } from './mir.ts';
import { usesDefs } from './mir.ts';

/** The 64-bit value `i` leaves in its destination, when it is a plain constant move. */
export function constantOf(i: MInsn): bigint | undefined {
  if (i.core !== undefined) return undefined;
  if (i.kind === 'alu' && i.op === 'mov' && 'imm' in i.src) {
    return i.width === 64 ? BigInt.asUintN(64, BigInt(i.src.imm)) : BigInt.asUintN(32, BigInt(i.src.imm));
  }
  if (i.kind === 'lddw' && i.ref === undefined && i.pseudo === 'none') return BigInt.asUintN(64, i.value);
  return undefined;
}

/** Drop constant moves whose register already holds the constant (in place). */
export function dropRedundantConstants(blocks: readonly MBlock[]): void {
  for (const b of blocks) {
    const known = new Map<Reg, bigint>();
    const kept: MInsn[] = [];
    for (const i of b.insns) {
      const c = constantOf(i);
      const dst = i.kind === 'alu' || i.kind === 'lddw' ? i.dst : undefined;
      if (c !== undefined && dst !== undefined && known.get(dst) === c) continue;
      kept.push(i);
      for (const d of usesDefs(i).defs) known.delete(d);
      if (c !== undefined && dst !== undefined) known.set(dst, c);
    }
    b.insns.splice(0, b.insns.length, ...kept);
  }
}
