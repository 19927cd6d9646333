// One instruction → the text `llvm-objdump-19 -d --mcpu=v4` prints for it (LLVM's BPF "C-like" syntax).
//
// Each spelling below was taken from llvm-objdump-19 output; test/bpf/asm/llvm-objdump.test.ts checks them all
// against the tool. Conventions of that syntax:
//   - `r` registers for 64-bit operations, `w` for 32-bit ones (ALU32, JMP32, and the value of 8/16/32-bit
//     loads, stores and atomics);
//   - every number in hex, signed (`-0x1`), except the imm of `ld_pseudo` and the address spaces of
//     `addr_space_cast`, which are unsigned;
//   - memory as `*(u32 *)(r10 - 0x8)`, offsets always signed, `+ 0x0` included.
//
// llvm-objdump drops information in four places; `lossless: true` spells them so that `assemble` gets the
// same bytes back (llvm-mc does not accept these spellings):
//   | encoding                    | llvm-objdump         | lossless                         |
//   |-----------------------------|----------------------|----------------------------------|
//   | call, src 1 (local)         | call 0x2             | call pc+0x2                      |
//   | call, src 2 (kfunc), off 1  | call 0x4d2           | call kfunc 0x4d2, 0x1            |
//   | ld_imm64 pseudo, 2nd imm 7  | ld_pseudo r1, 0x2, 0x5 | ld_pseudo r1, 0x2, 0x5, 0x7    |
//   | ld_ind with imm 4           | r0 = *(u16 *)skb[r1] | r0 = *(u16 *)skb[r1 + 0x4]       |
import { lddwHalves, PSEUDO, type AccessSize, type AluOp, type Instruction, type JumpOp } from '../isa/index.ts';
import { signedHex, unsignedHex32 } from './numbers.ts';

export interface FormatOptions {
  /** Spell the encodings llvm-objdump prints ambiguously so that `assemble` gives back the same bytes (default false). */
  readonly lossless?: boolean;
  /** Printed instead of the offset of a jump or the imm of a local call: a label name (`goto L5`, `call L5`). */
  readonly target?: string;
}

/** llvm's compound assignment operator for each ALU operation (mov, neg and movsx are spelled apart). */
export const ALU_OPERATORS: Readonly<Record<Exclude<AluOp, 'neg' | 'movsx8' | 'movsx16' | 'movsx32'>, string>> = {
  add: '+=',
  sub: '-=',
  mul: '*=',
  div: '/=',
  sdiv: 's/=',
  or: '|=',
  and: '&=',
  lsh: '<<=',
  rsh: '>>=',
  mod: '%=',
  smod: 's%=',
  xor: '^=',
  mov: '=',
  arsh: 's>>=',
};

/** llvm's comparison operator for each conditional jump. */
export const JUMP_OPERATORS: Readonly<Record<JumpOp, string>> = {
  jeq: '==',
  jgt: '>',
  jge: '>=',
  jset: '&',
  jne: '!=',
  jsgt: 's>',
  jsge: 's>=',
  jlt: '<',
  jle: '<=',
  jslt: 's<',
  jsle: 's<=',
};

/** The `lock` operator of a non-fetching atomic, and the name of a fetching one. */
export const ATOMIC_OPERATORS = { add: '+=', or: '|=', and: '&=', xor: '^=' } as const;

const reg = (width: 32 | 64, n: number): string => `${width === 64 ? 'r' : 'w'}${n}`;
/** The register holding a memory value of `size` bytes: `w` below 8 bytes. */
const valueReg = (size: AccessSize, n: number): string => reg(size === 8 ? 64 : 32, n);
const unsignedType = (size: AccessSize): string => `u${size * 8}`;
/** `r10 - 0x8`, `r1 + 0x0` */
export const address = (base: number, off: number): string =>
  `r${base} ${off < 0 ? '-' : '+'} 0x${Math.abs(off).toString(16)}`;
/** `+0x2`, `-0x1`, `+0x0` */
const relative = (off: number): string => (off < 0 ? `-0x${(-off).toString(16)}` : `+0x${off.toString(16)}`);

const PSEUDO_NUMBERS: Readonly<Record<string, number>> = PSEUDO;

/**
 * The llvm-objdump text of one instruction, without slot number or raw bytes.
 *
 * @example
 * formatInstruction({ kind: 'ldx', size: 4, signed: false, dst: 0, src: 1, off: 4 }) // 'w0 = *(u32 *)(r1 + 0x4)'
 * formatInstruction({ kind: 'jump', width: 64, op: 'jsgt', source: 'imm', dst: 1, src: 0, imm: 5, off: 2 })
 * // 'if r1 s> 0x5 goto +0x2'
 */
export function formatInstruction(insn: Instruction, options: FormatOptions = {}): string {
  const lossless = options.lossless === true;
  const target = (off: number): string => options.target ?? relative(off);
  switch (insn.kind) {
    case 'alu': {
      const d = reg(insn.width, insn.dst);
      const operand = insn.source === 'reg' ? reg(insn.width, insn.src) : signedHex(insn.imm);
      switch (insn.op) {
        case 'neg':
          return `${d} = -${d}`;
        case 'movsx8':
        case 'movsx16':
        case 'movsx32':
          return `${d} = (s${insn.op.slice(5)})${reg(insn.width, insn.src)}`;
        default:
          return `${d} ${ALU_OPERATORS[insn.op]} ${operand}`;
      }
    }
    case 'endian': {
      const name = insn.order === 'swap' ? 'bswap' : insn.order;
      return `r${insn.dst} = ${name}${insn.bits} r${insn.dst}`;
    }
    case 'addr_space_cast': {
      const spaces = `${unsignedHex32(insn.dstAddressSpace)}, ${unsignedHex32(insn.srcAddressSpace)}`;
      return `r${insn.dst} = addr_space_cast(r${insn.src}, ${spaces})`;
    }
    case 'jump': {
      const operand = insn.source === 'reg' ? reg(insn.width, insn.src) : signedHex(insn.imm);
      return `if ${reg(insn.width, insn.dst)} ${JUMP_OPERATORS[insn.op]} ${operand} goto ${target(insn.off)}`;
    }
    case 'ja':
      return `${insn.long ? 'gotol' : 'goto'} ${target(insn.off)}`;
    case 'may_goto':
      return `may_goto ${target(insn.off)}`;
    case 'call':
      if (insn.target === 'local') {
        if (options.target !== undefined) return `call ${options.target}`;
        if (lossless) return `call pc${relative(insn.imm)}`;
      }
      if (insn.target === 'kfunc' && lossless) {
        return `call kfunc ${signedHex(insn.imm)}${insn.off !== 0 ? `, ${signedHex(insn.off)}` : ''}`;
      }
      return `call ${signedHex(insn.imm)}`;
    case 'callx':
      return `callx r${insn.dst}`;
    case 'exit':
      return 'exit';
    case 'ldx': {
      const type = `${insn.signed ? 's' : 'u'}${insn.size * 8}`;
      const d = insn.signed ? `r${insn.dst}` : valueReg(insn.size, insn.dst);
      return `${d} = *(${type} *)(${address(insn.src, insn.off)})`;
    }
    case 'st':
      return `*(${unsignedType(insn.size)} *)(${address(insn.dst, insn.off)}) = ${signedHex(insn.imm)}`;
    case 'stx':
      return `*(${unsignedType(insn.size)} *)(${address(insn.dst, insn.off)}) = ${valueReg(insn.size, insn.src)}`;
    case 'atomic': {
      const width = insn.size === 8 ? 64 : 32;
      const s = reg(width, insn.src);
      const at = address(insn.dst, insn.off);
      switch (insn.op) {
        case 'xchg':
          return `${s} = ${width === 64 ? 'xchg_64' : 'xchg32_32'}(${at}, ${s})`;
        case 'cmpxchg': {
          const r0 = reg(width, 0);
          return `${r0} = ${width === 64 ? 'cmpxchg_64' : 'cmpxchg32_32'}(${at}, ${r0}, ${s})`;
        }
        default:
          if (insn.fetch) return `${s} = atomic_fetch_${insn.op}((${unsignedType(insn.size)} *)(${at}), ${s})`;
          return `lock *(${unsignedType(insn.size)} *)(${at}) ${ATOMIC_OPERATORS[insn.op]} ${s}`;
      }
    }
    case 'lddw': {
      if (insn.pseudo === 'none') return `r${insn.dst} = ${signedHex(BigInt.asIntN(64, insn.value))} ll`;
      const { lo, hi } = lddwHalves(insn.value);
      const extra = lossless && hi !== 0 ? `, ${unsignedHex32(hi)}` : '';
      return `ld_pseudo\tr${insn.dst}, 0x${PSEUDO_NUMBERS[insn.pseudo]!.toString(16)}, ${unsignedHex32(lo)}${extra}`;
    }
    case 'ld_abs':
      return `r0 = *(${unsignedType(insn.size)} *)skb[${signedHex(insn.imm)}]`;
    case 'ld_ind': {
      const extra = lossless && insn.imm !== 0 ? ` ${insn.imm < 0 ? '-' : '+'} 0x${Math.abs(insn.imm).toString(16)}` : '';
      return `r0 = *(${unsignedType(insn.size)} *)skb[r${insn.src}${extra}]`;
    }
    default: {
      const never: never = insn;
      throw new TypeError(`unknown instruction kind ${String((never as { kind: unknown }).kind)}`);
    }
  }
}
