// After register allocation: a store to the stack of a register that holds a known constant stores the
// constant itself (`r1 = 0; *(u64 *)(r10 - 8) = r1` → `*(u64 *)(r10 - 8) = 0`), and the move goes when nothing
// else reads it. Phi copies of constants into spilled phis and zeroed locals are the usual case.
//
// Only stores through r10: the kernel refuses BPF_ST into the context ("BPF_ST stores into R1 ctx is not
// allowed"), and after allocation the kind of other base pointers is unknown. The verifier treats an 8-byte
// immediate store to the stack as a spill of the constant, so what a reload gives back does not change.
// Block-local, like redundant-constants.ts.
import { eliminateDeadCode } from './dead-code.ts';
import { FP, type MBlock, type MInsn, type Reg, usesDefs } from './mir.ts';
import { constantOf } from './redundant-constants.ts';

/** The signed 32-bit immediate whose store writes the low `size` bytes of `value`, if there is one. */
function immediateFor(value: bigint, size: number): number | undefined {
  const bits = size * 8;
  const low = BigInt.asUintN(bits, value);
  if (size < 8) return Number(BigInt.asIntN(Math.min(bits, 32), low));
  // an 8-byte store sign-extends its 32-bit immediate
  const imm = BigInt.asIntN(32, value);
  return BigInt.asUintN(64, imm) === value ? Number(imm) : undefined;
}

/** Rewrite stack stores of known constants as immediate stores, then drop the moves left unused (in place). */
export function storeImmediates(blocks: readonly MBlock[]): number {
  let rewritten = 0;
  for (const b of blocks) {
    const known = new Map<Reg, bigint>();
    b.insns.forEach((i, k) => {
      if (i.kind === 'stx' && i.base === FP && known.has(i.src)) {
        const imm = immediateFor(known.get(i.src)!, i.size);
        if (imm !== undefined) {
          const st: MInsn = { kind: 'st', size: i.size, base: FP, off: i.off, imm };
          if (i.dbg !== undefined) st.dbg = i.dbg;
          b.insns[k] = st;
          rewritten++;
          return;
        }
      }
      for (const d of usesDefs(i).defs) known.delete(d);
      const c = constantOf(i);
      if (c !== undefined && (i.kind === 'alu' || i.kind === 'lddw')) known.set(i.dst, c);
    });
  }
  if (rewritten > 0) eliminateDeadCode(blocks);
  return rewritten;
}
