// Bytes → instructions, rejecting every encoding the kernel would refuse as malformed
// ("uses reserved fields", "unknown opcode", "invalid BPF_LD_IMM insn", …).
//
//   one slot (struct bpf_insn, include/uapi/linux/bpf.h), little endian:
//   +--------+----+----+--------+----------------+
//   | opcode |dst |src |  off   |      imm       |
//   |   u8   | u4 | u4 |  s16   |      s32       |
//   +--------+----+----+--------+----------------+
//   0        1         2        4               8
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
  SIZE_BYTES,
  SIZE_DW,
  SLOT_BYTES,
  SOURCE_X,
  type PseudoSource,
} from './opcodes.ts';
import type { AluOp, AtomicOp, Instruction, JumpOp, Width } from './instruction.ts';

/** A malformed instruction; `slot` is the index of its first 8-byte slot. */
export class InstructionDecodeError extends RangeError {
  readonly slot: number;
  constructor(slot: number, reason: string) {
    super(`instruction ${slot}: ${reason}`);
    this.name = 'InstructionDecodeError';
    this.slot = slot;
  }
}

/** The raw fields of one slot. */
export interface RawSlot {
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

export function readSlot(view: DataView, slot: number): RawSlot {
  const at = slot * SLOT_BYTES;
  const regs = view.getUint8(at + 1);
  return {
    opcode: view.getUint8(at),
    dst: regs & 0x0f,
    src: regs >> 4,
    off: view.getInt16(at + 2, true),
    imm: view.getInt32(at + 4, true),
  };
}

const ALU_OPS_BY_CODE = invert(ALU_CODES);
const JMP_OPS_BY_CODE = invert(JMP_CODES);
const ATOMIC_OPS_BY_IMM = new Map<number, { op: AtomicOp; fetch: boolean }>();
for (const [op, code] of Object.entries(ATOMIC_CODES) as [AtomicOp, number][]) {
  ATOMIC_OPS_BY_IMM.set(code, { op, fetch: (code & ATOMIC_FETCH) !== 0 });
  if (op !== 'xchg' && op !== 'cmpxchg') ATOMIC_OPS_BY_IMM.set(code | ATOMIC_FETCH, { op, fetch: true });
}
const PSEUDO_BY_SRC = invert(PSEUDO);

function invert<K extends string>(table: Readonly<Record<K, number>>): Map<number, K> {
  return new Map(Object.entries(table).map(([k, v]) => [v as number, k as K]));
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(2, '0')}`;

/**
 * Decode a program's bytes (a multiple of 8) into instructions.
 *
 * @example
 * decode(new Uint8Array([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]))
 * // [{ kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 2 }, { kind: 'exit' }]
 */
export function decode(bytes: Uint8Array): Instruction[] {
  if (bytes.length % SLOT_BYTES !== 0) {
    throw new RangeError(`program size ${bytes.length} is not a multiple of ${SLOT_BYTES} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slots = bytes.length / SLOT_BYTES;
  const out: Instruction[] = [];
  for (let slot = 0; slot < slots; ) {
    const insn = decodeAt(view, slot, slots);
    out.push(insn);
    slot += insn.kind === 'lddw' ? 2 : 1;
  }
  return out;
}

/** Decode the instruction whose first slot is `slot` (of `slots` in the view). */
export function decodeAt(view: DataView, slot: number, slots: number): Instruction {
  const raw = readSlot(view, slot);
  const fail = (reason: string): never => {
    throw new InstructionDecodeError(slot, `${reason} (opcode ${hex(raw.opcode)})`);
  };
  if (raw.dst > MAX_REGISTER) fail(`invalid dst register r${raw.dst}`);
  if (raw.src > MAX_REGISTER) fail(`invalid src register r${raw.src}`);
  const cls = raw.opcode & 0x07;
  switch (cls) {
    case CLASS_ALU:
    case CLASS_ALU64:
      return decodeAlu(raw, cls === CLASS_ALU64 ? 64 : 32, fail);
    case CLASS_JMP:
    case CLASS_JMP32:
      return decodeJump(raw, cls === CLASS_JMP ? 64 : 32, fail);
    case CLASS_LD:
      return decodeLd(raw, view, slot, slots, fail);
    case CLASS_LDX:
    case CLASS_ST:
    case CLASS_STX:
      return decodeMemory(raw, cls, fail);
  }
  return fail('unknown instruction class');
}

type Fail = (reason: string) => never;

function decodeAlu(raw: RawSlot, width: Width, fail: Fail): Instruction {
  const code = ALU_OPS_BY_CODE.get(raw.opcode & 0xf0);
  if (code === undefined) return fail('unknown opcode');
  const isReg = (raw.opcode & SOURCE_X) !== 0;
  const { dst, src, off, imm } = raw;
  if (code === 'end') {
    if (off !== 0 || src !== 0) fail('endian conversion uses reserved fields');
    if (imm !== 16 && imm !== 32 && imm !== 64) fail(`invalid endian width ${imm}`);
    const bits = imm as 16 | 32 | 64;
    if (width === 64) {
      if (isReg) fail('bswap uses reserved fields');
      return { kind: 'endian', order: 'swap', bits, dst };
    }
    return { kind: 'endian', order: isReg ? 'be' : 'le', bits, dst };
  }
  if (code === 'neg') {
    if (isReg || src !== 0 || off !== 0 || imm !== 0) fail('neg uses reserved fields');
    return { kind: 'alu', width, op: 'neg', source: 'imm', dst, src: 0, imm: 0 };
  }
  let op: AluOp = code;
  if (off !== 0) {
    if ((code === 'div' || code === 'mod') && off === 1) op = code === 'div' ? 'sdiv' : 'smod';
    else if (code === 'mov' && isReg && imm === 0 && (off === 8 || off === 16 || (off === 32 && width === 64))) {
      op = `movsx${off}` as AluOp;
    } else if (code === 'mov' && isReg && width === 64 && off === 1) {
      return {
        kind: 'addr_space_cast',
        dst,
        src,
        dstAddressSpace: (imm >>> 16) & 0xffff,
        srcAddressSpace: imm & 0xffff,
      };
    } else fail(`${code} uses reserved offset field (${off})`);
  }
  if (isReg) {
    if (imm !== 0) fail(`${op} with a register source uses reserved imm field`);
    return { kind: 'alu', width, op, source: 'reg', dst, src, imm: 0 };
  }
  if (src !== 0) fail(`${op} with an immediate source uses reserved src field`);
  return { kind: 'alu', width, op, source: 'imm', dst, src: 0, imm };
}

function decodeJump(raw: RawSlot, width: Width, fail: Fail): Instruction {
  const code = JMP_OPS_BY_CODE.get(raw.opcode & 0xf0);
  if (code === undefined) return fail('unknown opcode');
  const isReg = (raw.opcode & SOURCE_X) !== 0;
  const { dst, src, off, imm } = raw;
  switch (code) {
    case 'ja':
      if (isReg || dst !== 0 || src !== 0) fail('ja uses reserved fields');
      if (width === 64) {
        if (imm !== 0) fail('ja uses reserved imm field');
        return { kind: 'ja', long: false, off };
      }
      if (off !== 0) fail('gotol uses reserved offset field');
      return { kind: 'ja', long: true, off: imm };
    case 'call':
      if (width === 32) fail('call is not valid in the jmp32 class');
      if (isReg) {
        if (src !== 0 || off !== 0 || imm !== 0) fail('callx uses reserved fields');
        return { kind: 'callx', dst };
      }
      if (dst !== 0) fail('call uses reserved dst field');
      if (src === CALL_HELPER || src === CALL_LOCAL) {
        if (off !== 0) fail('call uses reserved offset field');
        return { kind: 'call', target: src === CALL_HELPER ? 'helper' : 'local', imm, off: 0 };
      }
      if (src === CALL_KFUNC) return { kind: 'call', target: 'kfunc', imm, off };
      return fail(`invalid call source ${src}`);
    case 'exit':
      if (width === 32) fail('exit is not valid in the jmp32 class');
      if (isReg || dst !== 0 || src !== 0 || off !== 0 || imm !== 0) fail('exit uses reserved fields');
      return { kind: 'exit' };
    case 'jcond':
      if (width === 32 || isReg || dst !== 0 || src !== 0 || imm !== 0) fail('may_goto uses reserved fields');
      return { kind: 'may_goto', off };
    default: {
      const op: JumpOp = code;
      if (isReg) {
        if (imm !== 0) fail(`${op} with a register source uses reserved imm field`);
        return { kind: 'jump', width, op, source: 'reg', dst, src, imm: 0, off };
      }
      if (src !== 0) fail(`${op} with an immediate source uses reserved src field`);
      return { kind: 'jump', width, op, source: 'imm', dst, src: 0, imm, off };
    }
  }
}

function decodeLd(raw: RawSlot, view: DataView, slot: number, slots: number, fail: Fail): Instruction {
  const mode = raw.opcode & 0xe0;
  const sizeField = raw.opcode & 0x18;
  const { dst, src, off, imm } = raw;
  if (mode === MODE_IMM) {
    if (sizeField !== SIZE_DW) fail('ld imm with a size other than dw');
    if (slot + 1 >= slots) fail('truncated ld_imm64: its second slot is missing');
    const pseudo = PSEUDO_BY_SRC.get(src) as PseudoSource | undefined;
    if (pseudo === undefined) fail(`invalid ld_imm64 pseudo source ${src}`);
    if (off !== 0) fail('ld_imm64 uses reserved offset field');
    const next = readSlot(view, slot + 1);
    if (next.opcode !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
      fail('ld_imm64 second slot uses reserved fields');
    }
    const value = (BigInt(next.imm >>> 0) << 32n) | BigInt(imm >>> 0);
    return { kind: 'lddw', dst, pseudo: pseudo!, value };
  }
  if (mode === MODE_ABS || mode === MODE_IND) {
    if (sizeField === SIZE_DW) fail(`ld_${mode === MODE_ABS ? 'abs' : 'ind'} with size dw`);
    const size = SIZE_BYTES[sizeField] as 1 | 2 | 4;
    if (dst !== 0 || off !== 0) fail('legacy packet load uses reserved fields');
    if (mode === MODE_ABS) {
      if (src !== 0) fail('ld_abs uses reserved src field');
      return { kind: 'ld_abs', size, imm };
    }
    return { kind: 'ld_ind', size, src, imm };
  }
  return fail('invalid mode for the ld class');
}

function decodeMemory(raw: RawSlot, cls: number, fail: Fail): Instruction {
  const mode = raw.opcode & 0xe0;
  const size = SIZE_BYTES[raw.opcode & 0x18]!;
  const { dst, src, off, imm } = raw;
  if (cls === CLASS_LDX) {
    if (mode !== MODE_MEM && mode !== MODE_MEMSX) fail('invalid mode for the ldx class');
    if (mode === MODE_MEMSX && size === 8) fail('sign-extending load of size dw');
    if (imm !== 0) fail('ldx uses reserved imm field');
    return { kind: 'ldx', size, signed: mode === MODE_MEMSX, dst, src, off };
  }
  if (cls === CLASS_ST) {
    if (mode !== MODE_MEM) fail('invalid mode for the st class');
    if (src !== 0) fail('st uses reserved src field');
    return { kind: 'st', size, dst, off, imm };
  }
  if (mode === MODE_MEM) {
    if (imm !== 0) fail('stx uses reserved imm field');
    return { kind: 'stx', size, dst, src, off };
  }
  if (mode !== MODE_ATOMIC) fail('invalid mode for the stx class');
  if (size !== 4 && size !== 8) fail(`atomic operation of size ${size}`);
  const atomic = ATOMIC_OPS_BY_IMM.get(imm);
  if (atomic === undefined) fail(`invalid atomic operation ${hex(imm)}`);
  return { kind: 'atomic', size: size as 4 | 8, op: atomic!.op, fetch: atomic!.fetch, dst, src, off };
}
