// The decoded form of one BPF instruction: a discriminated union on `kind`.
//
// Every valid encoding maps to exactly one value and back (fields that the encoding requires
// to be zero are not represented), so `encode(decode(bytes))` is byte-for-byte identical.
// An `lddw` (ld_imm64) is one instruction that occupies two 8-byte slots.
import type { PseudoSource } from './opcodes.ts';

/** A register number, 0..10 (r10 is the read-only frame pointer). */
export type Register = number;
export type AccessSize = 1 | 2 | 4 | 8;
export type Width = 32 | 64;
/** Whether the second operand is the `imm` field (`K`) or the `src` register (`X`). */
export type Source = 'imm' | 'reg';

export type AluOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'sdiv'
  | 'or'
  | 'and'
  | 'lsh'
  | 'rsh'
  | 'neg'
  | 'mod'
  | 'smod'
  | 'xor'
  | 'mov'
  | 'movsx8'
  | 'movsx16'
  | 'movsx32'
  | 'arsh';

export type JumpOp =
  | 'jeq'
  | 'jgt'
  | 'jge'
  | 'jset'
  | 'jne'
  | 'jsgt'
  | 'jsge'
  | 'jlt'
  | 'jle'
  | 'jslt'
  | 'jsle';

export type AtomicOp = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';

/** `dst = dst OP src` (or `OP imm`); `neg` takes no operand (source 'imm', imm 0). */
export interface AluInsn {
  readonly kind: 'alu';
  readonly width: Width;
  readonly op: AluOp;
  readonly source: Source;
  readonly dst: Register;
  /** 0 when source is 'imm' */
  readonly src: Register;
  /** 0 when source is 'reg'; a signed 32-bit value */
  readonly imm: number;
}

/** Byte order conversion: `le`/`be` (ALU class) or an unconditional `swap` (ALU64 class). */
export interface EndianInsn {
  readonly kind: 'endian';
  readonly order: 'le' | 'be' | 'swap';
  readonly bits: 16 | 32 | 64;
  readonly dst: Register;
}

/** `dst = addr_space_cast(src, dstAs, srcAs)`, for arena pointers (ALU64 mov with off 1). */
export interface AddrSpaceCastInsn {
  readonly kind: 'addr_space_cast';
  readonly dst: Register;
  readonly src: Register;
  readonly dstAddressSpace: number;
  readonly srcAddressSpace: number;
}

/** Conditional jump: `if dst OP src goto +off`. */
export interface JumpInsn {
  readonly kind: 'jump';
  readonly width: Width;
  readonly op: JumpOp;
  readonly source: Source;
  readonly dst: Register;
  readonly src: Register;
  readonly imm: number;
  /** in slots, relative to the next instruction */
  readonly off: number;
}

/** Unconditional jump: `goto +off` (16-bit offset) or, when `long`, `gotol +imm` (32-bit, JMP32 class). */
export interface JaInsn {
  readonly kind: 'ja';
  readonly long: boolean;
  /** in slots, relative to the next instruction */
  readonly off: number;
}

/** `may_goto +off`: a jump the kernel takes once its loop budget runs out. */
export interface MayGotoInsn {
  readonly kind: 'may_goto';
  readonly off: number;
}

/** A call to a helper (by id), a local subprogram (imm: slots relative to the next instruction) or a kfunc (BTF id). */
export interface CallInsn {
  readonly kind: 'call';
  readonly target: 'helper' | 'local' | 'kfunc';
  readonly imm: number;
  /** kfunc only: index of the module BTF in fd_array (0 for vmlinux) */
  readonly off: number;
}

/** An indirect call through a register (LLVM puts the register in dst). */
export interface CallxInsn {
  readonly kind: 'callx';
  readonly dst: Register;
}

export interface ExitInsn {
  readonly kind: 'exit';
}

/** `dst = *(size *)(src + off)`, zero-extending, or sign-extending when `signed`. */
export interface LoadInsn {
  readonly kind: 'ldx';
  readonly size: AccessSize;
  readonly signed: boolean;
  readonly dst: Register;
  readonly src: Register;
  readonly off: number;
}

/** `*(size *)(dst + off) = imm` */
export interface StoreImmInsn {
  readonly kind: 'st';
  readonly size: AccessSize;
  readonly dst: Register;
  readonly off: number;
  readonly imm: number;
}

/** `*(size *)(dst + off) = src` */
export interface StoreRegInsn {
  readonly kind: 'stx';
  readonly size: AccessSize;
  readonly dst: Register;
  readonly src: Register;
  readonly off: number;
}

/** Atomic read-modify-write on `*(size *)(dst + off)` with `src`; `fetch` puts the old value in src (r0 for cmpxchg). */
export interface AtomicInsn {
  readonly kind: 'atomic';
  readonly size: 4 | 8;
  readonly op: AtomicOp;
  /** always true for xchg and cmpxchg */
  readonly fetch: boolean;
  readonly dst: Register;
  readonly src: Register;
  readonly off: number;
}

/** `dst = imm64` (two slots). For pseudo sources other than 'none' the value's halves carry the reference. */
export interface LdImm64Insn {
  readonly kind: 'lddw';
  readonly dst: Register;
  readonly pseudo: PseudoSource;
  /** the 64-bit immediate, unsigned: low 32 bits from the first slot, high from the second */
  readonly value: bigint;
}

/** Legacy packet load: `r0 = ntoh(*(size *)(skb->data + imm))`. */
export interface LdAbsInsn {
  readonly kind: 'ld_abs';
  readonly size: 1 | 2 | 4;
  readonly imm: number;
}

/** Legacy packet load: `r0 = ntoh(*(size *)(skb->data + src + imm))`. */
export interface LdIndInsn {
  readonly kind: 'ld_ind';
  readonly size: 1 | 2 | 4;
  readonly src: Register;
  readonly imm: number;
}

export type Instruction =
  | AluInsn
  | EndianInsn
  | AddrSpaceCastInsn
  | JumpInsn
  | JaInsn
  | MayGotoInsn
  | CallInsn
  | CallxInsn
  | ExitInsn
  | LoadInsn
  | StoreImmInsn
  | StoreRegInsn
  | AtomicInsn
  | LdImm64Insn
  | LdAbsInsn
  | LdIndInsn;

export type InstructionKind = Instruction['kind'];

/** How many 8-byte slots an instruction occupies. */
export function slotCount(insn: Instruction): 1 | 2 {
  return insn.kind === 'lddw' ? 2 : 1;
}

/** The slot index of each instruction, plus the total slot count as the last element. */
export function slotOffsets(insns: readonly Instruction[]): number[] {
  const out = new Array<number>(insns.length + 1);
  let slot = 0;
  for (let i = 0; i < insns.length; i++) {
    out[i] = slot;
    slot += slotCount(insns[i]!);
  }
  out[insns.length] = slot;
  return out;
}

/** Slot index → position in `insns`, for the slots where an instruction starts. */
export function slotIndex(insns: readonly Instruction[]): Map<number, number> {
  const out = new Map<number, number>();
  let slot = 0;
  insns.forEach((insn, i) => {
    out.set(slot, i);
    slot += slotCount(insn);
  });
  return out;
}

/** The low and high 32-bit halves of an `lddw` value, as the kernel's two imm fields (signed int32). */
export function lddwHalves(value: bigint): { lo: number; hi: number } {
  return { lo: Number(BigInt.asIntN(32, value)), hi: Number(BigInt.asIntN(32, value >> 32n)) };
}

/** Jump target of a control-flow instruction as a slot index, given its own slot index; undefined otherwise. */
export function jumpTarget(insn: Instruction, slot: number): number | undefined {
  switch (insn.kind) {
    case 'jump':
    case 'may_goto':
    case 'ja':
      return slot + 1 + insn.off;
    case 'call':
      return insn.target === 'local' ? slot + 1 + insn.imm : undefined;
    default:
      return undefined;
  }
}
