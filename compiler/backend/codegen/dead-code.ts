// Dead code elimination on machine IR: drop side-effect-free instructions whose results are never read
// (results of lowering choices, e.g. a call result copy nobody uses, or forms materialised twice).
import { computeLiveness } from './liveness.ts';
import { FP, type MBlock, type MInsn, usesDefs } from './mir.ts';

function pure(i: MInsn): boolean {
  return i.kind === 'alu' || i.kind === 'endian' || i.kind === 'lddw' || i.kind === 'ldx';
}

/** Remove dead pure instructions (in place), repeating until nothing changes. */
export function eliminateDeadCode(blocks: readonly MBlock[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    const live = computeLiveness(blocks);
    for (const b of blocks) {
      const now = new Set(live.liveOut.get(b.id));
      const keep: MInsn[] = [];
      for (let k = b.insns.length - 1; k >= 0; k--) {
        const i = b.insns[k]!;
        const { uses, defs } = usesDefs(i);
        // CO-RE relocated instructions stay: their relocation is part of the object's meaning
        if (pure(i) && i.core === undefined && defs.every((d) => !now.has(d))) {
          changed = true;
          continue;
        }
        for (const d of defs) now.delete(d);
        for (const u of uses) if (u !== FP) now.add(u);
        keep.push(i);
      }
      keep.reverse();
      b.insns.splice(0, b.insns.length, ...keep);
    }
  }
}
