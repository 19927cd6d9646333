// The machine IR between lowering and emission: BPF instructions over virtual registers, in basic blocks.
//
// Registers 0..10 are the physical r0..r10 (used where the ABI fixes them: arguments, call results, the frame
// pointer); numbers from FIRST_VREG up are virtual. The form is not SSA: a two-address ALU op redefines its
// destination, and phi elimination defines a phi's register once per predecessor.
import type { AccessSize, AluOp, AtomicOp, JumpOp, Width } from '../../../bpf/index.ts';
import type { Reference } from '../../../bpf/index.ts';
import type { PendingCoreRelocation } from './contract.ts';

export const FIRST_VREG = 16;
export const FP = 10;

export type Reg = number;

/** Second operand of an ALU op or a compare: a register or a signed 32-bit immediate. */
export type Operand = { readonly reg: Reg } | { readonly imm: number };

export type MInsn = (
  | { kind: 'alu'; width: Width; op: AluOp; dst: Reg; src: Operand }
  | { kind: 'endian'; order: 'le' | 'be'; bits: 16 | 32 | 64; dst: Reg }
  | { kind: 'ldx'; size: AccessSize; dst: Reg; base: Reg; off: number }
  | { kind: 'st'; size: AccessSize; base: Reg; off: number; imm: number }
  | { kind: 'stx'; size: AccessSize; base: Reg; off: number; src: Reg }
  | { kind: 'atomic'; size: 4 | 8; op: AtomicOp; fetch: boolean; base: Reg; off: number; src: Reg }
  | { kind: 'lddw'; dst: Reg; value: bigint; pseudo: 'none' | 'func'; ref?: Reference }
  /** `args` physical argument registers it reads; it defines r0 and clobbers r1..r5 */
  | { kind: 'call'; target: 'helper' | 'local'; imm: number; args: number; ref?: Reference }
  /** `usesR0`: false for `ret void`, where r0 carries nothing */
  /** legacy packet loads: read the skb in r6, result in r0, clobber r1..r5 like a call */
  | { kind: 'ld_abs'; size: 1 | 2 | 4; imm: number }
  | { kind: 'ld_ind'; size: 1 | 2 | 4; src: Reg; imm: number }
  | { kind: 'exit'; usesR0: boolean }
  | { kind: 'jcc'; width: Width; op: JumpOp; a: Reg; b: Operand; target: number }
  | { kind: 'ja'; target: number }
) & { dbg?: number; core?: Omit<PendingCoreRelocation, 'slot'> };

export interface MBlock {
  readonly id: number;
  readonly insns: MInsn[];
  /** loop nesting estimate, for spill weights */
  depth: number;
}

export interface MFunction {
  readonly name: string;
  readonly blocks: MBlock[];
  /** virtual register count bound (exclusive) */
  nextVreg: number;
  /** bytes of stack used by allocas (spill slots go below) */
  frameSize: number;
  /** registers r1.. that hold arguments on entry */
  readonly params: number;
}

export function isVirtual(r: Reg): boolean {
  return r >= FIRST_VREG;
}

/** Registers an instruction reads and writes (call: also clobbers r1..r5 as defs). */
export function usesDefs(i: MInsn): { uses: Reg[]; defs: Reg[] } {
  switch (i.kind) {
    case 'alu': {
      const uses: Reg[] = [];
      if (i.op !== 'mov') uses.push(i.dst);
      if ('reg' in i.src) uses.push(i.src.reg);
      return { uses, defs: [i.dst] };
    }
    case 'endian':
      return { uses: [i.dst], defs: [i.dst] };
    case 'ldx':
      return { uses: [i.base], defs: [i.dst] };
    case 'st':
      return { uses: [i.base], defs: [] };
    case 'stx':
      return { uses: [i.base, i.src], defs: [] };
    case 'atomic':
      if (i.op === 'cmpxchg') return { uses: [i.base, i.src, 0], defs: [0] };
      return { uses: [i.base, i.src], defs: i.fetch ? [i.src] : [] };
    case 'lddw':
      return { uses: [], defs: [i.dst] };
    case 'call':
      return { uses: [1, 2, 3, 4, 5].slice(0, i.args), defs: [0, 1, 2, 3, 4, 5] };
    case 'ld_abs':
      return { uses: [6], defs: [0, 1, 2, 3, 4, 5] };
    case 'ld_ind':
      return { uses: [6, i.src], defs: [0, 1, 2, 3, 4, 5] };
    case 'exit':
      return { uses: i.usesR0 ? [0] : [], defs: [] };
    case 'jcc':
      return { uses: 'reg' in i.b ? [i.a, i.b.reg] : [i.a], defs: [] };
    case 'ja':
      return { uses: [], defs: [] };
  }
}

/** Rewrite every register of `i` through `map` (in place). */
export function mapRegs(i: MInsn, use: (r: Reg) => Reg, def: (r: Reg) => Reg): void {
  switch (i.kind) {
    case 'alu': {
      if ('reg' in i.src) i.src = { reg: use(i.src.reg) };
      const d = i.op === 'mov' ? def(i.dst) : use(i.dst);
      i.dst = d;
      return;
    }
    case 'endian':
      i.dst = use(i.dst);
      return;
    case 'ldx':
      i.base = use(i.base);
      i.dst = def(i.dst);
      return;
    case 'st':
      i.base = use(i.base);
      return;
    case 'stx':
      i.base = use(i.base);
      i.src = use(i.src);
      return;
    case 'atomic':
      i.base = use(i.base);
      i.src = use(i.src);
      return;
    case 'lddw':
      i.dst = def(i.dst);
      return;
    case 'ld_ind':
      i.src = use(i.src);
      return;
    case 'jcc':
      i.a = use(i.a);
      if ('reg' in i.b) i.b = { reg: use(i.b.reg) };
      return;
    default:
      return;
  }
}

/** Successor block ids, from the trailing jumps. */
export function successors(b: MBlock): number[] {
  const out: number[] = [];
  for (const i of b.insns) if (i.kind === 'jcc' || i.kind === 'ja') out.push(i.target);
  return out;
}

/** Whether control can run past the block's last instruction into the next block in layout order. */
export function fallsThrough(b: MBlock): boolean {
  const last = b.insns[b.insns.length - 1];
  return last === undefined || (last.kind !== 'ja' && last.kind !== 'exit');
}
