// Instructions → bytes; the exact inverse of `decode`.
import {
  ALU_CODES,
  ATOMIC_CODES,
  ATOMIC_FETCH,
  CALL_HELPER,
  CALL_KFUNC,
  CALL_LOCAL,
  CLASS_ALU,
  CLASS_ALU64,
  CLASS_JMP,
  CLASS_JMP32,
  CLASS_LD,
  CLASS_LDX,
  CLASS_ST,
  CLASS_STX,
  JMP_CODES,
  MAX_REGISTER,
  MODE_ABS,
  MODE_ATOMIC,
  MODE_IMM,
  MODE_IND,
  MODE_MEM,
  MODE_MEMSX,
  PSEUDO,
  SIZE_DW,
  SLOT_BYTES,
  SOURCE_K,
  SOURCE_X,
  sizeCode,
} from './opcodes.ts';
import { lddwHalves, slotCount, type Instruction } from './instruction.ts';

/** A field out of its range, e.g. a 17-bit offset; names the instruction's position in the input array. */
export class InstructionEncodeError extends RangeError {
  readonly index: number;
  constructor(index: number, reason: string) {
    super(`instruction #${index}: ${reason}`);
    this.name = 'InstructionEncodeError';
    this.index = index;
  }
}

/** Encode instructions into a new byte array. */
export function encode(insns: readonly Instruction[]): Uint8Array {
  let slots = 0;
  for (const insn of insns) slots += slotCount(insn);
  const bytes = new Uint8Array(slots * SLOT_BYTES);
  const view = new DataView(bytes.buffer);
  let slot = 0;
  insns.forEach((insn, index) => {
    slot += encodeAt(view, slot, insn, index);
  });
  return bytes;
}

/** Write one instruction at `slot`; returns the number of slots written. */
export function encodeAt(view: DataView, slot: number, insn: Instruction, index = slot): number {
  const put = (at: number, opcode: number, dst: number, src: number, off: number, imm: number): void => {
    checkReg(index, 'dst', dst);
    checkReg(index, 'src', src);
    checkRange(index, 'offset', off, -0x8000, 0x7fff);
    checkRange(index, 'imm', imm, -0x8000_0000, 0xffff_ffff);
    const o = at * SLOT_BYTES;
    view.setUint8(o, opcode);
    view.setUint8(o + 1, (src << 4) | dst);
    view.setInt16(o + 2, off, true);
    view.setInt32(o + 4, imm | 0, true);
  };
  switch (insn.kind) {
    case 'alu': {
      const cls = insn.width === 64 ? CLASS_ALU64 : CLASS_ALU;
      const source = insn.source === 'reg' ? SOURCE_X : SOURCE_K;
      let code: number;
      let off = 0;
      switch (insn.op) {
        case 'sdiv':
          [code, off] = [ALU_CODES.div, 1];
          break;
        case 'smod':
          [code, off] = [ALU_CODES.mod, 1];
          break;
        case 'movsx8':
        case 'movsx16':
        case 'movsx32':
          [code, off] = [ALU_CODES.mov, Number(insn.op.slice(5))];
          break;
        default:
          code = ALU_CODES[insn.op];
      }
      put(slot, code | source | cls, insn.dst, insn.source === 'reg' ? insn.src : 0, off, insn.source === 'reg' ? 0 : insn.imm);
      return 1;
    }
    case 'endian': {
      const cls = insn.order === 'swap' ? CLASS_ALU64 : CLASS_ALU;
      const source = insn.order === 'be' ? SOURCE_X : SOURCE_K;
      put(slot, ALU_CODES.end | source | cls, insn.dst, 0, 0, insn.bits);
      return 1;
    }
    case 'addr_space_cast':
      put(
        slot,
        ALU_CODES.mov | SOURCE_X | CLASS_ALU64,
        insn.dst,
        insn.src,
        1,
        ((insn.dstAddressSpace & 0xffff) << 16) | (insn.srcAddressSpace & 0xffff),
      );
      return 1;
    case 'jump': {
      const cls = insn.width === 64 ? CLASS_JMP : CLASS_JMP32;
      const reg = insn.source === 'reg';
      put(slot, JMP_CODES[insn.op] | (reg ? SOURCE_X : SOURCE_K) | cls, insn.dst, reg ? insn.src : 0, insn.off, reg ? 0 : insn.imm);
      return 1;
    }
    case 'ja':
      if (insn.long) put(slot, JMP_CODES.ja | CLASS_JMP32, 0, 0, 0, insn.off);
      else put(slot, JMP_CODES.ja | CLASS_JMP, 0, 0, insn.off, 0);
      return 1;
    case 'may_goto':
      put(slot, JMP_CODES.jcond | CLASS_JMP, 0, 0, insn.off, 0);
      return 1;
    case 'call': {
      const src = insn.target === 'helper' ? CALL_HELPER : insn.target === 'local' ? CALL_LOCAL : CALL_KFUNC;
      put(slot, JMP_CODES.call | CLASS_JMP, 0, src, insn.target === 'kfunc' ? insn.off : 0, insn.imm);
      return 1;
    }
    case 'callx':
      put(slot, JMP_CODES.call | SOURCE_X | CLASS_JMP, insn.dst, 0, 0, 0);
      return 1;
    case 'exit':
      put(slot, JMP_CODES.exit | CLASS_JMP, 0, 0, 0, 0);
      return 1;
    case 'ldx':
      put(slot, (insn.signed ? MODE_MEMSX : MODE_MEM) | sizeCode(insn.size) | CLASS_LDX, insn.dst, insn.src, insn.off, 0);
      return 1;
    case 'st':
      put(slot, MODE_MEM | sizeCode(insn.size) | CLASS_ST, insn.dst, 0, insn.off, insn.imm);
      return 1;
    case 'stx':
      put(slot, MODE_MEM | sizeCode(insn.size) | CLASS_STX, insn.dst, insn.src, insn.off, 0);
      return 1;
    case 'atomic': {
      const imm = ATOMIC_CODES[insn.op] | (insn.fetch ? ATOMIC_FETCH : 0);
      put(slot, MODE_ATOMIC | sizeCode(insn.size) | CLASS_STX, insn.dst, insn.src, insn.off, imm);
      return 1;
    }
    case 'lddw': {
      if (insn.value < 0n || insn.value > 0xffff_ffff_ffff_ffffn) {
        throw new InstructionEncodeError(index, `lddw value ${insn.value} is not an unsigned 64-bit number`);
      }
      const { lo, hi } = lddwHalves(insn.value);
      put(slot, MODE_IMM | SIZE_DW | CLASS_LD, insn.dst, PSEUDO[insn.pseudo], 0, lo);
      put(slot + 1, 0, 0, 0, 0, hi);
      return 2;
    }
    case 'ld_abs':
      put(slot, MODE_ABS | sizeCode(insn.size) | CLASS_LD, 0, 0, 0, insn.imm);
      return 1;
    case 'ld_ind':
      put(slot, MODE_IND | sizeCode(insn.size) | CLASS_LD, 0, insn.src, 0, insn.imm);
      return 1;
    default: {
      const never: never = insn;
      throw new InstructionEncodeError(index, `unknown instruction kind ${String((never as { kind: unknown }).kind)}`);
    }
  }
}

function checkReg(index: number, field: string, reg: number): void {
  if (!Number.isInteger(reg) || reg < 0 || reg > MAX_REGISTER) {
    throw new InstructionEncodeError(index, `invalid ${field} register ${reg}`);
  }
}

function checkRange(index: number, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InstructionEncodeError(index, `${field} ${value} does not fit its field`);
  }
}
