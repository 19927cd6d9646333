// Test support: generate code for a small handwritten IR module and run one of its functions in the simulator
// as an XDP program (no maps, no data), so tests check what the code computes, not how it looks.
import type { FunctionSpec, ObjectSpec } from '../../../../bpf/index.ts';
import { generateCode, type GeneratedFunction } from '../../../../compiler/backend/codegen/index.ts';
import { parseIr } from '../../../../compiler/backend/ir/index.ts';
import { Simulator } from '../../../../simulator/index.ts';

export const HEADER = `target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"
`;

export function generate(body: string): GeneratedFunction[] {
  return generateCode(parseIr(HEADER + body), { placements: new Map() });
}

export function objectOf(fns: readonly GeneratedFunction[], entry: string): ObjectSpec {
  const functions: FunctionSpec[] = fns.map((f) => ({
    name: f.name,
    section: f.name === entry ? 'xdp' : '.text',
    global: f.global,
    instructions: f.instructions,
    references: f.references,
    lineInfo: [],
    coreRelocations: [],
  }));
  return {
    programs: [{ name: entry, section: 'xdp', type: 6, expectedAttachType: undefined, function: entry }],
    functions,
    maps: [],
    data: [],
    license: 'GPL',
  };
}

/** A simulator holding the generated program, for running it on many packets. */
export function simulatorFor(body: string, entry: string, unverified = false): Simulator {
  return new Simulator(objectOf(generate(body), entry), { unverified });
}

/** Return value of `entry` run on `packet` (our verifier checks the program first unless `unverified`). */
export function runIr(body: string, entry: string, packet: Uint8Array = new Uint8Array(64), unverified = false): bigint {
  const sim = new Simulator(objectOf(generate(body), entry), { unverified });
  return sim.run(entry, packet).retval;
}
