// The "transplant" oracle for code generation: compile a C file with clang-19 to both an object and LLVM IR,
// generate code for the IR with our backend, and put our functions into clang's ObjectSpec in place of its
// own (keeping its BTF, maps and data), so the two objects differ only in their instructions.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FunctionSpec, ObjectSpec } from '../../../../bpf/index.ts';
import { readObject } from '../../../../bpf/index.ts';
import { generateCode, type GeneratedFunction, type GlobalPlacement } from '../../../../compiler/backend/codegen/index.ts';
import { parseIr } from '../../../../compiler/backend/ir/index.ts';
import { Simulator } from '../../../../simulator/index.ts';
import { randomPacket } from '../../../../simulator/packet/random-packet.ts';
import { Rng } from '../../../../simulator/packet/rng.ts';
import { repoRoot } from '../../../corpora.ts';

export interface ClangOutput {
  readonly object: Uint8Array;
  readonly ir: string;
}

/** clang-19 -O2 -g -mcpu=v3: the object and the IR of one C file. */
export function clang19(file: string, workDir: string): ClangOutput {
  mkdirSync(workDir, { recursive: true });
  const base = join(workDir, basename(file, '.c'));
  const args = ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', join(repoRoot, 'bpf/include'), '-c', file];
  execFileSync('clang-19', [...args, '-o', `${base}.o`], { stdio: 'pipe' });
  execFileSync('clang-19', [...args, '-S', '-emit-llvm', '-o', `${base}.ll`], { stdio: 'pipe' });
  return { object: readFileSync(`${base}.o`), ir: readFileSync(`${base}.ll`, 'utf8') };
}

/** Where clang put each map and global variable, by name. */
export function placementsOf(spec: ObjectSpec): Map<string, GlobalPlacement> {
  const out = new Map<string, GlobalPlacement>();
  for (const m of spec.maps) if (m.source !== 'data') out.set(m.name, { kind: 'map', map: m.name });
  for (const d of spec.data) for (const v of d.variables) out.set(v.name, { kind: 'data', section: d.name, offset: v.offset });
  return out;
}

export interface Transplant {
  readonly theirs: ObjectSpec;
  readonly ours: ObjectSpec;
  readonly generated: GeneratedFunction[];
}

/** clang's object with our code for every function. CO-RE type ids are taken from clang's matching relocation. */
export function transplant(object: Uint8Array, ir: string): Transplant {
  const theirs = readObject(object);
  const generated = generateCode(parseIr(ir), { placements: placementsOf(theirs) });
  const functions: FunctionSpec[] = theirs.functions.map((f) => {
    const g = generated.find((x) => x.name === f.name);
    if (g === undefined) throw new RangeError(`function ${f.name}: not generated`);
    return {
      ...f,
      instructions: g.instructions,
      references: g.references,
      lineInfo: [],
      coreRelocations: g.coreRelocations.map((r) => {
        const match = f.coreRelocations.find((c) => c.accessString === r.accessString && c.kind === r.kind);
        if (match === undefined) throw new RangeError(`function ${f.name}: no clang relocation like ${r.kind} ${r.accessString}`);
        return { slot: r.slot, typeId: match.typeId, accessString: r.accessString, kind: r.kind };
      }),
    };
  });
  return { theirs, ours: { ...theirs, functions }, generated };
}

/** Total instruction slots of an object's functions. */
export function slotsOf(spec: ObjectSpec): number {
  return spec.functions.reduce((n, f) => n + f.instructions.reduce((m, i) => m + (i.kind === 'lddw' ? 2 : 1), 0), 0);
}

/** Program types that run on packets (socket filter, sched_cls/act, xdp, cgroup_skb). */
export const PACKET_TYPES = new Set([1, 3, 4, 6, 8]);

function stateOf(sim: Simulator): string {
  const out: Record<string, string[]> = {};
  for (const [name, m] of sim.maps) {
    try {
      out[name] = m.entries().map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`).sort();
    } catch {
      // maps without enumerable entries (ring buffers, program arrays)
    }
  }
  return JSON.stringify(out);
}

function runOn(sim: Simulator, program: string, packet: Uint8Array): string {
  try {
    const r = sim.run(program, packet);
    const skb = JSON.stringify(r.skb ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return `${r.retval} ${Buffer.from(r.packet).toString('hex')} ${skb} ${r.helperCalls.map((c) => c.name).join(',')}`;
  } catch (e) {
    return 'fault';
  }
}

/**
 * Run both objects' packet programs in the simulator on the same random packets; undefined when every run
 * gives the same return value, packet, context, helper sequence and map contents, else a description.
 */
export function compareBehaviour(ours: ObjectSpec, theirs: ObjectSpec, packets: number, seed = 7): string | undefined {
  const progs = theirs.programs.filter((p) => PACKET_TYPES.has(p.type ?? -1));
  if (progs.length === 0) return undefined;
  const a = new Simulator(ours, { unverified: true });
  const b = new Simulator(theirs, { unverified: true });
  const rng = new Rng(seed);
  for (let n = 0; n < packets; n++) {
    const pkt = randomPacket(rng).data;
    for (const p of progs) {
      const ra = runOn(a, p.name, pkt);
      const rb = runOn(b, p.name, pkt);
      if (ra !== rb) return `packet ${n}, ${p.name}: ours ${ra.slice(0, 80)}, clang ${rb.slice(0, 80)}`;
      if (stateOf(a) !== stateOf(b)) return `packet ${n}, ${p.name}: maps differ`;
    }
  }
  return undefined;
}
