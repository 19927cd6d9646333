// generateCode: every defined function of an IR module to BPF instructions.
//
//   const fns = generateCode(parseIr(text), { placements }); // [{ name: 'xdp_prog', section: 'xdp', ... }]
//
// Per function: lower to machine IR over virtual registers (lower/), allocate registers (spilling to the
// stack when needed), move critical-edge copies into their branching block where they fit (edge-copies.ts),
// then lay out blocks and emit instructions (emit.ts).
import type { IrModule } from '../ir/index.ts';
import type { GeneratedFunction, GlobalPlacement } from './contract.ts';
import { hoistEdgeCopies } from './edge-copies.ts';
import { emitFunction, mergeIdenticalBlocks } from './emit.ts';
import { alignTo } from './ir-types.ts';
import { lowerFunction } from './lower/lower-function.ts';
import { allocateRegisters } from './register-allocation.ts';

export interface GenerateOptions {
  /** where each global (by IR name, without `@`) lives at run time */
  readonly placements: ReadonlyMap<string, GlobalPlacement>;
}

export function generateCode(module: IrModule, options: GenerateOptions): GeneratedFunction[] {
  const out: GeneratedFunction[] = [];
  for (const fn of module.functions) {
    if (!fn.defined) continue;
    const { mfn, layout } = lowerFunction(module, fn, options.placements);
    const { frameSize } = allocateRegisters(mfn, layout);
    const blocks = layout.map((id) => mfn.blocks[id]!);
    // identical edge blocks become one first: one shared copy is smaller than a copy hoisted into each branch
    mergeIdenticalBlocks(blocks, layout[0]);
    hoistEdgeCopies(blocks);
    const e = emitFunction(mfn.blocks, layout);
    out.push({
      name: fn.name,
      section: fn.section ?? '.text',
      global: !fn.linkage.includes('internal') && !fn.linkage.includes('private'),
      instructions: e.instructions,
      references: e.references,
      locations: e.locations,
      coreRelocations: e.coreRelocations,
      stackSize: alignTo(frameSize, 8),
    });
  }
  return out;
}
