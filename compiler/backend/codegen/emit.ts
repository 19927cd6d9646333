// Emission: drop unreachable blocks, thread jumps to jump-only blocks, use fall-through where the layout
// allows (dropping `goto next`, inverting a conditional jump to the next block), then number slots, resolve
// branch offsets and turn machine IR (now over physical registers) into `bpf/isa` instructions with their
// references, CO-RE relocations and source locations.
import type { Instruction, InstructionReference, JumpOp } from '../../../bpf/index.ts';
import { placeBlocks } from './block-placement.ts';
import type { PendingCoreRelocation } from './contract.ts';
import { type MBlock, type MInsn, successors } from './mir.ts';

export interface Emitted {
  readonly instructions: Instruction[];
  readonly references: InstructionReference[];
  readonly locations: { slot: number; dbg: number }[];
  readonly coreRelocations: PendingCoreRelocation[];
}

const INVERT: Record<JumpOp, JumpOp | undefined> = {
  jeq: 'jne', jne: 'jeq', jgt: 'jle', jle: 'jgt', jge: 'jlt', jlt: 'jge',
  jsgt: 'jsle', jsle: 'jsgt', jsge: 'jslt', jslt: 'jsge', jset: undefined,
};

/** Identical blocks (same instructions, same targets) become one, repeatedly, so duplicated tails fold. */
export function mergeIdenticalBlocks(all: readonly MBlock[], entry: number | undefined): void {
  const key = (b: MBlock): string => b.insns.map(insnKey).join(';');
  for (let changed = true; changed; ) {
    changed = false;
    const canonical = new Map<string, number>();
    const replace = new Map<number, number>();
    for (const b of all) {
      if (b.insns.length === 0) continue;
      const k = key(b);
      const c = canonical.get(k);
      if (c === undefined || b.id === entry) canonical.set(k, b.id);
      else replace.set(b.id, c);
    }
    if (replace.size === 0) return;
    for (const b of all) {
      for (const i of b.insns) {
        if ((i.kind === 'jcc' || i.kind === 'ja') && replace.has(i.target)) {
          i.target = replace.get(i.target)!;
          changed = true;
        }
      }
    }
  }
}

/** Everything that makes an instruction what it is, source location aside. */
function insnKey(i: MInsn): string {
  const ref = 'ref' in i && i.ref !== undefined ? JSON.stringify(i.ref) : '';
  const core = i.core !== undefined ? `${i.core.diType}/${i.core.kind}/${i.core.accessString}` : '';
  switch (i.kind) {
    case 'alu':
      return `a${i.width}${i.op},${i.dst},${'reg' in i.src ? `r${i.src.reg}` : i.src.imm}${core}`;
    case 'jcc':
      return `j${i.width}${i.op},${i.a},${'reg' in i.b ? `r${i.b.reg}` : i.b.imm},${i.target}`;
    case 'ja':
      return `g${i.target}`;
    case 'ldx':
      return `l${i.size},${i.dst},${i.base},${i.off}`;
    case 'stx':
      return `s${i.size},${i.base},${i.off},${i.src}`;
    case 'st':
      return `t${i.size},${i.base},${i.off},${i.imm}`;
    case 'lddw':
      return `d${i.dst},${i.value},${i.pseudo}${ref}${core}`;
    case 'call':
      return `c${i.target}${i.imm},${i.args}${ref}`;
    default:
      return JSON.stringify(i, (k, v: unknown) => (k === 'dbg' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
  }
}

export function emitFunction(all: readonly MBlock[], layout: readonly number[]): Emitted {
  const byId = new Map(all.map((b) => [b.id, b]));
  mergeIdenticalBlocks(all, layout[0]);
  // jump threading: a block that only jumps elsewhere is replaced by its destination
  const forward = (id: number): number => {
    const seen = new Set<number>();
    for (let b = byId.get(id); b !== undefined && !seen.has(b.id); b = byId.get(id)) {
      seen.add(b.id);
      const only = b.insns.length === 1 ? b.insns[0]! : undefined;
      if (only?.kind !== 'ja') break;
      id = only.target;
    }
    return id;
  };
  for (const b of all) for (const i of b.insns) if (i.kind === 'jcc' || i.kind === 'ja') i.target = forward(i.target);

  // reachable blocks, in layout order, then placed so that jumps become fall-throughs
  const entry = layout[0];
  const reach = new Set<number>();
  const work = entry !== undefined ? [entry] : [];
  while (work.length > 0) {
    const id = work.pop()!;
    if (reach.has(id)) continue;
    reach.add(id);
    work.push(...successors(byId.get(id)!));
  }
  const blocks = placeBlocks(layout.filter((id) => reach.has(id)).map((id) => byId.get(id)!));

  // fall-through
  const seqs: MInsn[][] = blocks.map((b, n) => {
    const next = blocks[n + 1]?.id;
    const insns = [...b.insns];
    const last = insns[insns.length - 1];
    const prev = insns[insns.length - 2];
    if (last?.kind === 'ja' && prev?.kind === 'jcc' && prev.target === last.target) {
      insns.splice(insns.length - 2, 1);
    } else if (last?.kind === 'ja' && prev?.kind === 'jcc' && prev.target === next && last.target !== next) {
      const inv = INVERT[prev.op];
      if (inv !== undefined) {
        insns[insns.length - 2] = { ...prev, op: inv, target: last.target };
        insns.pop();
      }
    }
    const end = insns[insns.length - 1];
    if (end?.kind === 'ja' && end.target === next) insns.pop();
    return insns;
  });

  // slots
  const blockSlot = new Map<number, number>();
  let slot = 0;
  blocks.forEach((b, n) => {
    blockSlot.set(b.id, slot);
    for (const i of seqs[n]!) slot += i.kind === 'lddw' ? 2 : 1;
  });

  const out: Emitted = { instructions: [], references: [], locations: [], coreRelocations: [] };
  let at = 0;
  let lastDbg: number | undefined;
  for (const seq of seqs) {
    for (const i of seq) {
      if (i.dbg !== undefined && i.dbg !== lastDbg) {
        out.locations.push({ slot: at, dbg: i.dbg });
        lastDbg = i.dbg;
      }
      if (i.core !== undefined) out.coreRelocations.push({ ...i.core, slot: at });
      if ((i.kind === 'lddw' || i.kind === 'call') && i.ref !== undefined) out.references.push({ slot: at, ref: i.ref });
      const target = i.kind === 'jcc' || i.kind === 'ja' ? blockSlot.get(i.target) : undefined;
      const off = target === undefined ? 0 : target - (at + 1);
      // jumps carry a signed 16-bit slot offset
      if (off < -32768 || off > 32767) throw new RangeError(`instruction ${at}: jump of ${off} slots exceeds the 16-bit offset`);
      out.instructions.push(toIsa(i, off));
      at += i.kind === 'lddw' ? 2 : 1;
    }
  }
  return out;
}

function toIsa(i: MInsn, off: number): Instruction {
  switch (i.kind) {
    case 'alu':
      return 'reg' in i.src
        ? { kind: 'alu', width: i.width, op: i.op, source: 'reg', dst: i.dst, src: i.src.reg, imm: 0 }
        : { kind: 'alu', width: i.width, op: i.op, source: 'imm', dst: i.dst, src: 0, imm: i.src.imm };
    case 'endian':
      return { kind: 'endian', order: i.order, bits: i.bits, dst: i.dst };
    case 'ldx':
      return { kind: 'ldx', size: i.size, signed: false, dst: i.dst, src: i.base, off: i.off };
    case 'st':
      return { kind: 'st', size: i.size, dst: i.base, off: i.off, imm: i.imm };
    case 'stx':
      return { kind: 'stx', size: i.size, dst: i.base, src: i.src, off: i.off };
    case 'atomic':
      return { kind: 'atomic', size: i.size, op: i.op, fetch: i.fetch, dst: i.base, src: i.src, off: i.off };
    case 'lddw':
      return { kind: 'lddw', dst: i.dst, pseudo: i.pseudo, value: i.value };
    case 'call':
      return { kind: 'call', target: i.target, imm: i.imm, off: 0 };
    case 'ld_abs':
      return { kind: 'ld_abs', size: i.size, imm: i.imm };
    case 'ld_ind':
      return { kind: 'ld_ind', size: i.size, src: i.src, imm: i.imm };
    case 'exit':
      return { kind: 'exit' };
    case 'jcc':
      return 'reg' in i.b
        ? { kind: 'jump', width: i.width, op: i.op, source: 'reg', dst: i.a, src: i.b.reg, imm: 0, off }
        : { kind: 'jump', width: i.width, op: i.op, source: 'imm', dst: i.a, src: 0, imm: i.b.imm, off };
    case 'ja':
      return { kind: 'ja', long: false, off };
  }
}
